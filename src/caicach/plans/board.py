"""The plans' targets for the dashboards (issue 14), registered in ``core.registry`` as the
targets provider, since the metrics app sits below this one and cannot import it.

For an agency and a day: the targets of the plans of that agency in force on the day (period
start to orientation end), and the "each agency of a tier" targets of the plans of its parent
that name its tier, evaluated for that agency alone (``values.evaluate_target``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.urls import reverse

from caicach.agencies.models import Agency
from caicach.plans.models import ScopeKind, Target
from caicach.plans.values import evaluate_target

__all__ = [
    "SYMBOLS",
    "LeaderSection",
    "leader_sections",
    "register_leader_section",
    "targets_for",
]

#: The comparison as the dashboards read it (``metrics.dashboards``: ">=", "<=", "="); a rank
#: target (never a KPI's) is "rank<=", lower is better.
SYMBOLS = {"at_least": ">=", "at_most": "<=", "exactly": "=", "rank_at_or_above": "rank<="}


def _in_force(day: date) -> Q:
    return Q(plan__period_start__lte=day) & (
        Q(plan__orientation_end__gte=day)
        | Q(plan__orientation_end__isnull=True, plan__period_end__gte=day)
    )


def targets_for(agency: Agency, day: date) -> list[dict[str, Any]]:
    """``[{kpi_code, comparison, threshold, unit, due, status, label_vi, label_en, url}]``
    (``core.registry.TARGET_KEYS``): the stage worked towards on ``day``."""
    own = Q(plan__agency=agency) & ~Q(scope_kind=ScopeKind.TIER)
    tier = Q(plan__agency_id=agency.parent_id, scope_kind=ScopeKind.TIER, scope_tier=agency.level)
    targets = (
        Target.objects.filter(_in_force(day))
        .filter(own | tier if agency.parent_id else own)
        .select_related("plan", "plan__agency", "indicator", "scope_agency")
        .prefetch_related("stages")
        .order_by("plan__period_start", "plan_id", "order")
    )
    out = []
    for target in targets:
        result = evaluate_target(
            target, day, agency=agency if target.scope_kind == ScopeKind.TIER else None
        )
        stage = result.current_stage
        out.append(
            {
                "kpi_code": target.kpi_code,
                "comparison": SYMBOLS[target.comparison],
                "threshold": stage.threshold,
                "unit": target.unit,
                "due": stage.stage.due,
                "status": result.status,
                "label_vi": target.label_vi,
                "label_en": target.label_en,
                "url": reverse("plans:detail", args=[target.plan_id]) + f"#t-{target.pk}",
            }
        )
    return out


# --- The leader's page (issue 15, plans.work.leader): sections other subpackages add ---


@dataclass(frozen=True)
class LeaderSection:
    """A block of the leader's page (``/ke-hoach/lanh-dao/``): ``template`` rendered with
    ``context(user, agency, today)``; ``None`` hides it. ``key`` names what it answers:
    ``"reports"`` (which periodic reports are missing; when registered it replaces the page's
    own list of duties past due) or ``"inspections"`` (which inspections are due)."""

    order: int
    key: str
    template: str
    context: Callable[[Any, Agency, date], dict[str, Any] | None]


_leader_sections: list[LeaderSection] = []


def register_leader_section(
    order: int,
    key: str,
    template: str,
    context: Callable[[Any, Agency, date], dict[str, Any] | None],
) -> None:
    """Add a section to the leader's page (from ``plans.reporting`` or ``plans.inspections``'
    ``ready()``); registered once however often ``ready()`` runs."""
    section = LeaderSection(order, key, template, context)
    if all(s.key != key or s.template != template for s in _leader_sections):
        _leader_sections.append(section)
        _leader_sections.sort(key=lambda s: s.order)


def leader_sections() -> list[LeaderSection]:
    return list(_leader_sections)
