"""The lifecycle table (NĐ 61/2018 arts. 17-20, TT 03/2025/TT-VPCP) and its guards."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from caicach.calendars.rules import VN_TZ, official_calendar
from caicach.dossiers.workflow import (
    INITIAL_TRANSITIONS,
    OPEN_STATES,
    TERMINAL_STATES,
    TRANSITIONS,
    Channel,
    ClockEffect,
    DossierAction,
    DossierState,
    GuardContext,
    Role,
    Transition,
    TransitionNotAllowed,
    allowed_actions,
    check_guards,
    check_transition,
    is_terminal,
    reachable_states,
    transition,
    transitions_markdown,
)

CAL = official_calendar()
S = DossierState
A = DossierAction
ALL_ROLES = [r.value for r in Role]


def vn(y: int, mo: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=VN_TZ)


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


def test_terminal_and_open_states_partition_the_states() -> None:
    assert {S.RETURNED, S.REFUSED, S.STOPPED, S.WITHDRAWN} == TERMINAL_STATES
    assert set(S) == OPEN_STATES | TERMINAL_STATES
    assert not OPEN_STATES & TERMINAL_STATES
    assert is_terminal("returned") and not is_terminal(S.PROCESSING)


def test_roles_are_known_and_never_empty() -> None:
    for t in [*TRANSITIONS.values(), *INITIAL_TRANSITIONS.values()]:
        assert t.roles
        assert t.roles <= set(ALL_ROLES)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        pytest.param(s, a, id=f"{s.value}-{a.value}")
        for s, a in itertools.product(S, A)
        if (s, a) not in TRANSITIONS
    ],
)
def test_every_pair_not_in_the_table_is_refused(state: DossierState, action: DossierAction) -> None:
    for role in ALL_ROLES:
        with pytest.raises(TransitionNotAllowed) as info:
            transition(state, action, role)
        assert info.value.code == ("terminal" if state in TERMINAL_STATES else "not_allowed")
        assert info.value.state is state and info.value.action is action
        assert info.value.message_vi.startswith("Không thể ")
        assert info.value.message_en.startswith("Cannot ")
    assert action not in allowed_actions(state, ALL_ROLES)


def test_no_transition_leaves_a_terminal_state() -> None:
    assert not [key for key in TRANSITIONS if key[0] in TERMINAL_STATES]
    for state in TERMINAL_STATES:
        assert allowed_actions(state, ALL_ROLES) == []


def test_every_open_state_can_reach_a_terminal_state() -> None:
    for state in OPEN_STATES:
        assert reachable_states(state) & TERMINAL_STATES, state


def test_every_state_is_reachable_from_a_new_dossier() -> None:
    assert reachable_states() == set(S)


def test_the_normal_path_reaches_returned() -> None:
    """Desk receives (form 01) -> leader assigns -> processor accepts, appraises, submits ->
    leader approves -> result ready -> desk returns the result (NĐ 61 arts. 17-20)."""
    path = [
        (None, A.RECEIVE, Role.RECEIVER, S.RECEIVED, ClockEffect.START),
        (S.RECEIVED, A.ASSIGN, Role.UNIT_LEADER, S.ASSIGNED, ClockEffect.NONE),
        (S.ASSIGNED, A.ACCEPT, Role.PROCESSOR, S.PROCESSING, ClockEffect.NONE),
        (S.PROCESSING, A.APPRAISE, Role.PROCESSOR, S.PROCESSING, ClockEffect.NONE),
        (S.PROCESSING, A.CONSULT, Role.PROCESSOR, S.CONSULTING, ClockEffect.NONE),
        (S.CONSULTING, A.ANSWER_CONSULTATION, Role.PROCESSOR, S.PROCESSING, ClockEffect.NONE),
        (
            S.PROCESSING,
            A.SUBMIT_FOR_APPROVAL,
            Role.PROCESSOR,
            S.AWAITING_APPROVAL,
            ClockEffect.NONE,
        ),
        (S.AWAITING_APPROVAL, A.SEND_BACK, Role.AGENCY_LEADER, S.PROCESSING, ClockEffect.NONE),
        (
            S.PROCESSING,
            A.SUBMIT_FOR_APPROVAL,
            Role.PROCESSOR,
            S.AWAITING_APPROVAL,
            ClockEffect.NONE,
        ),
        (S.AWAITING_APPROVAL, A.APPROVE, Role.AGENCY_LEADER, S.APPROVED, ClockEffect.NONE),
        (S.APPROVED, A.MARK_RESULT_READY, Role.PROCESSOR, S.RESULT_READY, ClockEffect.STOP),
        (S.RESULT_READY, A.RETURN_RESULT, Role.RECEIVER, S.RETURNED, ClockEffect.NONE),
    ]
    for state, action, role, target, effect in path:
        t = transition(state, action, role)
        assert (t.target, t.clock_effect) == (target, effect), (state, action)


def test_supplement_path_restarts_through_the_desk() -> None:
    """A supplement request pauses; the complete dossier comes back to the desk, which issues a
    new receipt (the time limit is recounted from the start, NĐ 61 art. 19)."""
    t = transition(S.PROCESSING, A.REQUEST_SUPPLEMENT, Role.PROCESSOR)
    assert (t.target, t.clock_effect) == (S.AWAITING_SUPPLEMENT, ClockEffect.PAUSE)
    t = transition(S.AWAITING_SUPPLEMENT, A.SUPPLEMENT_RECEIVED, Role.RECEIVER)
    assert (t.target, t.clock_effect) == (S.RECEIVED, ClockEffect.RESTART)


def test_inter_agency_path() -> None:
    """Liên thông: the lead agency transfers; the next agency's leader assigns or its processor
    accepts directly."""
    assert transition(S.PROCESSING, A.TRANSFER_AGENCY, Role.PROCESSOR).target is S.TRANSFERRED
    assert transition(S.TRANSFERRED, A.ACCEPT, Role.PROCESSOR).target is S.PROCESSING
    assert transition(S.TRANSFERRED, A.ASSIGN, Role.UNIT_LEADER).target is S.ASSIGNED
    assert transition(S.PROCESSING, A.TRANSFER_STEP, Role.UNIT_LEADER).target is S.PROCESSING


def test_terminal_targets_stop_the_clock() -> None:
    """Every way into a terminal state ends processing, except returning a result that was
    already ready (its clock stopped at ``mark_result_ready``)."""
    for (state, _action), t in TRANSITIONS.items():
        if t.target in TERMINAL_STATES:
            expected = ClockEffect.NONE if state is S.RESULT_READY else ClockEffect.STOP
            assert t.clock_effect is expected, (state, _action)
        if t.clock_effect is ClockEffect.STOP:
            assert t.target in TERMINAL_STATES or t.target is S.RESULT_READY


def test_apology_changes_no_state_and_only_while_open() -> None:
    for (state, action), t in TRANSITIONS.items():
        if action is A.APOLOGISE:
            assert t.target is state
            assert t.clock_effect is ClockEffect.EXTEND
    allowed = {s for (s, a) in TRANSITIONS if a is A.APOLOGISE}
    assert allowed <= OPEN_STATES
    # no due date runs while waiting for the applicant; nothing to reschedule once ready
    assert S.AWAITING_SUPPLEMENT not in allowed
    assert S.RESULT_READY not in allowed


def test_withdrawal_possible_until_the_decision_is_signed() -> None:
    can_withdraw = {s for (s, a) in TRANSITIONS if a is A.WITHDRAW}
    assert can_withdraw == OPEN_STATES - {S.APPROVED, S.RESULT_READY}


def test_only_receive_on_a_new_dossier() -> None:
    assert transition(None, "receive", "receiver") == Transition(
        S.RECEIVED, frozenset({"receiver"}), ClockEffect.START
    )
    assert allowed_actions(None, ALL_ROLES) == [A.RECEIVE]
    with pytest.raises(TransitionNotAllowed, match="chưa được tiếp nhận") as info:
        transition(None, A.APPROVE, Role.AGENCY_LEADER)
    assert info.value.state is None


# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------

# fmt: off
REFUSALS = [
    pytest.param(S.RETURNED, A.REQUEST_SUPPLEMENT, Role.PROCESSOR, "terminal",
                 "Không thể yêu cầu bổ sung khi hồ sơ đã trả kết quả.",
                 "Cannot request a supplement when the dossier has been returned.", id="supplement-after-return"),
    pytest.param(S.WITHDRAWN, A.APOLOGISE, Role.AGENCY_LEADER, "terminal",
                 "Không thể gửi văn bản xin lỗi và hẹn lại ngày trả khi hồ sơ đã được rút.",
                 "Cannot send an apology with a new date when the dossier has been withdrawn.", id="apology-after-withdrawal"),
    pytest.param(S.AWAITING_SUPPLEMENT, A.APPROVE, Role.AGENCY_LEADER, "not_allowed",
                 "Không thể phê duyệt khi hồ sơ đang chờ bổ sung.",
                 "Cannot approve when the dossier is awaiting a supplement.", id="approve-while-waiting"),
    pytest.param(S.AWAITING_APPROVAL, A.APPROVE, Role.PROCESSOR, "role",
                 "Chuyên viên thụ lý không được phê duyệt khi hồ sơ đang chờ phê duyệt; cần vai trò: lãnh đạo phòng, lãnh đạo cơ quan.",
                 "The processing officer may not approve when the dossier is awaiting approval; allowed roles: unit leader, agency leader.", id="processor-cannot-approve"),
    pytest.param(S.PROCESSING, A.REFUSE, Role.ADMIN, "role",
                 "Quản trị hệ thống không được từ chối khi hồ sơ đang được xử lý; cần vai trò: lãnh đạo phòng, lãnh đạo cơ quan.",
                 "The administrator may not refuse when the dossier is being processed; allowed roles: unit leader, agency leader.", id="admin-decides-nothing"),
]
# fmt: on


@pytest.mark.parametrize(("state", "action", "role", "code", "vi", "en"), REFUSALS)
def test_refusal_messages(
    state: DossierState, action: DossierAction, role: Role, code: str, vi: str, en: str
) -> None:
    with pytest.raises(TransitionNotAllowed) as info:
        transition(state, action, role)
    assert (info.value.code, info.value.message_vi, info.value.message_en) == (code, vi, en)
    assert str(info.value) == vi


def test_unknown_role_is_refused_not_crashed() -> None:
    with pytest.raises(TransitionNotAllowed) as info:
        transition(S.RECEIVED, A.ASSIGN, "citizen")
    assert info.value.code == "role"
    assert info.value.message_vi.startswith("citizen không được phân công xử lý")


def test_unknown_state_or_action_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        transition("lost", A.ASSIGN, "receiver")
    with pytest.raises(ValueError):
        transition(S.RECEIVED, "teleport", "receiver")


def test_allowed_actions_by_role() -> None:
    assert allowed_actions(S.PROCESSING, [Role.PROCESSOR]) == [
        A.APPRAISE,
        A.TRANSFER_STEP,
        A.TRANSFER_AGENCY,
        A.CONSULT,
        A.REQUEST_SUPPLEMENT,
        A.SUBMIT_FOR_APPROVAL,
    ]
    assert allowed_actions(S.AWAITING_APPROVAL, ["unit_leader"]) == [
        A.APPROVE,
        A.SEND_BACK,
        A.REFUSE,
        A.STOP,
        A.APOLOGISE,
    ]
    assert allowed_actions(S.RESULT_READY, ["receiver", "processor"]) == [A.RETURN_RESULT]
    assert allowed_actions(S.PROCESSING, ["admin"]) == [A.ASSIGN, A.WITHDRAW]
    assert allowed_actions(S.PROCESSING, []) == []


def test_markdown_has_one_row_per_transition() -> None:
    text = transitions_markdown()
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + len(TRANSITIONS) + len(INITIAL_TRANSITIONS)
    assert (
        "| Chờ bổ sung (`awaiting_supplement`) | Nhận hồ sơ bổ sung (`supplement_received`) "
        "| Đã tiếp nhận (`received`) | `receiver` | `restart` |" in text
    )
    assert "terminal states: `returned`, `refused`, `stopped`, `withdrawn`." in text


# --------------------------------------------------------------------------------------------
# Guards
# --------------------------------------------------------------------------------------------


def test_online_dossier_supplement_only_once() -> None:
    """NĐ 61/2018 art. 17: an online dossier is notified once, with complete instructions."""
    first = GuardContext(channel=Channel.ONLINE, supplement_requests_so_far=0)
    assert check_guards(S.RECEIVED, A.REQUEST_SUPPLEMENT, first) == []
    second = GuardContext(channel="online", supplement_requests_so_far=1)
    with pytest.raises(TransitionNotAllowed) as info:
        check_guards(S.PROCESSING, A.REQUEST_SUPPLEMENT, second)
    assert info.value.code == "online_supplement_once"
    assert "một lần" in info.value.message_vi


def test_counter_dossier_second_supplement_is_warned() -> None:
    """Not forbidden for paper dossiers, but Decision 766 counts a second request as late."""
    ctx = GuardContext(channel=Channel.COUNTER, supplement_requests_so_far=1)
    warnings = check_guards(S.PROCESSING, A.REQUEST_SUPPLEMENT, ctx)
    assert [w.code for w in warnings] == ["second_supplement_request"]


# fmt: off
LATE_REQUEST_CASES = [
    # received Mon 24/11/2025; 3 working days later is Thu 27/11
    pytest.param(vn(2025, 11, 27, 16), [], id="thu-27-11-third-working-day"),
    pytest.param(vn(2025, 11, 28, 9), ["late_supplement_request"], id="fri-28-11-fourth-working-day"),
    # received Thu 12/2/2026; Tết Mon 16 - Fri 20/2 is skipped: Fri 13, Mon 23, Tue 24
    pytest.param(vn(2026, 2, 24, 9), [], id="tet-2026-tue-24-2-third-working-day"),
    pytest.param(vn(2026, 2, 25, 9), ["late_supplement_request"], id="tet-2026-wed-25-2-late"),
]
# fmt: on


@pytest.mark.parametrize(("now", "codes"), LATE_REQUEST_CASES)
def test_supplement_request_after_three_working_days_is_warned(
    now: datetime, codes: list[str]
) -> None:
    """NĐ 61/2018 art. 19: the notice is due within 3 working days of receipt."""
    received = vn(2025, 11, 24) if now.year == 2025 else vn(2026, 2, 12)
    ctx = GuardContext(Channel.COUNTER, received_at=received, now=now, calendar=CAL)
    assert [w.code for w in check_guards(S.PROCESSING, A.REQUEST_SUPPLEMENT, ctx)] == codes


def test_apology_only_once() -> None:
    with pytest.raises(TransitionNotAllowed) as info:
        check_guards(S.PROCESSING, A.APOLOGISE, GuardContext(Channel.ONLINE, has_apology=True))
    assert info.value.code == "apology_once"
    assert check_guards(S.PROCESSING, A.APOLOGISE, GuardContext(Channel.ONLINE)) == []


def test_apology_timing_uses_the_calendar() -> None:
    """Due Mon 1/12/2025 17:00: Fri 28/11 is the last day for an apology (art. 19)."""
    due = vn(2025, 12, 1, 17)
    ok = GuardContext(Channel.COUNTER, now=vn(2025, 11, 28, 16), due=due, calendar=CAL)
    assert check_guards(S.PROCESSING, A.APOLOGISE, ok) == []
    late = GuardContext(Channel.COUNTER, now=vn(2025, 11, 29, 9), due=due, calendar=CAL)  # Saturday
    with pytest.raises(TransitionNotAllowed) as info:
        check_guards(S.PROCESSING, A.APOLOGISE, late)
    assert info.value.code == "apology_too_late"
    twice = GuardContext(
        Channel.COUNTER, now=vn(2025, 11, 27), due=due, calendar=CAL, has_apology=True
    )
    with pytest.raises(TransitionNotAllowed) as info:
        check_guards(S.PROCESSING, A.APOLOGISE, twice)
    assert info.value.code == "apology_once"


def test_check_transition_combines_table_and_guards() -> None:
    ctx = GuardContext(channel=Channel.POST, supplement_requests_so_far=1)
    t, warnings = check_transition(S.PROCESSING, A.REQUEST_SUPPLEMENT, "processor", ctx)
    assert t.target is S.AWAITING_SUPPLEMENT
    assert [w.code for w in warnings] == ["second_supplement_request"]
    with pytest.raises(TransitionNotAllowed) as info:
        check_transition(S.PROCESSING, A.REQUEST_SUPPLEMENT, "receiver", ctx)
    assert info.value.code == "role"


def test_other_actions_have_no_guards() -> None:
    ctx = GuardContext(channel=Channel.ONLINE, supplement_requests_so_far=5, has_apology=True)
    for action in A:
        if action not in (A.REQUEST_SUPPLEMENT, A.APOLOGISE):
            assert check_guards(S.PROCESSING, action, ctx) == []
