"""Fees owed and payments, as pure functions (no database, no Django).

Decision 766/QĐ-TTg, indicator 3.5 counts "dossiers paid online": a dossier whose fees were
paid through an online channel (the national payment platform on DVCQG, or a provincial or
ministry gateway). A refund of an online payment takes it back: what counts is the *net* online
amount. The national portal's field ``DuocThanhToanTrucTuyen`` says which channel paid: 0 not
online, 1 through DVCQG's national payment platform, 2 through the provincial/ministry gateway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

#: Channels, in the order the counter shows them.
CHANNELS = ("cash", "bank_transfer", "gateway", "national_platform")
#: Channels that are "paid online" (Decision 766, 3.5).
ONLINE_CHANNELS = frozenset({"gateway", "national_platform"})
#: ``DuocThanhToanTrucTuyen`` by channel (national portal's dossier sync format).
PORTAL_CODES: dict[str, int] = {
    "cash": 0,
    "bank_transfer": 0,
    "national_platform": 1,
    "gateway": 2,
}


class HasAmount(Protocol):
    @property
    def amount(self) -> int: ...


class PaymentLike(Protocol):
    @property
    def kind(self) -> str: ...  # "payment" | "refund"

    @property
    def channel(self) -> str: ...

    @property
    def amount(self) -> int: ...


@dataclass(frozen=True)
class PaymentFact:
    """A payment or refund as the rules see it."""

    kind: str
    channel: str
    amount: int


def portal_code(channel: str) -> int:
    """``DuocThanhToanTrucTuyen`` for a channel: 0 not online, 1 DVCQG, 2 gateway."""
    return PORTAL_CODES[channel]


def channel_from_portal_code(code: int) -> str:
    """The channel an imported ``DuocThanhToanTrucTuyen`` implies (0 -> cash: not online)."""
    return {0: "cash", 1: "national_platform", 2: "gateway"}[code]


def amount_owed(fees: Iterable[HasAmount]) -> int:
    """The fees a dossier owes: the sum of its version's fee amounts (VND)."""
    return sum(max(int(f.amount), 0) for f in fees)


def _signed(p: PaymentLike) -> int:
    return -int(p.amount) if p.kind == "refund" else int(p.amount)


def amount_paid(payments: Iterable[PaymentLike]) -> int:
    """Payments minus refunds, over every channel (VND)."""
    return sum(_signed(p) for p in payments)


def amount_received(payments: Iterable[PaymentLike]) -> int:
    """Payments received, refunds not deducted (VND): the counter's "Đã thu"."""
    return sum(int(p.amount) for p in payments if p.kind != "refund")


def amount_refunded(payments: Iterable[PaymentLike]) -> int:
    """Refunds paid back (VND): the counter's "Đã hoàn trả"."""
    return sum(int(p.amount) for p in payments if p.kind == "refund")


def net_online(payments: Iterable[PaymentLike]) -> int:
    """Online payments minus their refunds (a refund keeps its payment's channel)."""
    return sum(_signed(p) for p in payments if p.channel in ONLINE_CHANNELS)


def paid_online(payments: Iterable[PaymentLike]) -> bool:
    """Decision 766, 3.5: the dossier counts as paid online when the net online amount is
    positive; a fully refunded online payment does not count, a partly refunded one does."""
    return net_online(payments) > 0


def balance(fees: Iterable[HasAmount], payments: Iterable[PaymentLike]) -> int:
    """What is still owed (negative: overpaid)."""
    return amount_owed(fees) - amount_paid(payments)


def refundable(payment_amount: int, refunded_so_far: int) -> int:
    """How much of a payment can still be refunded."""
    return max(payment_amount - refunded_so_far, 0)
