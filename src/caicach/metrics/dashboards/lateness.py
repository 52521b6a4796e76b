"""Late dossiers by workflow step and by the unit that held them, from the clock ledger.

TT 01/2018/TT-VPCP art. 13 (each unit's time against the time allotted to it) and the ledger
rule "lateness of a step is attributed to the unit that held it" (``dossiers.clock``,
:func:`~caicach.dossiers.clock.step_lateness`). The dossiers are those the on-time KPI counts as
not on time (``on_time_766``: its denominator less its numerator, ``metrics.drill``), newest
first and at most :data:`LEDGER_LIMIT` of them (the page says when it stops there). A step is
late when its working time, pauses for supplements excluded, exceeds its budget
(``procedures.WorkflowStep.budget``, in working days); a dossier of a procedure counted in
hours has no step budgets and shows under "no step budget".

Reads: the dossiers (one query), their ledgers (one), the steps of their versions (one), the
agencies named (one), and the calendars (cached per agency path by ``calendars``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from caicach.agencies.models import Agency
from caicach.calendars.rules import TimeUnit
from caicach.calendars.services import calendar_for_path
from caicach.dossiers import clock
from caicach.dossiers.models import ClockEntry
from caicach.metrics import drill
from caicach.metrics.periods import Period

__all__ = ["LEDGER_LIMIT", "LateStep", "Lateness", "late_dossiers", "late_steps"]

#: The most late dossiers whose ledgers are read for one page.
LEDGER_LIMIT = 300
ON_TIME = ("early", "on_time")


@dataclass
class LateStep:
    step_order: int
    step_name: str
    agency_id: int | None
    agency_code: str = ""
    agency_name: str = ""
    dossiers: int = 0
    late_days: Decimal = Decimal(0)  # working days over the budgets, summed


@dataclass
class Lateness:
    late: int  # dossiers counted late by the KPI
    read: int  # of which ledgers read (≤ LEDGER_LIMIT)
    steps: list[LateStep]
    by_unit: list[LateStep]  # the same summed per unit (step_order 0)
    no_budget: int  # late dossiers without step budgets (procedures counted in hours)


def late_dossiers(agency: Agency, period: Period) -> Any:
    """The dossiers ``on_time_766`` counts as finished in the period and not on time."""
    return drill.dossiers_behind("on_time_766", agency, period, "denominator").exclude(
        timeliness_766__in=ON_TIME
    )


def late_steps(agency: Agency, period: Period, limit: int = LEDGER_LIMIT) -> Lateness:
    from caicach.procedures.models import WorkflowStep

    qs = late_dossiers(agency, period)
    rows = list(
        qs.order_by("-finished_at", "-pk").values(
            "pk",
            "procedure_version_id",
            "procedure_version__statutory_unit",
            "receiving_agency__path",
        )[: limit + 1]
    )
    total = len(rows) if len(rows) <= limit else qs.count()
    rows = rows[:limit]
    entries: dict[int, list[clock.ClockEvent]] = defaultdict(list)
    for e in ClockEntry.objects.filter(dossier_id__in=[r["pk"] for r in rows]).order_by("id"):
        entries[e.dossier_id].append(
            clock.ClockEvent(
                at=e.at,
                kind=clock.EventKind(e.kind),
                step_order=e.step_order,
                agency=str(e.agency_id) if e.agency_id else None,
                new_due=e.new_due,
                reason=e.reason,
            )
        )
    versions = {r["procedure_version_id"] for r in rows}
    steps: dict[int, dict[int, tuple[str, Decimal]]] = defaultdict(dict)
    for step in WorkflowStep.objects.filter(version_id__in=versions).only(
        "version_id", "order", "name", "budget"
    ):
        steps[step.version_id][step.order] = (step.name, step.budget)
    found: dict[tuple[int, str, int | None], LateStep] = {}
    no_budget = 0
    for r in rows:
        version_steps = steps.get(r["procedure_version_id"], {})
        if r["procedure_version__statutory_unit"] != TimeUnit.WORKING_DAYS.value or not (
            version_steps
        ):
            no_budget += 1
            continue
        cal = calendar_for_path(r["receiving_agency__path"] or "")
        budgets = {
            order: clock.budget_in_working_days(budget, cal)
            for order, (_, budget) in version_steps.items()
        }
        try:
            lateness = clock.step_lateness(entries.get(r["pk"], []), budgets, cal)
        except clock.ClockError:
            no_budget += 1
            continue
        for s in lateness:
            if not s.late:
                continue
            name = version_steps.get(s.step_order, (str(s.step_order), Decimal(0)))[0]
            agency_id = int(s.agency) if s.agency else None
            key = (s.step_order, name, agency_id)
            row = found.setdefault(key, LateStep(s.step_order, name, agency_id))
            row.dossiers += 1
            row.late_days += _days(s.late_by, cal.day_length)
    names = dict(
        (pk, (code, name))
        for pk, code, name in Agency.objects.filter(
            pk__in={k[2] for k in found if k[2] is not None}
        ).values_list("pk", "code", "name")
    )
    by_unit: dict[int | None, LateStep] = {}
    for row in found.values():
        row.agency_code, row.agency_name = names.get(row.agency_id or 0, ("", ""))
        unit = by_unit.setdefault(
            row.agency_id, LateStep(0, "", row.agency_id, row.agency_code, row.agency_name)
        )
        unit.dossiers += row.dossiers
        unit.late_days += row.late_days
    ordered = sorted(found.values(), key=lambda s: (-s.dossiers, s.step_order, s.agency_code))
    units = sorted(by_unit.values(), key=lambda s: (-s.dossiers, -s.late_days, s.agency_code))
    return Lateness(total, len(rows), ordered, units, no_budget)


def _days(td: timedelta, day_length: timedelta) -> Decimal:
    if not day_length:
        return Decimal(0)
    return (
        Decimal(td / timedelta(microseconds=1)) / Decimal(day_length // timedelta(microseconds=1))
    ).quantize(Decimal("0.01"))
