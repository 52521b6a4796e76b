"""Benchmark: the province's monthly Decision 766 report (every department and commune) as DOCX
and PDF, and its quarterly one-stop report, from the rollups.

Usage (a throw-away test database; nothing else is touched)::

    .venv/bin/pytest -q -s --ds=caicach.settings.test -p no:cacheprovider bench/bench_reports.py

Reports read rollups only (``DailyRollup``, ``OpenSnapshot``), never the dossiers, so the volume
that matters is the rollup's: the province of ``bench_index766`` (``AGENCIES`` agencies: 30
departments with units, communes) and ``ROWS_PER_MONTH`` rollup rows for each of the 12 months
the report's trend covers (about 420,000 dossiers a month, 10 million over two years), with the
month-end snapshots. Times, best of ``REPEAT``: building the content (the 766 index of the
province for 12 months, of every agency under it for this month and the last), writing the DOCX,
writing the PDF; the same for the quarterly report. Goal (issue 14, "Speed"): a monthly report for
the province under 30 s.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench_index766 import AGENCIES, _tree  # the same province
from caicach.metrics.documents import content
from caicach.metrics.documents.docx_writer import render_docx
from caicach.metrics.documents.pdf_writer import render_pdf
from caicach.metrics.periods import parse_period
from rollup_volume import fill_daily_rollups

ROWS_PER_MONTH = int(os.environ.get("BENCH_ROWS_PER_MONTH", "300000"))
MONTHS = [f"2024-{m:02d}" for m in range(8, 13)] + [f"2025-{m:02d}" for m in range(1, 10)]
REPEAT = 2

pytestmark = pytest.mark.django_db


def _fill(agency_ids: list[int]) -> None:
    fill_daily_rollups(
        agency_ids, [m + "-01" for m in MONTHS], ROWS_PER_MONTH, on_time="2 - g % 5 / 4"
    )


SLOW: list[tuple[float, str]] = []


def _timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    start = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        SLOW.append((time.perf_counter() - start, sql[:160]))


def _time(fn: Any) -> tuple[float, Any, int]:
    best, result, queries = float("inf"), None, 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as q, connection.execute_wrapper(_timed):
            start = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - start)
        queries = len(q.captured_queries)
    return best, result, queries


def test_the_province_reports() -> None:
    agencies = _tree()
    start = time.perf_counter()
    _fill([a.pk for a in agencies])
    fill_s = time.perf_counter() - start
    province = agencies[0]
    out: dict[str, Any] = {
        "agencies": len(agencies),
        "rollup_rows_per_month": ROWS_PER_MONTH,
        "months": len(MONTHS),
        "fill_seconds": round(fill_s, 1),
    }
    for kind, label in (("766", "2025-07"), ("one_stop", "2025-Q3")):
        period = parse_period(label)
        build_s, doc, queries = _time(lambda k=kind, p=period: content.build(k, province, p))
        docx_s, docx, _ = _time(lambda d=doc: render_docx(d))
        pdf_s, pdf, _ = _time(lambda d=doc: render_pdf(d))
        rows = sum(len(t.rows) for t in doc.tables())
        out[kind] = {
            "period": label,
            "table_rows": rows,
            "content_seconds": round(build_s, 2),
            "content_queries": queries,
            "docx_seconds": round(docx_s, 2),
            "pdf_seconds": round(pdf_s, 2),
            "docx_total_seconds": round(build_s + docx_s, 2),
            "pdf_total_seconds": round(build_s + pdf_s, 2),
            "docx_bytes": len(docx),
            "pdf_bytes": len(pdf),
        }
        SLOW.sort(reverse=True)
        out[kind]["slowest_queries"] = [[round(t, 3), q] for t, q in SLOW[:5]]
        out[kind]["query_seconds"] = round(sum(t for t, _ in SLOW) / REPEAT, 2)
        SLOW.clear()
    print(json.dumps(out))
    path = Path(__file__).parent / "results" / "reports.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    assert out["766"]["table_rows"] > AGENCIES // 2
    for kind in ("766", "one_stop"):
        assert out[kind]["pdf_total_seconds"] < 30 and out[kind]["docx_total_seconds"] < 30
