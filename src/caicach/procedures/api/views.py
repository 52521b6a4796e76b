"""The catalogue API: scoped reads for every officer, and the import for admins."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caicach.accounts.access import require_anywhere
from caicach.accounts.api.permissions import IsOfficer
from caicach.core.api.pagination import CursorPagination
from caicach.core.audit import Actor
from caicach.core.input_guard import JSONParser
from caicach.procedures import services
from caicach.procedures.api.filters import ProcedureFilter
from caicach.procedures.api.serializers import (
    CatalogueDocumentSerializer,
    CatalogueFieldSerializer,
    ImportErrorSerializer,
    ImportResultSerializer,
    ProcedureDetailSerializer,
    ProcedureListSerializer,
    ProcedureVersionSerializer,
)
from caicach.procedures.models import Field, Procedure, ProcedureVersion, WorkflowStep
from caicach.procedures.rules import current_version


class CodePagination(CursorPagination):
    ordering = "code"  # unique: a stable cursor, in catalogue order


_CODE = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description="National procedure code, e.g. 1.004227."
)
_NUMBER = OpenApiParameter("number", int, OpenApiParameter.PATH, description="Version number.")


def _visible(request: Request) -> QuerySet[Procedure]:
    require_anywhere(request.user, "procedures.view")
    return Procedure.objects.visible_to(request.user)


def _details(versions: list[ProcedureVersion]) -> None:
    prefetch_related_objects(
        versions,
        "field",
        "fees",
        "components",
        Prefetch("steps", WorkflowStep.objects.select_related("agency")),
    )


class ProcedureList(generics.ListAPIView):
    """Procedures the caller may see: handled or owned by an agency in their scope."""

    serializer_class = ProcedureListSerializer
    permission_classes = [IsOfficer]
    token_scope = "catalogue"
    pagination_class = CodePagination
    filterset_class = ProcedureFilter
    queryset = Procedure.objects.none()  # for the schema; rows come from get_queryset

    @extend_schema(
        summary="Procedures in the caller's scope",
        description="In code order, with the version in force today (or the next one when "
        "none is in force yet). `q` matches words of the code, name or field with or "
        "without diacritics.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Procedure]:
        return _visible(self.request).select_related("field").in_force()


class ProcedureDetail(generics.RetrieveAPIView):
    serializer_class = ProcedureDetailSerializer
    permission_classes = [IsOfficer]
    token_scope = "catalogue"
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    queryset = Procedure.objects.none()

    @extend_schema(
        summary="One procedure with its current version",
        description="The version in force today with fees, components and workflow, and the "
        "list of all versions. 404 when the code does not exist or lies outside the "
        "caller's scope.",
        parameters=[_CODE],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Procedure]:
        return (
            _visible(self.request)
            .select_related("field", "owner_agency")
            .prefetch_related(
                "handling_agencies",
                Prefetch(
                    "versions",
                    ProcedureVersion.objects.order_by("number"),
                    to_attr="all_versions",
                ),
            )
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        procedure = self.get_object()
        today = timezone.localdate()
        current = current_version(procedure.all_versions, today)
        if current is not None:
            _details([current])
        context["current_version"] = current
        return context

    def get_object(self) -> Procedure:
        if not hasattr(self, "_object"):
            self._object = super().get_object()
        return self._object


class VersionDetail(generics.RetrieveAPIView):
    serializer_class = ProcedureVersionSerializer
    permission_classes = [IsOfficer]
    token_scope = "catalogue"
    queryset = ProcedureVersion.objects.none()

    @extend_schema(
        summary="One version of a procedure",
        description="Versions are immutable: a dossier keeps the version it was received under.",
        parameters=[_CODE, _NUMBER],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_object(self) -> ProcedureVersion:
        version = (
            ProcedureVersion.objects.filter(
                procedure__in=_visible(self.request),
                procedure__code=self.kwargs["code"],
                number=self.kwargs["number"],
            )
            .select_related("procedure")
            .first()
        )
        if version is None:
            raise Http404
        _details([version])
        return version


class FieldList(generics.ListAPIView):
    """The fields (lĩnh vực) of the catalogue."""

    serializer_class = CatalogueFieldSerializer
    permission_classes = [IsOfficer]
    token_scope = "catalogue"
    pagination_class = CodePagination
    queryset = Field.objects.none()

    @extend_schema(summary="Fields of the catalogue")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Field]:
        require_anywhere(self.request.user, "procedures.view")
        return Field.objects.all()


class CatalogueImport(APIView):
    permission_classes = [IsOfficer]
    token_scope = "catalogue"
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Import procedures (all or nothing)",
        description="The exchange format of `caicach catalogue export`: a list of procedure "
        'rows, or `{"procedures": [...], "previous_versions": [...]}`. Nothing is written '
        "unless every row is valid; a 400 lists every problem with its row, column and "
        "reason in Vietnamese and English. Needs the `procedures.import` permission over "
        "the owner agency of every row.",
        request=CatalogueDocumentSerializer,
        responses={200: ImportResultSerializer, 400: ImportErrorSerializer},
        examples=[
            OpenApiExample(
                "Refused",
                status_codes=["400"],
                response_only=True,
                value={
                    "detail": "The import has 1 error(s); nothing was written.",
                    "detail_vi": "Dữ liệu nhập có 1 lỗi; chưa có thay đổi nào được ghi.",
                    "code": "invalid_import",
                    "errors": [
                        {
                            "sheet": "procedures",
                            "row": 3,
                            "column": "workflow",
                            "message_vi": "Tổng thời gian các bước (4,5 ngày làm việc) vượt "
                            "thời hạn giải quyết (4 ngày làm việc).",
                            "message_en": "The steps' total time (4.5 working days) exceeds "
                            "the statutory time (4 working days).",
                        }
                    ],
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        require_anywhere(request.user, "procedures.import")
        result = services.import_catalogue(Actor.from_request(request), request.data, source="api")
        return Response(ImportResultSerializer(result.as_dict()).data)
