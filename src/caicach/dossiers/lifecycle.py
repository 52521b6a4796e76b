"""The lifecycle actions after receipt (NĐ 61/2018 arts. 17-20): :func:`perform_action` and one
handler per action saying what it changes beyond the state.

The transition table and its guards are data in :mod:`caicach.dossiers.workflow`; the clock
rules are :mod:`caicach.dossiers.clock`. Each action runs in one transaction that writes the
change, its history line (announced on the event seam), its clock entries and the audit entry.
Errors: 400 bad input, 403 missing role, 404 outside the scope, 409 stale ``version`` or an
action the state does not allow.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from caicach.accounts.access import can
from caicach.accounts.errors import ForbiddenError
from caicach.accounts.models import User, UserKind
from caicach.agencies.models import Agency
from caicach.calendars.rules import (
    VN_TZ,
    CalendarRangeError,
    TimeUnit,
    WorkCalendar,
)
from caicach.calendars.services import calendar_for
from caicach.core.audit import Actor, diff, record
from caicach.core.errors import BilingualError, ConflictError
from caicach.dossiers import clock, deadlines, supplements
from caicach.dossiers.history import write_event
from caicach.dossiers.inputs import aware, invalid
from caicach.dossiers.models import (
    ClockEntry,
    Dossier,
    DossierComponent,
    DueBasis,
)
from caicach.dossiers.referrals import (
    answer_consultation,
    consult,
    nothing_left_to_answer,
    pending,
    reply,
    transfer_agency,
)
from caicach.dossiers.scope import acting_roles
from caicach.dossiers.targets import check_move
from caicach.dossiers.work import (
    END_STATUS,
    NOTE_REQUIRED,
    PARAMS,
    REASON_REQUIRED,
    Work,
    check_action,
    locked_dossier,
    resolve_agency,
    snapshot,
)
from caicach.dossiers.workflow import (
    ClockEffect,
    DossierAction,
    DossierState,
    GuardContext,
)
from caicach.procedures.models import WorkflowStep


def perform_action(
    actor: Actor,
    dossier_code: str,
    action: DossierAction | str,
    *,
    expected_version: int,
    note: str = "",
    **params: Any,
) -> Dossier:
    """Apply a lifecycle action to a dossier (NĐ 61/2018 arts. 17-20) and return it.

    * The dossier is locked (``SELECT ... FOR UPDATE``); ``expected_version`` must be its
      current ``version`` (409 ``stale_version`` otherwise: someone else changed it first).
    * :func:`~caicach.dossiers.workflow.check_transition` decides: wrong state or a broken
      guard (online supplement once; apology once and one working day ahead) → 409 with its
      reason; the caller's roles over the agency holding the dossier (:func:`acting_roles`)
      must include one the table allows → 403 otherwise.
    * ``params``: ``reason`` (required for request_supplement, refuse, stop, send_back and
      apologise), ``agency`` (target unit: assign, transfer_step, transfer_agency, consult),
      ``assignee`` (user id: assign), ``new_due`` (apologise, form 04).
    * Clock: a supplement request pauses; ``supplement_received`` restarts the time limit from
      the resumption instant (art. 19: *tính lại từ đầu*), recomputing ``due_at`` and
      ``legal_due_at`` with :func:`~caicach.dossiers.clock.legal_due`; an apology sets the new
      promised date; result ready, return, refusal, stop and withdrawal end the processing and
      record the timeliness (TT 01/2018 art. 13).

    Soft warnings (e.g. a second supplement request) are on ``dossier.warnings``.
    """
    try:
        act = DossierAction(action)
    except ValueError:
        raise invalid(
            "action",
            f"Không có thao tác “{str(action)[:40]}”.",
            f"Unknown action “{str(action)[:40]}”.",
        ) from None
    if act is DossierAction.RECEIVE:
        raise invalid(
            "action",
            "Hồ sơ mới được tiếp nhận qua chức năng tiếp nhận.",
            "A new dossier is received through the receipt endpoint.",
        )
    unknown = set(params) - PARAMS
    if unknown:
        raise TypeError(f"unknown parameters: {sorted(unknown)}")
    if actor.user is None:
        raise ForbiddenError("Cần đăng nhập.", "Authentication required.")
    note = str(note or "").strip()
    reason = str(params.get("reason") or "").strip()
    if len(note) > 4000 or len(reason) > 500:
        raise invalid(
            "note" if len(note) > 4000 else "reason",
            "Nội dung quá dài.",
            "The text is too long.",
        )
    per_document = act is DossierAction.REQUEST_SUPPLEMENT and params.get("missing") is not None
    if act in REASON_REQUIRED and not reason and not per_document:
        raise invalid("reason", "Cần nêu lý do.", "A reason is required.", "reason_required")
    if act in NOTE_REQUIRED and not note:
        raise invalid("note", "Cần nhập nội dung.", "A note is required.", "note_required")

    with transaction.atomic():
        dossier = locked_dossier(dossier_code, actor.user)
        if dossier.version != expected_version:
            raise ConflictError(
                "Hồ sơ đã được người khác cập nhật (phiên bản hiện tại "
                f"{dossier.version}, bạn gửi {expected_version}). Hãy tải lại hồ sơ rồi thử lại.",
                "The dossier was changed by someone else (current version "
                f"{dossier.version}, you sent {expected_version}). Reload it and try again.",
                code="stale_version",
            )
        now = timezone.now()
        calendar = calendar_for(dossier.receiving_agency)
        consultations, cooperation = pending(dossier, act, now)
        if act is DossierAction.REPLY:
            nothing_left_to_answer(actor.user, dossier)
        context = GuardContext(
            channel=dossier.channel,
            supplement_requests_so_far=dossier.supplement_requests,
            has_apology=dossier.apologies > 0,
            now=now,
            due=dossier.due_at,
            received_at=dossier.clock_started_at,
            calendar=calendar,
            pending_consultations=consultations,
            pending_cooperation=cooperation,
        )
        found, warnings, role = check_action(
            dossier.state, act, acting_roles(actor.user, dossier), context
        )
        before = snapshot(dossier)
        from_state = dossier.state
        work = Work(
            dossier,
            actor,
            now,
            calendar,
            list(
                WorkflowStep.objects.filter(version=dossier.procedure_version)
                .select_related("agency")
                .order_by("order")
            ),
        )
        work.note = note
        _APPLY[act](work, reason=reason, **{k: v for k, v in params.items() if k != "reason"})
        reason = str(work.payload.pop("_reason", reason))
        if found.clock_effect is ClockEffect.PAUSE:
            dossier.supplement_requests += 1
            work.clock(clock.EventKind.PAUSED, reason=reason)
        elif found.clock_effect is ClockEffect.EXTEND:
            dossier.apologies += 1
        if act in END_STATUS:
            _finish(work, END_STATUS[act])
        dossier.state = found.target.value
        dossier.version += 1
        dossier.save()
        ClockEntry.objects.bulk_create(work.entries)
        payload = {"role": role, **work.payload}
        if reason:
            payload["reason"] = reason
        if warnings:
            payload["warnings"] = [w.code for w in warnings]
        write_event(
            dossier,
            actor,
            act,
            from_state,
            now,
            note=note,
            payload=payload,
            agency=work.event_agency,
            effect=found.clock_effect,
        )
        changes = diff(before, snapshot(dossier))
        if work.referral_log:
            changes["referrals"] = work.referral_log
        record(
            actor, f"dossier.{act.value}", dossier, agency=dossier.current_agency, changes=changes
        )
    dossier.warnings = warnings  # type: ignore[attr-defined]
    return dossier


def _finish(work: Work, status: clock.EndStatus) -> None:
    """End of processing (Decision 766 priority: processed > returned > refused/stopped/
    withdrawn); the first end fixes ``finished_at`` and the timeliness."""
    d = work.dossier
    work.clock(clock.EventKind.FINISHED, reason=status.value)
    if status is clock.EndStatus.RETURNED:
        d.returned_at = work.now
    if d.finished_at is None:
        d.finished_at = work.now
        store_verdicts(d, _ledger(work), work.calendar, work.now)


def _ledger(work: Work) -> list[clock.ClockEvent]:
    """The dossier's clock ledger: the stored entries and those this action adds."""
    stored = [
        clock.ClockEvent(
            at=e.at,
            kind=clock.EventKind(e.kind),
            step_order=e.step_order,
            agency=str(e.agency_id) if e.agency_id else None,
            new_due=e.new_due,
            reason=e.reason,
        )
        for e in ClockEntry.objects.filter(dossier=work.dossier).order_by("id")
    ]
    return stored + [
        clock.ClockEvent(
            at=e.at,
            kind=clock.EventKind(e.kind),
            step_order=e.step_order,
            agency=str(e.agency.pk) if e.agency else None,
            new_due=e.new_due,
            reason=e.reason,
        )
        for e in work.entries
    ]


