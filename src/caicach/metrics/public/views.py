"""The public transparency page (``/cong-khai/``) and an agency's public page
(``/cong-khai/co-quan/<code>/``), open to everyone without signing in (issue 14).

Like the national portal's public Decision 766 pages (regulations §1): the province's figures for
a period (month, quarter, half, year; default the last complete month), then every department
and commune in a table sorted and searched on the server, the 12-month trend as a chart with its
table. Aggregates only (Nghị định 13/2023/NĐ-CP): see :mod:`caicach.metrics.public.service`.

Every answer comes from the ``public`` cache (:mod:`caicach.metrics.public.cache`): the rendered
page is cached per period, agency, language, sort, level and search, with an ETag; a request
naming the ETag gets 304. ``Cache-Control: public`` lets a proxy keep it too (the page holds no
CSRF token and nothing about the visitor). A bad period is a 400 with a message in Vietnamese;
too many uncached requests a 429, an overloaded database a 503, both with Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from caicach.accounts.middleware import public
from caicach.core.tables import FORMATS, download
from caicach.metrics.periods import Period, PeriodError, parse_period
from caicach.metrics.public import cache, present
from caicach.metrics.public.service import (
    UnknownAgencyError,
    agency_document,
    default_period,
    overview_document,
    trend_months,
)

_MAX_QUERY = 60


def _language(request: HttpRequest) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    chosen = request.GET.get("lang", "")
    if chosen in supported:
        return chosen
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return current if current in supported else settings.LANGUAGE_CODE


def _period(request: HttpRequest) -> Period:
    text = request.GET.get("period", "")
    return default_period() if not text else parse_period(text[:40])


def _headers(response: HttpResponse, max_age: int, lang: str, etag: str = "") -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Vary"] = "Cookie"
    response["Content-Language"] = lang
    if etag:
        response["ETag"] = etag
    return response


def _message(
    request: HttpRequest, lang: str, status: int, text: str, retry: int = 0, *, msgid: bool = True
) -> Any:
    """A short page with one message (``text`` a Vietnamese msgid unless ``msgid`` is False)."""
    with translation.override(lang):
        text = _(text) if msgid else text
        body = render_to_string(
            "metrics/public/message.html", {"message": text, "status": status, "lang": lang}
        )
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    if retry:
        response["Retry-After"] = str(retry)
    return response


def _periods(current: Period) -> list[tuple[str, str]]:
    """The choices of the period selector: the last 24 months, 8 quarters, 3 years."""
    today = default_period()
    months = trend_months(Period(today.first, today.last, "month"))
    labels = [m.label for m in months[::-1]]
    year = today.last.year
    labels += [f"{y}-Q{q}" for y in (year, year - 1) for q in (4, 3, 2, 1)]
    labels += [str(y) for y in (year, year - 1, year - 2)]
    if current.label not in labels:
        labels.insert(0, current.label)
    return [(label, label) for label in labels]


def _serve(
    request: HttpRequest,
    page_key: str,
    period: Period,
    lang: str,
    render: Callable[[], bytes],
) -> HttpResponse:
    """The cached page (or 304), else rendered by ``render`` and cached; 429/503 on refusal."""
    max_age = cache.seconds(period)
    try:
        entry = cache.store().get(page_key)
        if entry is None:
            body = render()
            entry = (body, cache.etag_for(body))
            cache.put(page_key, entry, max_age)
    except cache.TooMany:
        return _message(request, lang, 429, cache.TOO_MANY_VI, cache.TooMany.retry_after)
    except cache.Busy:
        return _message(request, lang, 503, cache.BUSY_VI, cache.Busy.retry_after)
    body, etag = entry
    if cache.not_modified(request, etag):
        return _headers(HttpResponseNotModified(), max_age, lang, etag)
    return _headers(HttpResponse(body), max_age, lang, etag)


def _query(**params: str) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v})


@public
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """The province's figures and every department's and commune's, for one period."""
    lang = _language(request)
    try:
        period = _period(request)
    except PeriodError as exc:
        return _message(request, lang, 400, exc.vi if lang == "vi" else exc.en, msgid=False)
    sort_key, descending = present.parse_sort(request.GET.get("sort", ""))
    sort = ("-" if descending else "") + sort_key
    query = " ".join(request.GET.get("q", "").split())[:_MAX_QUERY]
    tier = request.GET.get("cap", "")
    tier = tier if tier in present.TIERS else ""
    fmt = request.GET.get("tai", "")
    doc_key = cache.key("overview", period.label)

    def document() -> dict[str, Any]:
        return cache.cached(
            request, doc_key, cache.seconds(period), lambda: overview_document(period)
        )

    if fmt in FORMATS:
        try:
            doc = document()
        except cache.TooMany:
            return _message(request, lang, 429, cache.TOO_MANY_VI, cache.TooMany.retry_after)
        except cache.Busy:
            return _message(request, lang, 503, cache.BUSY_VI, cache.Busy.retry_after)
        rows = present.sort_rows(
            present.filter_rows(doc["rows"][1:], query, tier), sort_key, descending
        )
        with translation.override(lang):
            table = present.download_table(doc, doc["rows"][:1] + rows)
        response = download(table, fmt, f"cong-khai-{period.label}")
        return _headers(response, cache.seconds(period), lang)

    def render() -> bytes:
        doc = document()
        rows = doc["rows"][1:]
        shown = present.sort_rows(present.filter_rows(rows, query, tier), sort_key, descending)
        base = {"period": period.label, "q": query, "cap": tier, "lang": lang}
        with translation.override(lang):
            heads = []
            for column in present.COLUMNS:
                if column.kind == "name":
                    next_sort = "-name" if sort == "name" else "name"
                else:  # figures: largest first on the first click
                    next_sort = column.key if sort == f"-{column.key}" else f"-{column.key}"
                heads.append(
                    {
                        "label": str(column.label),
                        "kind": column.kind,
                        "href": _query(**base, sort=next_sort) + "#bang",
                        "sorted": "descending"
                        if sort == f"-{column.key}"
                        else ("ascending" if sort == column.key else ""),
                    }
                )
            style = present.Style.current()
            svg, trend_header, trend_rows = present.trend_chart(
                doc, _("Xu hướng 12 tháng của toàn tỉnh")
            )
            context = {
                "doc": doc,
                "lang": lang,
                "province": doc["rows"][0] if doc["rows"] else None,
                "province_cells": present.cells(doc["rows"][0]) if doc["rows"] else [],
                "index": present.index_table(doc["rows"][0]["index766"]) if doc["rows"] else None,
                "when": present.when(doc),
                "heads": heads,
                "rows": [{"row": r, "cells": present.cells(r, style)} for r in shown],
                "total_rows": len(rows),
                "q": query,
                "cap": tier,
                "sort": sort,
                "periods": _periods(period),
                "svg": svg,
                "trend_header": trend_header,
                "trend_rows": trend_rows,
                "lang_links": {
                    code: _query(period=period.label, q=query, cap=tier, sort=sort, lang=code)
                    for code, _name in settings.LANGUAGES
                },
                "download": {f: _query(**base, sort=sort, tai=f) for f in FORMATS},
                "agency_query": _query(period=period.label, lang=lang),
            }
            return render_to_string("metrics/public/overview.html", context).encode()

    page_key = cache.key("page", period.label, lang, sort, tier, query)
    return _serve(request, page_key, period, lang, render)


