"""Consultations and transfers between agencies (NĐ 61/2018 art. 19): asking one or several
units for an opinion with a deadline, their replies, silence past the deadline counted as
agreement, a parallel transfer to a lead agency with supporting agencies, and the lateness of
the agencies asked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from caicach.accounts.access import can
from caicach.accounts.errors import ForbiddenError
from caicach.agencies.models import Agency
from caicach.calendars.rules import (
    VN_TZ,
    CalendarRangeError,
    due_in_working_days,
)
from caicach.calendars.services import calendar_for
from caicach.core.errors import BilingualError, ConflictError
from caicach.dossiers.inputs import aware, invalid
from caicach.dossiers.models import (
    Dossier,
    Referral,
    ReferralKind,
)
from caicach.dossiers.scope import answerable_referrals, referrals_of
from caicach.dossiers.targets import check_lead
from caicach.dossiers.work import MAX_REFERRAL_DAYS, Work, resolve_agency
from caicach.dossiers.workflow import (
    DossierAction,
)


def consult(
    work: Work,
    *,
    agency: Any = None,
    agencies: Any = None,
    deadline: Any = None,
    deadline_days: Any = None,
    **_: Any,
) -> None:
    """*Lấy ý kiến* (NĐ 61/2018 art. 19): ask one or more units or agencies, with the question
    (the note) and a deadline (an instant, or N working days on the asked agency's calendar).
    From ``consulting``, asks one more."""
    asked = _agency_list(agencies if agencies is not None else agency, "agencies")
    d = work.dossier
    already = {
        r.agency_id for r in referrals_of(d) if r.kind == ReferralKind.CONSULTATION and r.is_open
    }
    for target in asked:
        if target.pk == d.current_agency_id:
            raise invalid(
                "agencies",
                f"{target.name} đang giữ hồ sơ; không thể tự xin ý kiến chính mình.",
                f"{target.name} holds the dossier and cannot consult itself.",
                "self_consultation",
            )
        if target.pk in already:
            raise invalid(
                "agencies",
                f"Đang chờ ý kiến của {target.name}; không gửi lại.",
                f"An answer of {target.name} is already awaited.",
                "already_consulted",
            )
    due = {t.pk: _referral_due(work, t, deadline, deadline_days) for t in asked}
    _ask(work, ReferralKind.CONSULTATION, asked, due)
    work.payload["agencies"] = [t.code for t in asked]
    if len(asked) == 1:
        work.payload["agency"] = asked[0].code


def _agency_list(value: Any, field_name: str) -> list[Agency]:
    """Agencies given as a list of codes (or a comma/space separated text), without repeats;
    400 when empty or when one is unknown."""
    if value is None or isinstance(value, (str, Agency)):
        items: list[Any] = (
            [value] if isinstance(value, Agency) else re.split(r"[\s,;]+", str(value or ""))
        )
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = [value]
    items = [i for i in items if isinstance(i, Agency) or str(i).strip()]
    if not items:
        raise invalid(
            field_name,
            "Cần chọn ít nhất một cơ quan, đơn vị.",
            "At least one agency or unit is required.",
            "agencies_required",
        )
    if len(items) > 20:
        raise invalid(
            field_name, "Tối đa 20 cơ quan, đơn vị.", "At most 20 agencies.", "too_many_agencies"
        )
    out: list[Agency] = []
    for item in items:
        target = resolve_agency(item, field_name)
        if target not in out:
            out.append(target)
    return out


def _referral_due(work: Work, agency: Agency, deadline: Any, deadline_days: Any) -> datetime:
    """The deadline of a referral: an instant after now, or ``deadline_days`` working days
    counted on the asked agency's calendar (Civil Code art. 147: from the next working day,
    to the end of office hours of the N-th)."""
    if deadline not in (None, "") and deadline_days not in (None, ""):
        raise invalid(
            "deadline",
            "Chỉ nhập hạn trả lời hoặc số ngày làm việc, không cả hai.",
            "Give either a deadline or a number of working days, not both.",
            "deadline_ambiguous",
        )
    if deadline_days not in (None, ""):
        try:
            days = int(str(deadline_days).strip())
        except ValueError:
            days = 0
        if not 1 <= days <= MAX_REFERRAL_DAYS:
            raise invalid(
                "deadline_days",
                f"Số ngày làm việc để trả lời phải từ 1 đến {MAX_REFERRAL_DAYS}.",
                f"The working days to answer must be between 1 and {MAX_REFERRAL_DAYS}.",
                "deadline_days_invalid",
            )
        try:
            return due_in_working_days(work.now, days, calendar_for(agency), cutoff=None).due
        except (CalendarRangeError, ValueError) as error:
            raise BilingualError(
                "Không tính được hạn trả lời với lịch làm việc hiện có.",
                f"The deadline cannot be computed with the current calendar: {error}",
                code="due_not_computable",
                status=409,
            ) from error
    if isinstance(deadline, str):
        try:
            deadline = datetime.fromisoformat(deadline.strip())
        except ValueError:
            deadline = None
    if isinstance(deadline, date) and not isinstance(deadline, datetime):
        deadline = datetime.combine(deadline, calendar_for(agency).office_hours.closing, VN_TZ)
    if not isinstance(deadline, datetime):
        raise invalid(
            "deadline",
            "Cần nhập hạn trả lời (ví dụ 2025-06-10T17:00) hoặc số ngày làm việc.",
            "A deadline (e.g. 2025-06-10T17:00) or a number of working days is required.",
            "deadline_required",
        )
    deadline = aware(deadline)
    if deadline <= work.now:
        raise invalid(
            "deadline",
            "Hạn trả lời phải sau thời điểm hiện tại.",
            "The deadline must be in the future.",
            "deadline_past",
        )
    return deadline


def _ask(
    work: Work, kind: ReferralKind, agencies: list[Agency], due: Mapping[int, datetime]
) -> None:
    d = work.dossier
    question = work.note or str(work.payload.get("question") or "")
    rows = Referral.objects.bulk_create(
        [
            Referral(
                dossier=d,
                kind=kind.value,
                agency=target,
                requesting_agency=d.current_agency,
                requested_by=work.actor.user,
                requested_at=work.now,
                question=question,
                due_at=due[target.pk],
            )
            for target in agencies
        ]
    )
    for row in rows:
        work.referral_log.append(
            {"asked": row.agency.code, "kind": kind.value, "due_at": row.due_at.isoformat()}
        )
    work.payload["referrals"] = [
        {"id": r.pk, "agency": r.agency.code, "kind": kind.value, "due_at": r.due_at.isoformat()}
        for r in rows
    ]


def pending(
    dossier: Dossier, act: DossierAction, now: datetime
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names of the consulted agencies still within their deadline without an answer, and of
    the supporting agencies without an answer (for the guards); only read when they matter."""
    if act not in (DossierAction.ANSWER_CONSULTATION, DossierAction.SUBMIT_FOR_APPROVAL):
        return (), ()
    consultations: list[str] = []
    cooperation: list[str] = []
    for r in referrals_of(dossier):
        if not r.is_open:
            continue
        if r.kind == ReferralKind.CONSULTATION and r.due_at > now:
            consultations.append(r.agency.name)
        elif r.kind == ReferralKind.COOPERATION:
            cooperation.append(r.agency.name)
    return tuple(consultations), tuple(cooperation)


