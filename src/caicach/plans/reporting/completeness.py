"""Reporting completeness and timeliness per agency and period (issue 15: "is itself a metric";
DHIS2 reporting rates, arithmetic in :mod:`caicach.plans.reporting.rates`).

:func:`completeness` is what the completeness page shows and what other pages may call (one
grouped read); :func:`missing_reports` lists, for the leader's page, the expected reports past
their due day that were never submitted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from caicach.plans.reporting.models import Report
from caicach.plans.reporting.rates import Expected, Rate, rate
from caicach.plans.reporting.services import visible_reports

__all__ = ["AgencyRate", "completeness", "missing_reports"]


@dataclass(frozen=True)
class AgencyRate:
    agency_id: int
    agency_code: str
    agency_name: str
    rate: Rate


def _expected(reports: QuerySet[Report], day: date, year: int | None, period: str) -> Any:
    rows = reports.filter(period_last__lt=day)
    if year is not None:
        rows = rows.filter(period_last__year=year)
    if period:
        rows = rows.filter(period=period)
    return rows.values_list(
        "agency_id", "agency__code", "agency__name", "agency__path", "due", "first_submitted_at"
    ).order_by("agency__path")


def completeness(
    user: Any, day: date | None = None, *, year: int | None = None, period: str = ""
) -> tuple[list[AgencyRate], Rate]:
    """Per agency in the user's scope and overall: expected (periods ended before ``day``),
    submitted, on time; limited to the periods ending in ``year`` or to one ``period`` label."""
    day = day or timezone.localdate()
    groups: dict[int, list[Expected]] = defaultdict(list)
    names: dict[int, tuple[str, str]] = {}
    for agency_id, code, name, _path, due, first in _expected(
        visible_reports(user), day, year, period
    ):
        names[agency_id] = (code, name)
        submitted = timezone.localtime(first).date() if first is not None else None
        groups[agency_id].append(Expected(due, submitted))
    rows = [AgencyRate(a, *names[a], rate(groups[a])) for a in names]
    return rows, rate(e for g in groups.values() for e in g)


def missing_reports(user: Any, day: date | None = None, agency_path: str = "") -> QuerySet[Report]:
    """The reports past their due day never submitted, in the user's scope (under
    ``agency_path`` when given), oldest due first."""
    day = day or timezone.localdate()
    rows = visible_reports(user).filter(due__lt=day, first_submitted_at__isnull=True)
    if agency_path:
        rows = rows.filter(agency__path__startswith=agency_path)
    return rows.select_related("agency", "duty").order_by("due", "agency__path")
