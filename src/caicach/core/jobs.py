"""How the background jobs (Procrastinate) are queued, split and recovered.

* **Jobs commit with their rows, in the worker too.** Procrastinate's Django command swaps the
  app's connector for a psycopg pool (``get_worker_connector``) while the worker runs, so a job
  deferred *inside* a job (the due-warning job queues one notification job per e-mail) went in
  on another connection and committed before the rows it acts on: the job could run, find no row
  and "succeed" (issue 17: 1 of 3,196 warnings lost). :class:`TransactionalConnector` keeps the
  pool for the worker's own work (fetch, finish, heartbeat, listen) and sends every synchronous
  query, which is every ``defer`` of our code, through Django's connection of the calling thread,
  inside its transaction. Installed by ``PROCRASTINATE_ON_APP_READY`` (:func:`on_app_ready`).
* **Separate queues.** Applicants' notifications (NĐ 224/2026 art. 15(1)(g): in real time) go on
  :data:`NOTIFICATIONS`; long batch work (register PDFs, calendar impact, due-date warnings) on
  :data:`BATCH`. ``caicach serve`` starts a worker process for each (:data:`WORKERS`), so a
  long batch never holds up a notification.
* **Stalled jobs are retried.** A worker killed mid-job (``kill -9``, out of memory, power) leaves
  its job ``doing`` forever. Workers beat every 10 s; :func:`retry_stalled_jobs`, run every
  minute, puts back to ``todo`` every ``doing`` job whose worker has not beaten for
  ``JOB_STALLED_AFTER_SECONDS`` (Procrastinate's documented stalled-job recovery). Our jobs are
  idempotent (a notification already sent is not sent again, a warning is once a day).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from procrastinate import App, PsycopgConnector
from procrastinate import connector as connector_module
from procrastinate.contrib.django import utils as django_utils
from procrastinate.contrib.django.django_connector import DjangoConnector

#: The queue of the applicants' and officers' notifications (short jobs, sent at once).
NOTIFICATIONS = "notifications"
#: The queue of long batch jobs (register PDFs, calendar impact, due-date warnings, clean-ups).
BATCH = "batch"
#: Procrastinate's queue for a task that names none: served with the batches.
DEFAULT = "default"
#: The queues of each worker process of ``caicach serve``.
WORKERS = ((NOTIFICATIONS,), (BATCH, DEFAULT))


class _WorkerConnector(PsycopgConnector):
    """The worker's pool for the worker itself; synchronous queries (the defers made by job
    code, which runs in a thread) through Django's connection of that thread."""

    def __init__(self, django: DjangoConnector, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._django = django

    def get_sync_connector(self) -> connector_module.BaseConnector:
        return self._django


class TransactionalConnector(DjangoConnector):
    """Django's connector, whose worker connector still defers through Django (see module)."""

    def get_worker_connector(self) -> connector_module.BaseAsyncConnector:
        # As DjangoConnector.get_worker_connector does for psycopg 3, our driver.
        return _WorkerConnector(self, kwargs=django_utils.connector_params(self.alias))


def on_app_ready(app: App) -> None:
    """``PROCRASTINATE_ON_APP_READY``: install :class:`TransactionalConnector`."""
    connector = TransactionalConnector(alias=getattr(app.connector, "alias", "default"))
    app.connector = connector
    app.job_manager.connector = connector


async def retry_stalled_jobs(app: App) -> int:
    """Put back to ``todo`` the ``doing`` jobs of workers silent for
    ``JOB_STALLED_AFTER_SECONDS``; returns how many."""
    stalled = await app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.JOB_STALLED_AFTER_SECONDS
    )
    count = 0
    for job in stalled:
        await app.job_manager.retry_job(job)
        count += 1
    return count
