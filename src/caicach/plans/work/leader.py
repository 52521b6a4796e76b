"""The leader's page (issue 15, "The leader's page"): for one agency (a province, a department,
a commune) on a day — which targets are off track (or at risk) and who is responsible, which
corrective proposals and tasks are open and late, which periodic reports fell due, which
inspections are due (sections of other subpackages, ``plans.board.register_leader_section``).

Targets: those of the plans of the agency in force on the day, and the "each agency of a tier"
targets of its parent's plans evaluated for the agency alone (``plans.board``, the dashboards'
rule). Responsible: the lead agency of a target is the agency it applies to; for a tier target
of the agency's own plan, the agencies of the tier whose own status is off track or at risk.
Tasks and proposals: those whose lead agency lies in the agency's subtree; late is
``queries.overdue_q``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q

from caicach.agencies.models import Agency
from caicach.plans.board import _in_force, leader_sections
from caicach.plans.models import (
    CorrectiveProposal,
    ProposalState,
    ReportingDuty,
    ScopeKind,
    Target,
    Task,
)
from caicach.plans.values import TargetStatus, evaluate_target
from caicach.plans.work.duedates import last_due
from caicach.plans.work.queries import open_q, overdue_q

__all__ = ["BAD", "LeaderPage", "leader_page"]

BAD = ("off_track", "at_risk")


@dataclass
class LeaderPage:
    agency: Agency
    today: date
    targets: list[tuple[TargetStatus, list[Agency]]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    proposals: list[CorrectiveProposal] = field(default_factory=list)
    corrective_tasks: list[Task] = field(default_factory=list)
    overdue_by_agency: list[dict[str, Any]] = field(default_factory=list)
    duties: list[tuple[ReportingDuty, date]] = field(default_factory=list)
    sections: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


def _targets(agency: Agency, today: date) -> list[TargetStatus]:
    own = Q(plan__agency=agency)
    tier = Q(plan__agency_id=agency.parent_id, scope_kind=ScopeKind.TIER, scope_tier=agency.level)
    qs = (
        Target.objects.filter(_in_force(today))
        .filter(own | tier if agency.parent_id else own)
        .select_related("plan", "plan__agency", "indicator", "scope_agency", "domain")
        .prefetch_related("stages")
        .order_by("plan__period_start", "plan_id", "domain__order", "order")
    )
    out = []
    for target in qs:
        narrowed = target.scope_kind == ScopeKind.TIER and target.plan.agency_id != agency.pk
        out.append(evaluate_target(target, today, agency=agency if narrowed else None))
    return out


def _responsible(result: TargetStatus, agency: Agency) -> list[Agency]:
    target = result.target
    if result.agencies and target.plan.agency_id == agency.pk:
        return [a for a, status in result.agencies if status in BAD]
    if target.scope_kind == ScopeKind.AGENCY and target.scope_agency is not None:
        return [target.scope_agency]
    return [agency if target.scope_kind == ScopeKind.TIER else target.plan.agency]


def _duties(agency: Agency, today: date) -> list[tuple[ReportingDuty, date]]:
    duties = (
        ReportingDuty.objects.filter(_in_force(today))
        .filter(Q(reporter__path__startswith=agency.path) | Q(plan__agency=agency))
        .select_related("plan", "reporter", "recipient")
        .order_by("plan_id", "order")
    )
    out = []
    for duty in duties:
        due = last_due(duty.first_due, list(duty.frequencies or []), today)
        if due is not None:
            out.append((duty, due))
    return out


def leader_page(user: Any, agency: Agency, today: date) -> LeaderPage:
    """Everything the page shows (the caller has checked ``plans.view`` over ``agency``)."""
    page = LeaderPage(agency, today)
    results = _targets(agency, today)
    page.counts = {s: sum(1 for r in results if r.status == s) for s in BAD}
    page.counts["targets"] = len(results)
    page.targets = [(r, _responsible(r, agency)) for r in results if r.status in BAD]
    page.targets.sort(
        key=lambda pair: (pair[0].status != "off_track", pair[0].current_stage.stage.due)
    )
    subtree = Q(agency__path__startswith=agency.path)
    page.proposals = list(
        CorrectiveProposal.objects.filter(subtree, state=ProposalState.PROPOSED)
        .select_related("target__plan", "agency")
        .order_by("deadline")
    )
    page.corrective_tasks = list(
        Task.objects.filter(
            open_q(), proposal__isnull=False, lead_agency__path__startswith=agency.path
        )
        .select_related("lead_agency", "plan", "proposal__target")
        .order_by("deadline")
    )
    rows = (
        Task.objects.filter(overdue_q(today), lead_agency__path__startswith=agency.path)
        .values("lead_agency__code", "lead_agency__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "lead_agency__name")
    )
    page.overdue_by_agency = [
        {"code": r["lead_agency__code"], "name": r["lead_agency__name"], "n": r["n"]} for r in rows
    ]
    page.counts["overdue"] = sum(r["n"] for r in page.overdue_by_agency)
    page.counts["proposals"] = len(page.proposals)
    page.counts["corrective_late"] = sum(
        1 for t in page.corrective_tasks if t.deadline is not None and t.deadline < today
    )
    keys = set()
    for section in leader_sections():
        context = section.context(user, agency, today)
        if context is not None:
            keys.add(section.key)
            page.sections.append((section.key, section.template, context))
    if "reports" not in keys:
        page.duties = _duties(agency, today)
    page.counts["duties"] = len(page.duties)
    return page
