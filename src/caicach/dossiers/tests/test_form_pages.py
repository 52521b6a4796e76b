"""Issue 16: the dossier page offers to print (and reprint) each form 01-06 that applies, by
the same rule as the API (documents.form_unavailable); a form that does not apply, asked for
by its page URL, is a page in Vietnamese (409), not the API's JSON."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from caicach.dossiers import documents
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import act, receive, vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(tree, officers, version) -> Dossier:
    with time_machine.travel(vn(2025, 6, 2, 9, 30), tick=False):
        return receive(officers.receiver, version, tree.dept_a)


def _offered(client, dossier: Dossier) -> set[str]:
    html = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    return {
        form
        for form in documents.FORMS
        if reverse("dossiers:form", args=[dossier.code, form]) in html
    }


def test_a_new_dossier_offers_the_receipt_and_the_control_sheet(client, dossier, officers):
    client.force_login(officers.receiver)
    assert _offered(client, dossier) == {"receipt", "control_sheet"}
    html = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    assert "In biểu mẫu" in html and "Mẫu 01 · Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in html
    response = client.get(reverse("dossiers:form", args=[dossier.code, "receipt"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    # Printed again: a fresh copy from the same link.
    again = client.get(reverse("dossiers:form", args=[dossier.code, "receipt"]))
    assert again.status_code == 200 and again.content.startswith(b"%PDF-")


def test_an_inapplicable_form_is_a_vietnamese_page(client, dossier, officers):
    client.force_login(officers.receiver)
    response = client.get(reverse("dossiers:form", args=[dossier.code, "refusal"]))
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Không in được biểu mẫu" in html
    assert "Hồ sơ không bị từ chối nên không in được phiếu từ chối." in html
    assert reverse("dossiers:form", args=[dossier.code, "receipt"]) in html  # what does apply
    unknown = client.get(reverse("dossiers:form", args=[dossier.code, "mau-99"]))
    assert unknown.status_code == 404
    assert "Không có biểu mẫu “mau-99”." in unknown.content.decode()
    # Another department's desk does not see the dossier at all.
    client.force_login(officers.receiver_b)
    assert client.get(reverse("dossiers:form", args=[dossier.code, "receipt"])).status_code == 404


def test_page_and_api_agree_on_which_forms_apply(client, dossier, officers, tree):
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        dossier = act(officers.receiver, dossier, "request_supplement", reason="Thiếu tờ khai")
    client.force_login(officers.receiver)
    api = APIClient()
    api.force_authenticate(officers.receiver)
    offered = _offered(client, dossier)
    assert offered == {"receipt", "supplement", "control_sheet"}
    for form in documents.FORMS:
        status = api.get(f"/api/v1/dossiers/{dossier.code}/forms/{form}.pdf").status_code
        page = client.get(reverse("dossiers:form", args=[dossier.code, form])).status_code
        assert (status == 200) == (form in offered) == (page == 200), form
