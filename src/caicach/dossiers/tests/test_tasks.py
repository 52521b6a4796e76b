"""``warn_due_soon``: one audit warning per open dossier and day when the promised date is
within ``DOSSIER_WARNING_WORKING_DAYS`` working days and no apology was sent, with an e-mail to the
officers holding the dossier and to the leaders of its unit and agency (issue: "the system warns
the unit and the leaders ahead of time (configurable)"); none for dossiers far from their date,
already overdue, apologised for (NĐ 61/2018 art. 19: once) or finished."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connections
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from caicach.core.audit import Actor
from caicach.core.models import AuditEntry
from caicach.dossiers import services, tasks
from caicach.dossiers.models import Dossier, due_soon_window
from caicach.dossiers.tests.factories import PERSON, receive, vn
from caicach.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db

# Received Friday 25/4/2025 10:00, promised 3 working days: due Tuesday 29/4/2025 17:00.
RECEIVED = vn(2025, 4, 25, 10)


def _warn(now):
    """Run the job at ``now`` (the audit entries are stamped with the clock's time)."""
    with time_machine.travel(now, tick=False):
        return tasks.warn(now)


def _warnings() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=tasks.ACTION).order_by("id"))


@pytest.fixture
def dossier(tree: Any, officers: Any, version: Any) -> Dossier:
    return receive(officers.receiver, version, tree.dept_a, received_at=RECEIVED)


def test_window_is_a_setting(settings):
    assert settings.DOSSIER_WARNING_WORKING_DAYS == 2  # the documented default
    assert due_soon_window() == 2
    settings.DOSSIER_WARNING_WORKING_DAYS = -3
    assert due_soon_window() == 0
    assert tasks.warn_due_soon.name == "dossiers.warn_due_soon"


# Due Tuesday 29/4/2025 17:00; Saturday 26/4 is worked (swapped for Friday 2/5).
@pytest.mark.parametrize(
    ("window", "now", "warned"),
    [
        (0, vn(2025, 4, 28, 9), 0),  # Monday: the working day before, outside a 0-day window
        (0, vn(2025, 4, 29, 8), 1),  # the due day itself
        (1, vn(2025, 4, 28, 9), 1),
        (1, vn(2025, 4, 25, 16), 0),  # Friday: three working days ahead (26/4 is worked)
        (2, vn(2025, 4, 25, 16), 0),
        (3, vn(2025, 4, 25, 16), 1),
        (5, vn(2025, 4, 22, 9), 0),  # not yet received
        (2, vn(2025, 4, 29, 17, 1), 0),  # overdue: another story
    ],
)
def test_the_window_follows_the_setting(settings, dossier, window, now, warned):
    settings.DOSSIER_WARNING_WORKING_DAYS = window
    assert _warn(now) == warned
    assert Notification.objects.filter(kind=NotificationKind.DUE_WARNING).exists() == bool(warned)


def test_warns_once_a_day_inside_the_window(dossier):
    due = dossier.due_at
    far = due - timedelta(days=20)
    assert _warn(far) == 0
    # The working day before the due date: inside a 2-working-day window.
    near = due - timedelta(hours=1)
    assert _warn(near) == 1
    (entry,) = _warnings()
    assert entry.object_id == str(dossier.pk)
    assert entry.agency_id == dossier.current_agency_id
    assert entry.actor_id is None and entry.actor_label == "warn_due_soon"
    assert entry.changes["window_working_days"] == 2
    assert entry.changes["latest_apology_day"] == "2025-04-28"
    assert entry.changes["due_at"] == "2025-04-29T17:00:00+07:00"
    # The next run the same day writes nothing more.
    assert _warn(near + timedelta(minutes=30)) == 0
    assert len(_warnings()) == 1


def test_no_warning_when_overdue_finished_or_apologised(tree, officers, version, dossier):
    assert _warn(dossier.due_at + timedelta(minutes=1)) == 0  # overdue: another story
    Dossier.objects.filter(pk=dossier.pk).update(apologies=1)
    assert _warn(dossier.due_at - timedelta(hours=1)) == 0
    Dossier.objects.filter(pk=dossier.pk).update(apologies=0, state="refused")
    assert _warn(dossier.due_at - timedelta(hours=1)) == 0
    assert _warnings() == []


