"""Initiatives and dialogues count toward their targets (issue 15): the reported indicators
``reform_initiatives`` (initiatives recognised in the year) and ``leader_dialogues`` (dialogues
held in the year) are measured from the records of ``plans.work`` through
``plans.values.register_counter`` (registered in ``plans.apps``).

Each agency's count covers its subtree (a district's plan counts the initiatives of its
communes), one point per calendar year at the year's end; the current year's point, counted so
far, sits on today. From the first year anything was recorded in the system (the earliest
dialogue; the earliest initiative's year), a year without a record counts zero; the years
before keep an approved reported value, if any (the agencies' reports from before the system)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import ExtractYear

from caicach.agencies.models import Agency
from caicach.plans import projection as pj
from caicach.plans.work.models import Dialogue, Initiative

__all__ = ["COUNTERS", "count_dialogues", "count_initiatives"]


def _points(
    agencies: list[Agency], today: date, rows: QuerySet[Any], day: str, first: int | None
) -> dict[int, list[pj.Point]]:
    """``first``: the year the records begin (the earliest in the whole system); from then on a
    year without a record is a zero, before it there is no point."""
    per_path: dict[tuple[str, int], int] = defaultdict(int)
    grouped = (
        rows.annotate(y=ExtractYear(day))
        .values("agency__path", "y")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        per_path[(row["agency__path"], row["y"])] += row["n"]
    out: dict[int, list[pj.Point]] = {}
    for agency in agencies:
        years: dict[int, int] = defaultdict(int)
        if first is not None:
            for year in range(first, today.year + 1):
                years[year] = 0
        for (path, year), n in per_path.items():
            if path.startswith(agency.path):
                years[year] += n
        out[agency.pk] = [
            pj.Point(date(y, 12, 31) if y < today.year else today, Decimal(n))
            for y, n in sorted(years.items())
            if y <= today.year
        ]
    return out


def _subtree(model: Any, agencies: list[Agency]) -> Any:
    condition = Q(pk__in=[])
    for path in sorted({a.path for a in agencies}):
        condition |= Q(agency__path__startswith=path)
    return model.objects.filter(condition)


def count_initiatives(agencies: list[Agency], today: date) -> dict[int, list[pj.Point]]:
    """Initiatives recognised (at any level), by the year of recognition."""
    rows = _subtree(Initiative, agencies).exclude(level="").filter(recognised_on__lte=today)
    first = Initiative.objects.aggregate(first=Min("year"))["first"]
    return _points(agencies, today, rows, "recognised_on", first)


def count_dialogues(agencies: list[Agency], today: date) -> dict[int, list[pj.Point]]:
    """Dialogues held, by year."""
    rows = _subtree(Dialogue, agencies).filter(held_on__lte=today)
    first = Dialogue.objects.aggregate(first=Min("held_on"))["first"]
    return _points(agencies, today, rows, "held_on", first.year if first else None)


COUNTERS = {"reform_initiatives": count_initiatives, "leader_dialogues": count_dialogues}