def nothing_left_to_answer(user: Any, dossier: Dossier) -> None:
    """A clear 409 (not a 403) when the caller's agency was asked but has already answered."""
    if answerable_referrals(user, dossier):
        return
    done = [r for r in referrals_of(dossier) if can(user, "dossiers.reply", r.agency)]
    if done:
        names = ", ".join(dict.fromkeys(r.agency.name for r in done))
        raise ConflictError(
            f"{names} đã trả lời ý kiến; ý kiến chỉ gửi một lần.",
            f"{names} already answered; an answer is given once.",
            code="already_answered",
        )


def answer_consultation(work: Work, **_: Any) -> None:
    """The holder resumes processing (art. 19). The guards made sure every consulted unit has
    answered or let its deadline pass: silence past the deadline counts as agreement, and is
    recorded on the referral."""
    closed = []
    for r in referrals_of(work.dossier):
        if r.kind == ReferralKind.CONSULTATION and r.is_open and r.due_at <= work.now:
            r.deemed_agreed_at = work.now
            r.save(update_fields=["deemed_agreed_at"])
            closed.append(r.agency.code)
            work.referral_log.append({"deemed_agreed": r.agency.code, "referral": r.pk})
    if closed:
        work.payload["deemed_agreed"] = closed


def reply(work: Work, *, referral: Any = None, **_: Any) -> None:
    """An officer of the asked agency answers its referral, once; the answer (the note) is
    recorded with the time, and whether the deadline had passed (lateness of that agency)."""
    d = work.dossier
    mine = answerable_referrals(work.actor.user, d)
    if referral not in (None, ""):
        try:
            wanted = int(referral.pk if isinstance(referral, Referral) else referral)
        except (TypeError, ValueError):
            wanted = 0
        found = next((r for r in referrals_of(d) if r.pk == wanted), None)
        if found is None:
            raise invalid(
                "referral",
                "Không tìm thấy yêu cầu xin ý kiến này trong hồ sơ.",
                "No such referral on this dossier.",
                "unknown_referral",
            )
        if found.answered_at is not None:
            raise ConflictError(
                f"{found.agency.name} đã trả lời ý kiến lúc "
                f"{found.answered_at.astimezone(VN_TZ):%d/%m/%Y %H:%M}; ý kiến chỉ gửi một lần.",
                f"{found.agency.name} already answered; an answer is given once.",
                code="already_answered",
            )
        if found not in mine:
            raise ForbiddenError(
                f"Bạn không thuộc {found.agency.name} nên không trả lời thay được.",
                f"You are not an officer of {found.agency.name} and cannot answer for it.",
                code="role",
            )
        target = found
    elif len(mine) == 1:
        target = mine[0]
    else:
        raise invalid(
            "referral",
            "Hồ sơ có nhiều yêu cầu xin ý kiến gửi đơn vị của bạn; hãy chọn yêu cầu cần trả lời.",
            "Several referrals of this dossier are addressed to your agencies; choose one.",
            "referral_required",
        )
    target.answered_at = work.now
    target.answered_by = work.actor.user
    target.answer = work.note
    target.answered_late = work.now > target.due_at
    target.save(update_fields=["answered_at", "answered_by", "answer", "answered_late"])
    work.event_agency = target.agency
    work.payload.update(
        {
            "referral": target.pk,
            "agency": target.agency.code,
            "kind": target.kind,
            "late": target.answered_late,
        }
    )
    work.referral_log.append(
        {"answered": target.agency.code, "referral": target.pk, "late": target.answered_late}
    )


