"""Benchmark: a KPI's 12-month trend for the whole province, from the rollups (issue 14, "Speed").

Usage (a throw-away test database; nothing else is touched)::

    .venv/bin/pytest -q -s --ds=caicach.settings.test -p no:cacheprovider bench/bench_trend.py

Builds the 600-agency province of ``bench_index766`` and fills ``DailyRollup`` with
``ROWS_PER_MONTH`` rows for each of 13 months (about 420,000 dossiers a month: 10 million over
two years), then times what the dashboards read: eight KPIs for the province for each of the
last 12 months through ``compute.kpi_series``, first with every month dirty (read from the daily
rows), then after ``rollup.refresh_months`` with only the current month dirty (also through
``compute.kpi`` month by month), and the 766 index of every agency for a clean month. Cold is
the first run; warm the median of the next. Writes ``bench/results/trend.json``.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench_index766 import _tree
from caicach.metrics import compute, index766_reads, rollup
from caicach.metrics.periods import parse_period
from rollup_volume import fill_daily_rollups

ROWS_PER_MONTH = 300_000
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01"]
KPIS = ["on_time_766", "online_share", "full_online_share", "paid_online", "digitised", "reuse",
        "satisfaction", "electronic_results"]  # fmt: skip

pytestmark = pytest.mark.django_db


def _fill(agency_ids: list[int]) -> None:
    fill_daily_rollups(agency_ids, [m + "-01" for m in MONTHS], ROWS_PER_MONTH)


def _time(fn: Any, runs: int = 5) -> dict[str, Any]:
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as q:
            start = time.perf_counter()
            fn()
            timings.append(time.perf_counter() - start)
    return {
        "cold_s": round(timings[0], 3),
        "warm_median_s": round(statistics.median(timings[1:]), 3),
        "warm_max_s": round(max(timings[1:]), 3),
        "queries": len(q.captured_queries),
    }


def test_province_trend() -> None:
    agencies = _tree()
    started = time.perf_counter()
    _fill([a.pk for a in agencies])
    fill_s = time.perf_counter() - started
    province = agencies[0]
    periods = [parse_period(m) for m in MONTHS[1:]]

    def per_month() -> None:
        for code in KPIS:
            for period in periods:
                compute.kpi(code, province, period)

    report: dict[str, Any] = {
        "rollup_rows_per_month": ROWS_PER_MONTH,
        "months": len(MONTHS),
        "fill_s": round(fill_s, 1),
        # Every month dirty (as right after a bulk load): everything from the daily rows.
        "daily_kpi_series": _time(lambda: compute.kpi_series(KPIS, province, periods), runs=3),
    }
    started = time.perf_counter()
    report["refresh_months"] = rollup.refresh_months()
    report["refresh_s"] = round(time.perf_counter() - started, 1)
    # A working day: the current month dirty, the eleven before it clean.
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE metrics_dailyrollup SET received = received + 1 WHERE id = "
            "(SELECT max(id) FROM metrics_dailyrollup WHERE day >= DATE %s)",
            [MONTHS[-1] + "-01"],
        )
    report["monthly_kpi_per_month"] = _time(per_month, runs=3)
    report["monthly_kpi_series"] = _time(lambda: compute.kpi_series(KPIS, province, periods))
    report["index766_all_agencies_one_clean_month"] = _time(
        lambda: index766_reads.index_for_all(periods[-2]), runs=3
    )
    print(json.dumps(report))
    out = Path(__file__).parent / "results" / "trend.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