def store_verdicts(
    d: Dossier, ledger: list[clock.ClockEvent], calendar: WorkCalendar, finished_at: datetime
) -> None:
    """Store the verdicts at the end of processing (:func:`deadlines.finish_verdicts`): against
    the promise in force, against the statutory due, Decision 766's (setting
    ``METRICS_766_APOLOGY_COUNTS_LATE``) and the working days used."""
    version = d.procedure_version
    facts = deadlines.TimelinessFacts(
        received_at=d.received_at,
        promised=clock.StatutoryTime(version.promised_value, TimeUnit(version.statutory_unit)),
        statutory=clock.StatutoryTime(version.statutory_value, TimeUnit(version.statutory_unit)),
        events=ledger,
        calendar=calendar,
        cutoff=version.cutoff,
        first_due=d.first_due_at,
    )
    v = deadlines.finish_verdicts(
        facts,
        finished_at,
        apology_counts_late=settings.METRICS_766_APOLOGY_COUNTS_LATE,
        processing_calendar=(
            calendar
            if d.deciding_agency_id == d.receiving_agency_id
            else calendar_for(d.deciding_agency)
        ),
    )
    # The promise in force is the stored one (an imported or corrected due date wins).
    d.timeliness = clock.timeliness(finished_at, d.due_at).value
    d.legal_timeliness = clock.timeliness(finished_at, d.legal_due_at).value
    d.timeliness_766 = v.timeliness_766
    d.processing_working_days = v.processing_working_days


