"""What the province overview and the agency page show (issue 14, "Pages"), built from
:mod:`caicach.metrics.dashboards.figures` (rollups only) and the pure
:mod:`~caicach.metrics.dashboards.lights` and :mod:`caicach.metrics.charts`.

Numbers stay ``Decimal`` here and are rounded to 2 places at display only (metrics-notes,
"Decision 766 specifics"), as ``caicach kpi`` prints them (``Figure.rounded``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from caicach.agencies.models import Agency
from caicach.core import registry as core_registry
from caicach.core.i18n import is_english
from caicach.core.tables import Table
from caicach.metrics import charts, index766
from caicach.metrics.dashboards import figures as dash
from caicach.metrics.dashboards.lights import Light, Target, light, parse_targets
from caicach.metrics.figures import Figure
from caicach.metrics.periods import Period
from caicach.metrics.registry import UnknownKPIError, all_kpis, get

__all__ = ["AgencyPage", "Overview", "TargetRow", "agency_page", "overview", "targets"]

#: The KPIs drawn in the agency page's trend chart (at most four series stay apart in greyscale).
TREND_KPIS = ("on_time_766", "online_share", "digitised", "paid_online")
#: The KPIs of the sub-agency table and the leader's home summary.
SUMMARY_KPIS = ("on_time_766", "online_share", "paid_online", "satisfaction")


def _dec(x: Fraction | Decimal | None) -> Decimal | None:
    if x is None:
        return None
    if isinstance(x, Fraction):
        x = Decimal(x.numerator) / Decimal(x.denominator)
    return x.quantize(Decimal("0.01"))


def _name(vi: str, en: str) -> str:
    return en if is_english() and en else vi


def _is_766(code: str) -> bool:
    return code == "766" or code.startswith("766.")


def targets(agency: Agency, day: date) -> list[Target]:
    """The plans' targets for ``agency`` on ``day`` (``core.registry.targets_for``) over the
    defaults of ``METRICS_OVERVIEW_TARGETS`` (a plan's target for a KPI replaces the default);
    only targets measured by a registered KPI or the 766 index are kept."""
    out: dict[str, Target] = {
        t.kpi_code: t for t in parse_targets(settings.METRICS_OVERVIEW_TARGETS)
    }
    for raw in core_registry.targets_for(agency, day):
        code = str(raw.get("kpi_code") or "")
        if not code:
            continue
        try:
            threshold = Decimal(str(raw.get("threshold")))
        except ArithmeticError:
            continue
        comparison = str(raw.get("comparison") or ">=")
        out[code] = Target(
            code,
            comparison if comparison in (">=", "<=", "=") else ">=",  # type: ignore[arg-type]
            threshold,
            raw.get("due"),
            str(raw.get("unit") or "%"),
            str(raw.get("label_vi") or ""),
            str(raw.get("label_en") or ""),
            str(raw.get("url") or ""),
        )
    kept = []
    for code, t in out.items():
        if _is_766(code):
            kept.append(t)
            continue
        try:
            get(code)
        except UnknownKPIError:
            continue
        kept.append(t)
    return kept


@dataclass
class TargetRow:
    code: str
    label: str
    unit: str
    value: Decimal | None
    figure: Figure | None  # None for the 766 rows
    target: Target | None
    light: Light
    points: tuple[Decimal | None, Decimal | None] | None = None  # 766: points, counted max
    chart_svg: str = ""
    chart_table: list[list[str]] = field(default_factory=list)
    #: (month shown, value shown, the month's period label) for links to its dossiers
    trend_cells: list[tuple[str, str, str]] = field(default_factory=list)
    chart_labels: list[str] = field(default_factory=list)
    pulling_down: list[dash.Contributor] = field(default_factory=list)
    reason: str = ""


@dataclass
class Overview:
    root: Agency
    period: Period
    months: list[Period]
    rows: list[TargetRow]
    children: list[Agency]

    def tables(self) -> dict[str, Table]:
        head = [_("Chỉ tiêu"), _("Giá trị"), _("Mục tiêu"), _("Đánh giá")]
        rows = [[r.label, r.value, _target_text(r.target), _light_text(r.light)] for r in self.rows]
        pulling = [
            [
                r.label,
                c.agency.code,
                c.agency.name,
                _dec(c.figure.value),
                c.figure.numerator,
                c.figure.denominator,
                c.short,
            ]
            for r in self.rows
            for c in r.pulling_down
        ]
        trend = [[r.label, *cells] for r in self.rows for cells in r.chart_table]
        return {
            "chi-tieu": Table(_("Chỉ tiêu và giá trị"), head, rows),
            "keo-xuong": Table(
                _("Cơ quan kéo chỉ tiêu xuống"),
                [
                    _("Chỉ tiêu"),
                    _("Mã cơ quan"),
                    _("Cơ quan"),
                    _("Giá trị"),
                    _("Tử số"),
                    _("Mẫu số"),
                    _("Số hồ sơ còn thiếu"),
                ],
                pulling,
            ),
            "xu-huong": Table(
                _("Xu hướng 12 tháng"), [_("Chỉ tiêu"), _("Tháng"), _("Giá trị")], trend
            ),
        }


def _target_text(t: Target | None) -> str:
    if t is None:
        return ""
    unit = "%" if t.unit == "%" else f" {t.unit}"
    due = f" ({t.due:%d/%m/%Y})" if t.due else ""
    return f"{t.comparison} {t.threshold}{unit}{due}"


LIGHT_TEXT = {
    "met": "Đạt",
    "near": "Gần đạt",
    "missed": "Chưa đạt",
    "no_data": "Không có dữ liệu",
    "no_target": "Chưa đặt mục tiêu",
}


def _light_text(value: str) -> str:
    return _(LIGHT_TEXT[value])


def _chart(
    title: str,
    months: list[Period],
    series: list[tuple[str, list[Figure | None]]],
    target: Target | None = None,
    *,
    percent: bool = True,
    width: int = 640,
) -> tuple[str, list[list[str]], list[str]]:
    labels = [f"{p.first.month:02d}/{p.first.year % 100:02d}" for p in months]
    chart = charts.LineChart(
        title,
        labels,
        [
            charts.Series(
                name,
                [None if f is None or f.value is None else float(f.value) for f in figs],
            )
            for name, figs in series
        ],
        target=float(target.threshold) if target is not None else None,
        target_label=_("Mục tiêu") if target is not None else "",
        y_min=0.0,
        y_max=100.0 if percent else None,
    )
    return charts.line_svg(chart, width=width), charts.table_rows(chart), labels


def overview(root: Agency, period: Period) -> Overview:
    """Each target beside its live value for ``root`` over ``period``, its light, its 12-month
    trend and the agencies under ``root`` pulling it down (one grouped read for all)."""
    goals = targets(root, period.last)
    kids = dash.children(root, period)
    codes = [t.kpi_code for t in goals if not _is_766(t.kpi_code)]
    figs = dash.figures_for([root, *kids], period, codes)
    index = dash.index_results([root], period, figs)[root.pk]
    months = dash.last_months(period)
    trend = dash.monthly(codes, root, months)
    by_code = {t.kpi_code: t for t in goals}
    rows: list[TargetRow] = []
    for t in goals:
        if _is_766(t.kpi_code):
            continue
        k = get(t.kpi_code)
        fig = figs[(k.code, root.pk)]
        value = _dec(fig.value)
        label = t.label_vi or k.name_vi
        if is_english():
            label = t.label_en or k.name_en
        row = TargetRow(
            k.code, label, k.unit, value, fig, t, light(value, t.comparison, t.threshold, k.unit)
        )
        row.reason = _name(fig.reason_vi, fig.reason_en)
        if k.source != "catalogue":
            row.chart_svg, row.chart_table, row.chart_labels = _chart(
                label, months, [(label, trend[k.code])], t, percent=k.unit == "%", width=480
            )
            row.trend_cells = [
                (cells[0], cells[1], p.label)
                for cells, p in zip(row.chart_table, months, strict=True)
            ]
        row.pulling_down = dash.contributors(k.code, kids, figs, t.threshold, t.comparison)
        rows.append(row)
    rows.extend(_index_rows(index, by_code))
    return Overview(root, period, months, rows, kids)


def _index_rows(index: index766.IndexResult, by_code: dict[str, Target]) -> list[TargetRow]:
    out = []
    t = by_code.get("766")
    scaled = _dec(index.scaled)
    out.append(
        TargetRow(
            "766",
            _("Chỉ số QĐ 766: tổng điểm (quy về 100)"),
            "%",
            scaled,
            None,
            t,
            light(scaled, t.comparison if t else ">=", t.threshold if t else None, "%"),
            points=(_dec(index.total), _dec(index.max_counted)) if index.max_counted else None,
        )
    )
    for g in index.groups:
        t = by_code.get(f"766.{g.group.number}")
        share = _dec(g.points * 100 / g.max_counted) if g.max_counted else None
        out.append(
            TargetRow(
                f"766.{g.group.number}",
                _("QĐ 766 nhóm %(n)d: %(name)s")
                % {"n": g.group.number, "name": _name(g.group.name_vi, g.group.name_en)},
                "%",
                share,
                None,
                t,
                light(share, t.comparison if t else ">=", t.threshold if t else None, "%"),
                points=(_dec(g.points), _dec(g.max_counted)) if g.max_counted else None,
                reason="" if g.max_counted else _("Không có chỉ tiêu nào có dữ liệu trong nhóm."),
            )
        )
    return out


@dataclass
class KpiRow:
    code: str
    name: str
    unit: str
    figure: Figure
    value: Decimal | None
    reason: str
    target: Target | None
    light: Light


@dataclass
class SubRow:
    id: str
    name: str
    kpi: str
    r: Decimal | None
    t: Decimal | None
    points: Decimal | None
    pmax: Decimal | None
    figure: Figure
    reason: str
    scoring: str
    counted: bool
    lever: str
    k_to_full: int | None
    drillable: bool
    unit: str = "%"


@dataclass
class AgencyPage:
    agency: Agency
    period: Period
    kpis: list[KpiRow]
    index: index766.IndexResult
    groups: list[tuple[Any, list[SubRow]]]
    months: list[Period]
    trend_svg: str
    trend_head: list[str]
    trend_rows: list[list[str]]
    #: (month shown, the month's period label, [(KPI code, value shown)]) for the links
    trend_cells: list[tuple[str, str, list[tuple[str, str]]]]
    children: list[tuple[Agency, list[tuple[str, Decimal | None]], Decimal | None]]
    summary_names: list[str]

    def tables(self) -> dict[str, Table]:
        kpi_rows = [
            [r.code, r.name, r.value, r.figure.numerator, r.figure.denominator, r.unit, r.reason]
            for r in self.kpis
        ]
        subs = [
            [
                s.id,
                s.name,
                s.r,
                s.t,
                s.points,
                s.pmax,
                s.figure.numerator,
                s.figure.denominator,
                s.reason,
            ]
            for _g, rows in self.groups
            for s in rows
        ]
        kids = [[a.code, a.name, *(v for _c, v in vals), total] for a, vals, total in self.children]
        return {
            "kpi": Table(
                _("Chỉ số"),
                [
                    _("Mã"),
                    _("Chỉ số"),
                    _("Giá trị"),
                    _("Tử số"),
                    _("Mẫu số"),
                    _("Đơn vị"),
                    _("Lý do không có dữ liệu"),
                ],
                kpi_rows,
            ),
            "766": Table(
                _("Chỉ số QĐ 766"),
                [
                    "ID",
                    _("Chỉ tiêu"),
                    "R (%)",
                    "T (%)",
                    _("Điểm"),
                    _("Điểm tối đa"),
                    _("Tử số"),
                    _("Mẫu số"),
                    _("Lý do không có dữ liệu"),
                ],
                subs,
            ),
            "xu-huong": Table(_("Xu hướng 12 tháng"), self.trend_head, self.trend_rows),
            "don-vi": Table(
                _("Cơ quan, đơn vị trực thuộc"),
                [_("Mã"), _("Tên"), *self.summary_names, _("QĐ 766 (quy về 100)")],
                kids,
            ),
        }


def agency_page(agency: Agency, period: Period) -> AgencyPage:
    """Every KPI of ``agency`` (its subtree) for ``period`` as ``caicach kpi`` prints it, the 766
    groups and sub-indicators with R, T and points, the 12-month trend and the units under it."""
    kids = dash.children(agency, period)
    figs = dash.figures_for([agency, *kids], period)
    results = dash.index_results([agency, *kids], period, figs)
    goals = {t.kpi_code: t for t in targets(agency, period.last)}
    kpis = []
    for k in all_kpis():
        fig = figs[(k.code, agency.pk)]
        value = _dec(fig.value)
        t = goals.get(k.code)
        kpis.append(
            KpiRow(
                k.code,
                _name(k.name_vi, k.name_en),
                k.unit,
                fig,
                value,
                _name(fig.reason_vi, fig.reason_en),
                t,
                light(value, t.comparison if t else ">=", t.threshold if t else None, k.unit),
            )
        )
    index = results[agency.pk]
    registered = {k.code for k in all_kpis()}
    groups = []
    for g in index.groups:
        rows = []
        for s in g.subs:
            f = s.figure
            k_full = None
            if s.sub.lever and f.value is not None:
                k_full = index766.k_to_full_points(f.numerator, f.denominator, s.sub.threshold)
            rows.append(
                SubRow(
                    s.sub.id,
                    _name(s.sub.name_vi, s.sub.name_en),
                    s.sub.kpi,
                    None if f.value is None else _dec(Decimal(f.value)),
                    _dec(s.sub.threshold),
                    _dec(s.points),
                    _dec(s.sub.pmax),
                    f,
                    _name(f.reason_vi, f.reason_en),
                    s.sub.scoring,
                    s.counted,
                    s.sub.lever,
                    k_full,
                    s.sub.kpi in registered,
                    get(s.sub.kpi).unit if s.sub.kpi in registered else "%",
                )
            )
        groups.append((g, rows))
    months = dash.last_months(period)
    trend = dash.monthly(TREND_KPIS, agency, months)
    svg, table, _labels = _chart(
        _("Xu hướng 12 tháng"),
        months,
        [(_name(get(c).name_vi, get(c).name_en), trend[c]) for c in TREND_KPIS],
        width=520,
    )
    summary = [_name(get(c).name_vi, get(c).name_en) for c in SUMMARY_KPIS]
    children = [
        (
            a,
            [(c, _dec(figs[(c, a.pk)].value)) for c in SUMMARY_KPIS],
            _dec(results[a.pk].scaled),
        )
        for a in kids
    ]
    return AgencyPage(
        agency,
        period,
        kpis,
        index,
        groups,
        months,
        svg,
        [_("Tháng"), *[_name(get(c).name_vi, get(c).name_en) for c in TREND_KPIS]],
        table,
        [
            (cells[0], p.label, list(zip(TREND_KPIS, cells[1:], strict=True)))
            for cells, p in zip(table, months, strict=True)
        ],
        children,
        summary,
    )
