"""Every view of a stored scan or of an applicant's unmasked personal data is written to the
append-only audit trail (Decree 13/2023; issue 17 item 6): who, when, from where, what, which
dossier; a masked view is not a disclosure and is not logged."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.utils import DatabaseError
from django.urls import reverse
from rest_framework.test import APIClient

from caicach.core.audit import verify_chain
from caicach.core.models import AuditEntry
from caicach.dossiers import access_log
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import receive

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.7 scanned form"


@pytest.fixture
def dossier(tree: Any, officers: Any, version: Any, settings: Any, tmp_path: Any) -> Dossier:
    settings.MEDIA_ROOT = tmp_path / "media"
    return receive(
        officers.receiver,
        version,
        tree.dept_a,
        components=[{"name": "Tờ khai", "content": SCAN, "filename": "to-khai.pdf"}],
    )


def _accesses() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action__startswith="access.").order_by("id"))


def test_opening_a_scan_on_the_page_and_the_api_is_logged(client, officers, dossier):
    component = dossier.components.get()
    client.force_login(officers.processor)
    url = reverse("dossiers:component_file", args=[dossier.code, component.pk])
    assert client.get(url, REMOTE_ADDR="10.1.2.3").status_code == 200
    api = APIClient()
    api.force_authenticate(officers.receiver)
    response = api.get(f"/api/v1/dossiers/{dossier.code}/components/{component.pk}/file")
    assert response.status_code == 200
    page, by_api = _accesses()
    assert (page.action, page.actor, str(page.ip_address)) == (
        access_log.SCAN,
        officers.processor,
        "10.1.2.3",
    )
    assert page.object_type == "dossiers.dossiercomponent"
    assert page.object_id == str(component.pk)
    assert page.changes == {
        "dossier": dossier.code,
        "path": url,
        "component": "Tờ khai",
        "sha256": component.sha256,
    }
    assert page.agency == dossier.deciding_agency and page.at is not None
    assert (by_api.action, by_api.actor) == (access_log.SCAN, officers.receiver)
    assert by_api.changes["path"].startswith("/api/v1/")
    assert list(verify_chain()) == []


def test_printing_a_form_on_the_page_and_the_api_is_logged(client, officers, dossier):
    """The receipt (form 01) prints the applicant's address and phone: a disclosure."""
    client.force_login(officers.processor)
    url = reverse("dossiers:form", args=[dossier.code, "receipt"])
    assert client.get(url).status_code == 200
    api = APIClient()
    api.force_authenticate(officers.receiver)
    assert api.get(f"/api/v1/dossiers/{dossier.code}/forms/receipt.pdf").status_code == 200
    page, by_api = [a for a in _accesses() if a.action == access_log.FORM]
    assert (page.actor, page.object_id, page.changes["form"]) == (
        officers.processor,
        str(dossier.pk),
        "receipt",
    )
    assert page.changes["path"] == url and by_api.actor == officers.receiver
    # A form that does not apply is not printed, so not logged.
    client.get(reverse("dossiers:form", args=[dossier.code, "refusal"]))
    assert len([a for a in _accesses() if a.action == access_log.FORM]) == 2
    assert list(verify_chain()) == []


def test_a_refused_scan_is_not_logged_as_seen(client, officers, dossier):
    component = dossier.components.get()
    client.force_login(officers.receiver_b)
    url = reverse("dossiers:component_file", args=[dossier.code, component.pk])
    assert client.get(url).status_code == 404
    assert _accesses() == []


def test_unmasked_personal_data_is_logged_masked_is_not(
    client, officers, dossier, make_officer, tree
):
    client.force_login(officers.processor)
    assert client.get(reverse("dossiers:detail", args=[dossier.code])).status_code == 200
    api = APIClient()
    api.force_authenticate(officers.receiver)
    assert api.get(f"/api/v1/dossiers/{dossier.code}/").status_code == 200
    inspector = make_officer("inspector", tree.dept_a, username="thanhtra_a")
    client.force_login(inspector)
    assert client.get(reverse("dossiers:detail", args=[dossier.code])).status_code == 200
    api.force_authenticate(inspector)
    assert api.get(f"/api/v1/dossiers/{dossier.code}/").status_code == 200

    entries = _accesses()
    assert [(e.action, e.actor) for e in entries] == [
        (access_log.PERSONAL_DATA, officers.processor),
        (access_log.PERSONAL_DATA, officers.receiver),
    ]
    assert all(
        e.object_id == str(dossier.pk) and e.changes["dossier"] == dossier.code for e in entries
    )


def test_the_access_log_is_append_only(client, officers, dossier):
    client.force_login(officers.processor)
    client.get(reverse("dossiers:detail", args=[dossier.code]))
    (entry,) = _accesses()
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])


def test_the_reform_office_reads_it_on_the_audit_page(
    client, officers, dossier, make_officer, tree
):
    client.force_login(officers.processor)
    client.get(reverse("dossiers:detail", args=[dossier.code]))
    client.force_login(make_officer("admin", tree.province, username="qtv"))
    page = client.get(reverse("core:audit"), {"action": access_log.PERSONAL_DATA})
    assert page.status_code == 200
    assert access_log.PERSONAL_DATA in page.content.decode()
