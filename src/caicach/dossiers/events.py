"""The dossier's domain events (ADR 0006), emitted through :mod:`caicach.core.events`.

Every writer of dossiers emits them in its transaction: intake and the lifecycle actions one
event per history line (:class:`~caicach.dossiers.models.DossierEvent`), the JSON Lines import
and the demo generator one :class:`DossiersLoaded` per batch. A subscriber that must see every
dossier (a rollup, a KPI) subscribes to :class:`DossierChanged` *and* :class:`DossiersLoaded`;
one that reacts to live changes only (the applicant's notifications) subscribes to
:class:`DossierChanged`.

The class of a change is decided in one place, :func:`event_class`, from the action and its
clock effect (NĐ 61/2018 arts. 17-20; TT 01/2018 art. 13 for the end of processing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from caicach.core.events import DomainEvent
from caicach.dossiers.models import Dossier, DossierEvent
from caicach.dossiers.workflow import ClockEffect, DossierAction

__all__ = [
    "DossierChanged",
    "DossierDueSoonWarned",
    "DossierFactsChanged",
    "DossierFactsChanging",
    "DossierFinished",
    "DossierPaused",
    "DossierReceived",
    "DossierReferred",
    "DossierResumed",
    "DossierReturned",
    "DossierTransitioned",
    "DossiersLoaded",
    "event_class",
]


@dataclass(frozen=True)
class DossierChanged(DomainEvent):
    """One line of a dossier's history was written (``record``), ``dossier`` as it now is."""

    dossier: Dossier
    record: DossierEvent

    @property
    def action(self) -> str:
        return self.record.action

    @property
    def from_state(self) -> str:
        return self.record.from_state

    @property
    def to_state(self) -> str:
        return self.record.to_state


@dataclass(frozen=True)
class DossierReceived(DossierChanged):
    """Received at a counter, by post or online (the clock starts)."""


@dataclass(frozen=True)
class DossierTransitioned(DossierChanged):
    """Any lifecycle action after receipt (the subclasses below narrow it)."""


@dataclass(frozen=True)
class DossierPaused(DossierTransitioned):
    """A supplement was requested: the clock stops (art. 19)."""


@dataclass(frozen=True)
class DossierResumed(DossierTransitioned):
    """The supplement came back: the time limit restarts from the resumption instant."""


@dataclass(frozen=True)
class DossierReferred(DossierTransitioned):
    """Sent to another agency or asked for an opinion (consultation, parallel transfer)."""


@dataclass(frozen=True)
class DossierFinished(DossierTransitioned):
    """Processing ended: result ready, refused, stopped or withdrawn (timeliness recorded)."""


@dataclass(frozen=True)
class DossierReturned(DossierFinished):
    """The result was handed back to the applicant."""


_FINISHING = frozenset(
    {
        DossierAction.MARK_RESULT_READY,
        DossierAction.REFUSE,
        DossierAction.STOP,
        DossierAction.WITHDRAW,
    }
)
_REFERRING = frozenset({DossierAction.TRANSFER_AGENCY, DossierAction.CONSULT})


def event_class(action: DossierAction, effect: ClockEffect) -> type[DossierChanged]:
    """The event a history line of ``action`` (with its clock ``effect``) is announced as."""
    if action is DossierAction.RECEIVE:
        return DossierReceived
    if action is DossierAction.RETURN_RESULT:
        return DossierReturned
    if action in _FINISHING:
        return DossierFinished
    if effect is ClockEffect.PAUSE:
        return DossierPaused
    if effect in (ClockEffect.RESTART, ClockEffect.RESUME):
        return DossierResumed
    if action in _REFERRING:
        return DossierReferred
    return DossierTransitioned


@dataclass(frozen=True)
class DossiersLoaded(DomainEvent):
    """A bulk writer wrote these dossiers with their whole history (``source``: ``"import"``
    for the JSON Lines import, ``"generator"`` for ``demo generate``). No applicant is notified:
    it is history. ``dossier_ids`` may be a ``range`` for a contiguous load."""

    source: str
    dossier_ids: Sequence[int]


@dataclass(frozen=True)
class DossierFactsChanging(DomainEvent):
    """A counted fact of the dossier (a payment, a rating, a result) is about to change, in this
    transaction: a subscriber that summed the dossier takes its contribution back out here and
    puts it back on :class:`DossierFactsChanged` (``dossiers.history.counted_change``)."""

    dossier_id: int


@dataclass(frozen=True)
class DossierFactsChanged(DomainEvent):
    """The change announced by :class:`DossierFactsChanging` is written."""

    dossier_id: int


@dataclass(frozen=True)
class DossierDueSoonWarned(DomainEvent):
    """The due-date warning was recorded for ``dossier`` (once a day), for ``officers``."""

    dossier: Dossier
    officers: Sequence[Any]
    apology_allowed: bool
    apology_reason_vi: str
    latest_apology_day: date