# -- one function per action: what it changes beyond the state ----------------------------------


def _assign(work: Work, *, reason: str, agency: Any = None, assignee: Any = None, **_: Any) -> None:
    d = work.dossier
    reassign = d.state != DossierState.RECEIVED
    if agency is not None:
        target = check_move(
            d, resolve_agency(agency), None if reassign else work.step_after(d.current_step)
        )
    elif reassign:
        target = d.current_agency
    else:
        nxt = work.step_after(d.current_step)
        target = nxt.agency if nxt is not None and nxt.agency is not None else d.deciding_agency
    if assignee is not None:
        user = _resolve_assignee(assignee, target)
        d.assigned_to = user
        work.payload["assignee"] = user.pk
    elif target != d.current_agency:
        d.assigned_to = None
    if not reassign:
        nxt = work.step_after(d.current_step)
        work.move(nxt.order if nxt is not None else d.current_step, target)
    elif target != d.current_agency:
        work.move(d.current_step, target)
    work.payload["agency"] = target.code


def _resolve_assignee(value: Any, agency: Agency) -> User:
    try:
        user_id = int(value.pk if isinstance(value, User) else value)
    except (TypeError, ValueError):
        user_id = 0
    user = User.objects.filter(pk=user_id, kind=UserKind.OFFICER, is_active=True).first()
    if user is None or not can(user, "dossiers.process", agency):
        raise invalid(
            "assignee",
            "Người được phân công phải là chuyên viên thụ lý của đơn vị nhận hồ sơ.",
            "The assignee must be a processing officer of the unit that takes the dossier.",
        )
    return user


