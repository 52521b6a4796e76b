"""The plans' background job: every morning, a corrective proposal for each live target that
fell off track (issue 15, :func:`caicach.plans.proposals.propose_all`; also ``caicach plans
propose``). Idempotent: a target with an open proposal gets no second one."""

from __future__ import annotations

from procrastinate.contrib.django import app

from caicach.core import jobs
from caicach.core.audit import Actor


@app.periodic(cron="30 6 * * *", periodic_id="plans.propose_corrections")
@app.task(name="plans.propose_corrections", queue=jobs.BATCH, queueing_lock="plans.propose")
def propose_corrections(timestamp: int | None = None) -> int:
    """How many proposals were made (``timestamp`` is Procrastinate's schedule, unused)."""
    from caicach.plans.proposals import propose_all

    return len(propose_all(Actor.system("plans.propose_corrections")))


# The daily jobs of the subsystems (issue 15): expected periodic reports, task reminders.
from caicach.plans.reporting.tasks import generate_reports  # noqa: E402, F401
from caicach.plans.work.jobs import remind_tasks  # noqa: E402, F401
