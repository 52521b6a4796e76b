"""The counter intake page: who may open it, the two-step procedure choice, a receipt with
an upload or a reused document, the idempotency key against double submits, and the
Vietnamese errors next to the fields (400, nothing created)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caicach.dossiers.models import Dossier, DossierComponent
from caicach.dossiers.tests.factories import CITIZEN_ID, PHONE

pytestmark = pytest.mark.django_db

URL = "/ho-so/tiep-nhan/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _component(version: Any) -> Any:
    return version.components.get()


def _post(version: Any, key: str = "khoa-thu-0001", **overrides: Any) -> dict[str, Any]:
    component = _component(version)
    data: dict[str, Any] = {
        "idempotency_key": key,
        "procedure": version.procedure.code,
        "channel": "counter",
        "kind": "person",
        "full_name": "Nguyễn Văn An",
        "id_number": CITIZEN_ID,
        "phone": PHONE,
        "email": "an@example.vn",
        "address": "12 Lê Lợi",
        f"tp-{component.pk}-tep": SimpleUploadedFile("to-khai.pdf", PDF, "application/pdf"),
    }
    data.update(overrides)
    return data


def test_url_and_anonymous(client):
    assert reverse("dossiers:receive") == URL
    response = client.get(URL)
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_form_renders_for_a_receiver(client, tree, officers, version):
    client.force_login(officers.receiver)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tiếp nhận hồ sơ" in html
    assert version.procedure.code in html  # in the picker
    assert 'name="idempotency_key"' in html
    assert "Chọn thủ tục để hiện danh mục" in html
    # Second step without JS: the checklist of the chosen procedure.
    html = client.get(URL, {"procedure": version.procedure.code}).content.decode()
    assert "Tờ khai" in html and f"tp-{_component(version).pk}-tep" in html
    # The inbox offers the button to receivers.
    assert "/ho-so/tiep-nhan/" in client.get(reverse("dossiers:inbox")).content.decode()


def test_htmx_reload_returns_the_checklist_only(client, tree, officers, version):
    client.force_login(officers.receiver)
    response = client.get(URL, {"procedure": version.procedure.code}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="checklist"')
    assert "Tờ khai" in html and "<html" not in html


def test_search_without_diacritics_filters_the_picker(client, tree, officers, version):
    client.force_login(officers.receiver)
    name = version.procedure.name
    word = name.split()[0]
    from caicach.core.text import normalise

    html = client.get(URL, {"tim": normalise(word)}).content.decode()
    assert version.procedure.code in html
    html = client.get(URL, {"tim": "khongcothutucnay"}).content.decode()
    assert f'value="{version.procedure.code}"' not in html


def test_others_get_403(client, tree, officers, version):
    client.force_login(officers.processor)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _post(version)).status_code == 403
    assert not Dossier.objects.exists()
    # Nor does the inbox show the button.
    assert "/ho-so/tiep-nhan/" not in client.get(reverse("dossiers:inbox")).content.decode()


def test_receiver_of_another_department_cannot_pick_the_procedure(client, tree, officers, version):
    client.force_login(officers.receiver_b)
    html = client.get(URL).content.decode()
    assert version.procedure.code not in html
    response = client.post(URL, _post(version))
    assert response.status_code == 400
    assert "không thuộc các thủ tục đơn vị bạn tiếp nhận" in response.content.decode()
    assert not Dossier.objects.exists()


def test_valid_post_receives_once_and_redirects(client, tree, officers, version):
    client.force_login(officers.receiver)
    response = client.post(URL, _post(version))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("dossiers:detail", args=[dossier.code])
    assert dossier.receiving_agency == tree.dept_a and dossier.channel == "counter"
    assert dossier.applicant.id_number == CITIZEN_ID
    part = DossierComponent.objects.get(dossier=dossier)
    assert part.content_type == "application/pdf" and part.size == len(PDF)

    page = client.get(response["Location"]).content.decode()
    assert f"Đã tiếp nhận hồ sơ {dossier.code}" in page
    receipt = reverse("dossiers:form", args=[dossier.code, "receipt"])
    assert receipt in page

    # The same form sent again (double click, reload): the same dossier, not a second one.
    again = client.post(URL, _post(version))
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert Dossier.objects.count() == 1
    assert "đã được tiếp nhận trước đó" in client.get(again["Location"]).content.decode()

    # A new rendering has a new key: another receipt.
    assert client.post(URL, _post(version, key="khoa-thu-0002")).status_code == 302
    assert Dossier.objects.count() == 2


def test_reused_document_from_the_store(client, tree, officers, version):
    component = _component(version)
    component.reusable = True
    component.save()
    client.force_login(officers.receiver)
    html = client.get(URL, {"procedure": version.procedure.code}).content.decode()
    assert f"tp-{component.pk}-kho" in html
    data = _post(version, **{f"tp-{component.pk}-kho": "KHO-0001"})
    del data[f"tp-{component.pk}-tep"]
    response = client.post(URL, data)
    assert response.status_code == 302
    part = DossierComponent.objects.get()
    assert part.reused and part.store_reference == "KHO-0001"


def test_invalid_citizen_id_is_400_in_vietnamese(client, tree, officers, version):
    client.force_login(officers.receiver)
    response = client.post(URL, _post(version, id_number="001085"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa tiếp nhận được hồ sơ" in html
    assert 'id="id_id_number-errors"' in html
    assert "CCCD" in html or "định danh" in html
    assert not Dossier.objects.exists()
    # Issue 16: the valid file is held, not asked for again (test_intake_held_files.py).
    assert 'id="files-again"' in html and "không cần chọn lại" in html


def test_disguised_file_is_400(client, tree, officers, version):
    component = _component(version)
    fake = SimpleUploadedFile("to-khai.pdf", b"just some text, not a PDF", "application/pdf")
    client.force_login(officers.receiver)
    response = client.post(URL, _post(version, **{f"tp-{component.pk}-tep": fake}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "không phải PDF, JPEG hay PNG" in html
    assert not Dossier.objects.exists()


def test_file_and_identity_errors_show_together(client, tree, officers, version):
    """Issue 16: the identity errors no longer wait until the files are right."""
    component = _component(version)
    fake = SimpleUploadedFile("to-khai.pdf", b"just some text, not a PDF", "application/pdf")
    client.force_login(officers.receiver)
    data = _post(version, id_number="001085", phone="12", **{f"tp-{component.pk}-tep": fake})
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "không phải PDF, JPEG hay PNG" in html
    assert 'id="id_id_number-errors"' in html and 'id="id_phone-errors"' in html
    assert not Dossier.objects.exists()


def test_missing_required_component_and_name(client, tree, officers, version):
    component = _component(version)
    client.force_login(officers.receiver)
    data = _post(version, full_name="")
    del data[f"tp-{component.pk}-tep"]
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Thành phần bắt buộc" in html
    assert "Chưa nhập họ tên" in html
    assert not Dossier.objects.exists()


def test_organisation_needs_a_valid_tax_code(client, tree, officers, version):
    client.force_login(officers.receiver)
    response = client.post(
        URL,
        _post(
            version, kind="organisation", full_name="Công ty TNHH A", id_number="", tax_code="12"
        ),
    )
    assert response.status_code == 400
    assert 'id="id_tax_code-errors"' in response.content.decode()
    assert not Dossier.objects.exists()


def test_garbage_never_500(client, tree, officers, version):
    client.force_login(officers.receiver)
    for data in (
        {},
        {"procedure": "\x00", "idempotency_key": "x y"},
        _post(version, channel="online"),
        _post(version, receiving_agency="999999"),
        _post(version, key="có dấu cách"),
    ):
        response = client.post(URL, data)
        assert response.status_code == 400, data
    assert client.get(URL, {"procedure": "x" * 50, "tim": "%" * 500}).status_code == 200
    # A NUL is refused at the door (core.input_guard).
    assert client.get(URL, {"procedure": "\x00" * 50}).status_code == 400
    assert not Dossier.objects.exists()
