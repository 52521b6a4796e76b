"""Fair ranking pages under /xep-hang/ (issue 14, "Fair rankings"): choose the tier
(departments, communes), the KPI and the period; a table (rank, volume, raw rate, what the mix
predicts, adjusted rate with its 95% interval, change), a bar chart with the intervals as
whiskers, the most improved, the units with too few dossiers, and each unit's "why". The table
downloads as CSV or XLSX (``?tai=csv|xlsx``). Thin: the numbers come from
:mod:`~caicach.metrics.rankings.query` and :mod:`~caicach.metrics.rankings.fair`; who sees what
is :mod:`~caicach.metrics.rankings.access`. A bad period, KPI or comparison re-shows the page
with the message and a 400.
"""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from caicach.accounts.access import require_anywhere
from caicach.core.i18n import is_english, localized
from caicach.core.tables import FORMATS, Table, download
from caicach.metrics.charts import Bar, BarChart, bar_svg
from caicach.metrics.periods import Period, PeriodError, parse_period
from caicach.metrics.rankings import access, query
from caicach.metrics.rankings.fair import Interval, Standing
from caicach.metrics.registry import KPI, UnknownKPIError, get

DEFAULT_KPI = "on_time_766"
WHY_TOP = 10
#: A long tier's chart shows its first and last units (and the caller's own); the table has all.
CHART_ENDS = 15


class BadInputError(ValueError):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(vi)
        self.message_vi, self.message_en = vi, en


