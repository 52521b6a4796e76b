"""Payment domain events (ADR 0006), emitted inside the recording transaction.

Subscribers (the metrics rollups, Decision 766 indicator 3.5) see every payment and refund.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from caicach.core.events import DomainEvent

__all__ = ["PaymentRecorded", "PaymentRefunded"]


@dataclass(frozen=True)
class PaymentRecorded(DomainEvent):
    dossier_id: int
    agency_id: int
    amount: int
    channel: str
    at: datetime
    payment_id: int | None = None


@dataclass(frozen=True)
class PaymentRefunded(DomainEvent):
    dossier_id: int
    agency_id: int
    amount: int
    channel: str
    at: datetime
    payment_id: int | None = None
    refund_of_id: int | None = None
