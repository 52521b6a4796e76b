"""Background jobs of the core (Procrastinate, found by its Django app's autodiscovery)."""

from __future__ import annotations

from procrastinate import JobContext
from procrastinate.contrib.django import app

from caicach.core import jobs


@app.periodic(cron="* * * * *", periodic_id="core.retry_stalled_jobs")
@app.task(
    name="core.retry_stalled_jobs",
    queue=jobs.NOTIFICATIONS,  # short, and never behind a long batch
    queueing_lock="core.retry_stalled_jobs",
    pass_context=True,
)
async def retry_stalled_jobs(context: JobContext, timestamp: int | None = None) -> int:
    """Every minute: retry the jobs of killed workers (:func:`caicach.core.jobs.retry_stalled_jobs`)."""
    return await jobs.retry_stalled_jobs(context.app)


@app.periodic(cron="40 2 * * *", periodic_id="core.remove_orphan_files")
@app.task(
    name="core.remove_orphan_files",
    queue=jobs.BATCH,
    queueing_lock="core.remove_orphan_files",
)
def remove_orphan_files(timestamp: int | None = None) -> int:
    """Every night: delete stored files no row references, older than ``ORPHAN_FILE_GRACE_HOURS``
    (:func:`caicach.core.orphans.remove_orphans`); returns how many."""
    from caicach.core.orphans import remove_orphans

    return len(remove_orphans())
