"""Workspace report pages under /ho-so/: the dossier register of a period (PDF, XLSX) and the
apologies and lateness per agency, with the dossiers behind each figure. Views read the query
string and call :mod:`caicach.dossiers.reports`; scope is decided there through
:mod:`caicach.accounts.access`. Bad input re-shows the page with the Vietnamese message and a
4xx status; never a 500."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from caicach.accounts.access import require_anywhere
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized
from caicach.dossiers import reports
from caicach.dossiers.models import REGISTER_EXPORT_UNFINISHED, RegisterExport
from caicach.dossiers.reports import GroupBy, Metric
from caicach.dossiers.responses import export_file_response, register_download

GROUP_LABELS = {
    GroupBy.DECIDING: gettext_lazy("Cơ quan có thẩm quyền giải quyết"),
    GroupBy.HOLDING: gettext_lazy("Đơn vị giữ hồ sơ"),
}
METRIC_LABELS = {
    Metric.FINISHED: gettext_lazy("Đã giải quyết"),
    Metric.LATE: gettext_lazy("Trễ hạn"),
    Metric.APOLOGIES: gettext_lazy("Đã xin lỗi"),
    Metric.LATE_APOLOGIES: gettext_lazy("Xin lỗi muộn (dưới 01 ngày làm việc)"),
    Metric.OVERDUE_UNAPOLOGISED: gettext_lazy("Đang quá hạn, chưa xin lỗi"),
}
_GROUPS = {g.value for g in GroupBy}
_METRICS = {m.value for m in Metric}


def _error_status(exc: BilingualError) -> int:
    """The page's status for a service error: its own 4xx, else 400 (never a 500)."""
    return exc.status if exc.status in (400, 403, 404, 409, 410) else 400


def _period_fields(request: HttpRequest) -> tuple[str, str]:
    return request.GET.get("from", "").strip()[:20], request.GET.get("to", "").strip()[:20]


@login_required
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The dossier register (sổ theo dõi hồ sơ, TT 01/2018 form 06 / TT 03/2025 form 07):
    choose an agency and a period, download it as PDF or XLSX (``?tai=pdf|xlsx``)."""
    require_anywhere(request.user, "dossiers.view")
    user = request.user
    today = timezone.localdate()
    start_text, end_text = _period_fields(request)
    fmt = request.GET.get("tai", "")
    error = ""
    status = 200
    agency = None
    period = reports.default_period(today)
    try:
        agency = reports.resolve_agency(user, request.GET.get("agency"), "dossiers.view")
        period = reports.parse_period(start_text, end_text, today)
        if fmt in ("pdf", "xlsx"):
            download = register_download(request, agency, period, fmt)
            if isinstance(download, RegisterExport):
                # Reloading the page must not ask again: show the list of files instead.
                query = _query(agency=agency.code, **{"from": start_text, "to": end_text})
                return redirect(reverse("dossiers:register") + query + "#register-exports")
            return download
    except BilingualError as exc:
        error = localized(exc)
        status = _error_status(exc)
    return _register_page(request, agency, period, start_text, end_text, error=error, status=status)


def _register_page(
    request: HttpRequest,
    agency: Any,
    period: reports.Period,
    start_text: str = "",
    end_text: str = "",
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The register page: the form, the count of the chosen register, the officer's files."""
    user = request.user
    context = {
        "agencies": list(reports.register_agencies(user)),
        "agency": agency,
        "period": period,
        "from_value": start_text or period.start.isoformat(),
        "to_value": end_text or period.end.isoformat(),
        "error": error,
        "count": (
            reports.register_queryset(user, agency, period).count()
            if agency is not None and not error
            else None
        ),
        # From the modules that apply the bounds, so a lowered bound shows on the page.
        "pdf_max": reports.register.PDF_MAX_ROWS,
        "max_days": reports.MAX_PERIOD_DAYS,
        **_exports_context(user),
    }
    return render(request, "dossiers/reports/register.html", context, status=status)


#: The most recent register files listed on the page.
EXPORTS_LISTED = 10


def _exports_context(user: Any) -> dict[str, Any]:
    exports = list(reports.register_exports(user)[:EXPORTS_LISTED])
    return {
        "exports": exports,
        "exports_waiting": any(e.status in REGISTER_EXPORT_UNFINISHED for e in exports),
        "pdf_sync_max": reports.register_jobs.PDF_SYNC_MAX_ROWS,
    }


@login_required
@require_GET
def register_exports(request: HttpRequest) -> HttpResponse:
    """The requester's register files being made or ready (the page polls it with htmx while one
    is being made)."""
    require_anywhere(request.user, "dossiers.view")
    return render(
        request, "dossiers/reports/_register_exports.html", _exports_context(request.user)
    )


