"""Serving the public figures to anonymous traffic (issue 14: "cached and safe for anonymous
traffic"; the public page under 50 ms from its cache).

* **Where**: Django's ``public`` cache (settings ``CACHES``): a file cache in the data folder,
  shared by every worker process of the machine, so a hit reads no database row (a database cache
  would cost a query per hit; a per-process memory cache would not see another process's
  invalidation).
* **Keys**: ``public:<generation>:<kind>:<period>:<agency>[:<language>…]``. The *generation* is a
  number kept in the same cache; :func:`bump` changes it when the figures change as a whole (a
  rollup rebuild, ``metrics.rollup.rebuild``; a month's close, ``metrics.freeze.close_period``),
  so every older key is stale at once and expires by itself.
* **How long**: the dossier events keep the rollups current one dossier at a time
  (``metrics.upkeep``), too often to invalidate on each: a period still running is kept
  ``PUBLIC_CACHE_SECONDS`` (5 minutes), a past one ``PUBLIC_CACHE_CLOSED_SECONDS`` (an hour; a
  late fact such as a payment still lands on a past day). The page says when the figures were read.
* **Safety**: a miss reads the rollups; each miss is counted per client address in PostgreSQL
  (:mod:`caicach.core.ratelimit`, ``PUBLIC_COMPUTE_LIMIT`` a minute, then 429 with Retry-After),
  at most ``PUBLIC_COMPUTE_CONCURRENCY`` run at once in a process and each under a statement
  timeout (``PUBLIC_COMPUTE_TIMEOUT_MS``): beyond either, or on any database failure, the answer is
  503 with Retry-After, never a 500. Hits are not counted: they cost no database work.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest

from caicach.core import ratelimit
from caicach.core.client import client_address
from caicach.metrics.periods import Period
from caicach.metrics.public.service import is_live

__all__ = [
    "Busy",
    "TooMany",
    "bump",
    "cached",
    "etag_for",
    "generation",
    "key",
    "not_modified",
    "put",
    "seconds",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

_GENERATION = "public:generation"
_PLAIN = re.compile(r"^[A-Za-z0-9._:-]*$")
_WINDOW = timedelta(minutes=1)
_slots: threading.BoundedSemaphore | None = None
_slots_size = 0
_slots_lock = threading.Lock()

BUSY_VI = "Hệ thống đang bận tổng hợp số liệu. Vui lòng thử lại sau ít giây."
BUSY_EN = "The system is busy computing figures. Please try again in a few seconds."
TOO_MANY_VI = "Quý ông/bà đã yêu cầu quá nhiều số liệu chưa có sẵn. Vui lòng thử lại sau một phút."
TOO_MANY_EN = "Too many requests for figures not yet prepared. Please try again in a minute."


class Busy(Exception):  # noqa: N818 - an answer, not a bug
    """503: no free slot, the statement timed out, or the database failed."""

    retry_after = 10


class TooMany(Exception):  # noqa: N818
    """429: this client caused too many uncached answers this minute."""

    retry_after = int(_WINDOW.total_seconds())


def store() -> Any:
    return caches["public"]


def generation() -> int:
    """The number in every key; set once, changed by :func:`bump`."""
    try:
        value = store().get(_GENERATION)
        if value is None:
            value = time.time_ns()
            store().add(_GENERATION, value, timeout=None)
            value = store().get(_GENERATION, value)
    except OSError:  # an unreadable data folder: answers are computed, not kept
        log.exception("could not read the public cache generation")
        return 0
    return int(value)


def bump() -> None:
    """Make every cached public answer stale (after a rebuild or a close, on commit)."""
    try:
        store().set(_GENERATION, time.time_ns(), timeout=None)
    except OSError:  # a read-only or full data folder must not break a rebuild
        log.exception("could not invalidate the public cache")


def put(cache_key: str, value: Any, timeout: int) -> None:
    """Store an answer; a full or read-only data folder costs speed, never the answer."""
    try:
        store().set(cache_key, value, timeout)
    except OSError:
        log.exception("could not store a public answer")


def bump_on_commit() -> None:
    transaction.on_commit(bump)


def seconds(period: Period) -> int:
    """How long an answer about ``period`` stays fresh."""
    if is_live(period):
        return int(settings.PUBLIC_CACHE_SECONDS)
    return int(settings.PUBLIC_CACHE_CLOSED_SECONDS)


def key(*parts: str) -> str:
    text = ":".join(parts)
    if len(text) > 180 or not _PLAIN.match(text):  # search words, odd codes: hashed
        text = hashlib.sha256(text.encode()).hexdigest()
    return f"public:{generation()}:{text}"


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def not_modified(request: HttpRequest, etag: str) -> bool:
    """RFC 9110 §13.1.2: If-None-Match names this entity tag (weak comparison) or ``*``."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


def _semaphore() -> threading.BoundedSemaphore:
    global _slots, _slots_size
    size = max(1, int(settings.PUBLIC_COMPUTE_CONCURRENCY))
    with _slots_lock:
        if _slots is None or _slots_size != size:
            _slots, _slots_size = threading.BoundedSemaphore(size), size
        return _slots


def compute_guarded(request: HttpRequest, fn: Callable[[], T]) -> T:
    """Run ``fn`` (database reads) under the client's limit, a slot and a statement timeout."""
    count = ratelimit.hit(f"caicach:public-compute:{client_address(request)}", _WINDOW)
    if count > int(settings.PUBLIC_COMPUTE_LIMIT):
        raise TooMany
    slots = _semaphore()
    if not slots.acquire(blocking=False):
        raise Busy
    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT set_config('statement_timeout', %s, true)",
                    [str(int(settings.PUBLIC_COMPUTE_TIMEOUT_MS))],
                )
            return fn()
    except DatabaseError as exc:
        log.warning("public figures not computed: %s", exc)
        raise Busy from None
    finally:
        slots.release()


def cached(request: HttpRequest, cache_key: str, timeout: int, fn: Callable[[], T]) -> T:
    """The cached value, or ``fn()`` computed under :func:`compute_guarded` and stored."""
    value = store().get(cache_key)
    if value is not None:
        return value
    value = compute_guarded(request, fn)
    put(cache_key, value, timeout)
    return value
