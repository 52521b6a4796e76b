"""The daily task reminders (issue 15; ``plans.work.reminders``), imported by ``plans.tasks``
so that Procrastinate's autodiscovery finds them. Once per task and day, however often it runs."""

from __future__ import annotations

from django.utils import timezone
from procrastinate.contrib.django import app

from caicach.core import jobs


@app.periodic(cron="0 7 * * *", periodic_id="plans.remind_tasks")
@app.task(name="plans.remind_tasks", queue=jobs.BATCH, queueing_lock="plans.remind_tasks")
def remind_tasks(timestamp: int | None = None) -> int:
    """How many tasks were reminded (``timestamp`` is Procrastinate's schedule, unused)."""
    from caicach.plans.work.reminders import remind

    return remind(timezone.localdate())