@login_required
@require_GET
def register_export_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Download a finished register file: its owner only, while the agency is in their scope;
    each download is written to the audit trail (Decree 13/2023)."""
    require_anywhere(request.user, "dossiers.view")
    try:
        export = reports.register_export(request.user, pk)
        return export_file_response(request, export)
    except BilingualError as exc:
        period = reports.default_period(timezone.localdate())
        return _register_page(
            request, None, period, error=localized(exc), status=_error_status(exc)
        )


def _query(**values: Any) -> str:
    return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _report_inputs(request: HttpRequest) -> tuple[Any, date, str, str, GroupBy]:
    """What both apology pages read: the permission (``reports.view``), today, the period
    fields as typed and the grouping (deciding agency unless the holding unit is asked)."""
    require_anywhere(request.user, "reports.view")
    start_text, end_text = _period_fields(request)
    by_text = request.GET.get("by", GroupBy.DECIDING.value)
    by = GroupBy(by_text) if by_text in _GROUPS else GroupBy.DECIDING
    return request.user, timezone.localdate(), start_text, end_text, by


@login_required
@require_GET
def apologies(request: HttpRequest) -> HttpResponse:
    """Apologies and lateness per agency of a subtree, for a period (leaders, reform office,
    inspectors: ``reports.view``), sortable, with totals and links to the dossiers."""
    user, today, start_text, end_text, by = _report_inputs(request)
    sort = request.GET.get("sort", "name")
    if sort not in reports.SORT_KEYS:
        sort = "name"
    descending = request.GET.get("dir") == "desc"
    agencies = list(reports.report_agencies(user))
    error = ""
    status = 200
    report = None
    root = None
    period = reports.default_period(today)
    try:
        root = reports.resolve_agency(user, request.GET.get("agency"), "reports.view")
        period = reports.parse_period(start_text, end_text, today)
        report = reports.apology_stats(user, root, period, by)
    except BilingualError as exc:
        error = localized(exc)
        status = _error_status(exc)
    common = {
        "agency": root.code if root is not None else "",
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "by": by.value,
    }
    columns = []
    for key, label in (
        ("name", gettext_lazy("Cơ quan, đơn vị")),
        *((m.value, METRIC_LABELS[m]) for m in reports.METRICS),
    ):
        next_desc = (
            not (sort == key and descending) if key != "name" else sort == key and not descending
        )
        columns.append(
            {
                "key": key,
                "label": label,
                "url": _query(**common, sort=key, dir="desc" if next_desc else "asc"),
                "sorted": "descending"
                if sort == key and descending
                else ("ascending" if sort == key else ""),
            }
        )
    rows = []
    drill = reverse("dossiers:apology_dossiers")
    if report is not None:
        for row in report.sorted_rows(sort, descending):
            cells = []
            for metric in reports.METRICS:
                value = getattr(row, metric.value)
                link = (
                    drill
                    + "?"
                    + urlencode(
                        {
                            **common,
                            "root": common["agency"],
                            "agency": row.code,
                            "metric": metric.value,
                        }
                    )
                    if value
                    else ""
                )
                cells.append({"value": value, "link": link, "metric": metric.value})
            rows.append({"row": row, "cells": cells})
    context = {
        "agencies": agencies,
        "root": root,
        "period": period,
        "by": by.value,
        "groups": [(g.value, GROUP_LABELS[g]) for g in GroupBy],
        "from_value": start_text or period.start.isoformat(),
        "to_value": end_text or period.end.isoformat(),
        "error": error,
        "report": report,
        "columns": columns,
        "rows": rows,
        "totals": [report.totals[m.value] for m in reports.METRICS] if report else [],
        "sort": sort,
        "dir": "desc" if descending else "asc",
    }
    return render(request, "dossiers/reports/apologies.html", context, status=status)


@login_required
@require_GET
def apology_dossiers(request: HttpRequest) -> HttpResponse:
    """The dossiers behind one figure of the apology page (at most
    :data:`reports.METRIC_LIST_LIMIT`), each linked to its page."""
    user, today, start_text, end_text, by = _report_inputs(request)
    metric_text = request.GET.get("metric", "")
    error = ""
    status = 200
    dossiers: list[Any] = []
    more = False
    agency = None
    metric = None
    period = reports.default_period(today)
    try:
        if metric_text not in _METRICS:
            raise BilingualError("Chỉ tiêu không hợp lệ.", "Unknown figure.", code="invalid_metric")
        metric = Metric(metric_text)
        agency = reports.resolve_agency(user, request.GET.get("agency"), "reports.view")
        period = reports.parse_period(start_text, end_text, today)
        found = list(
            reports.metric_dossiers(user, agency, period, by, metric)[
                : reports.METRIC_LIST_LIMIT + 1
            ]
        )
        more = len(found) > reports.METRIC_LIST_LIMIT
        dossiers = found[: reports.METRIC_LIST_LIMIT]
    except BilingualError as exc:
        error = localized(exc)
        status = _error_status(exc)
    back = reverse("dossiers:apologies") + _query(
        agency=request.GET.get("root", "") or (agency.code if agency else ""),
        by=by.value,
        **{"from": period.start.isoformat(), "to": period.end.isoformat()},
    )
    context = {
        "agency": agency,
        "period": period,
        "metric_label": METRIC_LABELS.get(metric, "") if metric else "",
        "group_label": GROUP_LABELS[by],
        "dossiers": dossiers,
        "more": more,
        "limit": reports.METRIC_LIST_LIMIT,
        "error": error,
        "back": back,
    }
    return render(request, "dossiers/reports/apology_dossiers.html", context, status=status)
