"""Benchmark: the Decision 766 index for every agency for one month, from the rollups.

Usage (a throw-away test database; nothing else is touched)::

    .venv/bin/pytest -q -s --ds=caicach.settings.test -p no:cacheprovider bench/bench_index766.py

Builds a province of ``AGENCIES`` agencies (one province, departments with units, communes),
fills ``DailyRollup`` with ``ROWS_PER_MONTH`` rows for each of two months (about 420,000 dossiers
a month: 10 million over two years) and an ``OpenSnapshot`` for the month's end, then times
``index766_reads.index_for_all`` (every agency, its subtree each) for one month, best of 3, and counts
its queries. Goal (issue 13, "Speed"): under 1 s.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.agencies.tests.factories import AgencyFactory
from caicach.metrics import index766_reads
from caicach.metrics.periods import parse_period
from rollup_volume import fill_daily_rollups

AGENCIES = 600
ROWS_PER_MONTH = 300_000

pytestmark = pytest.mark.django_db


def _tree() -> list[Agency]:
    province = AgencyFactory(code="000.00.00.H99", name="UBND tỉnh Đo", valid_from=date(2020, 1, 1))
    made = [province]
    depts = [
        AgencyFactory(code=f"000.00.{i:02d}.H99", name=f"Sở {i}", parent=province,
                      valid_from=date(2020, 1, 1))
        for i in range(1, 31)
    ]  # fmt: skip
    made += depts
    n = 0
    while len(made) < AGENCIES:
        n += 1
        if n % 2:
            parent = depts[n % len(depts)]
            made.append(AgencyFactory(code=f"000.{n % 100:02d}.{n // 100:02d}.H99",
                                      name=f"Phòng {n}", kind=AgencyKind.UNIT, parent=parent,
                                      valid_from=date(2020, 1, 1)))  # fmt: skip
        else:
            made.append(AgencyFactory(code=f"{n // 100:03d}.{n % 100:02d}.99.H99",
                                      name=f"Xã {n}", kind=AgencyKind.COMMUNE,
                                      level=AgencyLevel.COMMUNE, parent=province,
                                      valid_from=date(2020, 1, 1)))  # fmt: skip
    return made


def _fill(agency_ids: list[int]) -> None:
    fill_daily_rollups(agency_ids, ("2025-06-01", "2025-07-01"), ROWS_PER_MONTH, days=30)
    ids = "ARRAY[" + ",".join(map(str, agency_ids)) + "]"
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO metrics_opensnapshot (day, agency_id, procedure_id, channel, open_at_end,
                overdue_at_end)
            SELECT DATE '2025-07-31', ({ids})[1 + g %% {len(agency_ids)}], g, 'counter', 5, 1
            FROM generate_series(0, 20000 - 1) AS g
            ON CONFLICT DO NOTHING
            """,
            [],
        )
        cur.execute("ANALYZE metrics_opensnapshot")


def test_index_for_every_agency_in_one_month() -> None:
    agencies = _tree()
    _fill([a.pk for a in agencies])
    period = parse_period("2025-07")
    timings = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as q:
            start = time.perf_counter()
            results = index766_reads.index_for_all(period)
            timings.append(time.perf_counter() - start)
    report: dict[str, Any] = {
        "agencies": len(results),
        "rollup_rows_per_month": ROWS_PER_MONTH,
        "seconds_best": round(min(timings), 3),
        "seconds_all": [round(t, 3) for t in timings],
        "queries": len(q.captured_queries),
        "province_total": str(results[0].total),
    }
    print(json.dumps(report))
    out = Path(__file__).parent / "results" / "index766.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    assert len(results) == AGENCIES
