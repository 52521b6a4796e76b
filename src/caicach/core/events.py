"""Domain events: the one seam through which an app learns what another app did (ADR 0006).

A writer (a service, a bulk import, the demo generator) *emits* a typed event inside the
transaction that makes the change. Subscribers are registered by the apps that care, in
``AppConfig.ready()``, so the writer never imports them and imports keep pointing down:

- ``subscribe(EventType, handler)``: the handler runs at once, in the writer's transaction.
  Use it for what must commit or roll back with the change: projections, outbox rows, deferring
  a Procrastinate job (the job table is in the same database, so the job exists iff the change
  does).
- ``subscribe(EventType, handler, after_commit=True)``: the handler runs after the commit
  (``transaction.on_commit``, robust: a failing handler is logged and does not undo anything).
  Use it for work outside the database: caches of other processes, webhooks.

A subscriber to a base class receives every subclass (``DossierChanged`` receives
``DossierReceived``, ``DossierPaused``, …).

``ask(query)`` is the same seam for questions: every subscriber of the query's type answers and
the answers are returned in registration order (the calendar asks "which promised due dates
could this amendment move?" without importing the apps that hold them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction

__all__ = [
    "DomainEvent",
    "EmitOutsideTransactionError",
    "Query",
    "ask",
    "emit",
    "subscribe",
    "subscribers",
    "unsubscribe",
]

log = logging.getLogger(__name__)


class DomainEvent:
    """Base of every domain event (frozen dataclasses in each app's ``events.py``)."""


class Query:
    """Base of every question asked through :func:`ask`."""


E = TypeVar("E", bound=DomainEvent)
Q = TypeVar("Q", bound=Query)


@dataclass(frozen=True)
class _Subscription:
    handler: Callable[[Any], Any]
    after_commit: bool


_subscriptions: dict[type, list[_Subscription]] = {}


class EmitOutsideTransactionError(RuntimeError):
    """An event was emitted outside a transaction: its in-transaction subscribers could commit
    apart from the change they describe."""


def subscribe(
    event_type: type[Any], handler: Callable[[Any], Any], *, after_commit: bool = False
) -> Callable[[Any], Any]:
    """Register ``handler`` for ``event_type`` and its subclasses (twice is harmless)."""
    entries = _subscriptions.setdefault(event_type, [])
    if not any(s.handler is handler for s in entries):
        entries.append(_Subscription(handler, after_commit))
    return handler


def unsubscribe(event_type: type[Any], handler: Callable[[Any], Any]) -> None:
    entries = _subscriptions.get(event_type, [])
    entries[:] = [s for s in entries if s.handler is not handler]


def subscribers(event_type: type[Any]) -> list[Callable[[Any], Any]]:
    """The handlers an event of ``event_type`` reaches, in the order they run (for the docs and
    the tests: "where is X decided")."""
    return [s.handler for s in _matching(event_type)]


def _matching(event_type: type[Any]) -> list[_Subscription]:
    found: list[_Subscription] = []
    for klass in reversed(event_type.__mro__):  # the broadest subscribers first
        found.extend(_subscriptions.get(klass, ()))
    return found


def emit(event: DomainEvent) -> None:
    """Deliver ``event``: in-transaction subscribers now, the others after the commit.

    Must be called inside ``transaction.atomic()``: the change, its event and what the
    subscribers write commit together.
    """
    if not transaction.get_connection().in_atomic_block:
        raise EmitOutsideTransactionError(f"{type(event).__name__} emitted outside a transaction")
    for sub in _matching(type(event)):
        if sub.after_commit:
            transaction.on_commit(_deliver_later(sub.handler, event), robust=True)
        else:
            sub.handler(event)


def _deliver_later(handler: Callable[[Any], Any], event: DomainEvent) -> Callable[[], None]:
    def deliver() -> None:
        handler(event)

    # Django names the callback when it logs a failure (a partial has no name).
    deliver.__qualname__ = getattr(handler, "__qualname__", repr(handler))
    return deliver


def ask(query: Query) -> list[Any]:
    """The answer of every subscriber of ``query``'s type, in registration order."""
    return [sub.handler(query) for sub in _matching(type(query))]
