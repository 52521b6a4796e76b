"""Rate limits live in PostgreSQL: every process (and every connection) shares one count."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections

from caicach.core import ratelimit
from caicach.core.models import RateLimit

T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=10)


def _in_other_connection(fn, *args, **kwargs):
    """Run ``fn`` in a thread: Django gives each thread its own database connection."""
    out: list = []

    def run() -> None:
        try:
            out.append(fn(*args, **kwargs))
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return out[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("offsets_minutes", "expected"),
    [
        ([0], [1]),
        ([0, 1, 9], [1, 2, 3]),
        ([0, 10], [1, 1]),  # the window ends at 10 minutes: a new one starts
        ([0, 5, 11, 12, 21], [1, 2, 1, 2, 1]),  # a window is fixed from its first hit
    ],
)
def test_hits_count_in_a_fixed_window(offsets_minutes, expected):
    got = [ratelimit.hit("k", WINDOW, now=T0 + timedelta(minutes=m)) for m in offsets_minutes]
    assert got == expected


@pytest.mark.django_db
def test_count_is_zero_once_the_window_expired():
    ratelimit.hit("k", WINDOW, now=T0)
    ratelimit.hit("k", WINDOW, now=T0)
    assert ratelimit.count("k", now=T0 + timedelta(minutes=9)) == 2
    assert ratelimit.count("k", now=T0 + WINDOW) == 0
    assert ratelimit.count("other", now=T0) == 0


@pytest.mark.django_db
def test_expired_rows_of_other_keys_are_purged():
    ratelimit.hit("old", WINDOW, now=T0)
    ratelimit.hit("new", WINDOW, now=T0 + timedelta(hours=1))
    assert list(RateLimit.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_two_connections_share_the_count():
    assert ratelimit.hit("shared", WINDOW) == 1
    assert _in_other_connection(ratelimit.hit, "shared", WINDOW) == 2
    assert _in_other_connection(ratelimit.count, "shared") == 2
    assert ratelimit.count("shared") == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_lose_no_increment():
    """Four connections hitting at once: the upsert serialises them on the row."""
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(25):
                ratelimit.hit("race", WINDOW)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ratelimit.count("race") == 100
    assert connection.vendor == "postgresql"
