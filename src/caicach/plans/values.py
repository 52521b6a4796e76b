"""A target's value and status (issue 15, "A target's value comes either from a live metric or
from an indicator that agencies report").

* **Live** (``kpi_code``): ``caicach.metrics.compute.kpi`` for the scope. A stage already due is
  judged on the KPI over the twelve months ending on its due date (a yearly target on the
  year's figure); a stage to come on the trend of the monthly values of the last twelve whole
  months up to today (``plans.projection``).
* **Reported** (``indicator``): the approved :class:`ReportedValue` s of the scope's agency, each
  at its period's end; a value not yet approved does not count.

Scope: ``plan_agency`` is the plan's agency (its subtree); ``agency`` one named agency;
``field`` the plan's agency restricted to the procedures of the named field codes (live only);
``tier`` ("each agency of a tier") evaluates every agency of that level directly under the plan's
agency (the departments, district or commune committees); a stage counts the agencies in
operation during its year (districts dissolved on 30/6/2025 count for 2024, the communes formed
on 1/7/2025 from 2025), and its status is that of the k-th best agency, ``k = ceil(share_required × n / 100)``: with 100 % the
worst one decides, with 80 % four agencies in five must do at least as well. An agency with no
data counts below an off-track one (it cannot show it meets the target).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q

from caicach.agencies.models import Agency
from caicach.plans import projection as pj
from caicach.plans import trajectory
from caicach.plans.models import ReportedValue, ReportState, ScopeKind, Stage, Target

__all__ = [
    "StageStatus",
    "TargetStatus",
    "evaluate_target",
    "register_counter",
    "scope_agencies",
]

#: Reported indicators the system counts from its own records (``plans.work.counted``: the
#: recognised initiatives, the dialogues held): indicator code → ``fn(agencies, today)`` giving
#: each agency's points, one per year. A year with records replaces that year's reported value;
#: the years before the records (an agency's reports from before the system) keep theirs.
Counter = Callable[[list[Agency], date], dict[int, list[pj.Point]]]
_COUNTERS: dict[str, Counter] = {}


def register_counter(indicator_code: str, fn: Counter) -> None:
    """Measure ``indicator_code`` from records (issue 15: initiatives and dialogues "count
    toward their targets")."""
    _COUNTERS[indicator_code] = fn


def _merge_counted(reported: list[pj.Point], counted: list[pj.Point]) -> list[pj.Point]:
    years = {p.day.year for p in counted}
    return sorted([p for p in reported if p.day.year not in years] + counted, key=lambda p: p.day)


WINDOW_MONTHS = 12
_MARGIN = {"%": Decimal(5), "rank": Decimal(2), "tier": Decimal(1)}
_BOUNDS: dict[str, tuple[Decimal | None, Decimal | None]] = {
    "%": (Decimal(0), Decimal(100)),
    "rank": (Decimal(1), None),
    "tier": (Decimal(1), None),
    "count": (Decimal(0), None),
}


@dataclass
class StageStatus:
    stage: Stage
    threshold: Decimal | None
    evaluation: pj.Evaluation | None  # None: a relative stage whose base is not known yet
    combined: pj.Status | None = None  # a tier target: the k-th best agency's status

    @property
    def status(self) -> pj.Status:
        if self.combined is not None:
            return self.combined
        return self.evaluation.status if self.evaluation else "no_data"


@dataclass
class TargetStatus:
    target: Target
    status: pj.Status
    current: int  # index of the stage worked towards
    stages: list[StageStatus]
    agencies: list[tuple[Agency, pj.Status]] = field(default_factory=list)

    @property
    def current_stage(self) -> StageStatus:
        return self.stages[self.current]


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _year_before(due: date) -> tuple[date, date]:
    return (due.replace(year=due.year - 1) + timedelta(days=1), due)


class _Series:
    """The values of one target for one agency, computed once and reused across stages.

    A KPI read from the daily rollups (most of them) is read in one grouped query, by month,
    over every window the stages need (:meth:`_months`); the figure of a window of whole months
    is then the sum of its months, which is what ``metrics.compute.kpi`` computes over the
    window (``test_values.test_grouped_months_agree_with_kpi`` checks it). Other KPIs (stocks,
    the catalogue) and windows that are not whole months ask ``kpi`` itself.
    """

    def __init__(
        self,
        target: Target,
        agency: Agency,
        today: date,
        reported: list[pj.Point] | None = None,
    ) -> None:
        self.target, self.agency, self.today = target, agency, today
        self._reported = reported
        self._by_month: dict[tuple[int, int], tuple[Decimal, Decimal]] | None = None

    def _field_ids(self) -> set[int]:
        from caicach.procedures.models import Field

        codes = [c for c in self.target.scope_field.split(",") if c]
        return set(Field.objects.filter(code__in=codes).values_list("pk", flat=True))

    def _kpi(self, first: date, last: date) -> Decimal | None:
        from caicach.metrics.compute import kpi
        from caicach.metrics.periods import Period

        period = Period(first, last)
        t = self.target
        if t.scope_kind == ScopeKind.FIELD:
            from caicach.metrics.figures import ratio
            from caicach.metrics.registry import get

            ids = self._field_ids()
            rows = kpi(t.kpi_code, self.agency, period, by="field")
            assert isinstance(rows, dict)
            num = sum((Decimal(f.numerator) for k, f in rows.items() if k in ids), Decimal(0))
            den = sum((Decimal(f.denominator) for k, f in rows.items() if k in ids), Decimal(0))
            return ratio(num, den, factor=get(t.kpi_code).factor).value
        figure = kpi(t.kpi_code, self.agency, period)
        assert not isinstance(figure, dict)
        return figure.value

    def _grouped(self) -> bool:
        from caicach.metrics.compute import missing_fact
        from caicach.metrics.registry import get

        k = get(self.target.kpi_code)
        return k.source == "rollup" and missing_fact(k) is None

    def _months(self) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
        """(year, month) → (numerator, denominator) from the rollups, one query."""
        if self._by_month is None:
            from django.db.models import Sum
            from django.db.models.functions import ExtractMonth, ExtractYear

            from caicach.metrics.models import DailyRollup
            from caicach.metrics.registry import get
            from caicach.metrics.scope import agency_ids

            k = get(self.target.kpi_code)
            dues = [s.due for s in self.target.stages.all() if s.due <= self.today]
            first = min([_year_before(d)[0] for d in dues] + [_trend_first(self.today)])
            last = max([*dues, self.today])
            qs = DailyRollup.objects.filter(
                day__gte=first, day__lte=last, agency_id__in=agency_ids(self.agency)
            )
            if self.target.scope_kind == ScopeKind.FIELD:
                qs = qs.filter(procedure__field_id__in=self._field_ids())
            rows = (
                qs.annotate(y=ExtractYear("day"), m=ExtractMonth("day"))
                .values("y", "m")
                .annotate(n=Sum(k.numerator), d=Sum(k.denominator))
                .order_by()
            )
            self._by_month = {
                (r["y"], r["m"]): (Decimal(r["n"] or 0), Decimal(r["d"] or 0)) for r in rows
            }
        return self._by_month

    def _window(self, first: date, last: date) -> Decimal | None:
        """The KPI over ``[first, last]``; grouped when both ends are month ends/starts."""
        whole = first.day == 1 and last == _month_end(last)
        if not (whole and self._grouped()):
            return self._kpi(first, last)
        from caicach.metrics.figures import ratio
        from caicach.metrics.registry import get

        months = self._months()
        num = den = Decimal(0)
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            n, d = months.get((y, m), (Decimal(0), Decimal(0)))
            num, den = num + n, den + d
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return ratio(num, den, factor=get(self.target.kpi_code).factor).value

    def reported(self) -> list[pj.Point]:
        if self._reported is None:
            rows = ReportedValue.objects.filter(
                indicator_id=self.target.indicator_id,
                agency=self.agency,
                state=ReportState.APPROVED,
            ).values_list("period_end", "value")
            self._reported = [pj.Point(d, v) for d, v in rows]
        return self._reported

    def value_at(self, due: date) -> Decimal | None:
        """The value a stage due on ``due`` is judged on."""
        if self.target.indicator_id:
            before = [p for p in self.reported() if p.day <= due]
            return max(before, key=lambda p: p.day).value if before else None
        return self._window(*_year_before(due))

    def trend(self) -> list[pj.Point]:
        """The values a stage still to come is projected from."""
        if self.target.indicator_id:
            return [p for p in self.reported() if p.day <= self.today]
        points = []
        last = _month_end(self.today.replace(day=1) - timedelta(days=1))  # last whole month
        for _ in range(WINDOW_MONTHS):
            first = last.replace(day=1)
            value = self._window(first, last)
            if value is not None:
                points.append(pj.Point(last, value))
            last = first - timedelta(days=1)
        return points


def _trend_first(today: date) -> date:
    """The first day of the trend's window: twelve whole months before this one."""
    first = today.replace(day=1)
    for _ in range(WINDOW_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def _evaluate_one(
    target: Target,
    stages: list[Stage],
    agency: Agency,
    today: date,
    reported: list[pj.Point] | None = None,
) -> list[StageStatus]:
    series = _Series(target, agency, today, reported)
    cache: dict[date, Decimal | None] = {}

    def value_at(day: date) -> Decimal | None:
        if day not in cache:
            cache[day] = series.value_at(day) if day <= today else None
        return cache[day]

    pure = [trajectory.Stage(s.due, s.threshold, s.step, s.from_rule) for s in stages]
    thresholds = trajectory.resolve(pure, value_at, target.baseline_due)
    unit = target.unit
    options: dict[str, Any] = {
        "margin": _MARGIN.get(unit, Decimal(0)),
        "tolerance": target.tolerance,
        "bounds": _BOUNDS.get(unit, (None, None)),
    }
    trend: list[pj.Point] | None = None
    out = []
    comparison: pj.Comparison = target.comparison  # type: ignore[assignment]
    for stage, threshold in zip(stages, thresholds, strict=True):
        if threshold is None:
            out.append(StageStatus(stage, None, None))
            continue
        if stage.due <= today:
            value = value_at(stage.due)
            points = [pj.Point(stage.due, value)] if value is not None else []
        else:
            trend = series.trend() if trend is None else trend
            points = trend
        evaluation = pj.evaluate(points, comparison, threshold, stage.due, today, **options)
        out.append(StageStatus(stage, threshold, evaluation))
    return out


def scope_agencies(target: Target, today: date) -> list[Agency]:
    """The agencies a target is evaluated over (see the module's docstring): for a tier, those
    in operation at some time between the plan's start and the target's last due date (or
    today, if sooner)."""
    plan_agency = target.plan.agency
    if target.scope_kind == ScopeKind.AGENCY and target.scope_agency is not None:
        return [target.scope_agency]
    if target.scope_kind == ScopeKind.TIER:
        last = min(today, target.due)
        return list(
            Agency.objects.filter(parent=plan_agency, level=target.scope_tier)
            .filter(valid_from__lte=last)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=target.plan.period_start))
            .order_by("path")
        )
    return [plan_agency]


