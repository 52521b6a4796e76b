"""The open-data API: ``GET /api/v1/open-data/kpis/?period=2026-10[&agency=CODE]`` (issue 14,
"an open-data CSV/JSON API, like the national portal's public 766 pages").

Open to everyone, no authentication, no personal data (Nghị định 13/2023/NĐ-CP): the aggregates of
:mod:`caicach.metrics.public.service` (the province and every department and commune, or one
agency with its 12-month trend), each figure with its numerator and denominator, the formula
versions and the licence. JSON, or CSV with ``?format=csv`` or ``Accept: text/csv``.

Served from the ``public`` cache like the public page (:mod:`caicach.metrics.public.cache`):
``Cache-Control: public``, an ETag and 304 on ``If-None-Match``; an uncached answer counts toward
the client's limit (429 with Retry-After) and waits for a free slot (503 with Retry-After).
Errors are bilingual (``detail``, ``detail_vi``, ``code``). Fields: ``docs/formats/open-data.md``.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse, HttpResponseNotModified
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from caicach.accounts.middleware import public
from caicach.core import tables
from caicach.dossiers.api.serializers import DossierErrorSerializer
from caicach.metrics.periods import PeriodError, parse_period
from caicach.metrics.public import cache
from caicach.metrics.public.service import (
    RATES,
    UnknownAgencyError,
    agency_document,
    default_period,
    overview_document,
)

LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "note_vi": "Dữ liệu tổng hợp, không chứa thông tin cá nhân; được tự do sử dụng, ghi rõ nguồn.",
    "note_en": "Aggregate figures with no personal data; free to reuse with attribution.",
}
CSV_COLUMNS = (
    "period",
    "agency_code",
    "agency_name",
    "level",
    "indicator",
    "name_vi",
    "name_en",
    "unit",
    "numerator",
    "denominator",
    "value",
    "reason_vi",
    "formula_version",
)
COUNT_NAMES = {
    "received": ("Hồ sơ tiếp nhận", "Dossiers received"),
    "finished": ("Hồ sơ đã giải quyết", "Dossiers finished"),
    "on_time": ("Hồ sơ giải quyết trước hạn, đúng hạn", "Dossiers finished early or on time"),
    "late": ("Hồ sơ giải quyết trễ hạn", "Dossiers finished late"),
}


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return data if isinstance(data, bytes) else json.dumps(data).encode()


def _agency(row: dict[str, Any], definitions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    kpis = {}
    for code in RATES:
        d = definitions[code]
        kpis[code] = {"name_vi": d["name_vi"], "name_en": d["name_en"], "unit": d["unit"],
                      **row["rates"][code]}  # fmt: skip
    return {
        "code": row["code"],
        "name": row["name"],
        "level": row["level"],
        "counts": row["counts"],
        "kpis": kpis,
        "index766": row["index766"],
    }


def document(doc: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    definitions = {d["code"]: d for d in doc["definitions"]}
    return {
        "period": doc["period"],
        "first": doc["first"],
        "last": doc["last"],
        "formula_version": doc["formula_version"],
        "index766_formula_version": doc["index766_formula_version"],
        "index766_settings": doc["index766_settings"],
        "computed_at": doc["computed_at"],
        "live": doc["live"],
        "licence": LICENCE,
        "definitions": doc["definitions"],
        "agencies": [_agency(r, definitions) for r in rows],
        "trend": doc["trend"],
    }


class _Rows(list[list[Any]]):
    def writerow(self, row: list[Any]) -> None:
        self.append(row)


def to_csv(body: dict[str, Any]) -> bytes:
    """One line per agency and figure (counts, rates, Decision 766 total and groups); written by
    :func:`caicach.core.tables.to_csv` (UTF-8 with BOM, formula-like text neutralised, OWASP)."""
    writer = _Rows()
    version = body["formula_version"]
    for a in body["agencies"]:
        head = [body["period"], a["code"], a["name"], a["level"]]
        for key, (vi, en) in COUNT_NAMES.items():
            n = a["counts"][key]
            writer.writerow([*head, key, vi, en, "dossiers", n, "", n, "", version])
        for code, k in a["kpis"].items():
            writer.writerow([*head, code, k["name_vi"], k["name_en"], k["unit"], k["numerator"],
                             k["denominator"], k["value"] or "", k["reason_vi"], version])  # fmt: skip
        index = a["index766"]
        v766 = body["index766_formula_version"]
        writer.writerow([*head, "index766.total", "Chỉ số QĐ 766 (tổng điểm)",
                         "Decision 766 index (total points)", "points", index["total"] or "",
                         index["max"], index["total_scaled"] or "", "", v766])  # fmt: skip
        for g in index["groups"]:
            writer.writerow([*head, f"index766.group{g['number']}", g["name_vi"], g["name_en"],
                             "points", g["points"] or "", g["max"], g["points"] or "", "",
                             v766])  # fmt: skip
    return tables.to_csv(tables.Table("open-data", CSV_COLUMNS, writer))


def _error(status: int, vi: str, en: str, code: str, retry: int = 0) -> HttpResponse:
    body = json.dumps({"detail": en, "detail_vi": vi, "code": code}, ensure_ascii=False)
    response = HttpResponse(body, status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    if retry:
        response["Retry-After"] = str(retry)
    return response


_ERR = {
    (400, "application/json"): OpenApiResponse(DossierErrorSerializer, description="Bad period."),
    (404, "application/json"): OpenApiResponse(
        DossierErrorSerializer, description="No such agency in the period."
    ),
    (429, "application/json"): OpenApiResponse(
        DossierErrorSerializer, description="Too many uncached requests; see Retry-After."
    ),
    (503, "application/json"): OpenApiResponse(
        DossierErrorSerializer, description="Busy; see Retry-After."
    ),
}


@public
class OpenDataKPIs(APIView):
    """The public figures of a period, as JSON or CSV."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes: list[Any] = []
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        operation_id="open_data_kpis",
        summary="Open data: the public reform figures of a period",
        description="Open to everyone, no authentication, no personal data. For the province and "
        "every department and commune (or one agency with `agency`, with its 12-month trend): "
        "dossiers received, finished, on time and late; the on-time, online, full-online, "
        "online-payment, digitisation and satisfaction rates, each with numerator and "
        "denominator; the Decision 766 total and groups; the formula versions and the licence "
        "(CC BY 4.0). `?format=csv` (or `Accept: text/csv`) gives one line per agency and figure. "
        "Cached: `Cache-Control: public`, an ETag, 304 on If-None-Match; uncached answers are "
        "limited per client (429 with Retry-After) and under load answered 503 with Retry-After. "
        "Fields: docs/formats/open-data.md.",
        parameters=[
            OpenApiParameter(
                "period",
                str,
                OpenApiParameter.QUERY,
                description="Month 2026-10, quarter 2026-Q3, half 2026-H1, year 2026 or "
                "2026-07-01..2026-08-15; default: the last complete month.",
            ),
            OpenApiParameter(
                "agency", str, OpenApiParameter.QUERY, description="Agency code (its subtree)."
            ),
            OpenApiParameter(
                "format",
                str,
                OpenApiParameter.QUERY,
                enum=["json", "csv"],
                description="json (default) or csv.",
            ),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
            **_ERR,
        },
        auth=[],
        tags=["open-data"],
    )
    def get(self, request: Request) -> HttpResponse:
        raw = request._request
        fmt = "csv" if request.accepted_renderer.format == "csv" else "json"
        text = str(request.query_params.get("period", ""))[:40]
        try:
            period = parse_period(text) if text else default_period()
        except PeriodError as exc:
            return _error(400, exc.vi, exc.en, "invalid_period")
        code = str(request.query_params.get("agency", ""))[:40]
        answer_key = cache.key("api", fmt, period.label, code)
        max_age = cache.seconds(period)
        try:
            entry = cache.store().get(answer_key)
            if entry is None:
                if code:
                    doc = cache.cached(raw, cache.key("agency", period.label, code), max_age,
                                       lambda: agency_document(period, code))  # fmt: skip
                    body = document(doc, [doc["agency"]])
                else:
                    doc = cache.cached(raw, cache.key("overview", period.label), max_age,
                                       lambda: overview_document(period))  # fmt: skip
                    body = document(doc, doc["rows"])
                data = (
                    to_csv(body)
                    if fmt == "csv"
                    else json.dumps(body, ensure_ascii=False).encode("utf-8")
                )
                entry = (data, cache.etag_for(data))
                cache.put(answer_key, entry, max_age)
        except UnknownAgencyError as exc:
            return _error(404, exc.vi, exc.en, "unknown_agency")
        except cache.TooMany:
            return _error(429, cache.TOO_MANY_VI, cache.TOO_MANY_EN, "too_many_requests",
                          cache.TooMany.retry_after)  # fmt: skip
        except cache.Busy:
            return _error(503, cache.BUSY_VI, cache.BUSY_EN, "busy", cache.Busy.retry_after)
        data, etag = entry
        response: HttpResponse
        if cache.not_modified(raw, etag):
            response = HttpResponseNotModified()
        else:
            content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
            response = HttpResponse(data, content_type=content_type)
            if fmt == "csv":
                name = f"open-data-{period.label}{'-' + code if code else ''}.csv"
                response["Content-Disposition"] = f'inline; filename="{name}"'
        response["Cache-Control"] = f"public, max-age={max_age}"
        response["ETag"] = etag
        response["Vary"] = "Accept"
        response["Access-Control-Allow-Origin"] = "*"
        return response


urlpatterns = [path("kpis/", OpenDataKPIs.as_view(), name="api-open-data-kpis")]
