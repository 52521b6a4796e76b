"""The KPI read API (issue 13, "The kpi command and the API"). Thin views over
:mod:`caicach.metrics.compute`, :mod:`~caicach.metrics.drill`, :mod:`~caicach.metrics.freeze`
and :mod:`~caicach.metrics.index766` (every KPI of an agency in a few grouped reads).

Scope: the caller needs ``reports.view`` somewhere (403 otherwise) and over the agency asked
(its subtree; no code: the top of the caller's first scope); an unknown agency or one outside
the scope is a 404 that does not reveal it exists. The dossiers behind a number are those the
number counts (the agency's subtree and the units merged into it, ``metrics.scope``), gated by
the same ``reports.view`` over the agency: the list has exactly as many rows as the number
counts. Errors are bilingual (``detail``, ``detail_vi``, ``code``): a bad period, breakdown or
part is a 400, an unknown KPI a 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caicach.accounts.access import require_anywhere
from caicach.accounts.api.permissions import IsOfficer
from caicach.agencies.models import Agency, AgencyLevel
from caicach.core.errors import BilingualError
from caicach.dossiers.api.documents import error_response
from caicach.dossiers.models import CHANNEL_CHOICES, Dossier
from caicach.dossiers.reports.agencies import resolve_agency
from caicach.metrics import compute, drill, freeze, index766_reads
from caicach.metrics.api.params import PERIOD, period_from
from caicach.metrics.api.serializers import (
    DossierBehindSerializer,
    RegistrySerializer,
    VersionBehindSerializer,
    definition,
)
from caicach.metrics.figures import Figure
from caicach.metrics.models import FrozenValue
from caicach.metrics.periods import Period
from caicach.metrics.registry import FORMULA_VERSION, KPI, UnknownKPIError, all_kpis, get

ACTION = "reports.view"
BREAKDOWNS = ("channel", "procedure", "field", "tier")
PARTS = ("numerator", "denominator")

_AGENCY = OpenApiParameter(
    "agency",
    str,
    OpenApiParameter.QUERY,
    description="Agency code (its subtree, with the units merged into it); default: the "
    "caller's own.",
)
_CODE = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description="KPI code (see /api/v1/metrics/kpis/)."
)
_BY = OpenApiParameter(
    "by",
    str,
    OpenApiParameter.QUERY,
    enum=list(BREAKDOWNS),
    description="Break the figure down by channel, procedure, field (field group) or tier "
    "(agency level). Catalogue KPIs: procedure or field only.",
)
_PART = OpenApiParameter(
    "part",
    str,
    OpenApiParameter.QUERY,
    enum=list(PARTS),
    description="The numerator's rows (default) or the denominator's.",
)
_ERRORS = {
    400: error_response("Bad period, breakdown or part."),
    403: error_response("The caller's roles do not include the figures (`reports.view`)."),
    404: error_response("Unknown KPI or agency, or an agency outside the caller's scope."),
}


# -- input ------------------------------------------------------------------------------------


def _kpi(code: str) -> KPI:
    try:
        return get(code)
    except UnknownKPIError:
        shown = UnknownKPIError(code[:40])
        raise BilingualError(shown.vi, shown.en, code="unknown_kpi", status=404) from None


def _by(request: Request) -> str | None:
    text = request.query_params.get("by", "")
    if not text:
        return None
    if text not in BREAKDOWNS:
        error = compute.BadBreakdownError(text[:20])
        raise BilingualError(error.vi, error.en, code="invalid_breakdown")
    return text


def _part(request: Request) -> str:
    text = request.query_params.get("part", "") or "numerator"
    if text not in PARTS:
        shown = text[:20]
        raise BilingualError(
            f"Không có phần {shown!r}; dùng numerator (tử số) hoặc denominator (mẫu số).",
            f"No part {shown!r}; use numerator or denominator.",
            code="invalid_part",
        )
    return text


def _agency(request: Request) -> Agency:
    return resolve_agency(request.user, request.query_params.get("agency"), ACTION)


# -- output -----------------------------------------------------------------------------------


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _figure(fig: Figure) -> dict[str, Any]:
    rounded = fig.rounded()
    return {
        "numerator": str(fig.numerator),
        "denominator": str(fig.denominator),
        "value": _str(fig.value),
        "value_rounded": _str(rounded),
        "reason_vi": fig.reason_vi,
        "reason_en": fig.reason_en,
    }


def _frozen(frozen: FrozenValue | None) -> dict[str, Any] | None:
    if frozen is None:
        return None
    return {
        "numerator": str(frozen.numerator),
        "denominator": str(frozen.denominator),
        "value": _str(frozen.value),
        "formula_version": frozen.formula_version,
        "kpi_version": frozen.kpi_version,
        "catalogue_version": frozen.catalogue_version,
        "closed_at": frozen.closed_at.isoformat(),
        "closed_by": frozen.closed_by,
        "revisions": [
            {
                "numerator": str(r.numerator),
                "denominator": str(r.denominator),
                "value": _str(r.value),
                "formula_version": r.formula_version,
                "catalogue_version": r.catalogue_version,
                "cause": r.cause,
                "recorded_at": r.recorded_at.isoformat(),
            }
            for r in frozen.revisions.all()
        ],
    }


def _url(request: Request, name: str, code: str, **query: str) -> str:
    path = reverse(name, args=[code])
    return request.build_absolute_uri(f"{path}?{urlencode(query)}")


def _links(request: Request, k: KPI, agency: Agency, period: Period) -> dict[str, str]:
    base = {"agency": agency.code, "period": period.label}
    return {
        "self": _url(request, "api-metrics-kpi", k.code, **base),
        **{
            part: _url(request, "api-metrics-kpi-dossiers", k.code, **base, part=part)
            for part in PARTS
        },
    }


def _labels(by: str, keys: list[Any]) -> dict[Any, tuple[str, str]]:
    """A readable label (vi, en) for every breakdown key (one query for procedures, fields)."""
    if by == "procedure":
        from caicach.procedures.models import Procedure

        rows = Procedure.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        return {pk: (f"{code} · {name}", f"{code} · {name}") for pk, code, name in rows}
    if by == "field":
        from caicach.procedures.models import Field

        fields = Field.objects.filter(pk__in=keys).values_list("pk", "code", "name")
        return {pk: (f"{code} · {name}", f"{code} · {name}") for pk, code, name in fields}
    choices = CHANNEL_CHOICES if by == "channel" else list(AgencyLevel.choices)
    out: dict[Any, tuple[str, str]] = {}
    for value, label in choices:
        with translation.override("vi"):
            vi = str(label)
        with translation.override("en"):
            en = str(label)
        out[value] = (vi, en)
    return out


def _rows(by: str, figures: dict[Any, Figure]) -> list[dict[str, Any]]:
    labels = _labels(by, list(figures))
    rows = []
    for key, fig in figures.items():
        vi, en = labels.get(key, (str(key), str(key)))
        rows.append({"key": key, "label": vi, "label_en": en, **_figure(fig)})
    return rows


def _head(k: KPI, agency: Agency, period: Period) -> dict[str, Any]:
    return {
        "code": k.code,
        "name_vi": k.name_vi,
        "name_en": k.name_en,
        "unit": k.unit,
        "agency": {"code": agency.code, "name": agency.name},
        "period": period.label,
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "formula_version": FORMULA_VERSION,
        "kpi_version": k.version,
    }


# -- views ------------------------------------------------------------------------------------


class _ReportsView(APIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"


class KPIRegistryView(_ReportsView):
    @extend_schema(
        operation_id="metrics_kpis",
        summary="The KPI registry",
        description="Every reform KPI: its names, the measures of its numerator and denominator "
        "(with what they count, in Vietnamese), unit, the rule cited, its version, the plans' "
        "target, where it is read from, and the global formula version.",
        responses={200: RegistrySerializer, 403: _ERRORS[403]},
    )
    def get(self, request: Request) -> Response:
        require_anywhere(request.user, ACTION)
        return Response(
            {"formula_version": FORMULA_VERSION, "kpis": [definition(k) for k in all_kpis()]}
        )


class KPIView(_ReportsView):
    @extend_schema(
        operation_id="metrics_kpi",
        summary="One KPI of one agency for one period",
        description="Numerator, denominator and value (a decimal string, or null with the "
        "no-data reason in Vietnamese and English), the formula and KPI versions; with `by`, "
        "`rows` (key, readable label and figure of each part; for an additive KPI they add up "
        "to the total); for a closed month `frozen` (the published value, its versions and its "
        "revisions; null when not closed); and `links` to the dossiers behind each side.",
        parameters=[_CODE, _AGENCY, PERIOD, _BY],
        responses={200: OpenApiTypes.OBJECT, **_ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        require_anywhere(request.user, ACTION)
        period = period_from(request)
        k = _kpi(code)
        by = _by(request)
        if by in ("channel", "tier") and k.source == "catalogue":
            raise BilingualError(
                f"Chỉ số {k.code} đếm thủ tục trong danh mục: chỉ phân tổ theo procedure hoặc "
                "field.",
                f"KPI {k.code} counts catalogue procedures: break it down by procedure or field.",
                code="invalid_breakdown",
            )
        agency = _agency(request)
        fig = compute.kpi(k.code, agency, period)
        assert isinstance(fig, Figure)
        body = {**_head(k, agency, period), **_figure(fig), "by": by}
        if by is not None:
            parts = compute.kpi(k.code, agency, period, by=by)
            assert isinstance(parts, dict)
            body["rows"] = _rows(by, parts)
        body["frozen"] = _frozen(freeze.frozen_values(agency, period, [k.code]).get(k.code))
        body["links"] = _links(request, k, agency, period)
        return Response(body)


class KPIAllView(_ReportsView):
    @extend_schema(
        operation_id="metrics_kpis_all",
        summary="Every KPI of one agency for one period",
        description="One entry per registered KPI (as `/kpis/{code}/` without a breakdown), "
        "computed in a few grouped reads.",
        parameters=[_AGENCY, PERIOD],
        responses={200: OpenApiTypes.OBJECT, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        require_anywhere(request.user, ACTION)
        period = period_from(request)
        agency = _agency(request)
        kpis = all_kpis()
        figures = index766_reads.kpis_for_agencies([k.code for k in kpis], [agency], period)
        frozen = freeze.frozen_values(agency, period)
        rows = []
        for k in kpis:
            fig = figures[(k.code, agency.pk)]
            rows.append(
                {
                    "code": k.code,
                    "name_vi": k.name_vi,
                    "name_en": k.name_en,
                    "unit": k.unit,
                    "kpi_version": k.version,
                    **_figure(fig),
                    "frozen": _frozen(frozen.get(k.code)),
                    "links": _links(request, k, agency, period),
                }
            )
        return Response(
            {
                "agency": {"code": agency.code, "name": agency.name},
                "period": period.label,
                "first": period.first.isoformat(),
                "last": period.last.isoformat(),
                "formula_version": FORMULA_VERSION,
                "kpis": rows,
            }
        )


class BehindPagination(PageNumberPagination):
    """Numbered pages with a ``count`` (the number of rows the figure counts)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        base = super().get_paginated_response_schema(schema)
        text = {"type": "string"}
        head = {
            "kpi": text,
            "agency": text,
            "period": text,
            "part": {"type": "string", "enum": list(PARTS)},
            "measure": {**text, "description": "The measure counted (registry name)."},
            "measure_vi": {**text, "description": "What it counts, in Vietnamese."},
            "kind": {
                "type": "string",
                "enum": ["dossier", "procedure_version"],
                "description": "procedure_version for a catalogue KPI: the rows are then "
                "procedure versions (procedure_code, name, number, online_level, "
                "effective_from, effective_to, url).",
            },
        }
        base["properties"] = {**head, **base["properties"]}
        base["required"] = [*head, "count", "results"]
        return base