def _in_operation(agency: Agency, stage: Stage) -> bool:
    """Whether ``agency`` existed during the year a stage is judged on (a district dissolved on
    30/6/2025 counts for 2024, not for 2026; a commune formed on 1/7/2025 counts for 2025)."""
    first, last = _year_before(stage.due)
    return agency.valid_from <= last and (agency.valid_to is None or agency.valid_to >= first)


def _kth(statuses: list[pj.Status], share: Decimal) -> pj.Status:
    if not statuses:
        return "no_data"
    if all(s == "no_data" for s in statuses):
        return "no_data"
    ordered = sorted(statuses, key=pj.status_rank)
    k = max(1, math.ceil(Decimal(len(ordered)) * share / 100))
    chosen = ordered[min(k, len(ordered)) - 1]
    return "off_track" if chosen == "no_data" else chosen


def evaluate_target(
    target: Target,
    today: date,
    *,
    agency: Agency | None = None,
    stages: list[Stage] | None = None,
    agencies: Callable[[Target, date], list[Agency]] = scope_agencies,
) -> TargetStatus:
    """Every stage's status and the target's (that of the stage worked towards) on ``today``.
    ``agency`` narrows a tier target to one of its agencies (the dashboards ask per agency)."""
    stages = list(target.stages.all()) if stages is None else stages
    current = pj.current_stage([s.due for s in stages], today)
    scope = [agency] if agency is not None else agencies(target, today)
    reported: dict[int, list[pj.Point]] | None = None
    if target.indicator_id:  # every agency's approved values in one query
        reported = {a.pk: [] for a in scope}
        approved = ReportedValue.objects.filter(
            indicator_id=target.indicator_id, agency__in=scope, state=ReportState.APPROVED
        ).values_list("agency_id", "period_end", "value")
        for agency_id, day, value in approved:
            reported[agency_id].append(pj.Point(day, value))
        counter = _COUNTERS.get(target.indicator.code) if target.indicator else None
        if counter is not None:
            counted = counter(scope, today)
            for a in scope:
                reported[a.pk] = _merge_counted(reported[a.pk], counted.get(a.pk, []))
    per_agency = [
        (a, _evaluate_one(target, stages, a, today, reported[a.pk] if reported else None))
        for a in scope
    ]
    if len(per_agency) == 1 and target.scope_kind != ScopeKind.TIER:
        rows = per_agency[0][1]
        return TargetStatus(target, rows[current].status, current, rows)
    merged: list[StageStatus] = []
    for i, stage in enumerate(stages):
        active = [rows for a, rows in per_agency if _in_operation(a, stage)]
        statuses = [rows[i].status for rows in active]
        status = _kth(statuses, target.share_required)
        # The method and figures shown are those of an agency with that status (or the worst).
        shown = next((rows[i] for rows in active if rows[i].status == status), None)
        shown = shown or (active[-1][i] if active else None)
        merged.append(
            StageStatus(
                stage,
                shown.threshold if shown else stage.threshold,
                shown.evaluation if shown else None,
                status,
            )
        )
    return TargetStatus(
        target,
        merged[current].status if per_agency else "no_data",
        current,
        merged,
        [(a, rows[current].status) for a, rows in per_agency if _in_operation(a, stages[current])],
    )
