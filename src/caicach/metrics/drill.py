"""The dossiers (or procedure versions) behind a number (issue 13: "the list counts exactly what
the number counts, on the same calendar")."""

from __future__ import annotations

from typing import Any, Literal

from caicach.agencies.models import Agency
from caicach.metrics import facts
from caicach.metrics.compute import _measure_qs, catalogue_versions, missing_fact
from caicach.metrics.periods import Period
from caicach.metrics.registry import get
from caicach.metrics.scope import agency_ids

__all__ = ["dossiers_behind"]


def dossiers_behind(
    code: str,
    agency: Agency,
    period: Period,
    part: Literal["numerator", "denominator"] = "numerator",
) -> Any:
    """A QuerySet of the dossiers (catalogue KPIs: procedure versions) counted by ``part``.

    For a valued measure (processing days, supplement requests) the dossiers are those whose
    values are summed.
    """
    from caicach.dossiers.models import Dossier

    k = get(code)
    if part not in ("numerator", "denominator"):
        raise ValueError(part)
    measure = k.numerator if part == "numerator" else k.denominator
    ids = agency_ids(agency)
    if missing_fact(k) is not None:
        return Dossier.objects.none()
    if k.source == "catalogue":
        return catalogue_versions(ids, period, measure)
    if k.source == "snapshot":
        q = (
            facts.overdue_filter(period.last)
            if part == "numerator"
            else facts.open_filter(period.last)
        )
        return Dossier.objects.filter(q, deciding_agency_id__in=ids).order_by("pk")
    return _measure_qs(measure, facts.measure_side(measure), period, ids).order_by("pk")