def test_a_new_day_gives_a_new_warning(dossier):
    calendar_day_before = dossier.due_at - timedelta(days=1)
    first = _warn(calendar_day_before)
    second = _warn(dossier.due_at - timedelta(hours=1))
    assert (first, second) == (1, 1)
    assert len(_warnings()) == 2


def test_the_task_function_runs(dossier, monkeypatch):
    monkeypatch.setattr(tasks.timezone, "now", lambda: dossier.due_at - timedelta(hours=2))
    assert tasks.warn_due_soon(0) == 1
    assert tasks.warn_due_soon(0) == 0


def test_apology_state_is_recorded(officers, dossier):
    # A processor may still apologise: the warning says whether form 04 can still be sent.
    services.perform_action(
        Actor(user=officers.receiver), dossier.code, "assign", expected_version=1
    )
    _warn(dossier.due_at - timedelta(hours=1))
    (entry,) = _warnings()
    assert entry.changes["apology_still_allowed"] is False  # the due day itself: too late
    assert entry.changes["state"] == "assigned"


# -- who is warned ---------------------------------------------------------------------------

JOB = "notifications.send_notification"


def _warning_mail() -> list[Notification]:
    return list(Notification.objects.filter(kind=NotificationKind.DUE_WARNING).order_by("id"))


@pytest.fixture
def people(tree, officers, make_officer):
    """Leaders of the unit and agency holding the dossier, and of others (not to be warned)."""

    class People:
        unit_leader = make_officer("unit_leader", tree.unit_a, username="truongphong_a")
        province_reformer = make_officer("reform_officer", tree.province, username="cchc")
        leader_b = make_officer("agency_leader", tree.dept_b, username="lanhdao_b")
        unit_leader_b = make_officer("unit_leader", tree.dept_b, username="truongphong_b")
        no_mail = make_officer("agency_leader", tree.dept_a, username="lanhdao_a2", email="")

    return People


@pytest.fixture
def assigned(tree, officers, dossier) -> Dossier:
    """The dossier assigned on receipt day to unit A's processor."""
    with time_machine.travel(RECEIVED + timedelta(minutes=30), tick=False):
        return services.perform_action(
            Actor(user=officers.receiver),
            dossier.code,
            "assign",
            expected_version=dossier.version,
            agency=tree.unit_a.code,
            assignee=officers.processor.pk,
        )


def test_the_holder_and_the_leaders_of_the_holding_unit_and_agency_are_e_mailed(
    assigned, officers, people
):
    near = assigned.due_at - timedelta(hours=30)  # Monday 28/4: apology still allowed
    assert _warn(near) == 1
    rows = _warning_mail()
    assert {r.officer for r in rows} == {officers.processor, people.unit_leader, officers.leader}
    assert {r.recipient for r in rows} == {
        "chuyenvien_a@example.test",
        "truongphong_a@example.test",
        "lanhdao_a@example.test",
    }
    assert {(r.channel, r.status, r.dossier_id, r.event_id) for r in rows} == {
        ("email", "pending", assigned.pk, None)
    }
    jobs = ProcrastinateJob.objects.filter(
        task_name=JOB, args__notification_id__in=[r.pk for r in rows]
    )
    assert jobs.count() == 3
    (entry,) = _warnings()
    officers_in_trail = sorted([*(r.officer_id for r in rows), people.no_mail.pk])
    assert sorted(entry.changes["officers"]) == officers_in_trail
    body = rows[0].body
    assert assigned.code in rows[0].subject and "17:00 ngày 29/04/2025" in rows[0].subject
    assert "Mẫu 04" in body and "28/04/2025" in body and "Điều 19" in body
    assert reverse("dossiers:detail", args=[assigned.code]) in body
    assert PERSON["full_name"] not in body and PERSON["phone"] not in body  # no personal data


