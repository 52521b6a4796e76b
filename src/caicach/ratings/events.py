"""The ratings app's domain events (ADR 0006: emitted inside the writer's transaction through
:mod:`caicach.core.events`). Subscribers: notifications (a "not satisfied" rating warns the
leaders of the deciding agency's unit), metrics rollups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from caicach.core.events import DomainEvent


@dataclass(frozen=True)
class RatingGiven(DomainEvent):
    """A dossier was rated (``value``: ``very_satisfied`` | ``satisfied`` | ``not_satisfied``;
    ``agency_id``: the deciding agency at rating time)."""

    dossier_id: int
    agency_id: int
    value: str
    at: datetime
