"""Timeliness facts through the product (issue 13): verdicts stored at finish by the lifecycle,
both shown on the dossier page and in the API, and the status "as of" a past instant.

The fixture version promises 3 working days and allows 4 by statute: received Mon 2/6/2025
09:00 -> first promise Thu 5/6 17:00, statutory due Fri 6/6 17:00 (official calendar, no
holiday that week; counting starts the next working day, Civil Code art. 147).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from caicach.dossiers.tests.factories import act, receive, vn

pytestmark = pytest.mark.django_db

LIST = "/api/v1/dossiers/"


@pytest.fixture
def received(tree, officers, version):
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False):
        return receive(officers.receiver, version, tree.dept_a)


def test_refused_on_day_four_is_late_against_the_promise_on_time_legally(
    tree, officers, version, received
):
    """Finished Fri 6/6 09:00: after the promise (Thu 17:00) -> late; the same date as the
    statutory due and before its instant -> on time (TT 01/2018 art. 13); 766: after the first
    promise, no supplement -> late (regulations §1.3). Mon 09:00 -> Fri 09:00 = 4 working
    days."""
    assert received.first_due_at == received.due_at == vn(2025, 6, 5, 17)
    assert received.legal_due_at == vn(2025, 6, 6, 17)
    with time_machine.travel(vn(2025, 6, 6, 9), tick=False):
        d = act(officers.receiver, received, "refuse", reason="Không thuộc thẩm quyền.")
    assert (d.timeliness, d.legal_timeliness, d.timeliness_766) == ("late", "on_time", "late")
    assert d.processing_working_days == Decimal("4.00")
    api = APIClient()
    api.force_authenticate(officers.leader)
    data = api.get(f"{LIST}{d.code}/").json()
    assert (data["timeliness"], data["legal_timeliness"], data["timeliness_766"]) == (
        "late",
        "on_time",
        "late",
    )
    assert (data["timeliness_label"], data["legal_timeliness_label"]) == ("Trễ hạn", "Đúng hạn")
    assert data["first_due_at"] == "2025-06-05T17:00:00+07:00"
    assert data["processing_working_days"] == "4.00"
    assert "as_of" not in data
    # Before the finish it was open: on Fri 08:00 overdue against the promise, within time
    # legally; at the end of Thu 5/6 (the promise's day) still within time.
    data = api.get(f"{LIST}{d.code}/", {"as_of": "2025-06-06T08:00"}).json()["as_of"]
    assert (data["status"], data["legal_status"], data["paused"]) == (
        "overdue",
        "within_time",
        False,
    )
    assert data["status_label"] == "Quá hạn"
    data = api.get(f"{LIST}{d.code}/", {"as_of": "2025-06-04"}).json()["as_of"]
    assert data["status"] in ("within_time", "at_risk")
    data = api.get(f"{LIST}{d.code}/", {"as_of": "2025-06-30"}).json()["as_of"]
    assert (data["status"], data["legal_status"]) == ("late", "on_time")
    data = api.get(f"{LIST}{d.code}/", {"as_of": "2025-05-01"}).json()["as_of"]
    assert (data["received"], data["status"]) == (False, None)


def test_a_paused_dossier_is_paused_as_of_then(officers, received):
    with time_machine.travel(vn(2025, 6, 3, 9), tick=False):
        d = act(officers.receiver, received, "request_supplement", reason="Thiếu ảnh.")
    api = APIClient()
    api.force_authenticate(officers.leader)
    data = api.get(f"{LIST}{d.code}/", {"as_of": "2025-06-10T10:00"}).json()["as_of"]
    assert (data["status"], data["paused"], data["status_label"]) == (
        "paused",
        True,
        "Tạm dừng (chờ bổ sung)",
    )
    data = api.get(f"{LIST}{d.code}/", {"as_of": "2025-06-02T15:00"}).json()["as_of"]
    assert data["status"] in ("within_time", "at_risk")


@pytest.mark.parametrize("bad", ["2025-13-01", "hôm qua", "2025-06-02 10:00", "2025-06-02T25:00"])
def test_bad_as_of_is_a_bilingual_400(officers, received, bad):
    api = APIClient()
    api.force_authenticate(officers.leader)
    response = api.get(f"{LIST}{received.code}/", {"as_of": bad})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_as_of"
    assert "YYYY-MM-DD" in body["detail"] and "không hợp lệ" in body["detail_vi"]


def test_the_page_shows_both_verdicts_and_the_status_as_of(client, officers, received):
    with time_machine.travel(vn(2025, 6, 6, 9), tick=False):
        d = act(officers.receiver, received, "refuse", reason="Không thuộc thẩm quyền.")
    client.force_login(officers.leader)
    url = reverse("dossiers:detail", args=[d.code])
    html = client.get(url).content.decode()
    assert "So với thời hạn quy định" in html and "Theo Quyết định 766" in html
    assert "Tình trạng tại thời điểm" not in html
    html = client.get(url, {"as_of": "2025-06-06T08:00"}).content.decode()
    assert "Tình trạng tại thời điểm" in html and "Quá hạn" in html
    response = client.get(url, {"as_of": "không phải ngày"})
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()
