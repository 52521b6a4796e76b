"""The payment API: list, record, refund; bilingual errors; scope; query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from caicach.dossiers.tests.factories import receive, vn
from caicach.payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def dossier(officers: Any, version: Any, tree: Any) -> Any:
    return receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 10))


def url(dossier: Any) -> str:
    return f"/api/v1/dossiers/{dossier.code}/payments/"


def test_record_list_and_refund(api, officers, dossier) -> None:
    api.force_authenticate(officers.receiver)
    created = api.post(
        url(dossier),
        {"amount": 8000, "channel": "gateway", "reference": "GW-42"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    payment = created.json()
    assert payment["portal_code"] == 2 and payment["online"] is True
    assert payment["receipt_number"].startswith("000001/")

    listed = api.get(url(dossier)).json()
    assert listed["owed"] == 8000 and listed["balance"] == 0 and listed["paid_online"] is True
    assert [p["reference"] for p in listed["payments"]] == ["GW-42"]

    refund = api.post(f"{url(dossier)}{payment['id']}/refund/", {"amount": 8000}, format="json")
    assert refund.status_code == 201
    assert refund.json()["kind"] == "refund" and refund.json()["refund_of"] == payment["id"]
    listed = api.get(url(dossier)).json()
    assert listed["paid_online"] is False and listed["balance"] == 8000


def test_over_refund_is_a_bilingual_400(api, officers, dossier) -> None:
    api.force_authenticate(officers.receiver)
    payment = api.post(url(dossier), {"amount": 5000, "channel": "cash"}, format="json").json()
    response = api.post(f"{url(dossier)}{payment['id']}/refund/", {"amount": 6000}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "over_refund"
    assert body["detail"] == "At most 5,000 VND of this payment can be refunded."
    assert body["detail_vi"] == "Chỉ có thể hoàn trả tối đa 5.000 đồng của khoản thu này."
    assert body["errors_vi"] == {"amount": [body["detail_vi"]]}


def test_missing_reference_and_bad_channel(api, officers, dossier) -> None:
    api.force_authenticate(officers.receiver)
    response = api.post(url(dossier), {"amount": 8000, "channel": "bank_transfer"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail_vi"].startswith("Cần mã giao dịch")
    response = api.post(url(dossier), {"amount": 8000, "channel": "bitcoin"}, format="json")
    assert response.status_code == 400
    assert "detail_vi" in response.json()


def test_outside_the_scope_is_404_and_a_processor_is_403(api, officers, dossier) -> None:
    api.force_authenticate(officers.receiver_b)
    response = api.get(url(dossier))
    assert response.status_code == 404
    assert response.json()["detail_vi"].startswith("Không tìm thấy hồ sơ")
    response = api.post(url(dossier), {"amount": 8000, "channel": "cash"}, format="json")
    assert response.status_code == 404
    api.force_authenticate(officers.processor)
    response = api.post(url(dossier), {"amount": 8000, "channel": "cash"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Only a receiving officer")
    assert response.json()["detail_vi"].startswith("Chỉ cán bộ tiếp nhận")
    assert not Payment.objects.exists()


def test_list_query_count_does_not_grow(api, officers, dossier) -> None:
    api.force_authenticate(officers.receiver)
    api.post(url(dossier), {"amount": 1000, "channel": "cash"}, format="json")
    api.get(url(dossier))  # warm the caches
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(url(dossier)).json()["payments"]) == 1
    for i in range(6):
        api.post(url(dossier), {"amount": 1000, "channel": "cash", "note": str(i)}, format="json")
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(url(dossier)).json()["payments"]) == 7
    assert 0 < len(many.captured_queries) == len(few.captured_queries) <= 8