TRANSFER_MODES = ("sequential", "parallel")


def transfer_agency(
    work: Work,
    *,
    agency: Any = None,
    mode: Any = None,
    lead_agency: Any = None,
    supporting_agencies: Any = None,
    deadline: Any = None,
    deadline_days: Any = None,
    paper: Any = False,
    **_: Any,
) -> None:
    """*Liên thông* (NĐ 61/2018 art. 19). ``sequential`` (default): the dossier goes to one
    agency, which takes it over. ``parallel`` (same level, electronic): it goes to the lead
    agency (``lead_agency``, or ``agency``) and, at the same time, each of the
    ``supporting_agencies`` gets a cooperation referral with a deadline; the lead submits for
    approval once all have answered."""
    chosen = str(mode or "sequential").strip().lower()
    if chosen not in TRANSFER_MODES:
        raise invalid(
            "mode",
            "Hình thức liên thông phải là “sequential” (tuần tự) hoặc “parallel” (song song).",
            "The transfer mode must be “sequential” or “parallel”.",
            "mode_invalid",
        )
    if chosen == "sequential" and supporting_agencies:
        raise invalid(
            "supporting_agencies",
            "Cơ quan phối hợp chỉ dùng khi liên thông song song.",
            "Supporting agencies apply to a parallel transfer only.",
            "supporting_needs_parallel",
        )
    lead = lead_agency if lead_agency not in (None, "") else agency
    if lead in (None, ""):
        raise invalid(
            "lead_agency" if chosen == "parallel" else "agency",
            "Cần chọn cơ quan chủ trì."
            if chosen == "parallel"
            else "Cần chọn cơ quan nhận liên thông.",
            "The lead agency is required."
            if chosen == "parallel"
            else "The agency to transfer to is required.",
            "agency_required",
        )
    field_name = "lead_agency" if chosen == "parallel" else "agency"
    d = work.dossier
    target = check_lead(d, resolve_agency(lead, field_name), field_name)
    if chosen == "parallel":
        if not work.note:
            raise invalid(
                "note",
                "Cần nêu nhiệm vụ của các cơ quan phối hợp (ghi chú).",
                "The note must state the supporting agencies' task.",
                "note_required",
            )
        supporting = _agency_list(supporting_agencies, "supporting_agencies")
        if target in supporting or d.current_agency in supporting:
            raise invalid(
                "supporting_agencies",
                "Cơ quan phối hợp phải khác cơ quan chủ trì và cơ quan chuyển.",
                "Supporting agencies must differ from the lead agency and the sender.",
                "supporting_is_lead",
            )
        due = {t.pk: _referral_due(work, t, deadline, deadline_days) for t in supporting}
        _ask(work, ReferralKind.COOPERATION, supporting, due)
        work.payload.update(
            {
                "mode": chosen,
                "lead_agency": target.code,
                "supporting_agencies": [t.code for t in supporting],
            }
        )
    work.move(d.current_step, target)
    d.assigned_to = None
    work.payload["agency"] = target.code
    if paper in (True, "true", "1", "on"):
        work.payload["paper"] = True


