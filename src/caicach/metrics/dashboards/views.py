"""The dashboard pages under /chi-so/ (issue 14): the province overview, the agency page, the
what-if fragment (htmx) and the dossiers behind a number. Thin: input, scope, then
:mod:`caicach.metrics.dashboards.pages`.

Scope (``caicach.accounts.access``): ``reports.view`` somewhere (403 otherwise: leaders, the
reform office, inspectors) and over the agency asked; an agency outside the scope is a 404 that
does not reveal it exists (``dossiers.reports.resolve_agency``). A bad period is a 400 page with
the Vietnamese (or English) message, never a 500. Every table downloads as CSV or XLSX with
``?tai=csv|xlsx&bang=<name>`` (``core.tables``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from caicach.accounts.access import require_anywhere
from caicach.agencies.models import Agency
from caicach.core import tables
from caicach.core.errors import BilingualError
from caicach.core.i18n import is_english, localized
from caicach.dossiers.reports.agencies import resolve_agency
from caicach.metrics import drill, index766
from caicach.metrics.dashboards import figures as dash
from caicach.metrics.dashboards import lateness, pages
from caicach.metrics.dashboards.cache import cached
from caicach.metrics.periods import Period, PeriodError, parse_period
from caicach.metrics.registry import UnknownKPIError, get

ACTION = "reports.view"
#: The most extra dossiers the what-if accepts (more than any month's volume of one agency).
WHAT_IF_MAX = 1_000_000


class PageError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _period(request: HttpRequest) -> Period:
    text = request.GET.get("period", "").strip()[:40]
    if not text:
        today = timezone.localdate()
        return Period.month(today.year, today.month)
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise PageError(exc.en if is_english() else exc.vi) from None


def _agency(request: HttpRequest, code: str | None) -> Agency:
    try:
        return resolve_agency(request.user, code, ACTION)
    except BilingualError as exc:
        raise PageError(localized(exc), exc.status if exc.status in (400, 404) else 404) from None


def _error(request: HttpRequest, error: PageError) -> HttpResponse:
    return render(
        request, "metrics/dashboards/error.html", {"message": error.message}, status=error.status
    )


def _download(request: HttpRequest, named: dict[str, tables.Table], stem: str) -> HttpResponse:
    fmt = request.GET.get("tai", "")
    name = request.GET.get("bang", "") or (next(iter(named)) if len(named) == 1 else "")
    if fmt not in tables.FORMATS or name not in named:
        raise PageError(_("Không có bảng %(name)s để tải.") % {"name": name[:20]})
    return tables.download(named[name], fmt, f"{stem}-{name}")


def _periods_nearby(period: Period) -> list[tuple[str, str]]:
    """Quick choices: this month, the month before, its quarter, its year."""
    today = timezone.localdate()
    this = Period.month(today.year, today.month)
    before = this.first - timedelta(days=1)
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    return [
        (this.label, _("Tháng này")),
        (Period.month(before.year, before.month).label, _("Tháng trước")),
        (quarter, _("Quý này")),
        (str(today.year), _("Năm nay")),
    ]


def _common(request: HttpRequest, agency: Agency, period: Period) -> dict[str, Any]:
    return {
        "agency": agency,
        "period": period,
        "period_choices": _periods_nearby(period),
        "query": urlencode({"period": period.label}),
    }


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The province overview: each target beside its live value, its light, its 12-month trend
    and the agencies pulling it down (``?agency=`` another root in scope)."""
    try:
        require_anywhere(request.user, ACTION)
        period = _period(request)
        root = _agency(request, request.GET.get("agency"))
        data = cached("overview", root.pk, period.label, lambda: pages.overview(root, period))
        if request.GET.get("tai"):
            return _download(request, data.tables(), f"tong-quan-{root.code}-{period.label}")
    except PageError as exc:
        return _error(request, exc)
    context = {**_common(request, root, period), "data": data}
    return render(request, "metrics/dashboards/overview.html", context)


@login_required
@require_GET
def agency_page(request: HttpRequest, code: str) -> HttpResponse:
    """One agency's KPIs, 766 index, trends, late steps, apologies and what-if."""
    try:
        require_anywhere(request.user, ACTION)
        period = _period(request)
        agency = _agency(request, code)
        data, late = cached(
            "agency",
            agency.pk,
            period.label,
            lambda: (pages.agency_page(agency, period), lateness.late_steps(agency, period)),
        )
        named = data.tables()
        named["tre-theo-buoc"] = tables.Table(
            _("Hồ sơ trễ theo bước"),
            [
                _("Bước"),
                _("Tên bước"),
                _("Mã đơn vị"),
                _("Đơn vị giữ hồ sơ"),
                _("Số hồ sơ"),
                _("Số ngày làm việc trễ"),
            ],
            [
                [s.step_order, s.step_name, s.agency_code, s.agency_name, s.dossiers, s.late_days]
                for s in late.steps
            ],
        )
        named["tre-theo-don-vi"] = tables.Table(
            _("Hồ sơ trễ theo đơn vị"),
            [_("Mã đơn vị"), _("Đơn vị giữ hồ sơ"), _("Lượt bước trễ"), _("Số ngày làm việc trễ")],
            [[s.agency_code, s.agency_name, s.dossiers, s.late_days] for s in late.by_unit],
        )
        if request.GET.get("tai"):
            return _download(request, named, f"chi-so-{agency.code}-{period.label}")
    except PageError as exc:
        return _error(request, exc)
    apologies = next(r for r in data.kpis if r.code == "apologies")
    context = {
        **_common(request, agency, period),
        "data": data,
        "late": late,
        "ledger_limit": lateness.LEDGER_LIMIT,
        "apologies": apologies,
        "apologies_url": reverse("dossiers:apologies")
        + "?"
        + urlencode(
            {"agency": agency.code, "from": period.first.isoformat(), "to": period.last.isoformat()}
        ),
    }
    return render(request, "metrics/dashboards/agency.html", context)