def _accept(work: Work, **_: Any) -> None:
    work.dossier.assigned_to = work.actor.user


def _nothing(work: Work, **_: Any) -> None:
    return None


def _transfer_step(work: Work, *, agency: Any = None, **_: Any) -> None:
    d = work.dossier
    nxt = work.step_after(d.current_step)
    if nxt is None:
        raise ConflictError(
            "Hồ sơ đang ở bước cuối của quy trình; hãy trình phê duyệt.",
            "The dossier is at the last step of the workflow; submit it for approval.",
            code="last_step",
        )
    target = (
        check_move(d, resolve_agency(agency), nxt)
        if agency is not None
        else (nxt.agency if nxt.agency is not None else d.current_agency)
    )
    work.move(nxt.order, target)
    work.payload["agency"] = target.code


def _submit(work: Work, **_: Any) -> None:
    d = work.dossier
    nxt = work.step_after(d.current_step)
    if nxt is not None:
        work.move(nxt.order, nxt.agency if nxt.agency is not None else d.current_agency)


def _send_back(work: Work, **_: Any) -> None:
    d = work.dossier
    previous = work.step_before(d.current_step)
    if previous is not None:
        work.move(previous.order, d.current_agency)


def _result_ready(work: Work, **_: Any) -> None:
    # The result goes to the desk, which returns it (NĐ 61/2018 art. 20).
    work.dossier.current_agency = work.dossier.receiving_agency


def _request_supplement(work: Work, *, reason: str, missing: Any = None, **_: Any) -> None:
    """Form 02: the documents missing or insufficient, each with its reason
    (:func:`supplements.clean_missing`); their summary is the reason when none is given."""
    if missing is None:
        return
    if not isinstance(missing, list | tuple):
        raise invalid("missing", "Danh sách giấy tờ không hợp lệ.", "Invalid document list.")
    items = supplements.clean_missing(work.dossier, missing)
    work.payload["missing"] = items
    if not reason:
        work.payload["_reason"] = supplements.summary(items)


def _supplement_received(work: Work, *, supplied: Any = None, **_: Any) -> None:
    """Art. 19: the time limit is recounted from the start once the complete dossier arrives.
    The desk takes it again at the first step, with a new promised date. The supplied
    documents are attached per document asked for (:func:`supplements.supplied_rows`)."""
    d = work.dossier
    asked = supplements.requested(d)
    if asked or supplied:
        rows = supplements.supplied_rows(d, list(supplied or []), asked)
        DossierComponent.objects.bulk_create(rows)
        work.payload["supplied"] = [
            {"component": r.component_id, "name": r.name, "file": bool(r.file)} for r in rows
        ]
    work.clock(clock.EventKind.RESUMED)
    first = work.steps[0].order if work.steps else None
    work.move(first, d.receiving_agency)
    d.assigned_to = None
    version = d.procedure_version
    ledger = [
        clock.ClockEvent(
            at=e.at,
            kind=clock.EventKind(e.kind),
            step_order=e.step_order,
            agency=str(e.agency_id) if e.agency_id else None,
            new_due=e.new_due,
            reason=e.reason,
        )
        for e in ClockEntry.objects.filter(dossier=d).order_by("id")
    ]
    ledger += [
        clock.ClockEvent(
            at=e.at,
            kind=clock.EventKind(e.kind),
            step_order=e.step_order,
            agency=str(e.agency.pk) if e.agency else None,
            reason=e.reason,
        )
        for e in work.entries
    ]

    def due(value: Decimal, events: list[clock.ClockEvent]) -> datetime:
        statutory = clock.StatutoryTime(value, TimeUnit(version.statutory_unit))
        try:
            return clock.legal_due(d.received_at, statutory, version.cutoff, events, work.calendar)
        except (CalendarRangeError, ValueError) as error:
            raise BilingualError(
                "Không tính lại được hạn giải quyết với lịch làm việc hiện có.",
                f"The due date cannot be recomputed with the current calendar: {error}",
                code="due_not_computable",
                status=409,
            ) from error

    before = d.due_at
    d.due_at = due(version.promised_value, ledger)
    # An earlier apology moved the promise, never the statutory due (deadlines.statutory_ledger).
    d.legal_due_at = due(version.statutory_value, deadlines.statutory_ledger(ledger))
    d.due_provisional = deadlines.is_provisional(work.calendar, work.now, d.due_at)
    d.legal_due_provisional = deadlines.is_provisional(work.calendar, work.now, d.legal_due_at)
    d.calendar_version = work.calendar.version
    d.clock_started_at = work.now
    d.due_basis = DueBasis.SUPPLEMENT
    work.payload.update({"previous_due_at": before.isoformat(), "due_at": d.due_at.isoformat()})