class KPIDossiersView(generics.GenericAPIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"
    pagination_class = BehindPagination
    serializer_class = DossierBehindSerializer
    queryset = Dossier.objects.none()  # for the schema; rows come from metrics.drill

    @extend_schema(
        operation_id="metrics_kpi_dossiers",
        summary="The dossiers behind a KPI's numerator or denominator",
        description="The rows the number counts, oldest first: dossiers, or for a catalogue KPI "
        "the procedure versions in force on the period's last day. For a KPI whose measures "
        "count rows, `count` equals the figure's numerator or denominator (for a valued measure "
        "such as processing days, the dossiers whose values are summed). Dossier rows show the "
        "applicant's name only (Decree 13/2023, `caicach.dossiers.privacy`).",
        parameters=[_CODE, _AGENCY, PERIOD, _PART],
        responses={200: DossierBehindSerializer(many=True), **_ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        require_anywhere(request.user, ACTION)
        period = period_from(request)
        k = _kpi(code)
        part = _part(request)
        agency = _agency(request)
        rows: QuerySet[Model] = drill.dossiers_behind(k.code, agency, period, part)  # type: ignore[arg-type]
        if k.source == "catalogue":
            rows = rows.select_related("procedure").order_by("pk")
            serializer: Any = VersionBehindSerializer
        else:
            rows = rows.select_related(
                "procedure", "procedure_version", "receiving_agency", "deciding_agency", "applicant"
            ).order_by("pk")
            serializer = DossierBehindSerializer
        paginator = self.paginator
        assert paginator is not None
        page = paginator.paginate_queryset(rows, request, view=self)
        data = serializer(page, many=True, context={"request": request}).data
        response = paginator.get_paginated_response(data)
        measure = k.numerator if part == "numerator" else k.denominator
        measure_vi = k.numerator_vi if part == "numerator" else k.denominator_vi
        response.data = {
            "kpi": k.code,
            "agency": agency.code,
            "period": period.label,
            "part": part,
            "measure": measure,
            "measure_vi": measure_vi,
            "kind": "procedure_version" if k.source == "catalogue" else "dossier",
            **response.data,
        }
        return response
