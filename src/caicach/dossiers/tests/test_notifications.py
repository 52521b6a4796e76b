"""Real-time notification of status changes (NĐ 224/2026 art. 15(1)(g)) through the outbox and
the background queue: rows and jobs commit with the change, the job sends and retries."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from procrastinate.contrib.django.models import ProcrastinateJob
from procrastinate.jobs import Job

from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import CITIZEN_ID, PERSON, act, receive, vn
from caicach.notifications.models import Notification
from caicach.notifications.tasks import MAX_RETRIES, send_notification

pytestmark = pytest.mark.django_db

JOB = "notifications.send_notification"
WITH_EMAIL = {**PERSON, "email": "an.nguyen@example.vn"}


def jobs() -> list[ProcrastinateJob]:
    return list(ProcrastinateJob.objects.filter(task_name=JOB).order_by("id"))


@pytest.fixture
def dossier(tree: Any, officers: Any, version: Any) -> Dossier:
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False):
        return receive(officers.receiver, version, tree.dept_a, applicant=WITH_EMAIL)


def test_receipt_and_each_status_change_queue_one_job_per_message(dossier, tree, officers):
    rows = list(Notification.objects.filter(dossier=dossier))
    assert sorted(r.channel for r in rows) == ["email", "sms"]
    assert {r.recipient for r in rows} == {"an.nguyen@example.vn", PERSON["phone"]}
    assert [j.args for j in jobs()] == [{"notification_id": r.pk} for r in rows]
    assert all(j.status == "todo" for j in jobs())

    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        dossier = act(officers.receiver, dossier, "assign", agency=tree.unit_a.code)
    rows = list(Notification.objects.filter(dossier=dossier))
    assert len(rows) == 4
    assert [j.args["notification_id"] for j in jobs()] == [r.pk for r in rows]
    assert {r.status for r in rows} == {"pending"}


def test_message_says_code_status_due_date_and_link_and_nothing_personal(dossier):
    email = Notification.objects.get(dossier=dossier, channel="email")
    sms = Notification.objects.get(dossier=dossier, channel="sms")
    for text in (email.subject + email.body, sms.body):
        assert dossier.code in text
        assert "Đã tiếp nhận" in text or "đã tiếp nhận" in text.lower()
        assert "05/06/2025" in text  # promised date: 3 working days after Mon 02/06
        assert f"/tra-cuu/{dossier.code}?t={dossier.lookup_token}" in text
        for personal in (CITIZEN_ID, PERSON["full_name"], PERSON["address"]):
            assert personal not in text


def test_no_contact_no_notification(tree, officers, version):
    applicant = {k: v for k, v in PERSON.items() if k != "phone"}
    d = receive(officers.receiver, version, tree.dept_a, applicant=applicant)
    assert not Notification.objects.filter(dossier=d).exists()
    assert jobs() == []


def test_a_change_without_a_new_state_is_not_notified(dossier, tree, officers, make_officer):
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        dossier = act(officers.receiver, dossier, "assign", agency=tree.unit_a.code)
        before = Notification.objects.count()
        dossier = act(officers.processor, dossier, "accept")  # assigned → processing
        assert Notification.objects.count() == before + 2
        dossier = act(officers.processor, dossier, "appraise", note="Hợp lệ.")  # stays processing
        assert Notification.objects.count() == before + 2


def test_a_rolled_back_change_sends_nothing(dossier, tree, officers):
    before_rows, before_jobs = Notification.objects.count(), len(jobs())
    with pytest.raises(RuntimeError), transaction.atomic():
        act(officers.receiver, dossier, "assign", agency=tree.unit_a.code)
        assert Notification.objects.count() == before_rows + 2
        raise RuntimeError("the caller failed after the change")
    assert Notification.objects.count() == before_rows
    assert len(jobs()) == before_jobs


def test_a_rolled_back_receipt_sends_nothing(tree, officers, version):
    with pytest.raises(RuntimeError), transaction.atomic():
        receive(officers.receiver, version, tree.dept_a, applicant=WITH_EMAIL)
        raise RuntimeError("boom")
    assert not Notification.objects.exists()
    assert jobs() == []


def test_the_task_sends_and_marks_sent(dossier):
    email = Notification.objects.get(dossier=dossier, channel="email")
    send_notification(notification_id=email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 1, "")
    assert email.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["an.nguyen@example.vn"]
    assert dossier.code in mail.outbox[0].subject
    send_notification(notification_id=email.pk)  # a job run twice does not send twice
    assert len(mail.outbox) == 1


def test_the_task_sends_sms_through_the_configured_gateway(dossier, settings, tmp_path):
    settings.SMS_BACKEND = "caicach.notifications.backends.FileSmsGateway"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    sms = Notification.objects.get(dossier=dossier, channel="sms")
    send_notification(notification_id=sms.pk)
    sms.refresh_from_db()
    assert sms.status == "sent"
    line = (tmp_path / "sms.jsonl").read_text(encoding="utf-8")
    assert PERSON["phone"] in line and dossier.code in line


class GatewayDownError(Exception):
    pass


def test_a_failing_gateway_keeps_the_row_and_lets_the_queue_retry(dossier, monkeypatch):
    def down(*args: Any, **kwargs: Any) -> None:
        raise GatewayDownError("503 Service Unavailable")

    monkeypatch.setattr("caicach.notifications.backends.send_email", down)
    email = Notification.objects.get(dossier=dossier, channel="email")
    with pytest.raises(GatewayDownError):
        send_notification(notification_id=email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts, email.sent_at) == ("pending", 1, None)
    assert "503 Service Unavailable" in email.last_error

    # Procrastinate retries such a failure, later each time, up to the last attempt.
    job = Job(id=1, queue="default", lock=None, queueing_lock=None, task_name=JOB, attempts=0)
    strategy = send_notification.retry_strategy
    first = strategy.get_retry_decision(exception=GatewayDownError(), job=job)
    later = strategy.get_retry_decision(exception=GatewayDownError(), job=job.evolve(attempts=3))
    assert first is not None and later is not None
    assert later.retry_at > first.retry_at
    last = job.evolve(attempts=MAX_RETRIES)
    assert strategy.get_retry_decision(exception=GatewayDownError(), job=last) is None

    # The last attempt marks the row failed (kept, with its error, for the admin to resend).
    Notification.objects.filter(pk=email.pk).update(attempts=MAX_RETRIES)
    with pytest.raises(GatewayDownError):
        send_notification(notification_id=email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", MAX_RETRIES + 1)

    # Once the gateway is back, a resend goes through.
    monkeypatch.undo()
    from caicach.notifications.services import requeue

    assert requeue([email]) == 1
    send_notification(notification_id=email.pk)
    email.refresh_from_db()
    assert email.status == "sent"
    assert len(mail.outbox) == 1
