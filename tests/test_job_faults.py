"""Two job workers, one killed in the middle of a job (issue 17 item 5: "a test runs two workers
and a kill").

Two real ``caicach procrastinate worker`` processes serve the test database (committed data:
``transaction=True``). Each job queues a notification job in its transaction and then works for a
while; one worker is SIGKILLed mid-job. Its job stays ``doing`` and its notification job never
committed; the stalled-job retry queues it again and the other worker runs it. In the end every
job succeeded and every notification job exists exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection, transaction
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from caicach.core import jobs
from caicach.notifications.tasks import send_notification

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
TASK = "tests.faults.warn_slowly"
JOBS = 6
WORK_S = 1.5


@app.task(name=TASK, queue=jobs.BATCH)
def warn_slowly(n: int) -> None:
    """Like the due-warning job: the notification job is queued inside the job's transaction."""
    with transaction.atomic():
        send_notification.defer(notification_id=n)
        time.sleep(WORK_S)


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    host = s["HOST"] or "localhost"
    if host.startswith("/"):
        return f"postgresql://{auth}@:{s['PORT'] or 5432}/{s['NAME']}?host={host}"
    return f"postgresql://{auth}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


_WORKER = (
    "import sys; sys.path.insert(0, 'tests'); import django; django.setup(); "
    "import test_job_faults; from django.core.management import call_command; "
    "call_command('procrastinate', 'worker', '--queues', 'batch')"
)


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    # Other committed-data tests may leave queued jobs behind: the counts below are of this test's.
    _clear_jobs()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caicach.settings.test",
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
    }
    started = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            env=env,
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    _clear_jobs()


def _clear_jobs() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs; DELETE FROM procrastinate_workers")


def _wait(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _count(task: str, status: str) -> int:
    return ProcrastinateJob.objects.filter(task_name=task, status=status).count()


def test_a_worker_killed_mid_job_loses_and_duplicates_nothing(workers, settings):
    warn_slowly.batch_defer(*({"n": n} for n in range(JOBS)))
    _wait(lambda: _count(TASK, "doing") == 2)  # both workers in a job
    os.killpg(workers[0].pid, signal.SIGKILL)
    workers[0].wait(timeout=10)
    # The survivor finishes the rest; the killed worker's job stays `doing`, forever before.
    _wait(lambda: _count(TASK, "todo") == 0 and _count(TASK, "doing") == 1)
    assert _count(send_notification.name, "todo") == JOBS - 1

    settings.JOB_STALLED_AFTER_SECONDS = 0  # the survivor is idle: only the dead one's job

    async def retry() -> int:
        async with app.open_async():
            return await jobs.retry_stalled_jobs(app)

    # In its own thread: the browser tests' session may keep an event loop running in this one.
    with (
        app.replace_connector(app.connector.get_worker_connector()),
        ThreadPoolExecutor(1) as thread,
    ):
        # At least the dead worker's job; with a zero stall time a job the survivor happens to
        # be running at that instant (a periodic one) may be counted too, so "each exactly
        # once" is checked on the notifications below, not on this count.
        assert thread.submit(asyncio.run, retry()).result() >= 1
    _wait(lambda: _count(TASK, "succeeded") == JOBS)

    notified = ProcrastinateJob.objects.filter(task_name=send_notification.name)
    ids = sorted(job.args["notification_id"] for job in notified)
    assert ids == list(range(JOBS))  # each exactly once
