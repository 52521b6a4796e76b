"""Issue 16: the supplement request names the missing or insufficient documents, each with its
reason (form 02 lists them); when the supplement arrives the desk attaches the supplied file
per document; the new receipt (form 01) shows the new receipt time."""

from __future__ import annotations

import pytest
import time_machine

from caicach.dossiers import documents
from caicach.dossiers.inputs import DossierInputError
from caicach.dossiers.models import DossierEvent
from caicach.dossiers.tests.factories import act, receive, vn

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def dossier(tree, officers, version):
    with time_machine.travel(vn(2025, 6, 2, 9, 30), tick=False):
        return receive(officers.receiver, version, tree.dept_a)


def test_a_request_per_document_and_the_supplied_files(dossier, officers, version):
    component = version.components.get()
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        dossier = act(
            officers.receiver,
            dossier,
            "request_supplement",
            missing=[{"component": component.pk, "reason": "Thiếu chữ ký người khai"}],
        )
    event = DossierEvent.objects.filter(action="request_supplement").get()
    assert event.payload["missing"] == [
        {"component": component.pk, "name": "Tờ khai", "reason": "Thiếu chữ ký người khai"}
    ]
    assert event.payload["reason"] == "Tờ khai: Thiếu chữ ký người khai"
    html = documents.render_form_html(dossier, "supplement")
    assert "Tờ khai" in html and "Thiếu chữ ký người khai" in html

    # Nothing attached: refused, the dossier still waits.
    with pytest.raises(DossierInputError) as caught:
        act(officers.receiver, dossier, "supplement_received")
    assert "Chưa đính kèm giấy tờ bổ sung: Tờ khai." in caught.value.message_vi
    # Not a PDF: refused.
    with pytest.raises(DossierInputError):
        act(
            officers.receiver,
            dossier,
            "supplement_received",
            supplied=[{"component": component.pk, "content": b"<html>"}],
        )
    with time_machine.travel(vn(2025, 6, 5, 14), tick=False):
        dossier = act(
            officers.receiver,
            dossier,
            "supplement_received",
            supplied=[{"component": component.pk, "content": PDF}],
        )
    assert dossier.state == "received"
    rows = list(dossier.components.order_by("id"))
    assert len(rows) == 2 and rows[-1].file and rows[-1].component_id == component.pk
    receipt = documents.render_form_html(dossier, "receipt")
    assert "14 giờ 00" in receipt or "14:00" in receipt  # the new receipt time
    assert "05/6/2025" in receipt or "05/06/2025" in receipt or "ngày 05 tháng 6" in receipt


def test_bad_requests_are_clear_400s(dossier, officers, version):
    with pytest.raises(DossierInputError) as caught:
        act(officers.receiver, dossier, "request_supplement", missing=[])
    assert "Chọn ít nhất một giấy tờ cần bổ sung." in caught.value.message_vi
    component = version.components.get()
    with pytest.raises(DossierInputError) as caught:
        act(officers.receiver, dossier, "request_supplement", missing=[{"component": component.pk}])
    assert "Cần nêu lý do bổ sung “Tờ khai”." in caught.value.message_vi
    with pytest.raises(DossierInputError) as caught:
        act(
            officers.receiver,
            dossier,
            "request_supplement",
            missing=[{"component": 999999, "reason": "x"}],
        )
    assert caught.value.message_en


def test_the_page_asks_per_document_and_attaches_the_files(client, dossier, officers, version):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    component = version.components.get()
    client.force_login(officers.receiver)
    page = reverse("dossiers:detail", args=[dossier.code])
    html = client.get(page).content.decode()
    assert f'name="missing_reason_{component.pk}"' in html
    url = reverse("dossiers:act", args=[dossier.code, "request_supplement"])
    # Nothing ticked: a clear message, nothing changed.
    response = client.post(url, {"version": dossier.version, "per_document": "1"})
    assert response.status_code == 400
    assert "Chọn ít nhất một giấy tờ cần bổ sung." in response.content.decode()
    response = client.post(
        url,
        {
            "version": dossier.version,
            "per_document": "1",
            "missing": [str(component.pk)],
            f"missing_reason_{component.pk}": "Hết hạn",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == "awaiting_supplement"
    html = client.get(page).content.decode()
    assert f'name="supplied_{component.pk}"' in html and "Hết hạn" in html
    url = reverse("dossiers:act", args=[dossier.code, "supplement_received"])
    response = client.post(url, {"version": dossier.version})
    assert response.status_code == 400
    assert "Chưa đính kèm giấy tờ bổ sung: Tờ khai." in response.content.decode()
    upload = SimpleUploadedFile("to-khai.pdf", PDF, "application/pdf")
    response = client.post(url, {"version": dossier.version, f"supplied_{component.pk}": upload})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == "received" and dossier.components.count() == 2
    html = client.get(page).content.decode()
    assert "Ngày hẹn trả đã tính lại sau khi bổ sung hồ sơ" in html


def test_the_api_takes_the_documents_of_a_request(dossier, officers, version):
    from rest_framework.test import APIClient

    component = version.components.get()
    api = APIClient()
    api.force_authenticate(officers.receiver)
    url = f"/api/v1/dossiers/{dossier.code}/actions/request_supplement/"
    bad = api.post(url, {"version": 1, "missing": [{"component": 999999, "reason": "x"}]}, "json")
    assert bad.status_code == 400
    assert bad.json()["detail_vi"] and bad.json()["detail"]
    body = {"version": 1, "missing": [{"component": component.pk, "reason": "Hết hạn"}]}
    response = api.post(url, body, "json")
    assert response.status_code == 200, response.content
    event = DossierEvent.objects.get(action="request_supplement")
    assert event.payload["missing"][0]["reason"] == "Hết hạn"
