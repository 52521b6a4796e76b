"""The lifecycle table rows and guards of consultations and parallel transfers (NĐ 61/2018
art. 19): pure, table-driven, plus a property over the pending lists."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.dossiers.workflow import (
    TRANSITIONS,
    ClockEffect,
    DossierAction,
    DossierState,
    GuardContext,
    Role,
    TransitionNotAllowed,
    allowed_actions,
    check_guards,
    transition,
)

S = DossierState
A = DossierAction


@pytest.mark.parametrize(
    ("state", "action", "role", "target"),
    [
        (S.PROCESSING, A.CONSULT, Role.PROCESSOR, S.CONSULTING),
        (S.CONSULTING, A.CONSULT, Role.PROCESSOR, S.CONSULTING),  # ask one more
        (S.CONSULTING, A.ANSWER_CONSULTATION, Role.PROCESSOR, S.PROCESSING),
        (S.PROCESSING, A.TRANSFER_AGENCY, Role.PROCESSOR, S.TRANSFERRED),  # either mode
        # The asked agency replies; the state never changes.
        (S.ASSIGNED, A.REPLY, Role.CONSULTEE, S.ASSIGNED),
        (S.PROCESSING, A.REPLY, Role.CONSULTEE, S.PROCESSING),
        (S.CONSULTING, A.REPLY, Role.CONSULTEE, S.CONSULTING),
        (S.TRANSFERRED, A.REPLY, Role.CONSULTEE, S.TRANSFERRED),
        (S.AWAITING_APPROVAL, A.REPLY, Role.CONSULTEE, S.AWAITING_APPROVAL),
    ],
)
def test_referral_transitions(state, action, role, target) -> None:
    t = transition(state, action, role.value)
    assert (t.target, t.clock_effect) == (target, ClockEffect.NONE)


@pytest.mark.parametrize(
    ("state", "action", "role", "code"),
    [
        (S.CONSULTING, A.REPLY, Role.PROCESSOR, "role"),  # only the asked agency replies
        (S.CONSULTING, A.ANSWER_CONSULTATION, Role.CONSULTEE, "role"),
        (S.CONSULTING, A.SUBMIT_FOR_APPROVAL, Role.PROCESSOR, "not_allowed"),
        (S.RECEIVED, A.REPLY, Role.CONSULTEE, "not_allowed"),
        (S.AWAITING_SUPPLEMENT, A.CONSULT, Role.PROCESSOR, "not_allowed"),
        (S.RETURNED, A.REPLY, Role.CONSULTEE, "terminal"),
    ],
)
def test_referral_refusals(state, action, role, code) -> None:
    with pytest.raises(TransitionNotAllowed) as info:
        transition(state, action, role.value)
    assert info.value.code == code


def test_the_consultee_only_replies() -> None:
    for (state, action), t in TRANSITIONS.items():
        if Role.CONSULTEE.value in t.roles:
            assert action is A.REPLY and t.target is state and t.roles == {"consultee"}
    assert allowed_actions(S.CONSULTING, ["consultee"]) == [A.REPLY]


@pytest.mark.parametrize(
    ("action", "context", "code"),
    [
        (
            A.ANSWER_CONSULTATION,
            {"pending_consultations": ("Sở Xây dựng",)},
            "consultation_pending",
        ),
        (A.SUBMIT_FOR_APPROVAL, {"pending_cooperation": ("Xã Tân Phú",)}, "cooperation_pending"),
        (A.ANSWER_CONSULTATION, {"pending_cooperation": ("Xã Tân Phú",)}, None),
        (A.SUBMIT_FOR_APPROVAL, {"pending_consultations": ("Sở Xây dựng",)}, None),
        (A.ANSWER_CONSULTATION, {}, None),
        (A.SUBMIT_FOR_APPROVAL, {}, None),
    ],
)
def test_referral_guards(action, context, code) -> None:
    ctx = GuardContext(channel="counter", **context)
    if code is None:
        assert check_guards(S.PROCESSING, action, ctx) == []
        return
    with pytest.raises(TransitionNotAllowed) as info:
        check_guards(S.PROCESSING, action, ctx)
    assert info.value.code == code
    assert (
        "NĐ 61/2018, Điều 19" in info.value.message_vi and "Decree 61/2018" in info.value.message_en
    )


_names = st.lists(st.text(min_size=1, max_size=20), max_size=4).map(tuple)


@given(consultations=_names, cooperation=_names)
def test_guards_refuse_exactly_when_someone_is_pending(consultations, cooperation) -> None:
    ctx = GuardContext(
        channel="online", pending_consultations=consultations, pending_cooperation=cooperation
    )
    for action, pending in (
        (A.ANSWER_CONSULTATION, consultations),
        (A.SUBMIT_FOR_APPROVAL, cooperation),
    ):
        try:
            check_guards(S.PROCESSING, action, ctx)
        except TransitionNotAllowed as error:
            assert pending
            assert all(name in error.message_vi and name in error.message_en for name in pending)
        else:
            assert not pending
