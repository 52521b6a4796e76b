"""Benchmark: the dashboard pages (issue 14, "Speed": p95 under 200 ms warm, under 1 s cold).

Usage (a throw-away test database; nothing else is touched)::

    .venv/bin/pytest -q -s --ds=caicach.settings.test -p no:cacheprovider bench/bench_dashboards.py

The province of ``bench_index766`` (600 agencies) with 300,000 rollup rows a month for June and
July 2025 (about 10 million dossiers over two years at that rate) and the July month-end
snapshot. Renders, through the Django test client as the province's reform officer, the
province overview, the province's own agency page and a department's, for July: the first
request of the process, 5 more reading the rollups each time (the cache off), then with the
cache (``METRICS_DASHBOARD_CACHE_SECONDS``) the first request (cold) and ``REPEAT`` more (warm),
with p50/p95 and the queries of one request.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

_spec = importlib.util.spec_from_file_location(
    "bench_index766", Path(__file__).with_name("bench_index766.py")
)
assert _spec is not None and _spec.loader is not None
_index766 = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("bench_index766", _index766)
_spec.loader.exec_module(_index766)
_fill, _tree = _index766._fill, _index766._tree

REPEAT = 15

pytestmark = pytest.mark.django_db


def _times(client: Any, url: str, n: int) -> tuple[list[float], int]:
    times = []
    for _ in range(n):
        with CaptureQueriesContext(connection) as q:
            start = time.perf_counter()
            assert client.get(url).status_code == 200
            times.append(time.perf_counter() - start)
    return sorted(times), len(q.captured_queries)


def _ms(times: list[float]) -> dict[str, int]:
    return {
        "p50_ms": round(statistics.median(times) * 1000),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000),
    }


def test_dashboard_pages(client: Any, settings: Any) -> None:
    from django.core.cache import cache

    from caicach.accounts.models import RoleAssignment
    from caicach.accounts.tests.factories import UserFactory

    agencies = _tree()
    _fill([a.pk for a in agencies])
    province, dept = agencies[0], agencies[1]
    officer = UserFactory(username="cchc_bench")
    RoleAssignment.objects.create(user=officer, role="reform_officer", agency=province)
    client.force_login(officer)
    pages = {
        "overview": "/chi-so/?period=2025-07",
        "agency_province": f"/chi-so/co-quan/{province.code}/?period=2025-07",
        "agency_department": f"/chi-so/co-quan/{dept.code}/?period=2025-07",
    }
    report: dict[str, Any] = {"agencies": len(agencies), "rollup_rows_per_month": 300_000}
    for name, url in pages.items():
        settings.METRICS_DASHBOARD_CACHE_SECONDS = 0  # every request reads the rollups
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        first = time.perf_counter() - start
        uncached, queries = _times(client, url, 5)
        settings.METRICS_DASHBOARD_CACHE_SECONDS = 120
        cache.clear()
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        cold = time.perf_counter() - start
        warm, warm_queries = _times(client, url, REPEAT)
        report[name] = {
            "first_request_ms": round(first * 1000),
            "uncached": {**_ms(uncached), "queries": queries},
            "cache_cold_ms": round(cold * 1000),
            "cache_warm": {**_ms(warm), "queries": warm_queries},
        }
    print(json.dumps(report))
    out = Path(__file__).parent / "results" / "dashboards.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
