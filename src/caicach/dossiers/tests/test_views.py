"""The officers' workspace pages: inbox tabs and search, the dossier page, actions with their
409/400 messages, scoping (404 outside scope) and constant query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from caicach.core.audit import Actor
from caicach.dossiers import services
from caicach.dossiers.models import Dossier, DossierEvent
from caicach.dossiers.tests.factories import CITIZEN_ID, ORGANISATION, PERSON, receive, vn

pytestmark = pytest.mark.django_db


def _receive(officers: Any, version: Any, tree: Any, **applicant: Any) -> Dossier:
    return receive(
        officers.receiver,
        version,
        tree.dept_a,
        received_at=vn(2025, 4, 25, 10),
        applicant={**PERSON, **applicant},
    )


def _act_url(dossier: Dossier, action: str) -> str:
    return reverse("dossiers:act", args=[dossier.code, action])


def test_anonymous_is_sent_to_login(client, tree, officers, version):
    dossier = _receive(officers, version, tree)
    for url in (reverse("dossiers:inbox"), reverse("dossiers:detail", args=[dossier.code])):
        response = client.get(url)
        assert response.status_code == 302
        assert "dang-nhap" in response["Location"]


def test_inbox_lists_dossiers_in_scope_by_tab(client, tree, officers, version):
    received = _receive(officers, version, tree)
    assigned = _receive(officers, version, tree, full_name="Lê Thị Hoa")
    services.perform_action(
        Actor(user=officers.receiver), assigned.code, "assign", expected_version=1
    )
    client.force_login(officers.receiver)
    html = client.get(reverse("dossiers:inbox"), {"tab": "moi"}).content.decode()
    assert received.code in html and assigned.code in html
    assert "Quá hạn" in html  # received in 2025: the promised date has passed
    html = client.get(reverse("dossiers:inbox"), {"tab": "cho-phe-duyet"}).content.decode()
    assert received.code not in html
    html = client.get(reverse("dossiers:inbox"), {"tab": "qua-han"}).content.decode()
    assert received.code in html
    # Another department sees nothing of department A.
    client.force_login(officers.receiver_b)
    html = client.get(reverse("dossiers:inbox"), {"tab": "tat-ca", "cu": "1"}).content.decode()
    assert received.code not in html
    assert "Không có hồ sơ nào" in html


def test_search_by_name_without_diacritics_id_and_phone(client, tree, officers, version):
    an = _receive(officers, version, tree)
    hoa = receive(officers.receiver, version, tree.dept_a, applicant=ORGANISATION)
    client.force_login(officers.processor)
    url = reverse("dossiers:inbox")
    for q in ("nguyen van an", CITIZEN_ID, "+84 912 345 678", an.code):
        html = client.get(url, {"tab": "tat-ca", "q": q}).content.decode()
        assert an.code in html, q
        assert hoa.code not in html, q
    html = client.get(url, {"tab": "tat-ca", "q": "cong ty thu nghiem"}).content.decode()
    assert hoa.code in html and an.code not in html


def test_inbox_pages_by_keyset(client, tree, officers, version, monkeypatch):
    from caicach.dossiers import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    codes = [_receive(officers, version, tree).code for _ in range(3)]
    client.force_login(officers.processor)
    response = client.get(reverse("dossiers:inbox"), {"tab": "tat-ca", "cu": "1"})
    page1 = response.content.decode()
    assert codes[0] in page1 and codes[1] in page1 and codes[2] not in page1
    next_url = response.context["next_url"]
    assert next_url
    page2 = client.get(reverse("dossiers:inbox") + next_url).content.decode()
    assert codes[2] in page2 and codes[0] not in page2


def test_inbox_query_count_does_not_grow(
    client, tree, officers, version, django_assert_max_num_queries
):
    client.force_login(officers.receiver)
    url = reverse("dossiers:inbox")
    _receive(officers, version, tree)
    client.get(url, {"tab": "tat-ca"})  # warm the calendar cache
    with django_assert_max_num_queries(17):
        assert client.get(url, {"tab": "tat-ca", "q": "nguyen"}).status_code == 200
    for _ in range(6):
        _receive(officers, version, tree)
    with django_assert_max_num_queries(17):
        response = client.get(url, {"tab": "tat-ca", "q": "nguyen"})
    assert len(response.context["items"]) == 7


def test_detail_query_count_does_not_grow(
    client, tree, officers, version, django_assert_max_num_queries
):
    dossier = _receive(officers, version, tree)
    client.force_login(officers.receiver)
    url = reverse("dossiers:detail", args=[dossier.code])
    client.get(url)
    with django_assert_max_num_queries(20) as first:
        client.get(url)
    for n in range(4):
        current = Dossier.objects.get(pk=dossier.pk)
        action = "request_supplement" if n % 2 == 0 else "supplement_received"
        services.perform_action(
            Actor(user=officers.receiver),
            dossier.code,
            action,
            expected_version=current.version,
            reason="Thiếu giấy tờ",
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["events"]) == 5


def test_detail_shows_the_dossier_and_masks_the_citizen_id(
    client, tree, officers, version, make_officer
):
    dossier = _receive(officers, version, tree)
    client.force_login(officers.receiver)  # acts on it: sees the full number
    html = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    for text in (dossier.code, "Nguyễn Văn An", CITIZEN_ID, "Sở Tư pháp", "Phân công", "Tiếp nhận"):
        assert text in html, text
    assert 'name="version" value="1"' in html
    inspector = make_officer("inspector", tree.dept_a, username="thanhtra")
    client.force_login(inspector)  # reads only: the last four digits
    html = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert CITIZEN_ID not in html
    assert "••••••••2345" in html
    assert "Xác nhận" not in html


def test_out_of_scope_dossier_is_404(client, tree, officers, version):
    dossier = _receive(officers, version, tree)
    client.force_login(officers.receiver_b)
    assert client.get(reverse("dossiers:detail", args=[dossier.code])).status_code == 404
    response = client.post(_act_url(dossier, "assign"), {"version": 1})
    assert response.status_code == 404
    assert client.get(reverse("dossiers:detail", args=["KHONG-CO"])).status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).version == 1


def test_an_action_succeeds_and_redirects_with_a_message(client, tree, officers, version):
    dossier = _receive(officers, version, tree)
    client.force_login(officers.receiver)
    response = client.post(_act_url(dossier, "assign"), {"version": 1, "note": "Chuyển phòng"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.code])
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == ("assigned", 2)
    html = client.get(response["Location"]).content.decode()
    assert "Đã thực hiện “Phân công”" in html
    assert "Chuyển phòng" in html
    assert DossierEvent.objects.filter(dossier=dossier, action="assign").count() == 1


def test_a_stale_version_shows_the_conflict_message(client, tree, officers, version):
    dossier = _receive(officers, version, tree)
    services.perform_action(
        Actor(user=officers.receiver), dossier.code, "assign", expected_version=1
    )
    client.force_login(officers.processor)
    response = client.post(_act_url(dossier, "accept"), {"version": 1})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Hồ sơ đã được người khác cập nhật" in html
    assert 'name="version" value="2"' in html  # the page shows the fresh version
    assert Dossier.objects.get(pk=dossier.pk).state == "assigned"


def test_wrong_state_is_409_and_missing_reason_400(client, tree, officers, version):
    dossier = _receive(officers, version, tree)
    client.force_login(officers.receiver)
    response = client.post(_act_url(dossier, "supplement_received"), {"version": 1})
    assert response.status_code == 409
    assert "Chưa thực hiện được thao tác" in response.content.decode()
    response = client.post(_act_url(dossier, "request_supplement"), {"version": 1})
    assert response.status_code == 400
    assert "Cần nêu lý do." in response.content.decode()
    response = client.post(_act_url(dossier, "assign"), {"version": "x"})
    assert response.status_code == 400
    response = client.post(_act_url(dossier, "no_such_action"), {"version": 1})
    assert response.status_code == 404
    assert Dossier.objects.get(pk=dossier.pk).version == 1


def test_a_role_that_may_not_act_gets_403_on_the_page(client, tree, officers, version):
    dossier = _receive(officers, version, tree)
    client.force_login(officers.processor)
    response = client.post(_act_url(dossier, "refuse"), {"version": 1, "reason": "x"})
    assert response.status_code == 403
    assert "Chưa thực hiện được thao tác" in response.content.decode()


def test_bulk_assignment_reports_successes_and_conflicts(client, tree, officers, version):
    first = _receive(officers, version, tree)
    second = _receive(officers, version, tree)
    client.force_login(officers.receiver)
    response = client.post(
        reverse("dossiers:inbox") + "?tab=moi",
        {
            "dossiers": [f"{first.code}@1", f"{second.code}@7"],
            "assignee": str(officers.processor.pk),
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Đã phân công 1 hồ sơ" in html
    assert "Hồ sơ đã được người khác cập nhật" in html
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.assigned_to) == ("assigned", officers.processor)
    assert second.state == "received"


def test_bulk_assignment_needs_an_assigning_role(client, tree, officers, version):
    dossier = _receive(officers, version, tree)
    client.force_login(officers.processor)
    response = client.post(reverse("dossiers:inbox"), {"dossiers": [f"{dossier.code}@1"]})
    assert response.status_code == 403
