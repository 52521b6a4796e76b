"""The dossier API: receipt, scoped reads, history, and the lifecycle actions. Thin views: the
rules live in :mod:`caicach.dossiers.services`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from caicach.accounts.access import require_anywhere
from caicach.accounts.api.permissions import IsOfficer
from caicach.core.api.pagination import CursorPagination
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.input_guard import JSONParser
from caicach.dossiers import services
from caicach.dossiers.api.filters import DossierFilter
from caicach.dossiers.api.serializers import (
    DossierActionRequestSerializer,
    DossierActionResultSerializer,
    DossierDetailSerializer,
    DossierErrorSerializer,
    DossierEventSerializer,
    DossierListSerializer,
    DossierReceiveSerializer,
    received_dossier_data,
)
from caicach.dossiers.asof import as_of_data, parse_as_of
from caicach.dossiers.models import Dossier, DossierEvent
from caicach.dossiers.workflow import DossierAction

ACTIONS = [a.value for a in DossierAction if a is not DossierAction.RECEIVE]

_CODE = OpenApiParameter(
    "code",
    str,
    OpenApiParameter.PATH,
    description="Dossier code, e.g. 000.00.01.H97-250425-0001.",
)
_AS_OF = OpenApiParameter(
    "as_of",
    str,
    OpenApiParameter.QUERY,
    required=False,
    description="A past instant, `YYYY-MM-DD` (end of that day) or `YYYY-MM-DDTHH:MM`, "
    "Vietnam time: adds an `as_of` block with the dossier's status then (within_time, "
    "at_risk, overdue, paused; early, on_time, late once finished), against the promise "
    "and the statutory due. Invalid: 400 with the reason in both languages.",
)
_ACTION = OpenApiParameter(
    "action", str, OpenApiParameter.PATH, enum=ACTIONS, description="Lifecycle action."
)
_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique key per new dossier (e.g. a UUID). Sending the same key with the "
    "same body again returns the dossier made the first time (header "
    "`Idempotent-Replayed: true`); with another body, 409.",
)
_ERROR = DossierErrorSerializer


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(_ERROR, description=description)


class _BilingualInput:
    """Adds ``errors_vi`` to the 400 of a :class:`services.DossierInputError` (the project's
    handler renders ``errors`` in English)."""

    def handle_exception(self, exc: Exception) -> Response:
        response: Response = super().handle_exception(exc)  # type: ignore[misc]
        if isinstance(exc, services.DossierInputError) and isinstance(response.data, dict):
            response.data["errors_vi"] = {k: [v] for k, v in exc.errors_vi.items()}
        return response


def _detail_queryset(user: Any) -> QuerySet[Dossier]:
    return services.visible_dossiers(user).with_detail()


def _visible(request: Request, code: str) -> Dossier:
    require_anywhere(request.user, "dossiers.view")
    text = services.clean_key(code, upper=True)
    dossier = _detail_queryset(request.user).filter(code=text).first() if text else None
    if dossier is None:
        raise services.DossierNotFoundError(code)
    return dossier


def _prefetched(dossier: Dossier, **related: list[Any]) -> None:
    """Fill ``dossier``'s prefetch cache with rows already in hand, as ``prefetch_related``
    would (the managers then answer ``.all()`` without a query)."""
    cache = dossier.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in related.items():
        queryset = getattr(dossier, name).all()
        queryset._result_cache = list(rows)
        queryset._prefetch_done = True
        cache[name] = queryset


def _component(item: dict[str, Any]) -> dict[str, Any]:
    values = dict(item)
    values["component_id"] = values.pop("component", None)
    return values


class DossierListCreate(_BilingualInput, generics.GenericAPIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"
    parser_classes = [JSONParser]  # files travel base64 inside the JSON body
    pagination_class = CursorPagination  # newest first, no COUNT
    filterset_class = DossierFilter
    queryset = Dossier.objects.none()  # for the schema; rows come from get_queryset

    def get_serializer_class(self) -> type:
        if self.request is not None and self.request.method == "POST":
            return DossierReceiveSerializer
        return DossierListSerializer

    def get_queryset(self) -> QuerySet[Dossier]:
        require_anywhere(self.request.user, "dossiers.view")
        return services.visible_dossiers(self.request.user).select_related(
            "procedure", "procedure_version", "current_agency", "applicant"
        )

    @extend_schema(
        operation_id="dossiers_list",
        summary="Dossiers in the caller's scope",
        description="Dossiers received, decided or currently held by an agency in the caller's "
        "scope, newest first, with cursor pagination. `q` matches the code, the applicant's "
        "name with or without diacritics, the citizen ID, tax code or phone.",
        responses={200: DossierListSerializer(many=True), 403: _error("No dossier scope.")},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        serializer = DossierListSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        operation_id="dossiers_receive",
        summary="Receive a dossier",
        description="Tiếp nhận hồ sơ (NĐ 61/2018 art. 17, form 01): numbers it "
        "`<agency code>-YYMMDD-XXXX` (TT 01/2018 art. 19), keeps the procedure version in force, "
        "and computes the promised date (`due_at`, promised time) and the legal one "
        "(`legal_due_at`, statutory time) on the receiving agency's calendar. Needs the "
        "receiver role over the receiving agency. Files are sent base64 in `content`, or "
        "reused from the applicant's store with `store_reference`.",
        request=DossierReceiveSerializer,
        parameters=[_KEY],
        responses={
            201: DossierDetailSerializer,
            400: _error("Invalid input (e.g. citizen ID), with the field in `errors`."),
            403: _error("The receiving agency is outside the caller's receiver scope."),
            409: _error("Idempotency-Key reused with a different body."),
        },
        examples=[
            OpenApiExample(
                "Counter receipt",
                request_only=True,
                value={
                    "procedure": "1.004227",
                    "channel": "counter",
                    "receiving_agency": "000.00.01.H97",
                    "applicant": {
                        "kind": "person",
                        "full_name": "Nguyễn Văn An",
                        "id_number": "001085012345",
                        "phone": "0912345678",
                    },
                    "components": [{"name": "Tờ khai", "store_reference": "KHO-123"}],
                },
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key", "")
        if not key.strip():
            raise services.DossierInputError(
                {"Idempotency-Key": "Cần gửi tiêu đề Idempotency-Key (ví dụ một UUID)."},
                {"Idempotency-Key": "The Idempotency-Key header is required (e.g. a UUID)."},
                code="idempotency_key_required",
            )
        serializer = DossierReceiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        dossier = services.receive_dossier(
            Actor.from_request(request),
            procedure_code=data["procedure"],
            channel=data["channel"],
            applicant=data["applicant"],
            components=[_component(item) for item in data["components"]],
            served_at=data.get("served_at"),
            receiving_agency=data["receiving_agency"],
            deciding_agency=data.get("deciding_agency"),
            idempotency_key=key,
        )
        replayed = getattr(dossier, "idempotent_replay", False)
        # A new dossier is answered from the objects the service wrote (nothing to read back);
        # a replay reads the dossier as it is now.
        if replayed:
            dossier = _detail_queryset(request.user).filter(pk=dossier.pk).first() or dossier
            body = DossierDetailSerializer(dossier, context=self.get_serializer_context()).data
        else:
            _prefetched(dossier, referrals=[])  # a new dossier has none: no query for the roles
            body = received_dossier_data(dossier, request)
        headers = {"Location": f"{request.path}{dossier.code}/"}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)


class DossierDetail(generics.GenericAPIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"
    serializer_class = DossierDetailSerializer
    queryset = Dossier.objects.none()

    @extend_schema(
        operation_id="dossiers_retrieve",
        summary="One dossier",
        description="With the applicant, the received documents, both due dates and the "
        "actions the caller's roles allow. 404 when the code does not exist or the dossier "
        "lies outside the caller's scope.",
        parameters=[_CODE, _AS_OF],
        responses={
            200: DossierDetailSerializer,
            400: _error("Invalid as_of (bilingual)."),
            404: _error("Unknown or out of scope."),
        },
    )
    def get(self, request: Request, code: str) -> Response:
        raw = request.query_params.get("as_of")
        instant = parse_as_of(raw) if raw is not None else None
        dossier = _visible(request, code)
        data = DossierDetailSerializer(dossier, context={"request": request}).data
        if instant is not None:
            data["as_of"] = as_of_data(dossier, instant)
        return Response(data)


class EventPagination(CursorPagination):
    ordering = "id"  # chronological


class DossierEventList(generics.ListAPIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"
    serializer_class = DossierEventSerializer
    pagination_class = EventPagination
    queryset = DossierEvent.objects.none()

    @extend_schema(
        operation_id="dossiers_events",
        summary="History of a dossier",
        description="Every receipt and action, oldest first (append-only).",
        parameters=[_CODE],
        responses={
            200: DossierEventSerializer(many=True),
            404: _error("Unknown or out of scope."),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[DossierEvent]:
        if getattr(self, "swagger_fake_view", False):
            return DossierEvent.objects.none()
        dossier = _visible(self.request, self.kwargs["code"])
        return DossierEvent.objects.filter(dossier=dossier).select_related("agency")


class DossierActionView(_BilingualInput, generics.GenericAPIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"
    parser_classes = [JSONParser]
    serializer_class = DossierActionRequestSerializer
    queryset = Dossier.objects.none()

    @extend_schema(
        operation_id="dossiers_act",
        summary="Apply a lifecycle action",
        description="NĐ 61/2018 arts. 17-20. Send the `version` you read: if someone changed "
        "the dossier since, 409 `stale_version` and nothing changes. An action the state does "
        "not allow, or a broken rule (online supplement once, apology once and at least one "
        "working day before the due date), is a 409 with the reason in Vietnamese and "
        "English; a role that may not do it, 403.",
        parameters=[_CODE, _ACTION],
        request=DossierActionRequestSerializer,
        responses={
            200: DossierActionResultSerializer,
            400: _error("Invalid input (e.g. a required reason is missing)."),
            403: _error("The caller's roles may not do this action."),
            404: _error("Unknown dossier or action, or out of scope."),
            409: _error("Stale version, or not allowed in the current state."),
        },
        examples=[
            OpenApiExample(
                "Supplement request",
                request_only=True,
                value={"version": 3, "reason": "Thiếu bản sao giấy khai sinh."},
            ),
            OpenApiExample(
                "Wrong state",
                status_codes=["409"],
                response_only=True,
                value={
                    "detail": "Cannot request a supplement when the dossier has been returned.",
                    "detail_vi": "Không thể yêu cầu bổ sung khi hồ sơ đã trả kết quả.",
                    "code": "terminal",
                },
            ),
        ],
    )
    def post(self, request: Request, code: str, action: str) -> Response:
        if action not in ACTIONS:
            raise BilingualError(
                f"Không có thao tác “{services.clean_key(action)}”.",
                f"Unknown action “{services.clean_key(action)}”.",
                code="unknown_action",
                status=404,
            )
        serializer = DossierActionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = dict(serializer.validated_data)
        expected = params.pop("version")
        note = params.pop("note", "")
        dossier = services.perform_action(
            Actor.from_request(request),
            code,
            action,
            expected_version=expected,
            note=note,
            **params,
        )
        warnings = getattr(dossier, "warnings", [])
        fresh = _detail_queryset(request.user).filter(pk=dossier.pk).first()
        if fresh is None:  # the action moved it out of the caller's scope
            fresh = dossier
        fresh.warnings = warnings  # type: ignore[attr-defined]
        return Response(DossierActionResultSerializer(fresh, context={"request": request}).data)
