"""The numbers of the dashboards, read from the rollups in a few grouped queries (issue 14).

Every KPI figure comes from :func:`caicach.metrics.index766_reads.kpis_for_agencies` (one ``GROUP BY
agency`` over ``DailyRollup``, one over ``OpenSnapshot``, two per catalogue measure, equal to
``metrics.compute.kpi`` per agency, which ``caicach kpi`` prints), and the Decision 766 index
from the same figures (:func:`index766_reads.index_for_all` with a reader that returns them), so the
pages never scan dossiers for a KPI and show what the command prints.

The 12-month trend is ``metrics.compute.kpi_series`` for every flow KPI (one grouped read over
the span) and one read of the month-end snapshots; a catalogue KPI (a count of procedures in force on a day) has no
monthly trend here (it changes when the catalogue does, not by month).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from caicach.agencies.models import Agency
from caicach.metrics import index766, index766_reads
from caicach.metrics.compute import kpi_series, missing_fact
from caicach.metrics.figures import Figure, ratio
from caicach.metrics.periods import Period
from caicach.metrics.registry import KPI, all_kpis, get
from caicach.metrics.scope import agency_ids

__all__ = [
    "Contributor",
    "children",
    "contributors",
    "figures_for",
    "index_results",
    "last_months",
    "monthly",
]

#: The agencies listed as pulling a target down (the lowest contributors).
PULLING_DOWN = 5


def figures_for(
    agencies: Sequence[Agency], period: Period, codes: Sequence[str] | None = None
) -> dict[tuple[str, int], Figure]:
    """Every registered KPI (or ``codes``) plus the 766 index's KPIs for every agency."""
    wanted = list(codes) if codes is not None else [k.code for k in all_kpis()]
    wanted += [c for c in index766.kpi_codes(index766.current_settings()["group3_split"])]
    return index766_reads.kpis_for_agencies(list(dict.fromkeys(wanted)), list(agencies), period)


def index_results(
    agencies: Sequence[Agency], period: Period, figures: dict[tuple[str, int], Figure]
) -> dict[int, index766.IndexResult]:
    """The 766 index of each agency from figures already read (no further KPI query)."""

    def reader(
        codes: Sequence[str], wanted: Sequence[Any], p: Period
    ) -> dict[tuple[str, int], Figure]:
        return figures

    results = index766_reads.index_for_all(period, list(agencies), reader=reader)
    return {r.agency_id: r for r in results if r.agency_id is not None}


def children(root: Agency, period: Period) -> list[Agency]:
    """The departments and communes (or units) directly under ``root`` in operation during the
    period, in tree order: one query."""
    return list(
        Agency.objects.filter(parent=root, valid_from__lte=period.last)
        .exclude(valid_to__lt=period.first)
        .order_by("path")
    )


def last_months(period: Period, count: int = 12) -> list[Period]:
    """The ``count`` calendar months ending with the month of the period's last day."""
    y, m = period.last.year, period.last.month
    out: list[Period] = []
    for _ in range(count):
        out.append(Period.month(y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def _trend_kpis(codes: Sequence[str]) -> list[KPI]:
    return [get(c) for c in codes if missing_fact(get(c)) is None]


def monthly(
    codes: Sequence[str], agency: Agency, months: Sequence[Period]
) -> dict[str, list[Figure | None]]:
    """Each KPI's figure for each month (``None``: no monthly trend for a catalogue KPI):
    ``compute.kpi_series`` for the flows and one snapshot query for all the stocks."""
    from caicach.metrics.models import OpenSnapshot, SnapshotDay

    kpis = _trend_kpis(codes)
    out: dict[str, list[Figure | None]] = {c: [None] * len(months) for c in codes}
    for code in codes:
        if (reason := missing_fact(get(code))) is not None:
            out[code] = [Figure(0, 0, None, *reason) for _ in months]
    if not months:
        return out
    ids = agency_ids(agency)
    flows = [k.code for k in kpis if k.source == "rollup"]
    if flows:  # one grouped read over the span (monthly rollups where the months are clean)
        for code, figs in kpi_series(flows, agency, list(months)).items():
            out[code] = list(figs)
    stocks = [k for k in kpis if k.source == "snapshot"]
    if stocks:
        ends = [p.last for p in months]
        taken = set(SnapshotDay.objects.filter(day__in=ends).values_list("day", flat=True))
        measures = sorted({m for k in stocks for m in (k.numerator, k.denominator)})
        snap: Any = (
            OpenSnapshot.objects.filter(day__in=ends, agency_id__in=ids)
            .values("day")
            .annotate(**{f"s_{m}": Sum(m) for m in measures})
            .order_by()
        )
        by_day: dict[date, dict[str, Any]] = {r["day"]: r for r in snap}
        for k in stocks:
            series: list[Figure | None] = []
            for p in months:
                if p.last not in taken:
                    series.append(
                        Figure(
                            0,
                            0,
                            None,
                            f"Không có dữ liệu: chưa chốt số tồn cuối ngày {p.last:%d/%m/%Y}.",
                            f"No data: no end-of-day snapshot for {p.last.isoformat()} yet.",
                        )
                    )
                    continue
                r: dict[str, Any] = by_day.get(p.last, {})
                series.append(
                    ratio(
                        Decimal(r.get(f"s_{k.numerator}") or 0),
                        Decimal(r.get(f"s_{k.denominator}") or 0),
                        factor=k.factor,
                    )
                )
            out[k.code] = series
    return out


@dataclass(frozen=True)
class Contributor:
    """An agency under the root, its figure for one KPI, and the dossiers it lacks to reach the
    target (``short``, :func:`index766.k_to_full_points` against the threshold)."""

    agency: Agency
    figure: Figure
    short: int | None


def contributors(
    code: str,
    agencies: Sequence[Agency],
    figures: dict[tuple[str, int], Figure],
    threshold: Decimal | None,
    comparison: str,
    limit: int = PULLING_DOWN,
) -> list[Contributor]:
    """The agencies pulling a ``>=`` target down: those below it with data, most dossiers short
    first (then the lowest value); from figures already read in one grouped query. For a ``<=``
    or ``=`` target (or none), the lowest values with data. Catalogue and valued KPIs have no
    dossier count to reach the target: ``short`` is None."""
    k = get(code)
    rows: list[Contributor] = []
    for a in agencies:
        fig = figures.get((code, a.pk))
        if fig is None or fig.value is None:
            continue
        short: int | None = None
        if threshold is not None and k.unit == "%" and k.source != "catalogue":
            short = index766.k_to_full_points(fig.numerator, fig.denominator, threshold)
        rows.append(Contributor(a, fig, short))
    if threshold is not None and comparison == ">=":
        rows = [r for r in rows if r.figure.value is not None and r.figure.value < threshold]
        rows.sort(key=lambda r: (-(r.short or 0), r.figure.value or 0, r.agency.path))
    elif comparison == "<=" and threshold is not None:
        rows = [r for r in rows if r.figure.value is not None and r.figure.value > threshold]
        rows.sort(key=lambda r: (-(r.figure.value or 0), r.agency.path))
    else:
        rows.sort(key=lambda r: (r.figure.value or 0, r.agency.path))
    return rows[:limit]
