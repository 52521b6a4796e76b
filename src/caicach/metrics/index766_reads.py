"""Reading the Decision 766 index from the rollups (issue 13, "Decision 766"; issue 14).

The pure definitions and scoring are in :mod:`caicach.metrics.index766`; this module reads the
KPI figures of many agencies at once (:func:`kpis_for_agencies`), the verdict differences, and
puts them through :func:`caicach.metrics.index766.compute_index` (:func:`index_for_all`,
:func:`index_for`), and hooks the 766 section into ``caicach kpi``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from caicach.metrics.figures import Figure, ratio
from caicach.metrics.index766 import (
    _VN,
    SUB_INDICATORS,
    IndexResult,
    KpiReader,
    _registered,
    compute_index,
    current_settings,
    kpi_codes,
)
from caicach.metrics.periods import Period

__all__ = [
    "connect",
    "dossiers_behind",
    "fold_up",
    "index_for",
    "index_for_all",
    "kpis_for_agencies",
    "members",
    "report_section",
    "verdict_differences",
]


def kpis_for_agencies(
    codes: Sequence[str], agencies: Sequence[Any], period: Period
) -> dict[tuple[str, int], Figure]:
    """Every registered KPI in ``codes`` for every agency (its subtree, merged predecessors
    included, as ``metrics.scope.agency_ids``) in a few grouped reads: one over the agency table,
    one ``GROUP BY agency`` over the rollups for all the flow measures (``compute.rollup_sums``:
    monthly rows for clean whole months), one over
    ``OpenSnapshot`` for the stocks, two per catalogue measure; the rows are then folded up the
    agency paths here. Equal to ``metrics.compute.kpi`` per agency (a test checks it); added here
    because ``metrics.compute`` reads one agency at a time (the 1 s target for every agency).
    """
    codes = _registered(codes)
    try:  # h13-metrics' modules; absent until merged
        compute: Any = importlib.import_module("caicach.metrics.compute")
        models: Any = importlib.import_module("caicach.metrics.models")
    except ImportError:
        reason = (
            "Chưa có dữ liệu: bảng tổng hợp chỉ số chưa được xây dựng.",
            "No data: the KPI rollups are not built yet.",
        )
        return {(c, a.pk): Figure(0, 0, None, *reason) for c in codes for a in agencies}
    from caicach.metrics.registry import get

    out: dict[tuple[str, int], Figure] = {}
    if not agencies:
        return out
    live = []
    for code in codes:
        k = get(code)
        if (reason := compute.missing_fact(k)) is not None:
            out.update({(code, a.pk): Figure(0, 0, None, *reason) for a in agencies})
        else:
            live.append(k)
    member_of = members(agencies)
    by_source: dict[str, list[Any]] = {"rollup": [], "snapshot": [], "catalogue": []}
    for k in live:
        by_source[k.source].append(k)
    fields = {
        "rollup": {f.name for f in models.DailyRollup._meta.get_fields()},
        "snapshot": {f.name for f in models.OpenSnapshot._meta.get_fields()},
    }
    for source in ("rollup", "snapshot"):
        ks = by_source[source]
        slow = [k for k in ks if not {k.numerator, k.denominator} <= fields[source]]
        for k in slow:  # a measure the rollup does not hold: compute's own answer
            out.update({(k.code, a.pk): compute.kpi(k.code, a, period) for a in agencies})
        ks = [k for k in ks if k not in slow]
        if not ks:
            continue
        measures = sorted({m for k in ks for m in (k.numerator, k.denominator)})
        sums = {f"s_{m}": Sum(m) for m in measures}
        if source == "rollup":
            rows = compute.rollup_sums(None, period, ["agency_id"], sums)
        else:
            qs = models.OpenSnapshot.objects.filter(day=period.last)
            if not qs.exists():
                reason = (
                    f"Không có dữ liệu: chưa chốt số tồn cuối ngày {period.last:%d/%m/%Y}.",
                    f"No data: no end-of-day snapshot for {period.last.isoformat()} yet.",
                )
                out.update(
                    {(k.code, a.pk): Figure(0, 0, None, *reason) for k in ks for a in agencies}
                )
                continue
            rows = list(qs.values("agency_id").annotate(**sums).order_by())
        totals: dict[int, dict[str, Decimal]] = {
            a.pk: dict.fromkeys(measures, Decimal(0)) for a in agencies
        }
        for row in rows:
            for target in member_of.get(row["agency_id"], ()):
                acc = totals[target]
                for m in measures:
                    acc[m] += row[f"s_{m}"] or 0
        for k in ks:
            for a in agencies:
                t = totals[a.pk]
                out[(k.code, a.pk)] = ratio(t[k.numerator], t[k.denominator], factor=k.factor)
    for k in by_source["catalogue"]:
        counts = [
            _catalogue_counts(compute, member_of, period, m) for m in (k.numerator, k.denominator)
        ]
        for a in agencies:
            out[(k.code, a.pk)] = ratio(
                Decimal(counts[0].get(a.pk, 0)), Decimal(counts[1].get(a.pk, 0)), factor=k.factor
            )
    return out


def members(agencies: Sequence[Any]) -> dict[int, list[int]]:
    """For every agency row, the requested agencies whose figure it belongs to: those whose path
    is a prefix of its own or of a successor's down its chain (``metrics.scope.agency_ids``)."""
    from caicach.agencies.models import Agency

    wanted = {a.path: a.pk for a in agencies}
    rows = list(Agency.objects.order_by().values_list("pk", "path", "successor_id"))
    path_of = {pk: path for pk, path, _ in rows}
    successor = {pk: succ for pk, _, succ in rows}
    out: dict[int, list[int]] = {}
    for pk, path, _ in rows:
        chain, seen = [path], {pk}
        cur: int | None = successor[pk]
        while cur is not None and cur not in seen and cur in path_of:
            chain.append(path_of[cur])
            seen.add(cur)
            cur = successor.get(cur)
        targets: set[int] = set()
        for p in chain:
            end = p.find(".")
            while end != -1:
                if (hit := wanted.get(p[: end + 1])) is not None:
                    targets.add(hit)
                end = p.find(".", end + 1)
        if targets:
            out[pk] = sorted(targets)
    return out


