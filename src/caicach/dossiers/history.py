"""The dossier's history: one :class:`~caicach.dossiers.models.DossierEvent` per change, announced
on the event seam (:mod:`caicach.dossiers.events`, ADR 0006) in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from caicach.agencies.models import Agency
from caicach.core import events
from caicach.core.audit import Actor
from caicach.dossiers.events import DossierFactsChanged, DossierFactsChanging, event_class
from caicach.dossiers.models import (
    Dossier,
    DossierEvent,
)
from caicach.dossiers.workflow import (
    ClockEffect,
    DossierAction,
)


def write_event(
    dossier: Dossier,
    actor: Actor,
    action: DossierAction,
    from_state: str,
    at: datetime,
    *,
    note: str,
    payload: dict[str, Any],
    agency: Agency | None = None,
    effect: ClockEffect = ClockEffect.NONE,
) -> DossierEvent:
    """Write one history line and announce it on the event seam (:mod:`caicach.dossiers.events`):
    subscribers such as the applicant's notifications run in this same transaction."""
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=at,
        actor=actor.user,
        actor_label=actor.describe()[:200],
        ip_address=actor.ip_address,
        action=action.value,
        from_state=from_state,
        to_state=dossier.state,
        step=dossier.current_step,
        agency=agency or dossier.current_agency,
        note=note,
        payload=json.loads(json.dumps(payload, default=str)),
    )
    events.emit(event_class(action, effect)(dossier, event))
    return event


@contextmanager
def counted_change(dossier_id: int) -> Iterator[None]:
    """Wrap a write that changes a fact the metrics count of an existing dossier (a payment or
    refund, a rating, an issued result), inside the writer's transaction: subscribers take the
    dossier's contribution out before and put it back after (issue 13 "Rollups")."""
    events.emit(DossierFactsChanging(dossier_id))
    yield
    events.emit(DossierFactsChanged(dossier_id))
