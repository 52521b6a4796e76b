"""Background job that sends one notification (Procrastinate, found by autodiscovery).

Retried with exponential back-off (3 s, 9 s, 27 s, … about 8 hours in all) while the gateway
fails; the row keeps the attempts and the last error, and turns ``failed`` only when the queue
gives up. A row already sent is not sent again (a job may run twice).
"""

from __future__ import annotations

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from caicach.core import jobs
from caicach.notifications import services

#: Retries after the first attempt; ``exponential_wait ** (attempt + 1)`` seconds apart.
MAX_RETRIES = 10
RETRY = RetryStrategy(max_attempts=MAX_RETRIES, exponential_wait=3)


@app.task(name="notifications.send_notification", queue=jobs.NOTIFICATIONS, retry=RETRY)
def send_notification(notification_id: int) -> None:
    services.deliver(notification_id, final_attempt_after=MAX_RETRIES + 1)
