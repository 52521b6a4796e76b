"""The event seam (core.events, ADR 0006): delivery phases, subclasses, questions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from caicach.core import events


@dataclass(frozen=True)
class Thing(events.DomainEvent):
    n: int


@dataclass(frozen=True)
class SpecialThing(Thing):
    pass


@dataclass(frozen=True)
class HowMany(events.Query):
    n: int


@pytest.fixture
def seen() -> Iterator[list[tuple[str, Any]]]:
    log: list[tuple[str, Any]] = []
    handlers = {
        "now": lambda e: log.append(("now", e)),
        "later": lambda e: log.append(("later", e)),
        "special": lambda e: log.append(("special", e)),
    }
    events.subscribe(Thing, handlers["now"])
    events.subscribe(Thing, handlers["later"], after_commit=True)
    events.subscribe(SpecialThing, handlers["special"])
    yield log
    events.unsubscribe(Thing, handlers["now"])
    events.unsubscribe(Thing, handlers["later"])
    events.unsubscribe(SpecialThing, handlers["special"])


@pytest.mark.django_db(transaction=True)
def test_in_transaction_now_after_commit_later(seen: list[tuple[str, Any]]) -> None:
    with transaction.atomic():
        events.emit(Thing(1))
        assert seen == [("now", Thing(1))]
    assert seen == [("now", Thing(1)), ("later", Thing(1))]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_never_reaches_after_commit(seen: list[tuple[str, Any]]) -> None:
    class BoomError(Exception):
        pass

    with pytest.raises(BoomError), transaction.atomic():
        events.emit(Thing(2))
        raise BoomError
    assert seen == [("now", Thing(2))]


@pytest.mark.django_db(transaction=True)
def test_a_failing_after_commit_handler_does_not_undo_the_change(
    seen: list[tuple[str, Any]],
) -> None:
    def broken(event: Any) -> None:
        raise RuntimeError("mail server down")

    events.subscribe(Thing, broken, after_commit=True)
    try:
        with transaction.atomic():
            events.emit(Thing(3))
    finally:
        events.unsubscribe(Thing, broken)
    assert ("later", Thing(3)) in seen


@pytest.mark.django_db(transaction=True)
def test_subclass_reaches_base_subscribers_first(seen: list[tuple[str, Any]]) -> None:
    with transaction.atomic():
        events.emit(SpecialThing(4))
    assert [kind for kind, _ in seen] == ["now", "special", "later"]


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_is_refused(seen: list[tuple[str, Any]]) -> None:
    with pytest.raises(events.EmitOutsideTransactionError):
        events.emit(Thing(5))
    assert seen == []


def test_subscribing_twice_delivers_once() -> None:
    calls: list[int] = []

    def handler(q: HowMany) -> int:
        calls.append(q.n)
        return q.n * 2

    events.subscribe(HowMany, handler)
    events.subscribe(HowMany, handler)
    try:
        assert events.ask(HowMany(21)) == [42]
        assert events.subscribers(HowMany) == [handler]
    finally:
        events.unsubscribe(HowMany, handler)
    assert events.ask(HowMany(1)) == []
    assert calls == [21]
