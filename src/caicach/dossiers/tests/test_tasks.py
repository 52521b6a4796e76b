"""``warn_due_soon``: one audit warning per open dossier and day when the promised date is
within ``WARN_WORKING_DAYS`` working days and no apology was sent; none for dossiers far from
their date, already overdue, apologised for or finished."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from caicach.core.audit import Actor
from caicach.core.models import AuditEntry
from caicach.dossiers import services, tasks
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import receive, vn

pytestmark = pytest.mark.django_db

# Received Friday 25/4/2025 10:00, promised 3 working days: due Tuesday 29/4/2025 17:00.
RECEIVED = vn(2025, 4, 25, 10)


def _warnings() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=tasks.ACTION).order_by("id"))


@pytest.fixture
def dossier(tree: Any, officers: Any, version: Any) -> Dossier:
    return receive(officers.receiver, version, tree.dept_a, received_at=RECEIVED)


def test_window_is_a_module_constant():
    assert tasks.WARN_WORKING_DAYS == 2
    assert tasks.warn_due_soon.name == "dossiers.warn_due_soon"


def test_warns_once_a_day_inside_the_window(dossier):
    due = dossier.due_at
    far = due - timedelta(days=20)
    assert tasks.warn(far) == 0
    # The working day before the due date: inside a 2-working-day window.
    near = due - timedelta(hours=1)
    assert tasks.warn(near) == 1
    (entry,) = _warnings()
    assert entry.object_id == str(dossier.pk)
    assert entry.agency_id == dossier.current_agency_id
    assert entry.actor_id is None and entry.actor_label == "warn_due_soon"
    assert entry.changes["window_working_days"] == 2
    assert entry.changes["due_at"] == "2025-04-29T17:00:00+07:00"
    # The next run the same day writes nothing more.
    assert tasks.warn(near + timedelta(minutes=30)) == 0
    assert len(_warnings()) == 1


def test_no_warning_when_overdue_finished_or_apologised(tree, officers, version, dossier):
    assert tasks.warn(dossier.due_at + timedelta(minutes=1)) == 0  # overdue: another story
    Dossier.objects.filter(pk=dossier.pk).update(apologies=1)
    assert tasks.warn(dossier.due_at - timedelta(hours=1)) == 0
    Dossier.objects.filter(pk=dossier.pk).update(apologies=0, state="refused")
    assert tasks.warn(dossier.due_at - timedelta(hours=1)) == 0
    assert _warnings() == []


def test_a_new_day_gives_a_new_warning(dossier):
    calendar_day_before = dossier.due_at - timedelta(days=1)
    first = tasks.warn(calendar_day_before)
    second = tasks.warn(dossier.due_at - timedelta(hours=1))
    assert first + second == len(_warnings()) >= 1


def test_the_task_function_runs(dossier, monkeypatch):
    monkeypatch.setattr(tasks.timezone, "now", lambda: dossier.due_at - timedelta(hours=2))
    assert tasks.warn_due_soon(0) == 1
    assert tasks.warn_due_soon(0) == 0


def test_apology_state_is_recorded(officers, dossier):
    # A processor may still apologise: the warning says whether form 04 can still be sent.
    services.perform_action(
        Actor(user=officers.receiver), dossier.code, "assign", expected_version=1
    )
    tasks.warn(dossier.due_at - timedelta(hours=1))
    (entry,) = _warnings()
    assert entry.changes["apology_still_allowed"] is False  # the due day itself: too late
    assert entry.changes["state"] == "assigned"
