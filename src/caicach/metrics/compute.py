"""Computing a KPI for an agency subtree and a period (issue 13, "A metric registry").

:func:`kpi` reads the rollup tables only (``DailyRollup`` for flows, ``OpenSnapshot`` for the
stock at the period's end) or, for catalogue KPIs, the dated catalogue in force on the period's
last day (a small table). :func:`kpi_from_dossiers` computes the same from the raw dossiers (the
property tests and the drill-down rely on the two agreeing).

``by``: ``None`` (one :class:`Figure`), ``"channel"``, ``"procedure"``, ``"field"`` (field group),
``"tier"`` (agency level: province, commune, legacy district): a ``dict[key, Figure]``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from caicach.agencies.models import Agency
from caicach.metrics import facts
from caicach.metrics.figures import Figure, ratio
from caicach.metrics.periods import Period
from caicach.metrics.registry import (
    CATALOGUE_MEASURES,
    KPI,
    ROLLUP_MEASURES,
    SNAPSHOT_MEASURES,
    get,
)
from caicach.metrics.scope import agency_ids, levels

__all__ = [
    "BREAKDOWNS",
    "kpi",
    "kpi_from_dossiers",
    "kpi_series",
    "missing_fact",
    "report_hooks",
    "rollup_sums",
    "whole_months",
]

BREAKDOWNS = (None, "channel", "procedure", "field", "tier")
_GROUP = {"channel": "channel", "procedure": "procedure_id", "field": "procedure__field_id"}

#: Extra sections of the ``kpi`` command and API (the Decision 766 module registers its scores
#: here: ``report_hooks.append(fn)``, ``fn(agency, period) -> dict``), so this module never
#: imports it.
report_hooks: list[Callable[[Agency, Period], dict[str, Any]]] = []


class BadBreakdownError(ValueError):
    def __init__(self, by: str) -> None:
        self.vi = f"Không phân tổ được theo {by!r}; dùng channel, procedure, field hoặc tier."
        self.en = f"Cannot break down by {by!r}; use channel, procedure, field or tier."
        super().__init__(f"{self.vi} / {self.en}")


def missing_fact(k: KPI) -> tuple[str, str] | None:
    """The reason a KPI has no data yet because a fact it counts does not exist (or None): a
    model field it requires, or a measure the rollups and the catalogue reader do not count yet
    (a fact recorded by the services but not yet wired into the rollups)."""
    known = (*ROLLUP_MEASURES, *SNAPSHOT_MEASURES, *CATALOGUE_MEASURES)
    for measure in (k.numerator, k.denominator):
        if measure not in known:
            return (
                f"Không có dữ liệu: số liệu tổng hợp chưa đếm {measure}.",
                f"No data: the rollups do not count {measure} yet.",
            )
    for ref in k.requires:
        app_label, model_name, field_name = ref.split(".")
        try:
            apps.get_model(app_label, model_name)._meta.get_field(field_name)
        except (LookupError, FieldDoesNotExist):
            return (
                f"Không có dữ liệu: hệ thống chưa ghi nhận {ref}.",
                f"No data: the system does not record {ref} yet.",
            )
    return None


def _figure(k: KPI, num: Any, den: Any) -> Figure:
    return ratio(Decimal(num or 0), Decimal(den or 0), factor=k.factor)


def _finish(k: KPI, rows: dict[Any, list[Decimal]], by: str | None) -> Figure | dict[Any, Figure]:
    if by is None:
        num, den = rows.get(None, [Decimal(0), Decimal(0)])
        return _figure(k, num, den)
    # A key with nothing on either side (a rollup row of the other side) is not a breakdown row.
    ordered = sorted(rows.items(), key=lambda i: str(i[0]))
    return {key: _figure(k, n, d) for key, (n, d) in ordered if n or d}


def _key(by: str | None, row: dict[str, Any], tiers: dict[int, str]) -> Any:
    if by is None:
        return None
    if by == "tier":
        return tiers.get(row["agency_id"], "")
    return row[_GROUP[by]]


def _group_fields(by: str | None) -> list[str]:
    if by is None:
        return []
    if by == "tier":
        return ["agency_id"]
    return [_GROUP[by]]


def _check(code: str, by: str | None) -> KPI:
    k = get(code)
    if by not in BREAKDOWNS:
        raise BadBreakdownError(str(by))
    return k


def kpi(
    code: str, agency: Agency, period: Period, *, by: str | None = None
) -> Figure | dict[Any, Figure]:
    """The KPI for ``agency``'s subtree (with merged predecessors) over ``period``, from rollups."""
    k = _check(code, by)
    if (reason := missing_fact(k)) is not None:
        empty = Figure(0, 0, None, *reason)
        return empty if by is None else {}
    ids = agency_ids(agency)
    if k.source == "catalogue":
        return _catalogue(k, ids, period, by)
    from caicach.metrics.models import OpenSnapshot, SnapshotDay

    tiers = levels() if by == "tier" else {}
    if k.source == "snapshot":
        if not SnapshotDay.objects.filter(day=period.last).exists():
            reason = (
                f"Không có dữ liệu: chưa chốt số tồn cuối ngày {period.last:%d/%m/%Y}.",
                f"No data: no end-of-day snapshot for {period.last.isoformat()} yet.",
            )
            return Figure(0, 0, None, *reason) if by is None else {}
        qs: Any = OpenSnapshot.objects.filter(day=period.last, agency_id__in=ids)
    else:
        qs = None
    fields = _group_fields(by)
    rows: dict[Any, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    sums = {"n": Sum(k.numerator), "d": Sum(k.denominator)}
    if qs is not None:
        agg: Any = _grouped(qs, fields, sums)
    else:
        agg = rollup_sums(ids, period, fields, sums)
    for row in agg:
        acc = rows[_key(by, row, tiers)]
        acc[0] += row["n"] or 0
        acc[1] += row["d"] or 0
    return _finish(k, rows, by)


def whole_months(period: Period) -> list[date] | None:
    """The first days of the months ``period`` covers exactly, or ``None`` when it starts or
    ends inside a month."""
    if period.first.day != 1 or (period.last + timedelta(1)).day != 1:
        return None
    months, month = [], period.first
    while month <= period.last:
        months.append(month)
        month = (month + timedelta(32)).replace(day=1)
    return months


def rollup_sums(
    ids: list[int] | None, period: Period, fields: list[str], sums: dict[str, Any]
) -> list[dict[str, Any]]:
    """``sums`` of the rollup rows of agencies ``ids`` (``None``: all) over ``period``, grouped by
    ``fields``
    (rows with equal keys may repeat: the caller adds them up).

    Issue 14, "Speed": whole months grouped by nothing finer than agency and channel come from
    ``MonthlyRollup`` (a few rows an agency a month), except the months marked dirty, which come
    from the daily rows like everything else; the figure is the same either way.
    """
    from caicach.metrics.models import DailyRollup, DirtyMonth, MonthlyRollup

    months = whole_months(period)
    daily: Any = DailyRollup.objects.all()
    if "month" in fields:
        daily = daily.annotate(month=TruncMonth("day"))
    monthly: Any = MonthlyRollup.objects.all()
    if ids is not None:
        daily, monthly = daily.filter(agency_id__in=ids), monthly.filter(agency_id__in=ids)
    if months is None or not set(fields) <= {"agency_id", "channel", "month"}:
        daily = daily.filter(day__gte=period.first, day__lte=period.last)
        return _grouped(daily, fields, sums)
    dirty = set(
        DirtyMonth.objects.filter(month__gte=period.first, month__lte=period.last)
        .values_list("month", flat=True)
        .distinct()
    )
    clean = [m for m in months if m not in dirty]
    out: list[dict[str, Any]] = []
    if clean:
        out += _grouped(monthly.filter(month__in=clean), fields, sums)
    if dirty:
        spans = Q()
        for month in sorted(dirty):
            spans |= Q(day__gte=month, day__lt=(month + timedelta(32)).replace(day=1))
        out += _grouped(daily.filter(spans), fields, sums)
    return out


def _grouped(qs: Any, fields: list[str], sums: dict[str, Any]) -> list[dict[str, Any]]:
    """One row of ``sums`` per value of ``fields``; one row in all when ``fields`` is empty
    (``values()`` with no field would group by every column, one row per rollup row)."""
    if not fields:
        return [qs.aggregate(**sums)]
    return list(qs.values(*fields).annotate(**sums).order_by())


def kpi_series(codes: list[str], agency: Agency, periods: list[Period]) -> dict[str, list[Figure]]:
    """Each KPI for each of ``periods`` (months, in order), as ``kpi`` gives them one by one.

    The rollup KPIs come from one grouped read over the whole span (a 12-month trend of eight
    KPIs is three queries, not ninety-six); the others are read month by month.
    """
    out: dict[str, list[Figure]] = {}
    flows = []
    for code in codes:
        k = get(code)
        if k.source == "rollup" and missing_fact(k) is None and all(map(whole_months, periods)):
            flows.append(k)
        else:
            out[code] = [_one(kpi(code, agency, p)) for p in periods]
    if flows and periods:
        span = Period(min(p.first for p in periods), max(p.last for p in periods))
        measures = sorted({m for k in flows for m in (k.numerator, k.denominator)})
        sums = {f"s_{m}": Sum(m) for m in measures}
        totals: dict[date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for row in rollup_sums(agency_ids(agency), span, ["month"], sums):
            for m in measures:
                totals[row["month"]][m] += row[f"s_{m}"] or 0
        for k in flows:
            out[k.code] = [
                _figure(
                    k,
                    sum(
                        (t[k.numerator] for mo, t in totals.items() if p.first <= mo <= p.last),
                        Decimal(0),
                    ),
                    sum(
                        (t[k.denominator] for mo, t in totals.items() if p.first <= mo <= p.last),
                        Decimal(0),
                    ),
                )
                for p in periods
            ]
    return {code: out[code] for code in codes}


def _one(fig: Figure | dict[Any, Figure]) -> Figure:
    assert isinstance(fig, Figure)
    return fig


def kpi_from_dossiers(
    code: str, agency: Agency, period: Period, *, by: str | None = None
) -> Figure | dict[Any, Figure]:
    """The same KPI computed from the raw dossier table (slow; tests and drill-down)."""
    k = _check(code, by)
    if (reason := missing_fact(k)) is not None:
        empty = Figure(0, 0, None, *reason)
        return empty if by is None else {}
    ids = agency_ids(agency)
    if k.source == "catalogue":
        return _catalogue(k, ids, period, by)
    from caicach.dossiers.models import Dossier

    tiers = levels() if by == "tier" else {}
    rows: dict[Any, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    if k.source == "snapshot":
        base = Dossier.objects.filter(facts.open_filter(period.last), deciding_agency_id__in=ids)
        parts = [(0, base.filter(facts.overdue_filter(period.last))), (1, base)]
        agency_field = "deciding_agency_id"
    else:
        parts = []
        for i, measure in enumerate((k.numerator, k.denominator)):
            side = facts.measure_side(measure)
            parts.append((i, _measure_qs(measure, side, period, ids)))
        agency_field = "receiving_agency_id" if side == "received" else "deciding_agency_id"
    for i, qs in parts:
        measure = (k.numerator, k.denominator)[i]
        if measure in facts.VALUED:
            for d in qs.select_related("procedure"):
                row = _raw_row(d, agency_field)
                rows[_key(by, row, tiers)][i] += facts.dossier_value(measure, d)
            continue
        fields = _group_fields(by)
        fields = [agency_field if f == "agency_id" else f for f in fields]
        for row in qs.values(*fields).annotate(c=Count("pk")).order_by():
            row = {("agency_id" if f == agency_field else f): v for f, v in row.items()}
            rows[_key(by, row, tiers)][i] += row["c"]
    return _finish(k, rows, by)


def _raw_row(d: Any, agency_field: str) -> dict[str, Any]:
    return {
        "agency_id": getattr(d, agency_field),
        "channel": d.channel,
        "procedure_id": d.procedure_id,
        "procedure__field_id": d.procedure.field_id,
    }


def _measure_qs(measure: str, side: str, period: Period, ids: list[int] | None) -> Any:
    from caicach.dossiers.models import Dossier

    qs = Dossier.objects.filter(facts.side_filter(side, period.first, period.last, ids))
    cond = facts.conditions().get(measure)
    return qs if cond is None else qs.filter(cond)


# -- the catalogue in force on the period's last day ------------------------------------------


def catalogue_conditions() -> dict[str, Q | None]:
    from django.db.models import F

    return {
        "versions": None,
        "versions_online": Q(online_level__in=["full", "partial"]),
        "versions_full_online": Q(online_level="full"),
        "versions_with_statutory": Q(statutory_value__gt=0),
        "versions_time_cut_25": Q(
            statutory_value__gt=0, promised_value__lte=F("statutory_value") * Decimal("0.75")
        ),
        "versions_full_online_eligible": Q(full_online_eligible=True),
        "versions_national_portal": Q(national_portal_integrated=True),
        "versions_payable_online": Q(payable_online=True, fees__amount__gt=0),
        "versions_fee_bearing": Q(fees__amount__gt=0),
    }


def catalogue_versions(ids: list[int], period: Period, measure: str) -> Any:
    from caicach.procedures.models import ProcedureVersion, in_force_q

    qs = ProcedureVersion.objects.filter(in_force_q(period.last)).filter(
        Q(procedure__owner_agency_id__in=ids) | Q(procedure__handling_agencies__in=ids)
    )
    cond = catalogue_conditions().get(measure)
    if cond is not None:
        qs = qs.filter(cond)
    return qs.distinct()


def _catalogue(
    k: KPI, ids: list[int], period: Period, by: str | None
) -> Figure | dict[Any, Figure]:
    if by in ("channel", "tier"):
        raise BadBreakdownError(str(by))
    rows: dict[Any, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for i, measure in enumerate((k.numerator, k.denominator)):
        qs = catalogue_versions(ids, period, measure)
        for procedure_id, field_id in qs.values_list("procedure_id", "procedure__field_id"):
            key = None if by is None else (procedure_id if by == "procedure" else field_id)
            rows[key][i] += 1
    return _finish(k, rows, by)
