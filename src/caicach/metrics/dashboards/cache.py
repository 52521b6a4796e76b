"""A short-lived cache of the dashboards' page data (issue 14, "Speed": warm pages under 200 ms).

The figures of a province for a month are one grouped read of its rollups (about a second at
10 million dossiers on this machine, ``bench/bench_dashboards.py``); a dashboard opened every
morning by many leaders reads them once per ``METRICS_DASHBOARD_CACHE_SECONDS`` per agency,
period and language. The scope is checked before the cache is asked (the key names the agency,
never the user). ``caicach kpi`` and the API always read the rollups.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

__all__ = ["cached"]

T = TypeVar("T")


def cached(kind: str, agency_pk: int, period_label: str, build: Callable[[], T]) -> T:
    """``build()``'s result for (``kind``, agency, period, language), kept for the setting's
    seconds (0: always built)."""
    ttl = int(settings.METRICS_DASHBOARD_CACHE_SECONDS)
    if ttl <= 0:
        return build()
    key = f"metrics:dash:{kind}:{agency_pk}:{period_label}:{get_language() or 'vi'}"
    hit: T | None = cache.get(key)
    if hit is None:
        hit = build()
        cache.set(key, hit, ttl)
    return hit
