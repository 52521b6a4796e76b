"""Reading the counts the fair rankings need (issue 14, "Fair rankings").

One grouped read of ``DailyRollup`` per period, ``GROUP BY agency, procedure`` over every agency
of the province (the province-wide rate of each procedure is the reference of the indirect
standardisation), folded here into the ranked units: a department gathers its units' rows, a
commune the rows of the communes merged into it (``index766_reads.members``: the same subtree and
successor rule as ``metrics.scope.agency_ids``, so a unit's raw rate equals ``caicach kpi`` for
it). The ranking itself is :mod:`caicach.metrics.rankings.fair` (pure).

Tiers: departments (kind ``department`` at province level) and communes (kind ``commune``), in
operation during the period. Rankable KPIs: the registry's ratio KPIs read from the rollups
(unit %, each dossier counted at most once in its numerator); "apologies" ranks lower-is-better.
The Decision 766 total is ranked too (:func:`rank_766`), without mix adjustment: the index is a
sum of capped points, not a proportion of dossiers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.metrics import compute, index766_reads
from caicach.metrics.periods import Period, PeriodError, _month_end
from caicach.metrics.rankings.fair import Counts, Ranking, competition_ranks, rank
from caicach.metrics.registry import FORMULA_VERSION, KPI, all_kpis, get

__all__ = [
    "COMPARE",
    "INDEX_766",
    "LOWER_IS_BETTER",
    "TIERS",
    "FairTable",
    "IndexTable",
    "comparison_period",
    "fair_table",
    "rank_766",
    "rankable_kpis",
    "tier_units",
]

#: URL slug -> (kind, level or None, Vietnamese label, English label).
TIERS: dict[str, tuple[str, str | None, str, str]] = {
    "so-nganh": (AgencyKind.DEPARTMENT, AgencyLevel.PROVINCE, "Sở, ban, ngành", "Departments"),
    "xa-phuong": (AgencyKind.COMMUNE, None, "Xã, phường", "Communes"),
}
#: "year": the same period a year before (metrics-notes: seasonality, Tết); "previous": the period
#: just before (the previous month, quarter, half, year, or as many days before a custom range).
COMPARE = ("year", "previous")
LOWER_IS_BETTER = frozenset({"apologies"})
INDEX_766 = "766"


def rankable_kpis() -> list[KPI]:
    """Ratio KPIs of dossiers read from the rollups (the mix adjustment needs a proportion)."""
    return [k for k in all_kpis() if k.source == "rollup" and k.unit == "%" and k.additive]


def min_volume() -> int:
    return int(getattr(settings, "METRICS_RANKING_MIN_DOSSIERS", 30))


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def comparison_period(period: Period, mode: str = "year") -> Period:
    if mode not in COMPARE:
        raise PeriodError(
            f"Không có cách so sánh {mode[:20]!r}; dùng year (cùng kỳ năm trước) hoặc previous "
            "(kỳ liền trước).",
            f"No comparison {mode[:20]!r}; use year or previous.",
        )
    if mode == "year":
        first, last = _year_back(period.first), _year_back(period.last)
        if period.kind != "custom":
            last = _month_end(last.year, last.month)
        return Period(first, last, period.kind)
    if period.kind in ("month", "quarter", "half", "year"):
        months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[period.kind]
        y, m = period.first.year, period.first.month - months
        while m < 1:
            y, m = y - 1, m + 12
        first = date(y, m, 1)
        end_m, end_y = m + months - 1, y
        while end_m > 12:
            end_y, end_m = end_y + 1, end_m - 12
        return Period(first, _month_end(end_y, end_m), period.kind)
    return Period(period.first - timedelta(days=period.days), period.first - timedelta(days=1))


def tier_units(tier: str, period: Period) -> list[Agency]:
    """The departments or communes in operation at some time during ``period``, by name."""
    kind, level, _, _ = TIERS[tier]
    qs = Agency.objects.filter(kind=kind, valid_from__lte=period.last).exclude(
        valid_to__lt=period.first
    )
    if level is not None:
        qs = qs.filter(level=level)
    return list(qs.only("id", "code", "name", "short_name", "path", "kind", "level"))


def _cells(
    k: KPI, period: Period, members: dict[int, list[int]]
) -> tuple[list[Counts], dict[str, tuple[int, int]]]:
    """One grouped read: the cells of the ranked units and the province's per-procedure totals.

    The rows are folded into the units by the database (a join on the agency → unit pairs) and
    grouped twice in the same scan (``GROUPING SETS``: per unit and procedure, and per procedure
    over every agency, the reference); read with a plain cursor (some 10^5 rows a month, where
    a queryset's per-row converters cost seconds: bench/bench_rankings.py). An agency counted
    in two ranked units (nested units: not the case of departments or communes) is folded here
    instead, so that no row is counted twice in the reference.
    """
    from caicach.metrics.models import DailyRollup

    q = connection.ops.quote_name
    table = q(DailyRollup._meta.db_table)
    n_col, d_col = q(k.numerator), q(k.denominator)
    nested = any(len(targets) > 1 for targets in members.values())
    pairs = [] if nested else [(a, t[0]) for a, t in members.items()]
    sql = f"""
        SELECT m.unit, r.procedure_id, SUM(r.{n_col}), SUM(r.{d_col}), GROUPING(m.unit)
        FROM {table} r
        LEFT JOIN unnest(%s::int[], %s::int[]) AS m(agency, unit) ON m.agency = r.agency_id
        WHERE r.day >= %s AND r.day <= %s
        GROUP BY GROUPING SETS ((m.unit, r.procedure_id), (r.procedure_id))
    """
    if nested:
        sql = f"""
            SELECT r.agency_id, r.procedure_id, SUM(r.{n_col}), SUM(r.{d_col}), 0
            FROM {table} r WHERE r.day >= %s AND r.day <= %s
            GROUP BY r.agency_id, r.procedure_id
        """
    params: list[Any] = [period.first, period.last]
    if not nested:
        params = [[a for a, _ in pairs], [u for _, u in pairs], *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    reference: dict[str, tuple[int, int]] = {}
    cells: list[Counts] = []
    folded: dict[tuple[int, str], list[int]] = {}
    for unit, procedure_id, n, d, whole in rows:
        if not d:
            continue
        stratum = str(procedure_id)
        if whole:
            reference[stratum] = (int(n or 0), int(d))
        elif not nested:
            if unit is not None:
                cells.append((str(unit), stratum, int(n or 0), int(d)))
        else:
            ref = reference.get(stratum, (0, 0))
            reference[stratum] = (ref[0] + int(n or 0), ref[1] + int(d))
            for target in members.get(unit, ()):
                acc = folded.setdefault((target, stratum), [0, 0])
                acc[0] += int(n or 0)
                acc[1] += int(d)
    cells.extend((str(u), s, n, d) for (u, s), (n, d) in folded.items())
    return cells, reference


@dataclass(frozen=True)
class FairTable:
    tier: str
    kpi: KPI
    period: Period
    previous: Period
    ranking: Ranking
    units: dict[str, Agency]  # unit key (agency pk as text) -> agency
    labels: dict[str, str]  # stratum key (procedure pk as text) -> procedure name
    no_data: tuple[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def fair_table(
    tier: str, code: str, period: Period, compare: str = "year", *, top: int = 3
) -> FairTable:
    """The fair ranking of ``tier`` for KPI ``code`` over ``period`` (and its comparison), kept
    ``METRICS_RANKING_CACHE_SECONDS`` in the cache (the same for every caller: who sees which
    rows is decided by the pages; the rollups move only as dossiers finish)."""
    seconds = int(getattr(settings, "METRICS_RANKING_CACHE_SECONDS", 300))
    key = f"rankings:{FORMULA_VERSION}:{tier}:{code}:{period.label}:{compare}:{top}:{min_volume()}"
    if seconds > 0 and (hit := cache.get(key)) is not None:
        return hit
    table = _fair_table(tier, code, period, compare, top)
    if seconds > 0:
        cache.set(key, table, seconds)
    return table


def _fair_table(tier: str, code: str, period: Period, compare: str, top: int) -> FairTable:
    k = get(code)
    previous = comparison_period(period, compare)
    agencies = tier_units(tier, period)
    units = {str(a.pk): a for a in agencies}
    higher = k.code not in LOWER_IS_BETTER
    reason = compute.missing_fact(k)
    if reason is not None or k not in rankable_kpis():
        reason = reason or (
            "Chỉ số này không xếp hạng công bằng được (không phải tỷ lệ hồ sơ).",
            "This KPI cannot be ranked fairly (not a proportion of dossiers).",
        )
        empty = rank([], units=list(units), min_volume=min_volume(), higher_is_better=higher)
        return FairTable(tier, k, period, previous, empty, units, {}, reason)
    members = index766_reads.members(agencies) if agencies else {}
    cells, reference = _cells(k, period, members)
    before, before_ref = _cells(k, previous, members)
    from caicach.procedures.models import Procedure

    wanted = {int(c[1]) for c in cells}
    labels = {
        str(pk): name
        for pk, name in Procedure.objects.filter(pk__in=wanted).values_list("pk", "name")
    }
    ranking = rank(
        cells,
        before,
        units=list(units),
        reference=reference,
        previous_reference=before_ref,
        min_volume=min_volume(),
        labels=labels,
        higher_is_better=higher,
        top=top,
    )
    return FairTable(tier, k, period, previous, ranking, units, labels)


@dataclass(frozen=True)
class IndexRow:
    agency: Agency
    total: Fraction
    scaled: Fraction | None
    maximum: Fraction
    rank: int | None


@dataclass(frozen=True)
class IndexTable:
    tier: str
    period: Period
    rows: tuple[IndexRow, ...]


def rank_766(tier: str, period: Period) -> IndexTable:
    """The tier ranked by its Decision 766 total (over 100 when sub-indicators without data are
    left out: ``index766.IndexResult.scaled``), competition ranks, no mix adjustment."""
    agencies = tier_units(tier, period)
    results = index766_reads.index_for_all(period, agencies) if agencies else []
    by_pk = {a.pk: a for a in agencies}
    scores = {str(r.agency_id): r.scaled for r in results if r.scaled is not None}
    ranks = competition_ranks(scores)
    rows = [
        IndexRow(
            by_pk[r.agency_id or 0],
            r.total,
            r.scaled,
            r.max_counted,
            ranks.get(str(r.agency_id)),
        )
        for r in results
    ]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.agency.name))
    return IndexTable(tier, period, tuple(rows))
