"""Synthetic daily rollups at the volume of 10 million dossiers, for the metrics benchmarks.

One ``INSERT … SELECT … FROM generate_series`` a month: ``rows`` rows spread over the first
``days`` days of the month, the agencies of ``agency_ids`` in turn, about a thousand procedures,
the three channels; every counter filled so that every KPI and the 766 index have figures. Then
``ANALYZE``. Shared by ``bench_index766``, ``bench_trend``, ``bench_public`` and ``bench_reports``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

__all__ = ["fill_daily_rollups"]


def fill_daily_rollups(
    agency_ids: list[int],
    month_firsts: Iterable[str],
    rows: int,
    *,
    days: int = 28,
    on_time: str = "2",
) -> None:
    """``on_time``: the SQL of ``finished_on_time`` per row (of 2 finished), over ``g``."""
    ids = "ARRAY[" + ",".join(map(str, agency_ids)) + "]"
    with connection.cursor() as cur:
        for first in month_firsts:
            cur.execute(
                f"""
                INSERT INTO metrics_dailyrollup (day, agency_id, procedure_id, version_id, channel,
                    received, received_online, finished, finished_online, finished_early,
                    finished_on_time, finished_legal_on_time, processing_days,
                    supplement_requests, apologised, apologies, reused, digitised,
                    received_full_online, received_full_online_eligible, electronic_result,
                    fee_bearing, paid_online, rated, rated_satisfied, transfers,
                    transfers_electronic)
                SELECT DATE %s + (g %% {days}), ({ids})[1 + g %% {len(agency_ids)}],
                       g / 90000 * 1000 + g %% 997, g / 90000 * 1000 + g %% 997,
                       (ARRAY['counter','online','post'])[1 + g / 30 %% 3],
                       2, g %% 2, 2, g %% 2, 1, {on_time.replace("%", "%%")}, 1, 3.5, g %% 3,
                       0, 0, 1, g %% 2, g %% 2, 1, g %% 2, 2, g %% 2, 1, g %% 3 / 2, g %% 2,
                       g %% 2
                FROM generate_series(0, %s - 1) AS g
                ON CONFLICT DO NOTHING
                """,
                [first, rows],
            )
        cur.execute("ANALYZE metrics_dailyrollup")
