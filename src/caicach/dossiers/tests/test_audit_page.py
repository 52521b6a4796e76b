"""The audit trail page in words (issue 16): labels instead of codes, a readable summary
instead of a dictionary, local time, filters by agency, actor, action and object."""

from __future__ import annotations

from datetime import UTC

import pytest
from django.urls import reverse
from django.utils import translation

from caicach.calendars.rules import VN_TZ
from caicach.core import audit_display
from caicach.core.audit import Actor
from caicach.core.models import AuditEntry
from caicach.dossiers import services
from caicach.dossiers.tests.factories import receive, vn

pytestmark = pytest.mark.django_db
URL = reverse("core:audit")


@pytest.fixture
def trail(tree, officers, version, make_officer):
    dossier = receive(officers.receiver, version, tree.dept_a, received_at=vn(2026, 11, 20, 10))
    services.perform_action(
        Actor(user=officers.receiver),
        dossier.code,
        "assign",
        expected_version=1,
        assignee=officers.processor.pk,
    )
    admin = make_officer("admin", tree.province, username="qtv")
    return dossier, admin


def test_rows_are_in_words_and_local_time(client, trail, django_assert_max_num_queries):
    _dossier, admin = trail
    client.force_login(admin)
    with django_assert_max_num_queries(10):
        html = client.get(URL).content.decode()
    assert ">Phân công<" in html and ">dossier.assign<" not in html
    assert "trạng thái: Đã tiếp nhận → Đã phân công" in html
    assert "{'" not in html and "&#x27;" not in html  # no Python dictionaries
    entry = AuditEntry.objects.filter(action="dossier.assign").get()
    assert entry.at.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M:%S") in html  # Vietnam time
    assert entry.at.astimezone(UTC).strftime("%d/%m/%Y %H:%M:%S") not in html


def test_filters_by_action_actor_agency_and_object(client, trail, officers):
    dossier, admin = trail
    client.force_login(admin)

    def rows(**params):
        return client.get(URL, params).context["rows"]

    assert {e.action for e, *_ in rows(hanh_dong="dossier.assign")} == {"dossier.assign"}
    assert all(e.object_repr == str(dossier) for e, *_ in rows(doi_tuong=dossier.code))
    assert rows(doi_tuong=dossier.code)
    assert rows(nguoi=officers.receiver.username)
    assert rows(nguoi="không-có-ai") == []
    assert {e.agency_id for e, *_ in rows(co_quan=dossier.current_agency.code)} == {
        dossier.current_agency_id
    }
    page = client.get(URL, {"hanh_dong": "dossier.assign"}).content.decode()
    assert 'value="dossier.assign" selected' in page


def test_english_labels(trail):
    with translation.override("en"):
        assert audit_display.action_label("dossier.assign") == "Assign"
        assert "Assigned" in audit_display.summary(
            {"state": ["received", "assigned"]}, "dossier.assign"
        )
    assert audit_display.action_label("something.unknown") == "something.unknown"
    long = audit_display.summary({"note": "x" * 1000}, "dossier.accept")
    assert len(long) <= audit_display.SUMMARY_LIMIT