def _apologise(work: Work, *, reason: str, new_due: Any = None, **_: Any) -> None:
    """Form 04: a new return date, after the current one; once, and at least one working day
    before the due date (checked by the guards with :func:`clock.apology_allowed`)."""
    d = work.dossier
    if isinstance(new_due, str):
        try:
            new_due = datetime.fromisoformat(new_due.strip())
        except ValueError:
            new_due = None
    if isinstance(new_due, date) and not isinstance(new_due, datetime):
        new_due = datetime.combine(new_due, work.calendar.office_hours.closing, VN_TZ)
    if not isinstance(new_due, datetime):
        raise invalid(
            "new_due",
            "Cần nhập ngày hẹn trả mới (ví dụ 2025-05-06T17:00).",
            "The new return date is required (e.g. 2025-05-06T17:00).",
            "new_due_required",
        )
    new_due = aware(new_due)
    ok, vi, en = clock.apology_allowed(
        work.now, d.due_at, work.calendar, d.apologies, new_due=new_due
    )
    if not ok:
        raise invalid("new_due", vi, en)
    work.clock(clock.EventKind.EXTENDED, new_due=new_due, reason=reason)
    work.payload.update({"previous_due_at": d.due_at.isoformat(), "due_at": new_due.isoformat()})
    d.due_at = new_due
    # Set by hand, but on a day whose year may not be announced yet (regulations §4.4).
    d.due_provisional = deadlines.is_provisional(work.calendar, work.now, new_due)
    # The apology moves the promised date only; the statutory due never moves with it
    # (regulations §2.4): a finish after the statutory due is legally late, apology or not.
    d.due_basis = DueBasis.APOLOGY


_APPLY = {
    DossierAction.ASSIGN: _assign,
    DossierAction.ACCEPT: _accept,
    DossierAction.APPRAISE: _nothing,
    DossierAction.TRANSFER_STEP: _transfer_step,
    DossierAction.TRANSFER_AGENCY: transfer_agency,
    DossierAction.CONSULT: consult,
    DossierAction.ANSWER_CONSULTATION: answer_consultation,
    DossierAction.REPLY: reply,
    DossierAction.REQUEST_SUPPLEMENT: _request_supplement,
    DossierAction.SUPPLEMENT_RECEIVED: _supplement_received,
    DossierAction.SUBMIT_FOR_APPROVAL: _submit,
    DossierAction.APPROVE: _nothing,
    DossierAction.SEND_BACK: _send_back,
    DossierAction.MARK_RESULT_READY: _result_ready,
    DossierAction.RETURN_RESULT: _nothing,
    DossierAction.REFUSE: _nothing,
    DossierAction.STOP: _nothing,
    DossierAction.WITHDRAW: _nothing,
    DossierAction.APOLOGISE: _apologise,
}
