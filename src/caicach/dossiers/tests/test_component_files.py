"""Opening a received document's stored file (page and API): in the dossier's scope only, never
a 500, never cached (Decree 13/2023: personal data only to those who process it)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import receive

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.7 scanned form"


@pytest.fixture
def dossier(tree: Any, officers: Any, version: Any) -> Dossier:
    return receive(
        officers.receiver,
        version,
        tree.dept_a,
        components=[
            {"name": "Tờ khai", "content": SCAN, "filename": "to-khai.pdf"},
            {"name": "Giấy khai sinh", "store_reference": "KHO-KS-1"},
        ],
    )


def _ids(dossier: Dossier) -> tuple[int, int]:
    scanned, reused = dossier.components.order_by("order")
    return scanned.pk, reused.pk


def test_an_officer_in_scope_opens_the_scan_from_the_dossier_page(client, officers, dossier):
    scanned, reused = _ids(dossier)
    client.force_login(officers.receiver)
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    url = reverse("dossiers:component_file", args=[dossier.code, scanned])
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == SCAN
    # A reference to the digitised store has no file; other dossiers' ids are not found here.
    for pk in (reused, "x", "99999999999999999999", scanned + 1000):
        assert client.get(f"/ho-so/{dossier.code}/giay-to/{pk}/").status_code == 404


def test_out_of_scope_the_file_is_not_found(client, officers, dossier):
    scanned, _reused = _ids(dossier)
    client.force_login(officers.receiver_b)
    url = reverse("dossiers:component_file", args=[dossier.code, scanned])
    assert client.get(url).status_code == 404
    api = APIClient()
    api.force_authenticate(officers.receiver_b)
    response = api.get(f"/api/v1/dossiers/{dossier.code}/components/{scanned}/file")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_api_lists_component_ids_and_serves_the_file(officers, dossier):
    api = APIClient()
    api.force_authenticate(officers.receiver)
    components = api.get(f"/api/v1/dossiers/{dossier.code}/").json()["components"]
    scanned = next(c for c in components if c["has_file"])
    reused = next(c for c in components if not c["has_file"])
    response = api.get(f"/api/v1/dossiers/{dossier.code}/components/{scanned['id']}/file")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == SCAN
    response = api.get(f"/api/v1/dossiers/{dossier.code}/components/{reused['id']}/file")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "component_file_not_found" and body["detail_vi"] and body["detail"]


def test_a_file_missing_from_storage_is_a_404_not_a_500(client, officers, dossier):
    scanned = dossier.components.order_by("order").first()
    assert scanned is not None
    scanned.file.storage.delete(scanned.file.name)
    client.force_login(officers.receiver)
    assert client.get(f"/ho-so/{dossier.code}/giay-to/{scanned.pk}/").status_code == 404
