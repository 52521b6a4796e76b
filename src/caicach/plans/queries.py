"""What a reader sees of the plans, shared by the pages and the API (issue 15: "scoped by role:
an agency edits only its own; the reform office approves; inspectors read").

A plan is visible to whoever holds ``plans.view`` over its agency's subtree, and to those
whose scope lies under it (a commune's leaders read the province's resolution that binds them).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from caicach.accounts.access import scope_paths
from caicach.plans.models import Plan, Stage, Target
from caicach.plans.values import TargetStatus, evaluate_target

__all__ = ["plan_targets", "visible_plans"]


def _ancestors(path: str) -> list[str]:
    return [path[: i + 1] for i, ch in enumerate(path) if ch == "."]


def visible_plans(user: Any) -> QuerySet[Plan]:
    paths = scope_paths(user, "plans.view")
    if not paths:
        return Plan.objects.none()
    condition = Q(agency__path__in=sorted({a for p in paths for a in _ancestors(p)}))
    for path in paths:
        condition |= Q(agency__path__startswith=path)
    return Plan.objects.filter(condition).select_related("agency", "implements")


def plan_targets(plan: Plan, today: date) -> list[TargetStatus]:
    """Every target of ``plan`` with its status on ``today``, in the plan's order."""
    targets = (
        Target.objects.filter(plan=plan)
        .select_related("plan__agency", "domain", "indicator", "scope_agency")
        .prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("due")))
        .order_by("domain__order", "order")
    )
    return [evaluate_target(t, today) for t in targets]
