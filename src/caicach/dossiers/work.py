"""The unit of work of one lifecycle action: the locked dossier, the actor, the instant, the
calendar, the workflow steps, and what the action adds (clock entries, payload, referrals).

Shared by :mod:`caicach.dossiers.lifecycle` (the action handlers) and
:mod:`caicach.dossiers.referrals` (consultations and transfers), so neither imports the other's
internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from caicach.accounts.errors import ForbiddenError
from caicach.agencies.models import Agency
from caicach.calendars.rules import (
    WorkCalendar,
)
from caicach.core.audit import Actor
from caicach.core.errors import ConflictError
from caicach.dossiers import clock
from caicach.dossiers.inputs import clean_key, invalid
from caicach.dossiers.models import (
    ClockEntry,
    Dossier,
)
from caicach.dossiers.scope import DossierNotFoundError, may_view
from caicach.dossiers.workflow import (
    DossierAction,
    GuardContext,
    GuardWarning,
    Transition,
    TransitionNotAllowed,
    check_transition,
)
from caicach.procedures.models import WorkflowStep

PARAMS = frozenset(
    {
        "reason",
        "agency",
        "assignee",
        "new_due",
        # consultations and parallel transfers (NĐ 61/2018 art. 19)
        "agencies",
        "deadline",
        "deadline_days",
        "mode",
        "lead_agency",
        "supporting_agencies",
        "referral",
        "paper",
        # the supplement cycle per document (caicach.dossiers.supplements)
        "missing",
        "supplied",
    }
)
#: The longest deadline one may give an asked agency, in working days.
MAX_REFERRAL_DAYS = 60
REASON_REQUIRED = frozenset(
    {
        DossierAction.REQUEST_SUPPLEMENT,
        DossierAction.REFUSE,
        DossierAction.STOP,
        DossierAction.SEND_BACK,
        DossierAction.APOLOGISE,
    }
)
NOTE_REQUIRED = frozenset(
    {
        DossierAction.APPRAISE,
        DossierAction.CONSULT,
        DossierAction.ANSWER_CONSULTATION,
        DossierAction.REPLY,
    }
)
# The end of processing each action records. Returning a result already marked ready adds a
# second "finished" entry: the ledger allows it, and Decision 766 ranks the two.
END_STATUS = {
    DossierAction.MARK_RESULT_READY: clock.EndStatus.PROCESSED,
    DossierAction.RETURN_RESULT: clock.EndStatus.RETURNED,
    DossierAction.REFUSE: clock.EndStatus.REFUSED,
    DossierAction.STOP: clock.EndStatus.STOPPED,
    DossierAction.WITHDRAW: clock.EndStatus.WITHDRAWN,
}


@dataclass
class Work:
    """What one action changes, collected before anything is written."""

    dossier: Dossier
    actor: Actor
    now: datetime
    calendar: WorkCalendar
    steps: list[WorkflowStep]
    entries: list[ClockEntry] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    #: Referrals asked, answered or closed by the action, for the audit entry.
    referral_log: list[dict[str, Any]] = field(default_factory=list)
    #: The agency the history line is attributed to when not the holder (a reply).
    event_agency: Agency | None = None

    def clock(self, kind: clock.EventKind, **values: Any) -> None:
        self.entries.append(
            ClockEntry(dossier=self.dossier, at=self.now, kind=kind.value, **values)
        )

    def move(self, order: int | None, agency: Agency) -> None:
        """Close the open step and open ``order`` at ``agency`` (attribution of lateness)."""
        d = self.dossier
        if d.current_step is not None:
            self.clock(
                clock.EventKind.STEP_FINISHED, step_order=d.current_step, agency=d.current_agency
            )
        if order is not None:
            self.clock(clock.EventKind.STEP_STARTED, step_order=order, agency=agency)
        d.current_step = order
        d.current_agency = agency

    def step(self, order: int | None) -> WorkflowStep | None:
        return next((s for s in self.steps if s.order == order), None)

    def step_after(self, order: int | None) -> WorkflowStep | None:
        later = [s for s in self.steps if order is None or s.order > order]
        return later[0] if later else None

    def step_before(self, order: int | None) -> WorkflowStep | None:
        earlier = [s for s in self.steps if order is not None and s.order < order]
        return earlier[-1] if earlier else None


def locked_dossier(code: str, user: Any) -> Dossier:
    text = clean_key(code, upper=True)
    dossier = (
        Dossier.objects.select_related(
            "receiving_agency", "deciding_agency", "current_agency", "procedure_version"
        )
        .select_for_update(of=("self",))
        .filter(code=text)
        .first()
        if text
        else None
    )
    if dossier is None or not may_view(user, dossier):
        raise DossierNotFoundError(str(code or ""))
    return dossier


def resolve_agency(value: Any, field_name: str = "agency") -> Agency:
    if isinstance(value, Agency):
        return value
    code = clean_key(value, 20)
    agency = Agency.objects.filter(code=code).first() if code else None
    if agency is None:
        raise invalid(
            field_name,
            f"Không tìm thấy cơ quan có mã “{code}”.",
            f"No agency with code “{code}”.",
        )
    if not agency.is_valid_on(timezone.localdate()):
        raise invalid(
            field_name,
            f"Cơ quan {agency.code} không còn hoạt động.",
            f"Agency {agency.code} is no longer in operation.",
        )
    return agency


def check_action(
    state: str, action: DossierAction, roles: list[str], context: GuardContext
) -> tuple[Transition, list[GuardWarning], str]:
    """The first of the caller's roles the table allows. A refused state or guard is a 409; a
    role the table does not allow, a 403 with the table's reason."""
    refusal: TransitionNotAllowed | None = None
    for role in roles:
        try:
            found, warnings = check_transition(state, action, role, context)
        except TransitionNotAllowed as error:
            if error.code != "role":
                raise ConflictError(error.message_vi, error.message_en, code=error.code) from error
            refusal = refusal or error
            continue
        return found, warnings, role
    if refusal is not None:
        raise ForbiddenError(refusal.message_vi, refusal.message_en, code="role")
    raise ForbiddenError(
        "Bạn không có vai trò nào để xử lý hồ sơ này.",
        "You hold no role that may act on this dossier.",
        code="role",
    )


def snapshot(d: Dossier) -> dict[str, Any]:
    return {
        "state": d.state,
        "version": d.version,
        "current_step": d.current_step,
        "current_agency": d.current_agency.code,
        "assigned_to": d.assigned_to_id,
        "due_at": d.due_at.isoformat(),
        "legal_due_at": d.legal_due_at.isoformat(),
        "calendar_version": d.calendar_version,
        "finished_at": d.finished_at.isoformat() if d.finished_at else None,
        "returned_at": d.returned_at.isoformat() if d.returned_at else None,
        "timeliness": d.timeliness,
        "supplement_requests": d.supplement_requests,
        "apologies": d.apologies,
    }
