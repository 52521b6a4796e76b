"""Writing the rollups: full rebuild (set-based) and period-end snapshots.

metrics-notes "Two kinds of measure": a rebuild is ``TRUNCATE`` + one ``INSERT … SELECT …
GROUP BY``; the upkeep (``metrics.upkeep``) runs the same statement restricted to the dossiers an
event names, with ``ON CONFLICT DO UPDATE n = n + excluded.n``. The monthly rollups are made
from the daily ones, month by month, when a month is dirty (:func:`refresh_months`).
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from caicach.metrics.facts import SNAPSHOT_SQL, local_start, rollup_sql
from caicach.metrics.registry import ROLLUP_MEASURES

__all__ = ["month_ends", "rebuild", "refresh_months", "snapshot"]

#: Serialises the refreshes (a job may overlap the rebuild or another job).
_REFRESH_LOCK = 7_661_401
_SUMS = ", ".join(f"sum({c})" for c in ROLLUP_MEASURES)
_MONTHLY_SQL = (
    f"INSERT INTO metrics_monthlyrollup (month, agency_id, channel, {', '.join(ROLLUP_MEASURES)}) "
    f"SELECT %(month)s::date, agency_id, channel, {_SUMS} FROM metrics_dailyrollup "
    "WHERE day >= %(month)s::date AND day < (%(month)s::date + interval '1 month')::date "
    "GROUP BY agency_id, channel"
)


def rebuild(*, snapshots: bool = True) -> dict[str, float | int]:
    """Rebuild every rollup from the dossier table, in one transaction; returns timings."""
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("LOCK TABLE metrics_dailyrollup IN EXCLUSIVE MODE")
        cur.execute("TRUNCATE metrics_dailyrollup")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute(
            rollup_sql(received=True, finished=True, upsert=False), {"tz": settings.TIME_ZONE}
        )
        rows = cur.rowcount
        cur.execute("TRUNCATE metrics_monthlyrollup, metrics_dirtymonth")
        cur.execute("SELECT DISTINCT date_trunc('month', day)::date FROM metrics_dailyrollup")
        for (month,) in cur.fetchall():
            cur.execute(_MONTHLY_SQL, {"month": month})
        rollup_s = time.monotonic() - started
        days = 0
        if snapshots:
            cur.execute("TRUNCATE metrics_opensnapshot, metrics_snapshotday")
            cur.execute("SELECT min(received_on), max(received_on) FROM dossiers_dossier")
            first, last = cur.fetchone()
            if first is not None:
                for day in month_ends(first, max(last, timezone.localdate())):
                    snapshot(day, cursor=cur)
                    days += 1
    return {
        "rollup_rows": rows,
        "rollup_s": round(rollup_s, 3),
        "snapshots": days,
        "total_s": round(time.monotonic() - started, 3),
    }


def month_ends(first: date, last: date) -> list[date]:
    out = []
    y, m = first.year, first.month
    while True:
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        end = nxt - timedelta(1)
        if end > last:
            break
        out.append(end)
        y, m = nxt.year, nxt.month
    return out


def snapshot(day: date, *, cursor: object = None) -> None:
    """(Re)write the open/overdue stock at the end of ``day``; idempotent."""
    params = {"day": day, "end": local_start(day + timedelta(1))}

    def run(cur: object) -> None:
        cur.execute("DELETE FROM metrics_opensnapshot WHERE day = %s", [day])  # type: ignore[attr-defined]
        cur.execute(SNAPSHOT_SQL, params)  # type: ignore[attr-defined]
        cur.execute(  # type: ignore[attr-defined]
            "INSERT INTO metrics_snapshotday (day, taken_at) VALUES (%s, now()) "
            "ON CONFLICT (day) DO UPDATE SET taken_at = excluded.taken_at",
            [day],
        )

    if cursor is not None:
        run(cursor)
        return
    with transaction.atomic(), connection.cursor() as cur:
        run(cur)


def refresh_months() -> int:
    """Remake the monthly rows of every dirty month from the daily rows; the number of months.

    Runs in REPEATABLE READ: the dirty marks it clears are exactly those its snapshot saw, so a
    write committed meanwhile leaves its month dirty (and read from the daily rows) until the
    next run. A session advisory lock, taken before the snapshot, keeps two runs apart.
    """
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [_REFRESH_LOCK])
        if not cur.fetchone()[0]:
            return 0
        try:
            outer = connection.in_atomic_block  # inside a caller's transaction: its snapshot
            with transaction.atomic():
                if not outer:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cur.execute("SELECT DISTINCT month FROM metrics_dirtymonth ORDER BY 1")
                months = [row[0] for row in cur.fetchall()]
                for month in months:
                    cur.execute("DELETE FROM metrics_monthlyrollup WHERE month = %s", [month])
                    cur.execute(_MONTHLY_SQL, {"month": month})
                    cur.execute("DELETE FROM metrics_dirtymonth WHERE month = %s", [month])
        finally:
            cur.execute("SELECT pg_advisory_unlock(%s)", [_REFRESH_LOCK])
    return len(months)
