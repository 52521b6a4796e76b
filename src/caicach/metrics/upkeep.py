"""Keeping the daily rollup current in the writer's transaction (ADR 0006, issue 13 "Rollups").

- ``DossierReceived``: the received-side counters of the dossier are added;
- ``DossierFinished`` (not its subclass ``DossierReturned``: handing back is not a second end):
  the finished-side counters, read from the dossier as it is at the end of processing;
- ``DossiersLoaded`` (import, generator): both sides for the loaded dossiers, set-based;
- ``DossierFactsChanging`` / ``DossierFactsChanged`` (a payment or refund, a rating, an issued
  result of a dossier, ``dossiers.history.counted_change``): the finished-side counters of a
  finished dossier are taken out before the change and put back after, so a fact that arrives
  after the end of processing lands on the day the dossier is counted (the issue's "same
  calendar"); a dossier still open is counted when it finishes.

Each is one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` (``metrics.facts.rollup_sql``), so the
kept-current rollup equals a rebuild (property test). ``metrics rebuild`` repairs anything else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

from caicach.metrics.facts import rollup_sql

_RECEIVED = rollup_sql(received=True, finished=False, where="d.id = %(id)s", upsert=True)
_FINISHED = rollup_sql(received=False, finished=True, where="d.id = %(id)s", upsert=True)
_RETRACT = rollup_sql(received=False, finished=True, where="d.id = %(id)s", upsert=True, sign=-1)
_LOADED = rollup_sql(received=True, finished=True, where="d.id = ANY(%(ids)s)", upsert=True)


def on_received(event: Any) -> None:
    with connection.cursor() as cur:
        cur.execute(_RECEIVED, {"id": event.dossier.pk, "tz": settings.TIME_ZONE})


def on_finished(event: Any) -> None:
    from caicach.dossiers.events import DossierReturned

    if isinstance(event, DossierReturned):
        return
    with connection.cursor() as cur:
        cur.execute(_FINISHED, {"id": event.dossier.pk, "tz": settings.TIME_ZONE})


def on_loaded(event: Any) -> None:
    ids: Any = list(event.dossier_ids)
    if not ids:
        return
    with connection.cursor() as cur:
        cur.execute(_LOADED, {"ids": ids, "tz": settings.TIME_ZONE})


def on_facts_changing(event: Any) -> None:
    with connection.cursor() as cur:
        cur.execute(_RETRACT, {"id": event.dossier_id, "tz": settings.TIME_ZONE})


def on_facts_changed(event: Any) -> None:
    with connection.cursor() as cur:
        cur.execute(_FINISHED, {"id": event.dossier_id, "tz": settings.TIME_ZONE})


def connect() -> None:
    from caicach.core.events import subscribe
    from caicach.dossiers.events import (
        DossierFactsChanged,
        DossierFactsChanging,
        DossierFinished,
        DossierReceived,
        DossiersLoaded,
    )

    subscribe(DossierReceived, on_received)
    subscribe(DossierFinished, on_finished)
    subscribe(DossiersLoaded, on_loaded)
    subscribe(DossierFactsChanging, on_facts_changing)
    subscribe(DossierFactsChanged, on_facts_changed)
