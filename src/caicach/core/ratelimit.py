"""Fixed-window rate limits shared by every process, in PostgreSQL (no Redis in the stack).

A limit is a row of :class:`caicach.core.models.RateLimit` per key. :func:`hit` counts one event
with a single ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``: PostgreSQL locks the row for
the statement, so two workers counting at the same instant never lose an increment (Django's
cache ``incr`` is a read then a write). An expired window starts again at 1. The current time
comes from Python (``timezone.now()``), so tests can move it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone

from caicach.core.models import RateLimit

_TABLE = RateLimit._meta.db_table

_HIT = f"""
INSERT INTO {_TABLE} (key, count, window_end) VALUES (%(key)s, 1, %(end)s)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN {_TABLE}.window_end <= %(now)s THEN 1 ELSE {_TABLE}.count + 1 END,
    window_end = CASE WHEN {_TABLE}.window_end <= %(now)s
                      THEN EXCLUDED.window_end ELSE {_TABLE}.window_end END
RETURNING count
"""

# Expired rows are removed a few at a time by the callers themselves; SKIP LOCKED keeps two
# cleaners (or a cleaner and a hit) from waiting on each other.
_PURGE = f"""
DELETE FROM {_TABLE} WHERE key IN (
    SELECT key FROM {_TABLE} WHERE window_end <= %(now)s AND key <> %(key)s
    LIMIT 100 FOR UPDATE SKIP LOCKED
)
"""


def _clean(key: str) -> str:
    return str(key)[:200]


def hit(key: str, window: timedelta, *, now: datetime | None = None) -> int:
    """Count one event for ``key``; return the count in the current window (1 when a new window
    starts)."""
    now = now or timezone.now()
    params: dict[str, Any] = {"key": _clean(key), "now": now, "end": now + window}
    with connection.cursor() as cursor:
        cursor.execute(_HIT, params)
        count = int(cursor.fetchone()[0])
        cursor.execute(_PURGE, params)
    return count


def undo(key: str, *, now: datetime | None = None) -> None:
    """Take back one event counted by :func:`hit` in the window still running (an attempt
    counted before it was known to be a success)."""
    now = now or timezone.now()
    RateLimit.objects.filter(key=_clean(key), window_end__gt=now, count__gt=0).update(
        count=F("count") - 1
    )


def count(key: str, *, now: datetime | None = None) -> int:
    """Events counted for ``key`` in its window still running (0 once it has expired)."""
    now = now or timezone.now()
    value = (
        RateLimit.objects.filter(key=_clean(key), window_end__gt=now)
        .values_list("count", flat=True)
        .first()
    )
    return int(value or 0)


def reset(key: str) -> None:
    RateLimit.objects.filter(key=_clean(key)).delete()
