"""The dossier lifecycle as data: states, actions, who may act, and the effect on the clock.

Sources: NĐ 61/2018/NĐ-CP arts. 17-20 (receipt, transfer, processing, return; regulations
§2.1), TT 01/2018/TT-VPCP (forms 01-06), TT 03/2025/TT-VPCP (form 05, *thông báo dừng giải
quyết hồ sơ*: the ``stopped`` state). One table, :data:`TRANSITIONS`, maps (state, action) to a
:class:`Transition` (target state, roles allowed, clock effect); everything else is refused with
:class:`TransitionNotAllowed`, whose Vietnamese and English messages the API returns with
HTTP 409. :func:`transitions_markdown` renders the table for the docs.

Decisions:

* **Receipt creates the dossier.** ``receive`` is the only action on a dossier that does not
  exist yet (``state=None``, :data:`INITIAL_TRANSITIONS`); it starts the clock.
* **A supplement comes back through the desk.** ``supplement_received`` leads back to
  ``received``, whoever asked: the time limit is recounted from the start (NĐ 61/2018 art. 19),
  so the desk issues a new receipt slip with a new promised date (form 01), then assigns again.
  This keeps the target a function of (state, action) only.
* **Clock effects.** ``start`` (receipt), ``pause`` (supplement request), ``restart`` (the
  complete dossier arrived: legal time recounted; Decision 766 subtracts the pause instead, see
  :mod:`caicach.dossiers.clock`), ``extend`` (apology with a new date), ``stop`` (end of
  processing: result ready, refusal, stop, withdrawal, or return straight after approval) and
  ``none``. ``resume`` (continue where the clock paused, without recounting) is part of the
  vocabulary for pauses that do not restart the time limit (sector law); no transition of the
  NĐ 61 baseline uses it.
* **Roles.** ``receiver`` (cán bộ một cửa), ``processor`` (chuyên viên thụ lý), ``unit_leader``,
  ``agency_leader``, ``admin``. Decisions signed by the authority (approve, refuse after
  appraisal, stop, apology) need a leader. ``admin`` may only reassign a dossier and record a
  withdrawal received through the portal: an administrator makes no decision on a dossier.
* **Consultation and parallel transfer** (art. 19 *lấy ý kiến*, *liên thông*). ``consult``
  asks one or more units (``processing`` → ``consulting``, and again from ``consulting``);
  ``consultee`` is the role of an officer (processor or leader) of an agency with a referral on
  the dossier: ``reply`` records its answer and changes no state. ``transfer_agency`` in
  parallel mode leads to ``transferred`` like a sequential transfer (the target is the lead
  agency); the supporting agencies get referrals. The guards refuse ``answer_consultation``
  while an answer is due and not yet given, and ``submit_for_approval`` while a supporting
  agency has not answered.
* **Terminal states**: ``returned``, ``refused``, ``stopped``, ``withdrawn``. A withdrawal is
  possible until the decision is signed (not from ``approved`` / ``result_ready``).
* **Apology** (``apologise``) changes no state; allowed while the dossier is open and processing
  is not finished (not while waiting for a supplement, when no due date runs, nor once the
  result is ready).
* **Guards** needing context are in :func:`check_guards`: an online dossier may be asked for a
  supplement only once (NĐ 61/2018 art. 17); an apology only once and at least one working day
  before the due date (art. 19, :func:`caicach.dossiers.clock.apology_allowed`). Soft rules
  return warnings instead (a second supplement request makes the dossier late under Decision
  766; a request more than 3 working days after receipt is later than art. 19 allows).

Size (~770 lines): most of it is data (the transition table, the bilingual labels of states,
actions and roles, and the table rendered for the docs); the logic is the guards.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from caicach.calendars.rules import VN_TZ, WorkCalendar
from caicach.dossiers.clock import apology_allowed

__all__ = [
    "INITIAL_TRANSITIONS",
    "OPEN_STATES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "Channel",
    "ClockEffect",
    "DossierAction",
    "DossierState",
    "GuardContext",
    "GuardWarning",
    "Role",
    "Transition",
    "TransitionNotAllowed",
    "allowed_actions",
    "check_guards",
    "check_transition",
    "is_terminal",
    "reachable_states",
    "transition",
    "transitions_markdown",
]


class DossierState(StrEnum):
    RECEIVED = "received"  # đã tiếp nhận
    ASSIGNED = "assigned"  # đã phân công, chờ thụ lý
    PROCESSING = "processing"  # đang xử lý / thẩm định
    CONSULTING = "consulting"  # đang lấy ý kiến
    TRANSFERRED = "transferred"  # liên thông sang cơ quan khác
    AWAITING_SUPPLEMENT = "awaiting_supplement"  # chờ bổ sung
    AWAITING_APPROVAL = "awaiting_approval"  # chờ phê duyệt
    APPROVED = "approved"  # đã phê duyệt
    RESULT_READY = "result_ready"  # có kết quả, chờ trả
    RETURNED = "returned"  # đã trả kết quả
    REFUSED = "refused"  # từ chối
    STOPPED = "stopped"  # dừng xử lý (TT 03/2025/TT-VPCP)
    WITHDRAWN = "withdrawn"  # công dân rút hồ sơ

    @property
    def label_vi(self) -> str:
        return _STATE_TEXT[self][0]

    @property
    def label_en(self) -> str:
        return _STATE_TEXT[self][1]


class DossierAction(StrEnum):
    RECEIVE = "receive"
    ASSIGN = "assign"
    ACCEPT = "accept"
    APPRAISE = "appraise"
    TRANSFER_STEP = "transfer_step"
    TRANSFER_AGENCY = "transfer_agency"
    CONSULT = "consult"
    ANSWER_CONSULTATION = "answer_consultation"
    REPLY = "reply"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT_RECEIVED = "supplement_received"
    SUBMIT_FOR_APPROVAL = "submit_for_approval"
    APPROVE = "approve"
    SEND_BACK = "send_back"
    MARK_RESULT_READY = "mark_result_ready"
    RETURN_RESULT = "return_result"
    REFUSE = "refuse"
    STOP = "stop"
    WITHDRAW = "withdraw"
    APOLOGISE = "apologise"

    @property
    def label_vi(self) -> str:
        return _ACTION_TEXT[self][0]

    @property
    def label_en(self) -> str:
        return _ACTION_TEXT[self][1]


class Role(StrEnum):
    RECEIVER = "receiver"
    PROCESSOR = "processor"
    UNIT_LEADER = "unit_leader"
    AGENCY_LEADER = "agency_leader"
    ADMIN = "admin"
    CONSULTEE = "consultee"

    @property
    def label_vi(self) -> str:
        return _ROLE_TEXT[self][0]

    @property
    def label_en(self) -> str:
        return _ROLE_TEXT[self][1]


class ClockEffect(StrEnum):
    NONE = "none"
    START = "start"
    PAUSE = "pause"
    RESTART = "restart"
    RESUME = "resume"
    EXTEND = "extend"
    STOP = "stop"


class Channel(StrEnum):
    """Kênh nộp hồ sơ: trực tiếp / bưu chính / trực tuyến."""

    COUNTER = "counter"
    POST = "post"
    ONLINE = "online"


# (label, phrase after "khi hồ sơ" / "when the dossier")
_STATE_TEXT: Final[Mapping[DossierState, tuple[str, str, str, str]]] = {
    DossierState.RECEIVED: (
        "Đã tiếp nhận",
        "Received",
        "đã được tiếp nhận",
        "has just been received",
    ),
    DossierState.ASSIGNED: (
        "Đã phân công",
        "Assigned",
        "đã được phân công, chờ thụ lý",
        "is assigned and awaiting acceptance",
    ),
    DossierState.PROCESSING: (
        "Đang xử lý",
        "Processing",
        "đang được xử lý",
        "is being processed",
    ),
    DossierState.CONSULTING: (
        "Đang lấy ý kiến",
        "Consulting",
        "đang lấy ý kiến",
        "is awaiting consultation answers",
    ),
    DossierState.TRANSFERRED: (
        "Đang liên thông",
        "Transferred",
        "đang được chuyển liên thông",
        "is being transferred to another agency",
    ),
    DossierState.AWAITING_SUPPLEMENT: (
        "Chờ bổ sung",
        "Awaiting supplement",
        "đang chờ bổ sung",
        "is awaiting a supplement",
    ),
    DossierState.AWAITING_APPROVAL: (
        "Chờ phê duyệt",
        "Awaiting approval",
        "đang chờ phê duyệt",
        "is awaiting approval",
    ),
    DossierState.APPROVED: (
        "Đã phê duyệt",
        "Approved",
        "đã được phê duyệt",
        "has been approved",
    ),
    DossierState.RESULT_READY: (
        "Có kết quả, chờ trả",
        "Result ready",
        "đã có kết quả, chờ trả",
        "has its result ready for return",
    ),
    DossierState.RETURNED: (
        "Đã trả kết quả",
        "Returned",
        "đã trả kết quả",
        "has been returned",
    ),
    DossierState.REFUSED: ("Từ chối", "Refused", "đã bị từ chối", "has been refused"),
    DossierState.STOPPED: ("Dừng xử lý", "Stopped", "đã dừng xử lý", "has been stopped"),
    DossierState.WITHDRAWN: ("Đã rút", "Withdrawn", "đã được rút", "has been withdrawn"),
}

# (label, verb after "Không thể" / "Cannot")
_ACTION_TEXT: Final[Mapping[DossierAction, tuple[str, str, str, str]]] = {
    DossierAction.RECEIVE: ("Tiếp nhận", "Receive", "tiếp nhận hồ sơ", "receive the dossier"),
    DossierAction.ASSIGN: ("Phân công", "Assign", "phân công xử lý", "assign the dossier"),
    DossierAction.ACCEPT: ("Nhận thụ lý", "Accept", "nhận thụ lý", "accept the dossier"),
    DossierAction.APPRAISE: ("Thẩm định", "Appraise", "thẩm định", "appraise the dossier"),
    DossierAction.TRANSFER_STEP: (
        "Chuyển bước",
        "Next step",
        "chuyển bước xử lý",
        "move to the next step",
    ),
    DossierAction.TRANSFER_AGENCY: (
        "Chuyển liên thông",
        "Transfer to agency",
        "chuyển liên thông",
        "transfer to another agency",
    ),
    DossierAction.CONSULT: ("Lấy ý kiến", "Consult", "lấy ý kiến", "consult another unit"),
    DossierAction.ANSWER_CONSULTATION: (
        "Ghi nhận ý kiến",
        "Record answer",
        "ghi nhận ý kiến",
        "record a consultation answer",
    ),
    DossierAction.REPLY: (
        "Trả lời ý kiến",
        "Reply",
        "trả lời ý kiến",
        "reply to a consultation",
    ),
    DossierAction.REQUEST_SUPPLEMENT: (
        "Yêu cầu bổ sung",
        "Request supplement",
        "yêu cầu bổ sung",
        "request a supplement",
    ),
    DossierAction.SUPPLEMENT_RECEIVED: (
        "Nhận hồ sơ bổ sung",
        "Supplement received",
        "tiếp nhận hồ sơ bổ sung",
        "record the supplement",
    ),
    DossierAction.SUBMIT_FOR_APPROVAL: (
        "Trình phê duyệt",
        "Submit for approval",
        "trình phê duyệt",
        "submit for approval",
    ),
    DossierAction.APPROVE: ("Phê duyệt", "Approve", "phê duyệt", "approve"),
    DossierAction.SEND_BACK: (
        "Trả lại chuyên viên",
        "Send back",
        "trả lại cho chuyên viên",
        "send back to the processor",
    ),
    DossierAction.MARK_RESULT_READY: (
        "Có kết quả",
        "Result ready",
        "ghi nhận có kết quả",
        "mark the result ready",
    ),
    DossierAction.RETURN_RESULT: (
        "Trả kết quả",
        "Return result",
        "trả kết quả",
        "return the result",
    ),
    DossierAction.REFUSE: ("Từ chối", "Refuse", "từ chối", "refuse"),
    DossierAction.STOP: ("Dừng xử lý", "Stop", "dừng xử lý", "stop processing"),
    DossierAction.WITHDRAW: ("Rút hồ sơ", "Withdraw", "rút hồ sơ", "withdraw the dossier"),
    DossierAction.APOLOGISE: (
        "Xin lỗi, hẹn lại",
        "Apologise",
        "gửi văn bản xin lỗi và hẹn lại ngày trả",
        "send an apology with a new date",
    ),
}

_ROLE_TEXT: Final[Mapping[Role, tuple[str, str]]] = {
    Role.RECEIVER: ("Cán bộ một cửa", "The receiving officer"),
    Role.PROCESSOR: ("Chuyên viên thụ lý", "The processing officer"),
    Role.UNIT_LEADER: ("Lãnh đạo phòng", "The unit leader"),
    Role.AGENCY_LEADER: ("Lãnh đạo cơ quan", "The agency leader"),
    Role.ADMIN: ("Quản trị hệ thống", "The administrator"),
    Role.CONSULTEE: ("Đơn vị được hỏi ý kiến", "The consulted agency"),
}


@dataclass(frozen=True, slots=True)
class Transition:
    """What an allowed action does: the state it leads to, who may do it, the clock effect."""

    target: DossierState
    roles: frozenset[str]
    clock_effect: ClockEffect


class TransitionNotAllowed(Exception):  # noqa: N818 - the name the API and the brief use
    """An action refused in a state (HTTP 409). ``code``: ``terminal``, ``not_allowed``,
    ``role`` or the name of a failed guard."""

    def __init__(
        self,
        state: DossierState | None,
        action: DossierAction,
        message_vi: str,
        message_en: str,
        code: str = "not_allowed",
    ) -> None:
        super().__init__(message_vi)
        self.state = state
        self.action = action
        self.message_vi = message_vi
        self.message_en = message_en
        self.code = code

    def __str__(self) -> str:
        return self.message_vi


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------

S = DossierState
A = DossierAction
E = ClockEffect
_RECEIVER: Final = frozenset({Role.RECEIVER.value})
_PROCESSOR: Final = frozenset({Role.PROCESSOR.value})
_LEADERS: Final = frozenset({Role.UNIT_LEADER.value, Role.AGENCY_LEADER.value})
_PROCESSOR_OR_UNIT_LEADER: Final = frozenset({Role.PROCESSOR.value, Role.UNIT_LEADER.value})
_ASSIGNERS: Final = _LEADERS | {Role.ADMIN.value}
_WITHDRAW_RECORDERS: Final = frozenset({Role.RECEIVER.value, Role.ADMIN.value})
_CONSULTEE: Final = frozenset({Role.CONSULTEE.value})


def _t(target: DossierState, roles: frozenset[str], effect: ClockEffect = E.NONE) -> Transition:
    return Transition(target, roles, effect)


#: ``receive`` on a dossier that does not exist yet (state ``None``).
INITIAL_TRANSITIONS: Final[Mapping[DossierAction, Transition]] = MappingProxyType(
    {A.RECEIVE: _t(S.RECEIVED, _RECEIVER, E.START)}  # NĐ 61 art. 17, form 01
)

# Exits every open state before the decision shares: stop (leaders, TT 03/2025 form 05),
# withdraw (citizen's request recorded at the desk or via the portal), apology (art. 19).
_STOP = _t(S.STOPPED, _LEADERS, E.STOP)
_WITHDRAW = _t(S.WITHDRAWN, _WITHDRAW_RECORDERS, E.STOP)


def _apology(state: DossierState) -> Transition:
    return Transition(state, _LEADERS, ClockEffect.EXTEND)


def _reply(state: DossierState) -> Transition:
    """An asked agency answers its referral (art. 19 *lấy ý kiến*, or a supporting agency of
    a parallel transfer): recorded, the state does not change."""
    return Transition(state, _CONSULTEE, ClockEffect.NONE)


_TABLE: dict[tuple[DossierState, DossierAction], Transition] = {
    # -- received: at the desk (NĐ 61 arts. 17-18) --
    (S.RECEIVED, A.ASSIGN): _t(S.ASSIGNED, _ASSIGNERS | _RECEIVER),  # art. 18 transfer + assign
    (S.RECEIVED, A.REQUEST_SUPPLEMENT): _t(S.AWAITING_SUPPLEMENT, _RECEIVER, E.PAUSE),  # form 02
    (S.RECEIVED, A.REFUSE): _t(S.REFUSED, _RECEIVER, E.STOP),  # form 03
    (S.RECEIVED, A.STOP): _STOP,
    (S.RECEIVED, A.WITHDRAW): _WITHDRAW,
    (S.RECEIVED, A.APOLOGISE): _apology(S.RECEIVED),
    # -- assigned: waiting for the processor --
    (S.ASSIGNED, A.ACCEPT): _t(S.PROCESSING, _PROCESSOR),
    (S.ASSIGNED, A.ASSIGN): _t(S.ASSIGNED, _ASSIGNERS),  # reassign
    (S.ASSIGNED, A.STOP): _STOP,
    (S.ASSIGNED, A.WITHDRAW): _WITHDRAW,
    (S.ASSIGNED, A.APOLOGISE): _apology(S.ASSIGNED),
    (S.ASSIGNED, A.REPLY): _reply(S.ASSIGNED),
    # -- processing (art. 19) --
    (S.PROCESSING, A.APPRAISE): _t(S.PROCESSING, _PROCESSOR),
    (S.PROCESSING, A.TRANSFER_STEP): _t(S.PROCESSING, _PROCESSOR_OR_UNIT_LEADER),
    (S.PROCESSING, A.TRANSFER_AGENCY): _t(
        S.TRANSFERRED, _PROCESSOR_OR_UNIT_LEADER | _LEADERS
    ),  # liên thông
    (S.PROCESSING, A.CONSULT): _t(S.CONSULTING, _PROCESSOR),
    (S.PROCESSING, A.REQUEST_SUPPLEMENT): _t(
        S.AWAITING_SUPPLEMENT, _PROCESSOR_OR_UNIT_LEADER, E.PAUSE
    ),  # form 02, within 3 working days of receipt
    (S.PROCESSING, A.SUBMIT_FOR_APPROVAL): _t(S.AWAITING_APPROVAL, _PROCESSOR),
    (S.PROCESSING, A.ASSIGN): _t(S.ASSIGNED, _ASSIGNERS),  # reassign
    (S.PROCESSING, A.REFUSE): _t(S.REFUSED, _LEADERS, E.STOP),  # phiếu từ chối giải quyết
    (S.PROCESSING, A.STOP): _STOP,
    (S.PROCESSING, A.WITHDRAW): _WITHDRAW,
    (S.PROCESSING, A.APOLOGISE): _apology(S.PROCESSING),
    (S.PROCESSING, A.REPLY): _reply(S.PROCESSING),
    # -- consulting (lấy ý kiến, art. 19): ask one more, the asked reply, the holder resumes --
    (S.CONSULTING, A.CONSULT): _t(S.CONSULTING, _PROCESSOR),
    (S.CONSULTING, A.REPLY): _reply(S.CONSULTING),
    (S.CONSULTING, A.ANSWER_CONSULTATION): _t(S.PROCESSING, _PROCESSOR),
    (S.CONSULTING, A.STOP): _STOP,
    (S.CONSULTING, A.WITHDRAW): _WITHDRAW,
    (S.CONSULTING, A.APOLOGISE): _apology(S.CONSULTING),
    # -- transferred (liên thông): the next agency takes it --
    (S.TRANSFERRED, A.ACCEPT): _t(S.PROCESSING, _PROCESSOR),
    (S.TRANSFERRED, A.ASSIGN): _t(S.ASSIGNED, _ASSIGNERS),
    (S.TRANSFERRED, A.STOP): _STOP,
    (S.TRANSFERRED, A.WITHDRAW): _WITHDRAW,
    (S.TRANSFERRED, A.APOLOGISE): _apology(S.TRANSFERRED),
    (S.TRANSFERRED, A.REPLY): _reply(S.TRANSFERRED),
    # -- awaiting a supplement: the clock is paused --
    (S.AWAITING_SUPPLEMENT, A.SUPPLEMENT_RECEIVED): _t(S.RECEIVED, _RECEIVER, E.RESTART),
    (S.AWAITING_SUPPLEMENT, A.STOP): _STOP,
    (S.AWAITING_SUPPLEMENT, A.WITHDRAW): _WITHDRAW,
    # -- awaiting approval --
    (S.AWAITING_APPROVAL, A.APPROVE): _t(S.APPROVED, _LEADERS),
    (S.AWAITING_APPROVAL, A.SEND_BACK): _t(S.PROCESSING, _LEADERS),
    (S.AWAITING_APPROVAL, A.REFUSE): _t(S.REFUSED, _LEADERS, E.STOP),
    (S.AWAITING_APPROVAL, A.STOP): _STOP,
    (S.AWAITING_APPROVAL, A.WITHDRAW): _WITHDRAW,
    (S.AWAITING_APPROVAL, A.APOLOGISE): _apology(S.AWAITING_APPROVAL),
    (S.AWAITING_APPROVAL, A.REPLY): _reply(S.AWAITING_APPROVAL),
    # -- approved: the decision is signed --
    (S.APPROVED, A.MARK_RESULT_READY): _t(
        S.RESULT_READY, frozenset({Role.PROCESSOR.value, Role.RECEIVER.value}), E.STOP
    ),  # "đã xử lý xong": end of processing for Decision 766
    (S.APPROVED, A.RETURN_RESULT): _t(S.RETURNED, _RECEIVER, E.STOP),  # art. 20
    (S.APPROVED, A.APOLOGISE): _apology(S.APPROVED),
    # -- result ready: waiting for the applicant (art. 20) --
    (S.RESULT_READY, A.RETURN_RESULT): _t(S.RETURNED, _RECEIVER),
}

#: The lifecycle table: (state, action) -> :class:`Transition`. Absent pairs are refused.
TRANSITIONS: Final[Mapping[tuple[DossierState, DossierAction], Transition]] = MappingProxyType(
    _TABLE
)

TERMINAL_STATES: Final = frozenset({S.RETURNED, S.REFUSED, S.STOPPED, S.WITHDRAWN})
OPEN_STATES: Final = frozenset(s for s in DossierState if s not in TERMINAL_STATES)

del S, A, E


def is_terminal(state: DossierState | str) -> bool:
    """Whether no action is possible any more (returned, refused, stopped, withdrawn)."""
    return DossierState(state) in TERMINAL_STATES


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


def _state_phrase(state: DossierState | None) -> tuple[str, str]:
    if state is None:
        return "chưa được tiếp nhận", "has not been received yet"
    text = _STATE_TEXT[state]
    return text[2], text[3]


def _refusal(state: DossierState | None, action: DossierAction, code: str) -> TransitionNotAllowed:
    vi, en = _state_phrase(state)
    verb = _ACTION_TEXT[action]
    message_vi = f"Không thể {verb[2]} khi hồ sơ {vi}."
    message_en = f"Cannot {verb[3]} when the dossier {en}."
    return TransitionNotAllowed(state, action, message_vi, message_en, code)


def _lookup(state: DossierState | None, action: DossierAction) -> Transition | None:
    if state is None:
        return INITIAL_TRANSITIONS.get(action)
    return TRANSITIONS.get((state, action))


_ROLE_VALUES: Final = frozenset(r.value for r in Role)


def _role_names(roles: Iterable[str]) -> tuple[str, str]:
    ordered = [r for r in Role if r.value in set(roles)]
    return ", ".join(r.label_vi.lower() for r in ordered), ", ".join(
        r.label_en.removeprefix("The ") for r in ordered
    )


def transition(
    state: DossierState | str | None, action: DossierAction | str, role: str
) -> Transition:
    """The transition of ``action`` in ``state`` for someone acting as ``role``.

    ``state=None`` is a dossier not yet received (only ``receive``). Raises
    :class:`TransitionNotAllowed` with code ``terminal`` (the dossier is closed), ``not_allowed``
    (not in :data:`TRANSITIONS`) or ``role`` (the role may not do it), e.g. *"Không thể yêu cầu
    bổ sung khi hồ sơ đã trả kết quả."*
    """
    st = DossierState(state) if state is not None else None
    act = DossierAction(action)
    if st is not None and st in TERMINAL_STATES:
        raise _refusal(st, act, "terminal")
    found = _lookup(st, act)
    if found is None:
        raise _refusal(st, act, "not_allowed")
    if role not in found.roles:
        vi, en = _state_phrase(st)
        names_vi, names_en = _role_names(found.roles)
        role_vi, role_en = _ROLE_TEXT[Role(role)] if role in _ROLE_VALUES else (role, role)
        verb = _ACTION_TEXT[act]
        raise TransitionNotAllowed(
            st,
            act,
            f"{role_vi} không được {verb[2]} khi hồ sơ {vi}; cần vai trò: {names_vi}.",
            f"{role_en} may not {verb[3]} when the dossier {en}; allowed roles: {names_en}.",
            "role",
        )
    return found


def allowed_actions(state: DossierState | str | None, roles: Iterable[str]) -> list[DossierAction]:
    """Actions that any of ``roles`` may take in ``state``, in declaration order (for buttons).
    Context guards (:func:`check_guards`) are not applied."""
    st = DossierState(state) if state is not None else None
    held = set(roles)
    out: list[DossierAction] = []
    for act in DossierAction:
        found = _lookup(st, act)
        if found is not None and held & found.roles:
            out.append(act)
    return out


# --------------------------------------------------------------------------------------------
# Guards
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GuardContext:
    """What the guards need to know about the dossier beyond its state.

    ``channel`` is required: forgetting it must not silently lift the online once-only rule.

    ``now``/``due``/``calendar`` enable the apology timing check; ``received_at`` (with ``now``
    and ``calendar``) enables the 3-working-day warning for supplement requests.

    ``pending_consultations``: names of the agencies consulted that have not answered while
    their deadline still runs; ``pending_cooperation``: names of the supporting agencies of a
    parallel transfer that have not answered (deadline or not).
    """

    channel: Channel | str
    supplement_requests_so_far: int = 0
    has_apology: bool = False
    now: datetime | None = None
    due: datetime | None = None
    received_at: datetime | None = None
    calendar: WorkCalendar | None = None
    pending_consultations: tuple[str, ...] = ()
    pending_cooperation: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GuardWarning:
    """A rule the action bends without being refused (shown to the officer)."""

    code: str
    message_vi: str
    message_en: str


def check_guards(
    state: DossierState | str | None, action: DossierAction | str, context: GuardContext
) -> list[GuardWarning]:
    """Rules that need context beyond (state, action, role). Raises
    :class:`TransitionNotAllowed` when one is broken; returns warnings for soft rules.

    * ``request_supplement`` on an **online** dossier: only once (NĐ 61/2018 art. 17: notify
      once, with complete instructions). Other channels: a second request is allowed but warned
      about: Decision 766 counts the dossier as late (regulations §1.3).
    * ``request_supplement`` more than 3 working days after the receipt: warned (art. 19: the
      notice is due within 3 working days of receipt unless sector law says otherwise).
    * ``apologise``: only once, and at least one working day before the due date (art. 19).
    * ``answer_consultation`` (the holder resumes processing): refused while a consulted unit
      has not answered and its deadline has not passed (NĐ 61/2018 art. 19, *lấy ý kiến*: the
      answers are recorded); past the deadline, silence counts as agreement.
    * ``submit_for_approval``: refused while a supporting agency of a parallel transfer has not
      answered (art. 19, *liên thông* with a lead agency: the lead decides with the
      supporting agencies' contributions).
    """
    st = DossierState(state) if state is not None else None
    act = DossierAction(action)
    warnings: list[GuardWarning] = []
    if act is DossierAction.REQUEST_SUPPLEMENT:
        if context.supplement_requests_so_far >= 1:
            if Channel(context.channel) is Channel.ONLINE:
                raise TransitionNotAllowed(
                    st,
                    act,
                    "Hồ sơ trực tuyến chỉ được yêu cầu bổ sung một lần, với hướng dẫn đầy đủ "
                    "(NĐ 61/2018, Điều 17).",
                    "An online dossier may be asked for a supplement only once, with complete "
                    "instructions (Decree 61/2018, art. 17).",
                    "online_supplement_once",
                )
            warnings.append(
                GuardWarning(
                    "second_supplement_request",
                    "Đây là lần yêu cầu bổ sung thứ hai: theo Quyết định 766 hồ sơ bị tính là "
                    "trễ hạn.",
                    "This is a second supplement request: Decision 766 counts the dossier as late.",
                )
            )
        if (
            context.received_at is not None
            and context.now is not None
            and context.calendar is not None
        ):
            received = context.received_at.astimezone(VN_TZ).date()
            now = context.now.astimezone(VN_TZ).date()
            if context.calendar.working_days_between(received, now) > 3:
                warnings.append(
                    GuardWarning(
                        "late_supplement_request",
                        "Đã quá 03 ngày làm việc kể từ ngày tiếp nhận: yêu cầu bổ sung lẽ ra phải "
                        "gửi sớm hơn (NĐ 61/2018, Điều 19).",
                        "More than 3 working days since receipt: the supplement request should "
                        "have been sent earlier (Decree 61/2018, art. 19).",
                    )
                )
    elif act is DossierAction.ANSWER_CONSULTATION and context.pending_consultations:
        names = ", ".join(context.pending_consultations)
        raise TransitionNotAllowed(
            st,
            act,
            f"Chưa thể tiếp tục xử lý: còn chờ ý kiến của {names} và thời hạn trả lời chưa hết "
            "(NĐ 61/2018, Điều 19). Quá thời hạn mà không có ý kiến thì được coi là đồng ý.",
            f"Processing cannot resume yet: still waiting for the answer of {names}, whose "
            "deadline has not passed (Decree 61/2018, art. 19). Past the deadline, silence "
            "counts as agreement.",
            "consultation_pending",
        )
    elif act is DossierAction.SUBMIT_FOR_APPROVAL and context.pending_cooperation:
        names = ", ".join(context.pending_cooperation)
        raise TransitionNotAllowed(
            st,
            act,
            f"Chưa thể trình phê duyệt: cơ quan phối hợp chưa gửi ý kiến: {names} "
            "(NĐ 61/2018, Điều 19, liên thông).",
            f"Cannot submit for approval yet: supporting agencies have not answered: {names} "
            "(Decree 61/2018, art. 19, inter-agency processing).",
            "cooperation_pending",
        )
    elif act is DossierAction.APOLOGISE:
        apologies = 1 if context.has_apology else 0
        if context.now is not None and context.due is not None and context.calendar is not None:
            ok, vi, en = apology_allowed(context.now, context.due, context.calendar, apologies)
            if not ok:
                code = "apology_once" if apologies else "apology_too_late"
                raise TransitionNotAllowed(st, act, vi, en, code)
        elif context.has_apology:
            raise TransitionNotAllowed(
                st,
                act,
                "Chỉ được xin lỗi và hẹn lại ngày trả kết quả một lần (NĐ 61/2018, Điều 19).",
                "The return date may be rescheduled with an apology only once (Decree 61/2018, "
                "art. 19).",
                "apology_once",
            )
    return warnings


def check_transition(
    state: DossierState | str | None,
    action: DossierAction | str,
    role: str,
    context: GuardContext,
) -> tuple[Transition, list[GuardWarning]]:
    """:func:`transition` then :func:`check_guards`: everything the API checks before acting."""
    found = transition(state, action, role)
    return found, check_guards(state, action, context)


# --------------------------------------------------------------------------------------------
# Docs
# --------------------------------------------------------------------------------------------


def transitions_markdown() -> str:
    """The lifecycle table as Markdown, one row per allowed (state, action), for the docs."""
    lines = [
        "| Trạng thái / State | Thao tác / Action | Trạng thái mới / Target "
        "| Vai trò / Roles | Đồng hồ / Clock |",
        "| --- | --- | --- | --- | --- |",
    ]

    def row(state: DossierState | None, action: DossierAction, t: Transition) -> str:
        source = f"{state.label_vi} (`{state.value}`)" if state is not None else "— (mới / new)"
        roles = ", ".join(f"`{r.value}`" for r in Role if r.value in t.roles)
        return (
            f"| {source} | {action.label_vi} (`{action.value}`) "
            f"| {t.target.label_vi} (`{t.target.value}`) | {roles} | `{t.clock_effect.value}` |"
        )

    for action, t in INITIAL_TRANSITIONS.items():
        lines.append(row(None, action, t))
    for state in DossierState:
        for action in DossierAction:
            found = TRANSITIONS.get((state, action))
            if found is not None:
                lines.append(row(state, action, found))
    terminal = ", ".join(f"`{s.value}`" for s in DossierState if s in TERMINAL_STATES)
    lines.append("")
    lines.append(f"Trạng thái kết thúc / terminal states: {terminal}.")
    return "\n".join(lines) + "\n"


def reachable_states(start: DossierState | None = None) -> frozenset[DossierState]:
    """States reachable from ``start`` (``None``: from a new dossier) through the table."""
    seen: set[DossierState] = set()
    queue: deque[DossierState] = deque()
    firsts = [t.target for t in INITIAL_TRANSITIONS.values()] if start is None else [start]
    for s in firsts:
        if s not in seen:
            seen.add(s)
            queue.append(s)
    while queue:
        s = queue.popleft()
        for (src, _), t in TRANSITIONS.items():
            if src is s and t.target not in seen:
                seen.add(t.target)
                queue.append(t.target)
    return frozenset(seen)
