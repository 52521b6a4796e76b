"""The leader's home block (issue 15): the caller's agency's late tasks and open corrective
proposals, linked to the leader's page. Registered with ``core.registry.register_home_section``
from ``plans.apps``; shown to agency and unit leaders and the reform office (two counting
queries; the targets' statuses are on the leader's page itself, too costly for the home page)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from caicach.accounts.access import roles_of
from caicach.accounts.models import Role
from caicach.core.errors import BilingualError
from caicach.dossiers.reports.agencies import resolve_agency
from caicach.plans.models import CorrectiveProposal, ProposalState, Task
from caicach.plans.work.queries import overdue_q

__all__ = ["leader_home"]

ROLES = frozenset({Role.AGENCY_LEADER, Role.UNIT_LEADER, Role.REFORM_OFFICER})


def leader_home(user: Any) -> dict[str, Any]:
    if not (roles_of(user) & ROLES):
        return {}
    try:
        agency = resolve_agency(user, None, "plans.view")
    except BilingualError:
        return {}
    today = timezone.localdate()
    overdue = Task.objects.filter(
        overdue_q(today), lead_agency__path__startswith=agency.path
    ).count()
    proposals = CorrectiveProposal.objects.filter(
        Q(agency__path__startswith=agency.path), state=ProposalState.PROPOSED
    ).count()
    return {"plans_agency": agency, "plans_overdue": overdue, "plans_proposals": proposals}