def _pct(value: Fraction | float | None, places: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{float(value) * 100:.{places}f}"
    return text if is_english() else text.replace(".", ",")


def _ci(ci: Interval | None) -> str:
    return "" if ci is None else f"{_pct(ci.low)}–{_pct(ci.high)}"


def _points(value: Fraction | float | None) -> str:
    if value is None:
        return "—"
    text = f"{float(value) * 100:+.1f}"
    return text if is_english() else text.replace(".", ",")


def _default_period() -> Period:
    first = timezone.localdate().replace(day=1)
    last_month = first - timedelta(days=1)
    return Period.month(last_month.year, last_month.month)


def _inputs(request: HttpRequest) -> tuple[str, Period, str]:
    """The KPI code, the period and the comparison asked (defaults: on time, last month, the
    same month a year before); :class:`BadInputError` for anything else."""
    code = request.GET.get("kpi", "").strip()[:40] or DEFAULT_KPI
    if code != query.INDEX_766:
        try:
            k = get(code)
        except UnknownKPIError as exc:
            raise BadInputError(exc.vi, exc.en) from None
        if k not in query.rankable_kpis():
            raise BadInputError(
                f"Chỉ số {code} không xếp hạng được: chỉ xếp hạng các tỷ lệ hồ sơ.",
                f"KPI {code} cannot be ranked: only proportions of dossiers are.",
            )
    text = request.GET.get("period", "").strip()[:40]
    compare = request.GET.get("compare", "").strip()[:20] or "year"
    try:
        period = parse_period(text) if text else _default_period()
        query.comparison_period(period, compare)
    except PeriodError as exc:
        raise BadInputError(exc.vi, exc.en) from None
    return code, period, compare


def _kpi_choices() -> list[tuple[str, str]]:
    en = is_english()
    out = [(k.code, k.name_en if en else k.name_vi) for k in query.rankable_kpis()]
    out.append((query.INDEX_766, _("Tổng điểm Bộ chỉ số QĐ 766")))
    return out


def _tier_label(tier: str) -> str:
    _kind, _level, vi, en = query.TIERS[tier]
    return en if is_english() else vi


_CODE = "0-CODE-0"  # reversed once per page, then each unit's code put in its place


def _why_url(tier: str, code: str, kpi: str, period: Period, compare: str) -> str:
    base = _why_base(tier).replace(_CODE, code)
    return f"{base}?{urlencode({'kpi': kpi, 'period': period.label, 'compare': compare})}"


def _why_base(tier: str) -> str:
    return _reversed("rankings:why", get_script_prefix(), tier, _CODE)


@lru_cache(maxsize=32)
def _reversed(name: str, prefix: str, *args: str) -> str:
    """``reverse`` once per name, script prefix and arguments (the URLconf does not change
    while the process runs)."""
    return reverse(name, args=list(args))


def _row(s: Standing, table: query.FairTable, user: Any, kpi: str, compare: str) -> dict[str, Any]:
    agency = table.units[s.unit]
    change = table.ranking.improvement_of(s.unit)
    own = access.may_explain(user, agency)
    # The URLs are reversed once (600 communes: 1,200 reversals were a fifth of the page).
    query_string = urlencode({"kpi": kpi, "period": table.period.label, "compare": compare})
    why = f"{_why_base(table.tier)}?{query_string}"
    agency_page = _reversed("dashboards:agency", get_script_prefix(), _CODE)
    page = f"{agency_page}?{urlencode({'period': table.period.label})}"
    return {
        "s": s,
        "agency": agency,
        "link": why.replace(_CODE, agency.code) if own else "",
        # The agency's page of the dashboards (its KPIs, 766 groups, trends) for the same period.
        "page": page.replace(_CODE, agency.code) if own else "",
        "raw": _pct(s.raw_rate),
        "raw_ci": _ci(s.raw_ci),
        "expected": _pct(s.expected_rate),
        "adjusted": _pct(s.adjusted_rate),
        "adjusted_ci": _ci(s.adjusted_ci),
        "ratio": "—" if s.ratio is None else f"{float(s.ratio):.2f}",
        "change": None if change is None else _points(change.change),
        "significant": change is not None and change.significant,
        "why": localized(s, "why"),
    }


def _fair_export(rows: list[dict[str, Any]], apart: list[dict[str, Any]], title: str) -> Table:
    columns = [
        _("Hạng"),
        _("Hạng theo tỷ lệ thực tế"),
        _("Mã cơ quan"),
        _("Cơ quan"),
        _("Số hồ sơ"),
        _("Tỷ lệ thực tế (%)"),
        _("Tỷ lệ dự kiến theo cơ cấu thủ tục (%)"),
        _("Thực tế/dự kiến"),
        _("Tỷ lệ điều chỉnh (%)"),
        _("Khoảng tin cậy 95% (%)"),
        _("Thay đổi (điểm %)"),
        _("Ghi chú"),
    ]
    out = []
    for r in [*rows, *apart]:
        s = r["s"]
        note = "" if s.rank is not None else _("Quá ít hồ sơ, không xếp hạng")
        out.append(
            [
                s.rank,
                s.raw_rank,
                r["agency"].code,
                r["agency"].name,
                s.volume,
                r["raw"],
                r["expected"],
                r["ratio"],
                r["adjusted"],
                r["adjusted_ci"],
                r["change"] or "",
                note,
            ]
        )
    return Table(title, columns, out)


def _chart(rows: list[dict[str, Any]], title: str, province: Fraction | None) -> str:
    """Adjusted rates with their 95% intervals as whiskers; the caller's own units in bold when
    the table shows others too; the province rate as the reference line."""
    bars = []
    own = [r for r in rows if r["link"]]
    if len(rows) > 2 * CHART_ENDS + 10:  # the top, the bottom and the caller's own units
        ends = {id(r) for r in (*rows[:CHART_ENDS], *rows[-CHART_ENDS:])}
        rows = [r for r in rows if id(r) in ends or (r["link"] and len(own) < len(rows))]
    for r in rows:
        s = r["s"]
        if s.adjusted_rate is None or s.adjusted_ci is None:
            continue
        bars.append(
            Bar(
                f"{s.rank}. {r['agency'].short_name or r['agency'].name}",
                float(s.adjusted_rate) * 100,
                s.adjusted_ci.low * 100,
                s.adjusted_ci.high * 100,
                emphasis=bool(r["link"]) and len(own) < len(rows),
            )
        )
    return bar_svg(
        BarChart(
            title,
            bars,
            target=None if province is None else float(province) * 100,
            target_label=_("Toàn tỉnh"),
            x_max=100.0,
        )
    )


@login_required
@require_GET
def tiers(request: HttpRequest) -> HttpResponse:
    """/xep-hang/: the first tier the caller may see (403 when none)."""
    visible = access.visible_tiers(request.user)
    if not visible:
        access.require_tier(request.user, "")
    target = reverse("rankings:table", args=[visible[0]])
    query_string = request.GET.urlencode()
    return redirect(f"{target}?{query_string}" if query_string else target)


@login_required
@require_GET
def table(request: HttpRequest, tier: str) -> HttpResponse:
    """The ranking of one tier for a KPI and a period."""
    require_anywhere(request.user, access.ACTION)
    if tier not in query.TIERS:
        raise Http404
    visible = access.visible_tiers(request.user)
    access.require_tier(request.user, tier)
    context: dict[str, Any] = {
        "tier": tier,
        "tiers": [(t, _tier_label(t)) for t in visible],
        "kpis": _kpi_choices(),
        "kpi": request.GET.get("kpi", "")[:40] or DEFAULT_KPI,
        "period_text": request.GET.get("period", "")[:40],
        "compare": request.GET.get("compare", "")[:20] or "year",
        "min_volume": query.min_volume(),
    }
    try:
        code, period, compare = _inputs(request)
    except BadInputError as exc:
        context["error"] = localized(exc)
        return render(request, "metrics/rankings/table.html", context, status=400)
    context.update(period=period, period_text=period.label, compare=compare)
    fmt = request.GET.get("tai", "")
    filename = f"xep-hang-{tier}-{code}-{period.label}"
    title = f"{_('Xếp hạng')} {_tier_label(tier)} {period.label}"
    if code == query.INDEX_766:
        index = query.rank_766(tier, period)
        rows766: list[dict[str, Any]] = [
            {
                "r": r,
                "total": f"{float(r.total):.2f}",
                "maximum": f"{float(r.maximum):.2f}",
                "scaled": "—" if r.scaled is None else f"{float(r.scaled):.2f}",
            }
            for r in index.rows
        ]
        if fmt in FORMATS:
            export = Table(
                title,
                [
                    _("Hạng"),
                    _("Mã cơ quan"),
                    _("Cơ quan"),
                    _("Tổng điểm"),
                    _("Điểm tối đa"),
                    _("Quy về thang 100"),
                ],
                [
                    [
                        x["r"].rank,
                        x["r"].agency.code,
                        x["r"].agency.name,
                        x["total"],
                        x["maximum"],
                        x["scaled"],
                    ]
                    for x in rows766
                ],
            )
            return download(export, fmt, filename)
        context.update(index=rows766, is_766=True)
        return render(request, "metrics/rankings/table.html", context)
    result = query.fair_table(tier, code, period, compare)
    user = request.user
    rows = [_row(s, result, user, code, compare) for s in result.ranking.ranked]
    apart = [_row(s, result, user, code, compare) for s in result.ranking.apart if s.volume]
    if fmt in FORMATS:
        return download(_fair_export(rows, apart, title), fmt, filename)
    k: KPI = result.kpi
    name = k.name_en if is_english() else k.name_vi
    improved = [
        {
            "i": i,
            "agency": result.units[i.unit],
            "now": _pct(i.now),
            "before": _pct(i.before),
            "change": _points(i.change),
        }
        for i in result.ranking.most_improved[:10]
    ]
    context.update(
        result=result,
        kpi_name=name,
        rows=rows,
        apart=apart,
        empty_units=sum(1 for s in result.ranking.apart if not s.volume),
        improved=improved,
        province=_pct(result.ranking.province_rate),
        no_data="" if result.no_data is None else result.no_data[int(is_english())],
        chart=_chart(
            rows,
            f"{name}: {_('tỷ lệ điều chỉnh theo cơ cấu thủ tục')}",
            result.ranking.province_rate,
        )
        if rows
        else "",
        lower_is_better=not result.ranking.higher_is_better,
        csv_url="?"
        + urlencode({"kpi": code, "period": period.label, "compare": compare, "tai": "csv"}),
        xlsx_url="?"
        + urlencode({"kpi": code, "period": period.label, "compare": compare, "tai": "xlsx"}),
    )
    return render(request, "metrics/rankings/table.html", context)


@login_required
@require_GET
def why(request: HttpRequest, tier: str, code: str) -> HttpResponse:
    """One unit's place explained: its figures, what its mix predicts, the procedures that
    weigh most on the gap (up to :data:`WHY_TOP`, each with its province rate)."""
    require_anywhere(request.user, access.ACTION)
    if tier not in query.TIERS:
        raise Http404
    access.require_tier(request.user, tier)
    context: dict[str, Any] = {"tier": tier, "tier_label": _tier_label(tier)}
    try:
        kpi, period, compare = _inputs(request)
        if kpi == query.INDEX_766:
            raise BadInputError(
                "Tổng điểm QĐ 766 không điều chỉnh theo cơ cấu thủ tục: chọn một tỷ lệ.",
                "The Decision 766 total is not mix-adjusted: choose a rate.",
            )
    except BadInputError as exc:
        context["error"] = localized(exc)
        return render(request, "metrics/rankings/why.html", context, status=400)
    result = query.fair_table(tier, kpi, period, compare, top=WHY_TOP)
    agency = next((a for a in result.units.values() if a.code == code[:40]), None)
    if agency is None or not access.may_explain(request.user, agency):
        raise Http404
    s = result.ranking.by_unit[str(agency.pk)]
    row = _row(s, result, request.user, kpi, compare)
    contributions = [
        {
            "name": result.labels.get(c.stratum, c.stratum),
            "volume": c.denominator,
            "observed": c.observed,
            "rate": _pct(c.rate),
            "province": _pct(c.province_rate),
            "expected": f"{float(c.expected):.1f}",
            "gap": f"{float(c.gap):+.1f}",
        }
        for c in s.contributions
    ]
    k = result.kpi
    context.update(
        agency=agency,
        row=row,
        period=period,
        kpi_name=k.name_en if is_english() else k.name_vi,
        ranked_count=len(result.ranking.ranked),
        province=_pct(result.ranking.province_rate),
        contributions=contributions,
        back=reverse("rankings:table", args=[tier])
        + "?"
        + urlencode({"kpi": kpi, "period": period.label, "compare": compare}),
    )
    return render(request, "metrics/rankings/why.html", context)
