"""Corrective proposals (issue 15): when a live target falls off track, the system proposes a
corrective task to its lead agency with the figures that triggered it; the reform office
accepts it (a :class:`Task` is created) or dismisses it with a reason.

The lead agency of a target is its scope's agency (``scope_agency``) or the plan's agency. One
open proposal per target at a time (a partial unique constraint); a target already proposed is
skipped until the reform office decides. Every step is an audit entry in its transaction.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from caicach.accounts.access import require
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError, ConflictError
from caicach.plans.models import (
    CorrectiveProposal,
    Plan,
    ProposalState,
    Target,
    Task,
    TaskStatus,
)
from caicach.plans.values import TargetStatus, evaluate_target

__all__ = ["PROPOSAL_DAYS", "accept", "dismiss", "propose", "propose_all"]

#: The corrective task is due this many days after the proposal (or at the stage's due date).
PROPOSAL_DAYS = 30


def _figures(result: TargetStatus) -> dict[str, Any]:
    stage = result.current_stage
    ev = stage.evaluation
    latest = ev.latest if ev else None
    return {
        "status": result.status,
        "threshold": str(stage.threshold) if stage.threshold is not None else None,
        "unit": result.target.unit,
        "due": stage.stage.due.isoformat(),
        "latest": str(latest.value) if latest else None,
        "latest_on": latest.day.isoformat() if latest else None,
        "projected": str(ev.projected) if ev and ev.projected is not None else None,
        "method": ev.method if ev else "none",
        "method_vi": ev.method_vi if ev else "",
        "points": ev.points if ev else 0,
    }


def propose(target: Target, today: date, actor: Actor) -> CorrectiveProposal | None:
    """A proposal for ``target`` if it is live, off track today and has none open."""
    if not target.is_live:
        return None
    result = evaluate_target(target, today)
    if result.status != "off_track":
        return None
    figures = _figures(result)
    agency = target.scope_agency or target.plan.agency
    due = result.current_stage.stage.due
    deadline = min(today + timedelta(days=PROPOSAL_DAYS), max(due, today))
    title = (
        f"Khắc phục chỉ tiêu {target.code} «{target.label_vi}»: giá trị dự báo "
        f"{figures['projected']} {target.unit} so với ngưỡng {figures['threshold']} {target.unit} "
        f"đến {due:%d/%m/%Y}"
    )
    with transaction.atomic():
        if target.proposals.select_for_update().filter(state=ProposalState.PROPOSED).exists():
            return None
        proposal = CorrectiveProposal.objects.create(
            target=target, agency=agency, title=title, deadline=deadline, figures=figures
        )
        record(actor, "plan.proposal.create", proposal, agency=agency, changes=figures)
    return proposal


def propose_all(actor: Actor, today: date | None = None) -> list[CorrectiveProposal]:
    """Every live target of the plans in force today (the ``plans propose`` command)."""
    today = today or timezone.localdate()
    plans = Plan.objects.filter(period_start__lte=today).select_related("agency")
    made = []
    for plan in plans:
        if plan.horizon < today:
            continue
        for target in plan.targets.exclude(kpi_code="").prefetch_related("stages"):
            proposal = propose(target, today, actor)
            if proposal is not None:
                made.append(proposal)
    return made


def _open(proposal_id: int, user: Any) -> CorrectiveProposal:
    proposal = (
        CorrectiveProposal.objects.select_for_update()
        .select_related("target__plan__agency", "target__domain")
        .get(pk=proposal_id)
    )
    require(user, "plans.approve", proposal.target.plan.agency)
    if proposal.state != ProposalState.PROPOSED:
        raise ConflictError("Đề xuất này đã được xử lý.", "This proposal was already decided.")
    return proposal


def accept(proposal_id: int, user: Any, actor: Actor) -> Task:
    """The reform office accepts: the corrective task is created for the lead agency."""
    with transaction.atomic():
        proposal = _open(proposal_id, user)
        target = proposal.target
        task = Task.objects.create(
            plan=target.plan,
            domain=target.domain,
            title=proposal.title,
            lead_agency=proposal.agency,
            deadline=proposal.deadline,
            expected_output="Báo cáo kết quả khắc phục và số liệu chỉ tiêu sau khắc phục",
            status=TaskStatus.NOT_STARTED,
            order=target.plan.tasks.count() + 1,
        )
        proposal.state = ProposalState.ACCEPTED
        proposal.task = task
        proposal.decided_by = user
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["state", "task", "decided_by", "decided_at"])
        record(actor, "plan.proposal.accept", proposal, agency=proposal.agency)
    return task


def dismiss(proposal_id: int, user: Any, actor: Actor, reason: str) -> CorrectiveProposal:
    """The reform office dismisses, with a reason (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise BilingualError(
            "Cần nêu lý do không chấp nhận đề xuất.",
            "A reason is required to dismiss a proposal.",
            code="reason_required",
        )
    with transaction.atomic():
        proposal = _open(proposal_id, user)
        proposal.state = ProposalState.DISMISSED
        proposal.reason = reason[:2000]
        proposal.decided_by = user
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["state", "reason", "decided_by", "decided_at"])
        record(
            actor,
            "plan.proposal.dismiss",
            proposal,
            agency=proposal.agency,
            changes={"reason": proposal.reason},
        )
    return proposal
