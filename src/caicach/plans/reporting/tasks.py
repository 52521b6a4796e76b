"""The reports' daily job: create the expected reports of the periods that have begun
(:func:`caicach.plans.reporting.services.generate`; idempotent, a report already there is left
alone)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from caicach.core import jobs
from caicach.core.audit import Actor


@app.periodic(cron="15 6 * * *", periodic_id="plans.generate_reports")
@app.task(name="plans.generate_reports", queue=jobs.BATCH, queueing_lock="plans.reports")
def generate_reports(timestamp: int | None = None) -> int:
    """How many reports were created (``timestamp`` is Procrastinate's schedule, unused)."""
    from caicach.plans.reporting.services import generate

    return generate(Actor.system("plans.generate_reports"))
