"""Benchmark: the fair ranking of 600 communes × 200 procedures for one month, from the rollups.

Usage (a throw-away test database; nothing else is touched)::

    .venv/bin/pytest -q -s --ds=caicach.settings.test -p no:cacheprovider bench/bench_rankings.py

Builds a province of ``UNITS`` communes, fills ``DailyRollup`` with ``ROWS_PER_MONTH`` rows for
July 2025 and for July 2024 (the comparison period, "the same month a year before"): every
commune × every one of ``PROCEDURES`` procedures, each procedure with its own on-time rate. Then
times ``rankings.query.fair_table`` (the two grouped reads, the fold into the communes and the
pure ranking with intervals, most improved and every unit's "why"), best of 3, counts its
queries, and times the pure part (``fair.rank``) alone on the same cells. Goal (issue 14,
"Speed"): the ranking page under 1 s cold, 200 ms warm.
"""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caicach.accounts.models import RoleAssignment
from caicach.accounts.tests.factories import UserFactory
from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.agencies.tests.factories import AgencyFactory
from caicach.metrics.periods import parse_period
from caicach.metrics.rankings import fair, query

UNITS = 600
PROCEDURES = 200
ROWS_PER_MONTH = 360_000  # every commune × procedure pair on 3 days

pytestmark = pytest.mark.django_db


def _tree() -> list[Agency]:
    province = AgencyFactory(code="000.00.00.H98", name="UBND tỉnh Đo", valid_from=date(2020, 1, 1))
    return [
        AgencyFactory(code=f"{i // 100:03d}.{i % 100:02d}.98.H98", name=f"Xã {i}",
                      kind=AgencyKind.COMMUNE, level=AgencyLevel.COMMUNE, parent=province,
                      valid_from=date(2020, 1, 1))
        for i in range(UNITS)
    ]  # fmt: skip


def _fill(agency_ids: list[int]) -> None:
    ids = "ARRAY[" + ",".join(map(str, agency_ids)) + "]"
    pairs = UNITS * PROCEDURES
    with connection.cursor() as cur:
        for first in ("2024-07-01", "2025-07-01"):
            cur.execute(
                f"""
                INSERT INTO metrics_dailyrollup (day, agency_id, procedure_id, version_id, channel,
                    received, received_online, finished, finished_online, finished_early,
                    finished_on_time, finished_legal_on_time, processing_days,
                    supplement_requests, apologised, apologies, reused, digitised)
                SELECT DATE %s + (g / {pairs}), ({ids})[1 + g %% {UNITS}],
                       1 + (g / {UNITS}) %% {PROCEDURES}, 1 + (g / {UNITS}) %% {PROCEDURES},
                       'counter', 3, g %% 2, 3, g %% 2, 1,
                       CASE WHEN g %% (2 + (g / {UNITS}) %% 7) = 0 THEN 1 ELSE 3 END,
                       3, 3.5, 0, 0, 0, 1, g %% 2
                FROM generate_series(0, %s - 1) AS g
                ON CONFLICT DO NOTHING
                """,
                [first, ROWS_PER_MONTH],
            )
        cur.execute("ANALYZE metrics_dailyrollup")


def test_fair_ranking_of_600_communes(client: Any, settings: Any) -> None:
    communes = _tree()
    _fill([a.pk for a in communes])
    period = parse_period("2025-07")
    settings.METRICS_RANKING_CACHE_SECONDS = 0  # cold: computed from the rollups every time
    timings = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as q:
            start = time.perf_counter()
            table = query.fair_table("xa-phuong", "on_time_766", period, "year")
            timings.append(time.perf_counter() - start)
    queries = len(q.captured_queries)
    # The page, warm (the ranking in the cache): the table of 600 rows, the chart, the lists.
    settings.METRICS_RANKING_CACHE_SECONDS = 300
    cache.clear()
    officer = UserFactory(username="cchc")
    RoleAssignment.objects.create(user=officer, role="reform_officer", agency=communes[0].parent)
    client.force_login(officer)
    url = "/xep-hang/xa-phuong/?kpi=on_time_766&period=2025-07"
    start = time.perf_counter()
    assert client.get(url).status_code == 200
    page_cold = time.perf_counter() - start
    warm = []
    for _ in range(10):
        start = time.perf_counter()
        client.get(url)
        warm.append(time.perf_counter() - start)
    members = {a.pk: [a.pk] for a in communes}
    cells, reference = query._cells(table.kpi, period, members)
    before, before_ref = query._cells(table.kpi, query.comparison_period(period), members)
    pure, pure_cpu = [], []
    for _ in range(3):
        start, cpu = time.perf_counter(), time.process_time()
        fair.rank(cells, before, reference=reference, previous_reference=before_ref)
        pure.append(time.perf_counter() - start)
        pure_cpu.append(time.process_time() - cpu)
    report: dict[str, Any] = {
        "units": len(table.units),
        "procedures": PROCEDURES,
        "rollup_rows_per_month": ROWS_PER_MONTH,
        "cells": len(cells),
        "seconds_best": round(min(timings), 3),
        "page_cold_seconds": round(page_cold, 3),
        "page_warm_seconds_median": round(sorted(warm)[len(warm) // 2], 3),
        "page_warm_seconds_max": round(max(warm), 3),
        "seconds_all": [round(t, 3) for t in timings],
        "pure_rank_seconds_best": round(min(pure), 3),
        "pure_rank_cpu_seconds_best": round(min(pure_cpu), 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "queries": queries,
        "ranked": len(table.ranking.ranked),
        "province_rate": round(float(table.ranking.province_rate or 0), 4),
    }
    print(json.dumps(report))
    out = Path(__file__).parent / "results" / "rankings.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    assert len(table.ranking.ranked) == UNITS
