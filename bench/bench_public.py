"""Benchmark: the public transparency page and the open-data API, cold and from the cache.

Usage (a throw-away test database; nothing else is touched)::

    CAICACH_DATA_DIR=/tmp/data-bench .venv/bin/pytest -q -s --ds=caicach.settings.test \
        -p no:cacheprovider bench/bench_public.py

Builds the province of ``bench_index766`` (600 agencies: departments with units, communes) and
fills ``DailyRollup`` with ``ROWS_PER_MONTH`` rows for each of the 12 months the trend reads
(2024-08 … 2025-07; the busiest month of the 10-million-dossier province has about 300,000 rollup
rows) and remakes the monthly rollups (``rollup.refresh_months``, the every-minute job), then, through the Django test client (every middleware, no network):

* **cold**: the public cache emptied before each request (``COLD`` times): the figures read from
  the rollups (every agency, the 766 index, the trend), the page rendered;
* **warm**: ``WARM`` requests answered from the cache (the page, the JSON, the CSV), and the same
  with ``If-None-Match`` (304); p50/p95 in milliseconds, and the queries of one warm request.

Goal (issue 14, "Speed"): the public page under 50 ms from its cache.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench_index766 import _tree  # the same 600-agency province (pytest puts bench/ on the path)
from caicach.metrics import rollup
from caicach.metrics.periods import parse_period
from caicach.metrics.public import service
from rollup_volume import fill_daily_rollups

ROWS_PER_MONTH = 300_000
COLD = 5
WARM = 300
PAGE = "/cong-khai/?period=2025-07"
API = "/api/v1/open-data/kpis/?period=2025-07"
MONTHS = [f"2024-{m:02d}-01" for m in range(8, 13)] + [f"2025-{m:02d}-01" for m in range(1, 8)]

pytestmark = pytest.mark.django_db


def _fill(agency_ids: list[int]) -> None:
    fill_daily_rollups(agency_ids, MONTHS, ROWS_PER_MONTH)


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "n": len(ordered),
    }


def _time(client: Client, url: str, **headers: str) -> tuple[float, Any]:
    start = time.perf_counter()
    response = client.get(url, **headers)
    return time.perf_counter() - start, response


def test_public_page_and_open_data_cold_and_cached(settings: Any) -> None:
    settings.PUBLIC_COMPUTE_LIMIT = 1_000_000
    agencies = _tree()
    _fill([a.pk for a in agencies])
    refreshed = rollup.refresh_months()  # as the every-minute job leaves them
    client = Client()
    store = caches["public"]
    report: dict[str, Any] = {
        "agencies": len(agencies),
        "rollup_rows_per_month": ROWS_PER_MONTH,
        "months": len(MONTHS),
        "monthly_rollups_refreshed": refreshed,
    }
    for name, url in (("page", PAGE), ("api_json", API), ("api_csv", API + "&format=csv")):
        cold = []
        for _ in range(COLD):
            store.clear()
            seconds, response = _time(client, url)
            assert response.status_code == 200, response.content[:300]
            cold.append(seconds)
        warm = []
        for _ in range(WARM):
            seconds, response = _time(client, url)
            assert response.status_code == 200
            warm.append(seconds)
        etag, size = response["ETag"], len(response.content)
        conditional = []
        for _ in range(WARM):
            seconds, response = _time(client, url, HTTP_IF_NONE_MATCH=etag)
            assert response.status_code == 304
            conditional.append(seconds)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        report[name] = {
            "cold": _ms(cold),
            "cached": _ms(warm),
            "not_modified_304": _ms(conditional),
            "cached_queries": len(queries.captured_queries),
            "bytes": size,
        }
    # Where a cold answer's time goes: the figures of every agency (rollups, 766 index) and the
    # province's 12-month trend (one grouped read over the 12 months).
    period = parse_period("2025-07")
    root = agencies[0]
    children = [a for a in agencies if a.parent_id == root.pk]
    start = time.perf_counter()
    service._rows([root, *children], period)
    middle = time.perf_counter()
    service.trend(root, period)  # compute.kpi_series: monthly rollups
    report["cold_parts_s"] = {
        "agencies_and_766": round(middle - start, 3),
        "trend_12_months": round(time.perf_counter() - middle, 3),
        "rows": 1 + len(children),
    }
    store.clear()
    print(json.dumps(report, indent=2))
    out = Path(__file__).parent / "results" / "public.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    assert report["page"]["cached_queries"] == 0