def test_leaders_of_other_agencies_and_officers_without_address_are_not_e_mailed(
    assigned, officers, people
):
    _warn(assigned.due_at - timedelta(hours=30))
    warned = {r.officer for r in _warning_mail()}
    for other in (
        people.leader_b,
        people.unit_leader_b,
        people.province_reformer,
        people.no_mail,
        officers.receiver,
        officers.processor_b,
        officers.receiver_b,
    ):
        assert other not in warned
    (entry,) = _warnings()
    assert people.no_mail.pk in entry.changes["officers"]  # warned in the trail, no e-mail


def test_without_an_assignee_the_unit_processors_are_warned(dossier, officers, people):
    _warn(dossier.due_at - timedelta(hours=30))
    warned = {r.officer for r in _warning_mail()}
    # Still at department A's desk: its processors and leaders; unit A's leader is below it.
    assert warned == {officers.processor, officers.leader}


def test_the_job_run_twice_writes_one_set_of_notifications(assigned, people):
    near = assigned.due_at - timedelta(hours=30)
    assert _warn(near) == 1
    first = [(r.officer_id, r.recipient) for r in _warning_mail()]
    assert _warn(near + timedelta(minutes=30)) == 0
    assert _warn(near + timedelta(hours=2)) == 0
    assert [(r.officer_id, r.recipient) for r in _warning_mail()] == first
    assert ProcrastinateJob.objects.filter(task_name=JOB).count() == len(Notification.objects.all())
    # The next day (the due day) is a new warning: no apology is possible any more.
    assert _warn(assigned.due_at - timedelta(hours=2)) == 1
    rows = _warning_mail()
    assert len(rows) == 2 * len(first)
    assert "không còn được gửi Phiếu xin lỗi" in rows[-1].body


def test_a_dossier_with_an_apology_is_not_warned_and_its_applicant_is_told(
    tree, officers, version, people
):
    d = receive(
        officers.receiver,
        version,
        tree.dept_a,
        received_at=RECEIVED,
        applicant={**PERSON, "email": "an.nguyen@example.vn"},
    )
    new_due = vn(2025, 5, 6, 17)
    with time_machine.travel(vn(2025, 4, 28, 9), tick=False):
        d = services.perform_action(
            Actor(user=officers.leader),
            d.code,
            "apologise",
            expected_version=d.version,
            reason="Chờ xác minh.",
            new_due=new_due,
        )
    told = Notification.objects.filter(
        dossier=d, kind=NotificationKind.STATUS_CHANGE, event__action="apologise"
    )
    assert sorted(told.values_list("channel", flat=True)) == ["email", "sms"]
    mail = told.get(channel="email")
    assert "Mẫu 04" in mail.body
    assert "Ngày hẹn cũ: 17:00 ngày 29/04/2025; ngày hẹn mới: 17:00 ngày 06/05/2025" in mail.body
    assert "06/05/2025" in told.get(channel="sms").body
    # Near the new date, and near the old one: no warning, no e-mail to the officers.
    for moment in (vn(2025, 4, 28, 10), vn(2025, 5, 5, 9), vn(2025, 5, 6, 9)):
        assert _warn(moment) == 0
    assert _warning_mail() == [] and _warnings() == []


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_warn_once(tree, officers, version, people):
    d = receive(officers.receiver, version, tree.dept_a, received_at=RECEIVED)
    near = d.due_at - timedelta(hours=30)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(tasks.warn(near))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    with time_machine.travel(near, tick=False):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sum(results) <= 1  # the second may skip the locked row, or see the first's entry
    if sum(results) == 0:
        assert _warn(near) == 1
    assert len(_warnings()) == 1
    assert len(_warning_mail()) == 2  # processor and agency leader of department A


def test_a_warning_with_nobody_to_warn_is_not_recorded(tree, make_officer, version):
    """Issue 16: the trail was flooded by due-soon warnings sent to no one."""
    from caicach.dossiers.tests.factories import procedure_version

    lone = make_officer("receiver", tree.dept_b, username="motcua_lone")
    other = procedure_version(tree.dept_b)
    dossier = receive(lone, other, tree.dept_b, received_at=RECEIVED)
    assert _warn(dossier.due_at - timedelta(hours=1)) == 0
    assert _warnings() == []
