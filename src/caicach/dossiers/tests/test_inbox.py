"""The inbox's counts, filters and exports (issue 16): a tab's count is the length of its list,
the filters compose with the tabs and survive the next page, "Tất cả" opens on current work, and
the export holds exactly the filtered list (XLSX with a frozen header, CSV)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from caicach.core.audit import Actor
from caicach.dossiers import services
from caicach.dossiers.inbox import TABS
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import PERSON, procedure_version, receive, vn

pytestmark = pytest.mark.django_db
URL = reverse("dossiers:inbox")


def _receive(officers: Any, version: Any, tree: Any, **kwargs: Any) -> Dossier:
    kwargs.setdefault("received_at", vn(2026, 11, 20, 10))
    kwargs.setdefault("applicant", PERSON)
    return receive(officers.receiver, version, tree.dept_a, **kwargs)


@pytest.fixture
def mix(tree, officers, version):
    """Five dossiers of department A: two new (one by post), one assigned to the processor
    and accepted (in progress), one of another procedure, one finished long ago."""
    other = procedure_version(tree.dept_a, name="Cấp phép khác")
    new = _receive(officers, version, tree)
    post = _receive(officers, version, tree, channel="post", received_at=vn(2026, 12, 1, 9))
    busy = _receive(officers, version, tree)
    actor = Actor(user=officers.receiver)
    services.perform_action(
        actor, busy.code, "assign", expected_version=1, assignee=officers.processor.pk
    )
    services.perform_action(Actor(user=officers.processor), busy.code, "accept", expected_version=2)
    another = _receive(officers, other, tree)
    old = _receive(officers, version, tree, received_at=vn(2025, 3, 3, 9))
    Dossier.objects.filter(pk=old.pk).update(
        state="returned", finished_at=vn(2025, 3, 5, 9), returned_at=vn(2025, 3, 6, 9)
    )
    return {"new": new, "post": post, "busy": busy, "another": another, "old": old}


def _codes(response: Any) -> set[str]:
    return {d.code for d, _badge in response.context["items"]}


def test_each_tab_count_is_the_length_of_its_list(client, officers, mix):
    client.force_login(officers.receiver)
    first = client.get(URL, {"tab": "tat-ca"})
    counts = {t.key: count for t, _url, count in first.context["tabs"]}
    for tab in TABS:
        response = client.get(URL, {"tab": tab.key})
        assert response.status_code == 200
        assert len(response.context["items"]) == counts[tab.key], tab.key
        assert response.context["tab_count"] == counts[tab.key]
    assert counts["moi"] == 3 and counts["dang-xu-ly"] == 1
    html = first.content.decode()
    assert '<span class="count">3</span>' in html


def test_all_opens_on_current_work_and_old_dossiers_on_request(client, officers, mix):
    client.force_login(officers.receiver)
    response = client.get(URL, {"tab": "tat-ca"})
    assert mix["old"].code not in _codes(response)
    assert "Hồ sơ có hạn trả từ ngày" in response.content.decode()
    assert mix["old"].code in _codes(client.get(URL, {"tab": "tat-ca", "cu": "1"}))
    # A search looks everywhere.
    assert mix["old"].code in _codes(client.get(URL, {"tab": "tat-ca", "q": mix["old"].code}))
    # An explicit date range is taken as asked.
    response = client.get(URL, {"tab": "tat-ca", "nhan_tu": "2025-03-01", "nhan_den": "2025-03-31"})
    assert _codes(response) == {mix["old"].code}


def test_filters_compose_with_the_tabs(client, officers, mix):
    client.force_login(officers.receiver)
    assert _codes(client.get(URL, {"tab": "moi", "kenh": "post"})) == {mix["post"].code}
    proc = mix["another"].procedure.code
    assert _codes(client.get(URL, {"tab": "moi", "thu_tuc": proc})) == {mix["another"].code}
    field = str(mix["another"].procedure.field_id)
    assert mix["another"].code in _codes(client.get(URL, {"tab": "moi", "linh_vuc": field}))
    officer = str(officers.processor.pk)
    assert _codes(client.get(URL, {"tab": "dang-xu-ly", "can_bo": officer})) == {mix["busy"].code}
    assert _codes(client.get(URL, {"tab": "moi", "can_bo": officer})) == set()
    unassigned = _codes(client.get(URL, {"tab": "moi", "can_bo": "-"}))
    assert mix["busy"].code not in unassigned and mix["new"].code in unassigned
    dept = mix["new"].current_agency.code
    assert len(_codes(client.get(URL, {"tab": "moi", "don_vi": dept}))) == 3
    assert _codes(client.get(URL, {"tab": "moi", "nhan_tu": "2026-12-01"})) == {mix["post"].code}
    due = timezone.localtime(mix["post"].due_at).date()
    response = client.get(
        URL, {"tab": "moi", "han_tu": due.isoformat(), "han_den": due.isoformat()}
    )
    assert mix["post"].code in _codes(response) and mix["new"].code not in _codes(response)
    # The counts follow the filters.
    response = client.get(URL, {"tab": "moi", "kenh": "post"})
    counts = {t.key: count for t, _url, count in response.context["tabs"]}
    assert counts["moi"] == 1 and counts["dang-xu-ly"] == 0
    # The tab links keep the filters.
    assert all("kenh=post" in url for _t, url, _c in response.context["tabs"])


def test_filters_survive_the_next_page(client, officers, mix, monkeypatch):
    from caicach.dossiers import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client.force_login(officers.receiver)
    response = client.get(URL, {"tab": "moi", "kenh": "counter"})
    next_url = response.context["next_url"]
    assert "kenh=counter" in next_url and "sau=" in next_url
    seen = _codes(response)
    while next_url:
        response = client.get(URL + next_url)
        seen |= _codes(response)
        next_url = response.context["next_url"]
    assert seen == {mix["new"].code, mix["another"].code}


def test_bad_filters_are_a_400_with_vietnamese_messages(client, officers, mix):
    client.force_login(officers.receiver)
    response = client.get(URL, {"tab": "moi", "nhan_tu": "31/02/2026", "kenh": "fax"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ngày không hợp lệ" in html
    response = client.get(URL, {"tab": "moi", "han_tu": "2026-12-10", "han_den": "2026-12-01"})
    assert response.status_code == 400
    assert "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu." in response.content.decode()
    # An export with bad filters shows the page with the errors, not a file.
    response = client.get(URL, {"tab": "moi", "nhan_tu": "x", "xuat": "xlsx"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")


def test_xlsx_export_is_the_filtered_list_with_a_frozen_header(
    client, officers, mix, django_assert_max_num_queries
):
    client.force_login(officers.receiver)
    # Fixed: session, user, roles, scope, the filter choices, the count, the rows (joined).
    with django_assert_max_num_queries(14):
        response = client.get(URL, {"tab": "moi", "kenh": "counter", "xuat": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã hồ sơ", "Thủ tục", "Người nộp")
    assert {r[0] for r in rows[1:]} == {mix["new"].code, mix["another"].code}
    assert rows[1][6].year == 2026  # a date-time cell, local time


def test_csv_export_opens_in_excel_and_keeps_the_filters(client, officers, mix):
    client.force_login(officers.receiver)
    response = client.get(URL, {"tab": "tat-ca", "cu": "1", "xuat": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "Mã hồ sơ"
    assert {r[0] for r in rows[1:]} == {d.code for d in mix.values()}
    assert any("Trả kết quả" in r[8] or r[8] for r in rows[1:])


def test_too_long_an_export_asks_to_narrow_the_filters(client, officers, mix, monkeypatch):
    from caicach.dossiers import inbox

    monkeypatch.setattr(inbox, "EXPORT_LIMIT", 2)
    client.force_login(officers.receiver)
    response = client.get(URL, {"tab": "moi", "xuat": "xlsx"}, follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "hãy lọc bớt rồi xuất lại" in response.content.decode()


def test_the_recent_window_is_thirty_days(officers, mix):
    from caicach.dossiers.inbox import recent_since

    now = timezone.now()
    assert timedelta(days=30) <= now - recent_since(now) < timedelta(days=31)
