"""The Decision 766 index over the API (issue 13, "The kpi command and the API").

``/api/v1/metrics/766/``: one agency (its subtree) for one period; ``/all/``: every agency of a
subtree in the caller's ``reports.view`` scope, from one grouped read; ``/what-if/``: k more
dossiers on one sub-indicator. Errors are bilingual (``detail``, ``detail_vi``, ``code``); a bad
period or input is a 400, an unknown agency or one outside the caller's scope a 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caicach.accounts.access import agency_filter, require_anywhere
from caicach.accounts.api.permissions import IsOfficer
from caicach.agencies.models import Agency
from caicach.core.errors import BilingualError
from caicach.dossiers.api.documents import error_response
from caicach.dossiers.reports.agencies import resolve_agency
from caicach.metrics import index766, index766_reads
from caicach.metrics.api.params import AGENCY, PERIOD, period_from

ACTION = "reports.view"

_ERRORS = {
    400: error_response("Bad period or input."),
    403: error_response("The caller's roles do not include the figures (`reports.view`)."),
    404: error_response("Unknown agency, or outside the caller's scope."),
}


def _frac(x: Any) -> str | None:
    return index766._dec(x)


class Index766View(APIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"

    @extend_schema(
        operation_id="metrics_766",
        summary="Decision 766 index of one agency",
        description="Each group and sub-indicator with R, T, points, the KPI and reason behind "
        "it, the formula version and settings, and the count of dossiers whose legal and 766 "
        "verdicts differ (null while those verdicts are not stored).",
        parameters=[AGENCY, PERIOD],
        responses={200: OpenApiTypes.OBJECT, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        require_anywhere(request.user, ACTION)
        period = period_from(request)
        agency = resolve_agency(request.user, request.query_params.get("agency"), ACTION)
        return Response(index766_reads.index_for(agency, period).as_dict())


class Index766AllView(APIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"

    @extend_schema(
        operation_id="metrics_766_all",
        summary="Decision 766 index of every agency of a subtree",
        description="One entry per agency in operation during the period, in tree order, within "
        "the caller's scope (the province cascaded to every department and commune). Bounded by "
        "the size of the tree (not paginated).",
        parameters=[AGENCY, PERIOD],
        responses={200: OpenApiTypes.OBJECT, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        require_anywhere(request.user, ACTION)
        period = period_from(request)
        root = resolve_agency(request.user, request.query_params.get("agency"), ACTION)
        agencies = list(
            Agency.objects.filter(agency_filter(request.user, ACTION))
            .filter(path__startswith=root.path, valid_from__lte=period.last)
            .exclude(valid_to__lt=period.first)
            .order_by("path")
        )
        results = index766_reads.index_for_all(period, agencies)
        return Response(
            {
                "period": period.label,
                "formula_version": index766.FORMULA_VERSION,
                "results": [r.as_dict() for r in results],
            }
        )


class WhatIfView(APIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"

    @extend_schema(
        operation_id="metrics_766_what_if",
        summary="Decision 766 what-if for one sub-indicator",
        description="If `extra` more of the agency's dossiers had been on time (online, "
        "digitised, paid online…), the new R and points, the gain, and the fewest extra dossiers "
        "that give all the points.",
        parameters=[
            AGENCY,
            PERIOD,
            OpenApiParameter("sub", str, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("extra", int, OpenApiParameter.QUERY, required=True),
        ],
        responses={200: OpenApiTypes.OBJECT, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        require_anywhere(request.user, ACTION)
        period = period_from(request)
        sub_id = request.query_params.get("sub", "")
        conf = index766.current_settings()
        subs = {s.id: s for s in index766.sub_indicators(conf["group3_split"])}
        sub = subs.get(sub_id)
        if sub is None:
            shown = sub_id[:20]
            raise BilingualError(
                f"Không có chỉ tiêu QĐ 766 “{shown}”.",
                f"No Decision 766 sub-indicator “{shown}”.",
                code="unknown_sub_indicator",
            )
        text = request.query_params.get("extra", "")
        if not text.isdigit() or int(text) > 10_000_000:
            raise BilingualError(
                "“extra” phải là số nguyên từ 0 đến 10.000.000.",
                "“extra” must be a whole number from 0 to 10,000,000.",
                code="invalid_extra",
            )
        agency = resolve_agency(request.user, request.query_params.get("agency"), ACTION)
        fig = index766_reads.kpis_for_agencies([sub.kpi], [agency], period).get(
            (sub.kpi, agency.pk)
        )
        body: dict[str, Any] = {
            "agency": agency.code,
            "period": period.label,
            "sub": sub.id,
            "kpi": sub.kpi,
            "threshold": _frac(sub.threshold),
            "pmax": _frac(sub.pmax),
            "formula_version": index766.FORMULA_VERSION,
        }
        if fig is None or fig.value is None or sub.kpi == "avg_processing_days":
            body.update(
                points_before=None,
                points_after=None,
                reason_vi=fig.reason_vi if fig else sub.missing_vi,
                reason_en=fig.reason_en if fig else sub.missing_en,
            )
            return Response(body)
        w = index766.what_if(fig.numerator, fig.denominator, sub.threshold, sub.pmax, int(text))
        body.update(
            numerator=str(fig.numerator),
            denominator=str(fig.denominator),
            extra=w.extra,
            r_before=_frac(w.r_before),
            r_after=_frac(w.r_after),
            points_before=_frac(w.points_before),
            points_after=_frac(w.points_after),
            gain=_frac(w.gain),
            k_to_full=w.k_to_full,
        )
        return Response(body)


urlpatterns = [
    path("", Index766View.as_view(), name="api-metrics-766"),
    path("all/", Index766AllView.as_view(), name="api-metrics-766-all"),
    path("what-if/", WhatIfView.as_view(), name="api-metrics-766-what-if"),
]
