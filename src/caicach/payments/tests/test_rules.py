"""Hand-worked cases for the payment rules (Decision 766, 3.5) and a property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.payments import rules
from caicach.payments.rules import PaymentFact as P
from caicach.procedures.rules import FeeAmount


@pytest.mark.parametrize(
    ("fees", "owed"),
    [([], 0), ([0], 0), ([50_000], 50_000), ([8_000, 100_000], 108_000)],
)
def test_amount_owed(fees: list[int], owed: int) -> None:
    assert rules.amount_owed(FeeAmount(a) for a in fees) == owed


@pytest.mark.parametrize(
    ("payments", "expected"),
    [
        # nothing paid
        ([], False),
        # cash at the counter is not online
        ([P("payment", "cash", 50_000)], False),
        ([P("payment", "bank_transfer", 50_000)], False),
        # paid through the national platform / a gateway
        ([P("payment", "national_platform", 50_000)], True),
        ([P("payment", "gateway", 50_000)], True),
        # fully refunded online payment: does not count
        ([P("payment", "gateway", 50_000), P("refund", "gateway", 50_000)], False),
        # partly refunded: 50 000 - 20 000 = 30 000 > 0, still counts
        ([P("payment", "gateway", 50_000), P("refund", "gateway", 20_000)], True),
        # refunded online, then paid cash: the cash does not make it online
        (
            [
                P("payment", "national_platform", 8_000),
                P("refund", "national_platform", 8_000),
                P("payment", "cash", 8_000),
            ],
            False,
        ),
        # a cash refund does not cancel an online payment
        ([P("payment", "gateway", 8_000), P("refund", "cash", 8_000)], True),
    ],
)
def test_paid_online(payments: list[P], expected: bool) -> None:
    assert rules.paid_online(payments) is expected


@pytest.mark.parametrize(
    ("channel", "code"),
    [("cash", 0), ("bank_transfer", 0), ("national_platform", 1), ("gateway", 2)],
)
def test_portal_code(channel: str, code: int) -> None:
    assert rules.portal_code(channel) == code


def test_balance_worked_by_hand() -> None:
    fees = [FeeAmount(8_000), FeeAmount(100_000)]
    payments = [P("payment", "cash", 108_000), P("refund", "cash", 8_000)]
    assert rules.amount_paid(payments) == 100_000
    assert rules.balance(fees, payments) == 8_000


channels = st.sampled_from(rules.CHANNELS)


@st.composite
def histories(draw: st.DrawFn) -> list[P]:
    """Payments, each refunded by at most its amount (as the service enforces)."""
    out: list[P] = []
    for _ in range(draw(st.integers(0, 5))):
        channel = draw(channels)
        amount = draw(st.integers(1, 10**7))
        out.append(P("payment", channel, amount))
        refunded = draw(st.integers(0, amount))
        if refunded:
            out.append(P("refund", channel, refunded))
    return out


@given(histories())
def test_paid_online_iff_some_online_payment_not_fully_refunded(history: list[P]) -> None:
    pairs: list[tuple[P, int]] = []
    for p in history:
        if p.kind == "payment":
            pairs.append((p, 0))
        else:
            last, _ = pairs[-1]
            pairs[-1] = (last, p.amount)
    expected = any(p.channel in rules.ONLINE_CHANNELS and p.amount > r for p, r in pairs)
    assert rules.paid_online(history) is expected
    assert rules.amount_paid(history) >= 0


@pytest.mark.parametrize(
    ("payments", "received", "refunded", "paid"),
    [
        ([], 0, 0, 0),
        ([P("payment", "cash", 8_000)], 8_000, 0, 8_000),
        # a partial refund: received stays, paid is net
        ([P("payment", "cash", 8_000), P("refund", "cash", 3_000)], 8_000, 3_000, 5_000),
        # refunded in full, then paid again by bank transfer
        (
            [
                P("payment", "cash", 8_000),
                P("refund", "cash", 8_000),
                P("payment", "bank_transfer", 8_000),
            ],
            16_000,
            8_000,
            8_000,
        ),
    ],
)
def test_received_refunded_and_paid(payments, received, refunded, paid) -> None:
    assert rules.amount_received(payments) == received
    assert rules.amount_refunded(payments) == refunded
    assert rules.amount_paid(payments) == paid == received - refunded
