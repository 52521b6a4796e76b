"""Background jobs (issue 17 item 5): a job deferred inside a job commits or rolls back with it,
in a real worker; stalled jobs are retried; every task is on a queue a worker serves."""

from __future__ import annotations

import asyncio

import pytest
from django.db import connection, connections, transaction
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from caicach.core import jobs
from caicach.notifications.tasks import send_notification

pytestmark = pytest.mark.django_db(transaction=True)

OUTER = "tests.core.defer_then"


@app.task(name=OUTER, queue=jobs.BATCH)
def defer_then(fail: bool) -> None:
    """A job that queues a notification job in its transaction, then fails or not."""
    try:
        with transaction.atomic():
            send_notification.defer(notification_id=0)
            if fail:
                raise RuntimeError("failed after the defer")
    finally:
        connections.close_all()  # the worker thread's connection (the test database is dropped)


@pytest.fixture(autouse=True)
def empty_queue():
    """Procrastinate's tables are not Django's to flush between transactional tests: emptied
    before (jobs an earlier test committed) and after."""

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM procrastinate_jobs; DELETE FROM procrastinate_workers")

    empty()
    yield
    empty()


def run_worker(*queues: str) -> None:
    """Run the worker as ``caicach procrastinate worker`` does (its connector swapped for the
    worker's) until the queues are empty."""

    async def run() -> None:
        async with app.open_async():
            await app.run_worker_async(
                queues=list(queues), wait=False, install_signal_handlers=False
            )

    with app.replace_connector(app.connector.get_worker_connector()):
        asyncio.run(run())


def statuses(task_name: str) -> list[str]:
    return list(
        ProcrastinateJob.objects.filter(task_name=task_name)
        .order_by("id")
        .values_list("status", flat=True)
    )


def test_a_job_that_fails_after_deferring_leaves_no_deferred_job():
    defer_then.defer(fail=True)
    run_worker(jobs.BATCH)
    assert statuses(OUTER) == ["failed"]
    # Before: the worker's pool committed the notification job apart from the failed job.
    assert statuses(send_notification.name) == []


def test_a_job_that_succeeds_commits_its_deferred_job():
    defer_then.defer(fail=False)
    run_worker(jobs.BATCH)
    assert statuses(OUTER) == ["succeeded"]
    assert statuses(send_notification.name) == ["todo"]


def _doing_job(heartbeat_age_s: int) -> int:
    """A ``doing`` notification job held by a worker last heard ``heartbeat_age_s`` ago."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (NOW() - make_interval(secs => %s)) RETURNING id",
            [heartbeat_age_s],
        )
        (worker_id,) = cursor.fetchone()
    job_id = send_notification.defer(notification_id=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s WHERE id = %s",
            [worker_id, job_id],
        )
    return job_id


def test_the_jobs_of_a_silent_worker_are_retried(settings):
    settings.JOB_STALLED_AFTER_SECONDS = 60
    stalled = _doing_job(heartbeat_age_s=300)
    alive = _doing_job(heartbeat_age_s=1)

    async def retry() -> int:
        async with app.open_async():
            return await jobs.retry_stalled_jobs(app)

    with app.replace_connector(app.connector.get_worker_connector()):  # as in the worker
        assert asyncio.run(retry()) == 1
    assert ProcrastinateJob.objects.get(pk=stalled).status == "todo"
    assert ProcrastinateJob.objects.get(pk=alive).status == "doing"


def test_stalled_jobs_are_retried_every_minute():
    assert "core.retry_stalled_jobs" in app.tasks
    periodic = [
        p
        for p in app.periodic_registry.periodic_tasks.values()
        if p.periodic_id.startswith("core.")
    ]
    assert sorted(p.cron for p in periodic) == ["* * * * *", "40 2 * * *"]


def test_every_task_is_on_a_queue_a_worker_serves_and_notifications_alone():
    served = {queue for worker in jobs.WORKERS for queue in worker}
    ours = {name: task for name, task in app.tasks.items() if "procrastinate." not in name}
    assert {task.queue for task in ours.values()} <= served
    assert ours["notifications.send_notification"].queue == jobs.NOTIFICATIONS
    for name in ("dossiers.render_register", "dossiers.warn_due_soon"):
        assert ours[name].queue == jobs.BATCH
    assert ours["calendars.report_calendar_impact"].queue == jobs.BATCH
    assert (jobs.NOTIFICATIONS,) in jobs.WORKERS