@login_required
@require_GET
def what_if(request: HttpRequest, code: str) -> HttpResponse:
    """The gain if ``them`` more dossiers of a 766 sub-indicator had been on time (online,
    digitised…) in the period: :func:`caicach.metrics.index766.what_if` (htmx fragment)."""
    try:
        require_anywhere(request.user, ACTION)
        period = _period(request)
        agency = _agency(request, code)
        sub_id = request.GET.get("sub", "")[:10]
        sub = next((s for s in index766.SUB_INDICATORS if s.id == sub_id and s.lever), None)
        if sub is None:
            raise PageError(_("Chỉ tiêu này không tính được giả định."))
        text = request.GET.get("them", "").strip()[:12]
        if not text.isdigit() or int(text) > WHAT_IF_MAX:
            raise PageError(
                _("Nhập số hồ sơ là số nguyên từ 0 đến %(max)s.") % {"max": f"{WHAT_IF_MAX:,}"}
            )
        extra = int(text)
        split = index766.current_settings()["group3_split"]
        pmax = next(s.pmax for s in index766.sub_indicators(split) if s.id == sub.id)
        fig = dash.figures_for([agency], period, [sub.kpi])[(sub.kpi, agency.pk)]
        result = index766.what_if(fig.numerator, fig.denominator, sub.threshold, pmax, extra)
    except PageError as exc:
        status = exc.status
        return render(
            request, "metrics/dashboards/_what_if.html", {"error": exc.message}, status=status
        )
    context = {
        "result": result,
        "sub": sub,
        "extra": extra,
        "r_before": _dec(result.r_before),
        "r_after": _dec(result.r_after),
        "p_before": _dec(result.points_before),
        "p_after": _dec(result.points_after),
        "gain": _dec(result.gain),
    }
    return render(request, "metrics/dashboards/_what_if.html", context)


def _dec(x: Any) -> Any:
    return pages._dec(x)


PAGE_SIZE = 50


@login_required
@require_GET
def behind(request: HttpRequest, code: str, kpi: str) -> HttpResponse:
    """The dossiers (catalogue KPIs: procedure versions) a number counts, 50 a page, each linked
    to its page: ``metrics.drill.dossiers_behind`` (the same rows as the KPI API's)."""
    try:
        require_anywhere(request.user, ACTION)
        period = _period(request)
        agency = _agency(request, code)
        try:
            k = get(kpi[:40])
        except UnknownKPIError as exc:
            raise PageError(exc.en if is_english() else exc.vi, 404) from None
        part = request.GET.get("part", "numerator")
        if part not in ("numerator", "denominator", "late"):
            raise PageError(_("Phần không hợp lệ: dùng numerator, denominator hoặc late."))
        if part == "late":
            if k.code != "on_time_766":
                raise PageError(_("Phần late chỉ dùng cho chỉ số on_time_766."))
            rows: Any = lateness.late_dossiers(agency, period)
        else:
            rows = drill.dossiers_behind(k.code, agency, period, part)  # type: ignore[arg-type]
        catalogue = k.source == "catalogue"
        if catalogue:
            rows = rows.select_related("procedure").order_by("pk")
        else:
            rows = rows.select_related("procedure").order_by("pk")
        if request.GET.get("tai"):
            table = _behind_table(rows, catalogue)
            return _download(request, {"ho-so": table}, f"{k.code}-{agency.code}-{period.label}")
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    except PageError as exc:
        return _error(request, exc)
    measure = k.numerator if part == "numerator" else k.denominator
    context = {
        **_common(request, agency, period),
        "kpi": k,
        "kpi_name": k.name_en if is_english() else k.name_vi,
        "part": part,
        "measure": measure,
        "measure_vi": k.numerator_vi if part == "numerator" else k.denominator_vi,
        "page": page,
        "catalogue": catalogue,
        "base_query": urlencode({"period": period.label, "part": part}),
    }
    return render(request, "metrics/dashboards/behind.html", context)


def _behind_table(rows: Any, catalogue: bool) -> tables.Table:
    if catalogue:
        return tables.Table(
            _("Thủ tục"),
            [_("Mã thủ tục"), _("Tên thủ tục"), _("Phiên bản")],
            [[v.procedure.code, v.procedure.name, v.number] for v in rows.iterator(chunk_size=500)],
        )
    return tables.Table(
        _("Hồ sơ"),
        [_("Mã hồ sơ"), _("Thủ tục"), _("Ngày tiếp nhận"), _("Kết thúc xử lý"), _("Kênh nộp")],
        [
            [d.code, d.procedure.name, d.received_on, d.finished_at, d.get_channel_display()]
            for d in rows.iterator(chunk_size=500)
        ],
    )
