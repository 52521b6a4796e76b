"""Issue 16: due dates counted over a year whose official calendar is not announced yet are
stored provisional, shown "tạm tính" on the page, in the API and on the receipt, and recounted
when the official calendar is entered (caicach.dossiers.provisional; regulations §4.4).

Worked by hand (promised 5, statutory 6 working days; Mon 28/12/2026 10:00, before the cut-off):
Tue 29, Wed 30, Thu 31 (3), Fri 01/01/2027 New Year (Labour Code art. 112) and the weekend
skipped, Mon 04/01 (4), Tue 05/01 (5): promised Tue 05/01/2027 17:00; statutory Wed 06/01.
Once 2027 is declared official and Mon 04/01/2027 is entered as a day off: Tue 05/01 (4),
Wed 06/01 (5): promised Wed 06/01/2027, statutory Thu 07/01, neither provisional.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob
from rest_framework.test import APIClient

from caicach.calendars import services as calendars
from caicach.calendars.models import CalendarVersion
from caicach.core.audit import Actor
from caicach.core.models import AuditEntry
from caicach.dossiers import documents
from caicach.dossiers.models import Dossier
from caicach.dossiers.provisional import ACTION, recompute_provisional
from caicach.dossiers.tests.factories import act, procedure_version, receive, vn

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture
def five_days(tree):
    calendars.calendar_for(tree.dept_a)
    return procedure_version(tree.dept_a, promised_value=Decimal(5), statutory_value=Decimal(6))


@pytest.fixture
def late_december(tree, officers, five_days) -> Dossier:
    with time_machine.travel(vn(2026, 12, 28, 10), tick=False):
        return receive(officers.receiver, five_days, tree.dept_a)


@pytest.fixture
def early_december(tree, officers, five_days) -> Dossier:
    with time_machine.travel(vn(2026, 12, 7, 10), tick=False):
        return receive(officers.receiver, five_days, tree.dept_a)


def test_the_receipt_stores_the_provisional_dates(late_december, early_december):
    d = late_december
    assert d.due_at == vn(2027, 1, 5, 17) and d.legal_due_at == vn(2027, 1, 6, 17)
    assert d.due_provisional and d.legal_due_provisional
    d.refresh_from_db()
    assert d.due_provisional and d.legal_due_provisional
    # Inside 2026 (Mon 07/12: Tue 8 .. Mon 14/12): official, not provisional.
    e = early_december
    assert e.due_at == vn(2026, 12, 14, 17)
    assert not e.due_provisional and not e.legal_due_provisional


def test_the_page_marks_the_dates(client, officers, late_december, early_december):
    with time_machine.travel(vn(2026, 12, 28, 11), tick=False):
        client.force_login(officers.receiver)
        html = client.get(reverse("dossiers:detail", args=[late_december.code])).content.decode()
        plain = client.get(reverse("dossiers:detail", args=[early_december.code])).content.decode()
    assert html.count('class="badge warn provisional"') == 2
    assert 'title="Lịch nghỉ năm 2027 chưa được công bố chính thức"' in html
    assert 'id="provisional-reason"' in html and "lịch nghỉ năm 2027 chưa được công bố" in html
    assert "provisional" not in plain


def test_the_api_says_so(officers, late_december, early_december):
    api = APIClient()
    api.force_authenticate(officers.receiver)
    body = api.get(f"/api/v1/dossiers/{late_december.code}/").json()
    assert body["due_provisional"] is True and body["legal_due_provisional"] is True
    other = api.get(f"/api/v1/dossiers/{early_december.code}/").json()
    assert other["due_provisional"] is False and other["legal_due_provisional"] is False


def test_the_receipt_prints_a_line_under_the_date(late_december, early_december):
    html = documents.render_form_html(late_december, "receipt")
    assert "05/01/2027" in html
    assert (
        '<b>17 giờ 00 phút, ngày 05/01/2027</b> <span class="italic small provisional">'
        "(tạm tính)</span>"
    ) in html
    assert "tạm tính" not in documents.render_form_html(early_december, "receipt")


def test_entering_the_official_calendar_recounts_them(late_december, early_december):
    jobs_before = ProcrastinateJob.objects.filter(
        task_name="dossiers.recompute_provisional_dues"
    ).count()
    with time_machine.travel(vn(2026, 12, 29, 9), tick=False):
        declared = calendars.set_official_years(SYSTEM, 2024, 2027)
        swap = calendars.add_day(SYSTEM, date(2027, 1, 4), "holiday", "Nghỉ bổ sung năm 2027")
        # Each change defers the recount in its own transaction.
        jobs = ProcrastinateJob.objects.filter(task_name="dossiers.recompute_provisional_dues")
        assert jobs.count() == jobs_before + 2
        # The jobs recount with the calendar current when they run (New Year kept from art.
        # 112, the extra day off): moved one day, no longer provisional; the second finds none.
        assert recompute_provisional(declared.pk) == 1
        d = Dossier.objects.get(pk=late_december.pk)
        assert d.due_at == vn(2027, 1, 6, 17) and d.legal_due_at == vn(2027, 1, 7, 17)
        assert not d.due_provisional and not d.legal_due_provisional
        assert recompute_provisional(swap.pk) == 0
    early = Dossier.objects.get(pk=early_december.pk)
    assert early.due_at == vn(2026, 12, 14, 17)  # never provisional, never touched
    entry = AuditEntry.objects.get(action=ACTION)
    assert entry.changes["due_provisional"] == [True, False]
    assert entry.changes["due_at"] == ["2027-01-05T17:00:00+07:00", "2027-01-06T17:00:00+07:00"]
    assert entry.changes["cause"] == declared.label


def test_a_day_entered_before_the_year_is_declared_moves_the_date(late_december):
    with time_machine.travel(vn(2026, 12, 29, 9), tick=False):
        swap = calendars.add_day(SYSTEM, date(2027, 1, 4), "holiday", "Nghỉ bổ sung năm 2027")
        assert recompute_provisional(swap.pk) == 1
        d = Dossier.objects.get(pk=late_december.pk)
        assert d.due_at == vn(2027, 1, 6, 17) and d.legal_due_at == vn(2027, 1, 7, 17)
        assert d.due_provisional  # 2027 still not declared
        assert d.first_due_at == d.due_at  # the receipt's promise, recounted
        declared = calendars.set_official_years(SYSTEM, 2024, 2027)
        assert recompute_provisional(declared.pk) == 1
    d.refresh_from_db()
    assert d.due_at == vn(2027, 1, 6, 17) and not d.due_provisional
    assert d.calendar_version == CalendarVersion.objects.get(is_current=True).label
    assert AuditEntry.objects.filter(action=ACTION).count() == 2


def test_the_inbox_marks_the_row(client, officers, late_december):
    with time_machine.travel(vn(2026, 12, 28, 11), tick=False):
        client.force_login(officers.receiver)
        html = client.get(reverse("dossiers:inbox") + "?tab=all").content.decode()
    assert 'class="badge warn provisional"' in html


def test_the_page_in_english(client, officers, late_december, settings):
    with time_machine.travel(vn(2026, 12, 28, 11), tick=False):
        client.force_login(officers.receiver)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        html = client.get(reverse("dossiers:detail", args=[late_december.code])).content.decode()
    assert 'title="The days off of 2027 are not officially announced yet"' in html
    assert "will be recounted when the official calendar is entered" in html


def test_an_apology_date_in_an_unannounced_year_is_provisional(tree, officers, version):
    # Promised 3, statutory 4 working days from Wed 16/12/2026 10:00: Mon 21/12 and Tue 22/12,
    # both in 2026. An apology on 18/12 to Tue 05/01/2027 rests on 2027: provisional.
    with time_machine.travel(vn(2026, 12, 16, 10), tick=False):
        d = receive(officers.receiver, version, tree.dept_a)
    assert not d.due_provisional and not d.legal_due_provisional
    with time_machine.travel(vn(2026, 12, 18, 9), tick=False):
        d = act(officers.leader, d, "apologise", reason="Cần xác minh", new_due=vn(2027, 1, 5, 17))
    assert d.due_provisional and not d.legal_due_provisional