@dataclass(frozen=True)
class AgencyReferralLateness:
    """Referrals addressed to one agency: how many, how many late (answered after the deadline,
    deemed agreed, or still open past it), how many still open past the deadline."""

    agency_code: str
    agency_name: str
    total: int
    late: int
    open_overdue: int


def late_referrals_by_agency(
    scope_agency: Agency | None = None,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
    only_late: bool = True,
) -> list[AgencyReferralLateness]:
    """Lateness of consulted and supporting agencies, attributed to the unit that held the
    referral (issue: *lateness of a step is attributed to the unit that held it*; NĐ 61/2018
    art. 19). Counted from the referrals (asked → answered against the deadline), for the
    agencies under ``scope_agency`` and referrals asked since ``since``; most late first."""
    from django.db.models import Count

    now = now or timezone.now()
    rows = Referral.objects.all()
    if scope_agency is not None:
        rows = rows.filter(agency__path__startswith=scope_agency.path)
    if since is not None:
        rows = rows.filter(requested_at__gte=since)
    unanswered_past = Q(answered_at__isnull=True, due_at__lt=now)
    grouped = (
        rows.values("agency__code", "agency__name")
        .annotate(
            total=Count("id"),
            late=Count("id", filter=Q(answered_late=True) | unanswered_past),
            open_overdue=Count("id", filter=unanswered_past & Q(deemed_agreed_at__isnull=True)),
        )
        .order_by("-late", "agency__code")
    )
    return [
        AgencyReferralLateness(
            r["agency__code"], r["agency__name"], r["total"], r["late"], r["open_overdue"]
        )
        for r in grouped
        if r["late"] or not only_late
    ]
