"""Issue 16: an apology (form 04) moves the promise, never the statutory due; the dossier
stays marked as delayed (never "Còn hạn" again) and its page shows the first promise, the new
promise and the statutory due, with why they differ (deadlines.running_status)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from caicach.calendars.services import calendar_for
from caicach.dossiers import deadlines
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import act, receive, vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(tree, officers, version) -> Dossier:
    with time_machine.travel(vn(2025, 6, 2, 9, 30), tick=False):
        return receive(officers.receiver, version, tree.dept_a)


def _page(client, dossier: Dossier) -> str:
    return client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()


def test_the_statutory_due_never_moves_and_the_dossier_stays_delayed(client, dossier, officers):
    first, legal = dossier.due_at, dossier.legal_due_at
    new_due = legal + timedelta(days=4)
    with time_machine.travel(vn(2025, 6, 3, 9), tick=False):
        changed = act(officers.leader, dossier, "apologise", reason="Cần xác minh", new_due=new_due)
    assert changed.due_at == new_due
    assert changed.legal_due_at == legal  # never moves with an apology
    assert changed.first_due_at == first

    client.force_login(officers.receiver)
    with time_machine.travel(vn(2025, 6, 4, 9), tick=False):
        html = _page(client, changed)
    assert "Trễ hẹn, đã xin lỗi và hẹn lại" in html
    assert "Còn hạn" not in html
    assert "Hẹn trả lần đầu" in html and first.astimezone().strftime("%d/%m/%Y") in html
    assert "Hẹn trả mới (sau xin lỗi)" in html
    assert "Xin lỗi không làm thay đổi hạn theo quy định" in html
    assert "Ngày hẹn mới sau hạn theo quy định" in html
    assert "Đã xin lỗi, hẹn lại" in html

    # Past the statutory due but within the new promise: legally late, said so.
    with time_machine.travel(legal + timedelta(hours=18), tick=False):
        html = _page(client, changed)
    assert "Quá hạn theo quy định" in html and "Còn hạn" not in html


def test_a_supplement_after_an_apology_recounts_from_the_complete_dossier(
    client, dossier, officers
):
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        dossier = act(
            officers.leader,
            dossier,
            "apologise",
            reason="Cần xác minh",
            new_due=dossier.due_at + timedelta(hours=2),  # before the statutory due
        )
    with time_machine.travel(vn(2025, 6, 2, 11), tick=False):
        dossier = act(officers.receiver, dossier, "request_supplement", reason="Thiếu tờ khai")
    with time_machine.travel(vn(2025, 6, 9, 9), tick=False):
        dossier = act(officers.receiver, dossier, "supplement_received")
    assert dossier.legal_due_at > vn(2025, 6, 12)  # four working days from 9 June
    client.force_login(officers.receiver)
    with time_machine.travel(vn(2025, 6, 9, 10), tick=False):
        html = _page(client, dossier)
    assert "Ngày hẹn trả đã tính lại sau khi bổ sung hồ sơ" in html
    assert "Trễ hẹn, đã xin lỗi và hẹn lại" in html


def test_running_status_rules(tree):
    calendar = calendar_for(tree.dept_a)
    now = vn(2025, 6, 3, 9)
    due, legal = vn(2025, 6, 5, 17), vn(2025, 6, 6, 17)

    def status(due_at, legal_due, apologies, budgets=()):
        return deadlines.running_status(now, due_at, legal_due, apologies, budgets, calendar)

    assert status(due, legal, 0).status == "within_time"
    assert status(due, legal, 1).status == "delayed"
    assert status(vn(2025, 6, 2, 17), legal, 1).status == "overdue"
    assert status(vn(2025, 6, 10, 17), vn(2025, 6, 2, 17), 1).status == "past_statutory"
    risky = status(due, legal, 0, [calendar.day_length * 5])
    assert risky.status == "at_risk" and risky.at_risk
    assert risky.needed == calendar.day_length * 5 and risky.remaining < risky.needed
