"""Background jobs of the metrics (Procrastinate, found by its Django app's autodiscovery).

``refresh_months`` runs every minute: the months whose daily rollups changed get their monthly
rows remade (``metrics.rollup.refresh_months``). Until then readers take those months from the
daily rows, so figures are never stale, only slower to read (issue 14, "Speed").
"""

from __future__ import annotations

from procrastinate.contrib.django import app

from caicach.core import jobs
from caicach.metrics import rollup


@app.periodic(cron="* * * * *", periodic_id="metrics.refresh_months")
@app.task(name="metrics.refresh_months", queue=jobs.BATCH, queueing_lock="metrics.refresh_months")
def refresh_months(timestamp: int | None = None) -> int:
    """The number of months remade (Procrastinate passes the scheduled ``timestamp``, unused)."""
    return rollup.refresh_months()