@public
@require_safe
def agency(request: HttpRequest, code: str) -> HttpResponse:
    """One department's or commune's public page: its figures, its 766 groups, its trend."""
    lang = _language(request)
    try:
        period = _period(request)
    except PeriodError as exc:
        return _message(request, lang, 400, exc.vi if lang == "vi" else exc.en, msgid=False)
    code = code[:40]
    doc_key = cache.key("agency", period.label, code)

    def render() -> bytes:
        doc = cache.cached(
            request, doc_key, cache.seconds(period), lambda: agency_document(period, code)
        )
        with translation.override(lang):
            svg, trend_header, trend_rows = present.trend_chart(
                doc, _("Xu hướng 12 tháng của %(name)s") % {"name": doc["agency"]["name"]}
            )
            context = {
                "doc": doc,
                "lang": lang,
                "row": doc["agency"],
                "cells": present.cells(doc["agency"]),
                "index": present.index_table(doc["agency"]["index766"]),
                "when": present.when(doc),
                "heads": [str(c.label) for c in present.COLUMNS[1:]],
                "periods": _periods(period),
                "svg": svg,
                "trend_header": trend_header,
                "trend_rows": trend_rows,
                "lang_links": {
                    c: _query(period=period.label, lang=c) for c, _name in settings.LANGUAGES
                },
                "back": _query(period=period.label, lang=lang),
            }
            return render_to_string("metrics/public/agency.html", context).encode()

    page_key = cache.key("agency-page", period.label, code, lang)
    try:
        return _serve(request, page_key, period, lang, render)
    except UnknownAgencyError as exc:
        return _message(request, lang, 404, exc.vi if lang == "vi" else exc.en, msgid=False)