def _catalogue_counts(
    compute: Any, members: Mapping[int, list[int]], period: Period, measure: str
) -> dict[int, int]:
    """Distinct procedure versions in force at the period's end per requested agency (owner or
    handling agency in its subtree), as ``metrics.compute.catalogue_versions`` counts them."""
    qs = compute.catalogue_versions(list(members), period, measure)
    links: dict[int, set[int]] = {}
    for pk, owner, handling in qs.values_list(
        "pk", "procedure__owner_agency_id", "procedure__handling_agencies"
    ).order_by():
        for aid in (owner, handling):
            if aid is not None:
                links.setdefault(pk, set()).update(members.get(aid, ()))
    counts: dict[int, int] = {}
    for targets in links.values():
        for t in targets:
            counts[t] = counts.get(t, 0) + 1
    return counts


def _period_bounds(period: Period) -> tuple[datetime, datetime]:
    return (
        datetime.combine(period.first, time.min, _VN),
        datetime.combine(period.after, time.min, _VN),
    )


def verdict_differences(agencies: Sequence[Any], period: Period) -> dict[int, int] | None:
    """Per agency (its subtree), the dossiers finished in the period that are late by one rule and
    not by the other (legal: the statutory due; 766: regulations §1.3; "early" and "on time" are
    both in time); None while the verdict fields (branch h13-time) are absent.

    One query: the finished dossiers grouped by deciding agency, folded up the paths here."""
    from django.db.models import Count, Q

    from caicach.dossiers.models import Dossier

    names = {f.name for f in Dossier._meta.get_fields()}
    if not {"legal_timeliness", "timeliness_766"} <= names:
        return None
    start, end = _period_bounds(period)
    legal_late, late_766 = Q(legal_timeliness="late"), Q(timeliness_766="late")
    rows = (
        Dossier.objects.filter(finished_at__gte=start, finished_at__lt=end)
        .exclude(**{"legal_timeliness": ""})
        .exclude(**{"timeliness_766": ""})
        .filter((legal_late & ~late_766) | (~legal_late & late_766))
        .values("deciding_agency__path")
        .annotate(n=Count("id"))
    )
    return fold_up({r["deciding_agency__path"]: r["n"] for r in rows}, agencies)


def fold_up(counts: Mapping[str, int], agencies: Sequence[Any]) -> dict[int, int]:
    """Counts per agency path (``000001.000007.``) summed into each of ``agencies`` over its
    subtree: every path adds to each of its ancestors' prefixes (linear in paths × depth)."""
    wanted = {a.path: a.pk for a in agencies}
    out = dict.fromkeys(wanted.values(), 0)
    for path, n in counts.items():
        if not path:
            continue
        end = path.find(".")
        while end != -1:
            pk = wanted.get(path[: end + 1])
            if pk is not None:
                out[pk] += n
            end = path.find(".", end + 1)
    return out


def index_for_all(
    period: Period,
    agencies: Sequence[Any] | None = None,
    *,
    reader: KpiReader | None = None,
) -> list[IndexResult]:
    """The index of every agency in operation during ``period`` (or of ``agencies``), each over
    its subtree, from one grouped KPI read (no per-agency query when the bulk reader exists)."""
    from caicach.agencies.models import Agency

    conf = current_settings()
    if agencies is None:
        agencies = list(
            Agency.objects.filter(valid_from__lte=period.last)
            .exclude(valid_to__lt=period.first)
            .order_by("path")
        )
    codes = kpi_codes(conf["group3_split"])
    figures = (reader or kpis_for_agencies)(codes, agencies, period)
    diffs = verdict_differences(agencies, period) if agencies else None
    out: list[IndexResult] = []
    for a in agencies:
        per_code = {c: figures.get((c, a.pk)) for c in codes}
        out.append(
            compute_index(
                per_code,
                split=conf["group3_split"],
                no_data=conf["no_data"],
                agency_id=a.pk,
                agency_code=a.code,
                period=period.label,
                differences=None if diffs is None else diffs.get(a.pk, 0),
            )
        )
    return out


def index_for(agency: Any, period: Period, *, reader: KpiReader | None = None) -> IndexResult:
    """The index of one agency (its subtree) for one period."""
    return index_for_all(period, [agency], reader=reader)[0]


def dossiers_behind(sub_id: str, agency: Any, period: Period, part: str = "numerator") -> Any:
    """The dossiers behind a sub-indicator's number: ``metrics.drill.dossiers_behind`` of its KPI."""
    drill: Any = importlib.import_module("caicach.metrics.drill")

    sub = next(s for s in SUB_INDICATORS if s.id == sub_id)
    return drill.dossiers_behind(sub.kpi, agency, period, part=part)


def report_section(agency: Any, period: Period) -> dict[str, Any]:
    """The 766 part of ``metrics.report.report`` (the ``kpi`` command, ``--json`` included)."""
    return {"decision_766": index_for(agency, period).as_dict()}


def connect() -> None:
    """Register :func:`report_section` with ``metrics.compute.report_hooks`` (once)."""
    compute: Any = importlib.import_module("caicach.metrics.compute")
    if report_section not in compute.report_hooks:
        compute.report_hooks.append(report_section)
