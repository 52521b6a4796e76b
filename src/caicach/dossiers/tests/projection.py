"""A test subscriber that projects every dossier's state from the event seam, as a rollup would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from caicach.core import events
from caicach.dossiers.events import DossierChanged, DossiersLoaded
from caicach.dossiers.models import Dossier


class StateProjection:
    """``states[dossier id] = state``, fed only by events (never by reading the table, except
    the rows a batch event names)."""

    def __init__(self) -> None:
        self.states: dict[int, str] = {}
        self.received: list[int] = []
        self.loaded: list[tuple[str, int]] = []

    def on_changed(self, event: DossierChanged) -> None:
        self.states[event.dossier.pk] = event.to_state

    def on_loaded(self, event: DossiersLoaded) -> None:
        self.loaded.append((event.source, len(event.dossier_ids)))
        ids = list(event.dossier_ids)
        self.states.update(Dossier.objects.filter(pk__in=ids).values_list("pk", "state"))


@contextmanager
def projecting() -> Iterator[StateProjection]:
    projection = StateProjection()
    events.subscribe(DossierChanged, projection.on_changed)
    events.subscribe(DossiersLoaded, projection.on_loaded)
    try:
        yield projection
    finally:
        events.unsubscribe(DossierChanged, projection.on_changed)
        events.unsubscribe(DossiersLoaded, projection.on_loaded)


def table_states() -> dict[int, str]:
    return dict(Dossier.objects.values_list("pk", "state"))
