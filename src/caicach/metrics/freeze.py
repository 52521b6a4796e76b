"""Closing a month: its values are frozen with the formula and catalogue versions; a later
recomputation that differs is recorded as a :class:`~caicach.metrics.models.Revision` with its
cause, never a silent change (issue 13, metrics-notes "Reproducible published figures")."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from caicach.agencies.models import Agency
from caicach.metrics.compute import kpi
from caicach.metrics.figures import Figure
from caicach.metrics.models import FrozenValue, Revision
from caicach.metrics.periods import Period
from caicach.metrics.public.cache import bump_on_commit
from caicach.metrics.registry import FORMULA_VERSION, all_kpis
from caicach.metrics.rollup import snapshot

__all__ = ["CloseResult", "catalogue_version", "close_period", "frozen_values"]


def catalogue_version(period: Period) -> str:
    """A fingerprint of the catalogue in force at the period's end (versions and their dates)."""
    from caicach.procedures.models import ProcedureVersion, in_force_q

    rows = ProcedureVersion.objects.filter(in_force_q(period.last)).order_by("pk")
    digest = hashlib.sha256()
    for pk, number, start in rows.values_list("pk", "number", "effective_from"):
        digest.update(f"{pk}:{number}:{start};".encode())
    return digest.hexdigest()[:16]


@dataclass
class CloseResult:
    frozen: int = 0
    unchanged: int = 0
    revised: int = 0


def _dec(value: Decimal | int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@transaction.atomic
def close_period(
    period: Period, agencies: list[Agency] | None = None, *, cause: str = "", by: str = ""
) -> CloseResult:
    """Freeze every KPI for every agency (first close), or record revisions (a later close)."""
    snapshot(period.last)
    bump_on_commit()  # the public page shows the closed month's figures afresh
    agencies = agencies if agencies is not None else list(Agency.objects.all())
    catalogue = catalogue_version(period)
    now = timezone.now()
    result = CloseResult()
    existing = {(f.agency_id, f.kpi): f for f in FrozenValue.objects.filter(period=period.label)}
    for agency in agencies:
        for k in all_kpis():
            fig = kpi(k.code, agency, period)
            assert isinstance(fig, Figure)
            value = None if fig.value is None else fig.value.quantize(Decimal("0.000001"))
            frozen = existing.get((agency.pk, k.code))
            if frozen is None:
                FrozenValue.objects.create(
                    period=period.label, agency=agency, kpi=k.code,
                    numerator=fig.numerator, denominator=fig.denominator, value=value,
                    formula_version=FORMULA_VERSION, kpi_version=k.version,
                    catalogue_version=catalogue, closed_at=now, closed_by=by,
                )  # fmt: skip
                result.frozen += 1
                continue
            latest = frozen.revisions.last() or frozen
            same = (
                Decimal(latest.numerator) == Decimal(fig.numerator)
                and Decimal(latest.denominator) == Decimal(fig.denominator)
                and _dec(latest.value) == value
            )
            if same:
                result.unchanged += 1
                continue
            Revision.objects.create(
                frozen=frozen, numerator=fig.numerator, denominator=fig.denominator, value=value,
                formula_version=FORMULA_VERSION, catalogue_version=catalogue,
                cause=cause or "recomputed", recorded_at=now,
            )  # fmt: skip
            result.revised += 1
    return result


def frozen_values(
    agency: Agency, period: Period, codes: list[str] | None = None
) -> dict[str, FrozenValue]:
    """The published values of ``agency`` for a closed month, by KPI code, each with its
    revisions prefetched (oldest first); empty for a month not closed or another kind of period
    (only months are closed). Two queries."""
    if period.kind != "month":
        return {}
    rows = FrozenValue.objects.filter(period=period.label, agency=agency).prefetch_related(
        "revisions"
    )
    if codes is not None:
        rows = rows.filter(kpi__in=codes)
    return {f.kpi: f for f in rows}
