"""The calendar API: due dates, a year's days, the versions. Read-only; changes go through the
pages (audited services)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caicach.accounts.access import require_anywhere, scope
from caicach.accounts.api.permissions import IsOfficer
from caicach.agencies.models import Agency
from caicach.calendars import services
from caicach.calendars.api.serializers import (
    DueSerializer,
    ErrorSerializer,
    VersionSerializer,
    YearSerializer,
)
from caicach.calendars.models import CalendarVersion
from caicach.core.api.pagination import CursorPagination

_AGENCY = OpenApiParameter(
    "agency",
    str,
    description="Agency code: use its effective calendar (official days plus its overrides and "
    "office hours). Omitted: the official calendar.",
)


def _agency(request: Request) -> Agency | None:
    """The requested agency, if in the caller's scope (else 404: existence is not revealed)."""
    code = request.query_params.get("agency", "").strip()
    if not code:
        return None
    visible = scope(Agency.objects.all(), request.user, "calendars.view")
    return services.agency_by_code(code, visible)


def _input_error(error: services.CalendarInputError) -> Response:
    """The project's validation shape: messages per field in English and Vietnamese."""
    return Response(
        {
            "detail": "Invalid input.",
            "detail_vi": "Dữ liệu không hợp lệ.",
            "code": "invalid",
            "errors": {k: [v] for k, v in error.errors_en.items()},
            "errors_vi": {k: [v] for k, v in error.errors_vi.items()},
        },
        status=400,
    )


class DueView(APIView):
    permission_classes = [IsOfficer]
    token_scope = "catalogue"

    @extend_schema(
        operation_id="calendar_due",
        summary="Compute a due date",
        description=(
            "The due instant of a statutory time from the receipt time, with the days skipped "
            "and why, the cut-off applied and the calendar version (Civil Code 2015 arts. "
            "147-148, NĐ 61/2018 art. 18). A `received` without an offset is Vietnam time."
        ),
        parameters=[
            OpenApiParameter(
                "received",
                OpenApiTypes.DATETIME,
                required=True,
                description="Receipt time, ISO 8601, e.g. 2025-04-25T10:00 or 2025-04-25T10:00+07:00.",
            ),
            OpenApiParameter(
                "value", OpenApiTypes.DECIMAL, required=True, description="Time allowed (>= 0)."
            ),
            OpenApiParameter(
                "unit",
                str,
                enum=["working_days", "working_hours", "calendar_days"],
                default="working_days",
            ),
            OpenApiParameter(
                "cutoff",
                str,
                description="Cut-off HH:MM (default 15:00); `none` for no cut-off.",
            ),
            _AGENCY,
        ],
        responses={200: DueSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        examples=[
            OpenApiExample(
                "Three working days over a worked Saturday",
                value={
                    "due": "2025-04-29T17:00:00+07:00",
                    "skipped": [
                        {
                            "date": "2025-04-27",
                            "reason": "weekend",
                            "label": "Chủ nhật (nghỉ cuối tuần)",
                            "label_en": "Sunday (weekly rest day)",
                        }
                    ],
                    "calendar_version": "official-2026.1",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        require_anywhere(request.user, "calendars.view")
        params = request.query_params
        try:
            query = services.parse_due_query(
                received=params.get("received"),
                value=params.get("value"),
                unit=params.get("unit") or "working_days",
                cutoff=params.get("cutoff"),
                agency=_agency(request),
            )
            result = services.compute_due(query)
        except services.CalendarInputError as error:
            return _input_error(error)
        return Response(services.due_as_json(result))


class YearView(APIView):
    permission_classes = [IsOfficer]
    token_scope = "catalogue"

    @extend_schema(
        operation_id="calendar_year",
        summary="A year's calendar",
        description="The dated entries of the year, its non-working weekdays and its worked "
        "weekend days (what `caicach calendar show YEAR` prints).",
        parameters=[
            OpenApiParameter("year", int, OpenApiParameter.PATH, description="e.g. 2026"),
            _AGENCY,
        ],
        responses={200: YearSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request, year: int) -> Response:
        require_anywhere(request.user, "calendars.view")
        calendar = services.calendar_for(_agency(request))
        summary = services.year_summary(calendar, year)
        data = services.summary_as_json(summary, calendar)
        data["days"] = [
            {
                "date": e.date.isoformat(),
                "kind": e.kind.value,
                "name_vi": e.name_vi,
                "name_en": e.name_en,
                "note": e.note,
                "is_working": calendar.is_working_day(e.date),
            }
            for e in calendar.entries
            if e.date.year == year
        ]
        return Response(data)


class VersionPagination(CursorPagination):
    ordering = "-number"


class VersionList(generics.ListAPIView):
    """Calendar versions, newest first: the official ones and the overrides of agencies in the
    caller's scope."""

    permission_classes = [IsOfficer]
    token_scope = "catalogue"
    serializer_class = VersionSerializer
    pagination_class = VersionPagination
    filter_backends: list[Any] = []

    @extend_schema(operation_id="calendar_versions", summary="Calendar versions")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[CalendarVersion]:
        require_anywhere(self.request.user, "calendars.view")
        return services.versions_visible_to(self.request.user).select_related("parent")
