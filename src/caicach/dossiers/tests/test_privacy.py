"""What a reader may see of an applicant (Decree 13/2023), decided in one place
(:mod:`caicach.dossiers.privacy`): the maskers by hand-worked examples and properties, the
rule, and every surface that shows an applicant, read by an inspector (view scope only) and by
the processor acting on the dossier."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from rest_framework.test import APIClient

from caicach.dossiers import documents, exchange, privacy, reports
from caicach.dossiers.api.serializers import DossierApplicantSerializer
from caicach.dossiers.models import Dossier
from caicach.dossiers.privacy import (
    HIDDEN,
    Disclosure,
    applicant_view,
    disclosure_for,
    mask_address,
    mask_citizen_id,
    mask_email,
    mask_phone,
)
from caicach.dossiers.reports import Period
from caicach.dossiers.tests.factories import CITIZEN_ID, ORGANISATION, PERSON, receive, vn

# -- the maskers (pure) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("001085012345", "••••••••2345"),
        (" 001085012345 ", "••••••••2345"),
        ("0100109106", "••••••9106"),  # a person's tax code: the same rule
        ("12345678", "••••••••"),  # too short to keep four digits safely: all hidden
        ("", ""),
        ("••••••••2345", "••••••••2345"),  # already masked: unchanged
    ],
)
def test_mask_citizen_id(value, masked):
    assert mask_citizen_id(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("0912345678", "•••••••678"),
        ("02438123456", "••••••••456"),  # a fixed line, 11 digits
        ("12345", "•••••"),
        ("", ""),
        ("•••••••678", "•••••••678"),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("an.nguyen@gmail.com", "a•••@gmail.com"),
        ("x@cong.gov.vn", "x•••@cong.gov.vn"),
        ("not-an-address", "•••"),
        ("@gmail.com", "•••"),
        ("", ""),
        ("a•••@gmail.com", "a•••@gmail.com"),
    ],
)
def test_mask_email(value, masked):
    assert mask_email(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (
            "Số 12, ngõ 34 Lê Lợi, phường Bến Thành, TP. Hồ Chí Minh",
            "•••, phường Bến Thành, TP. Hồ Chí Minh",
        ),
        ("12 Lê Lợi, phường Bến Thành", "•••, phường Bến Thành"),
        ("12 Lê Lợi", "•••"),
        (" , 12 Lê Lợi ,, Hà Nội ", "•••, Hà Nội"),  # empty parts do not count
        ("", ""),
        ("•••, phường Bến Thành", "•••, phường Bến Thành"),
    ],
)
def test_mask_address(value, masked):
    assert mask_address(value) == masked


MASKERS = [
    (mask_citizen_id, 4),
    (mask_phone, 3),
]


@pytest.mark.parametrize(("mask", "kept"), MASKERS)
@given(number=st.text(alphabet="0123456789", max_size=20))
def test_a_masked_number_shows_at_most_its_last_digits(mask, kept, number):
    masked = mask(number)
    digits = re.sub(r"\D", "", masked)
    assert len(digits) <= kept
    assert number.endswith(digits)
    assert len(masked) == len(number)
    if number:
        assert digits != number  # never the whole number
    assert mask(masked) == masked  # idempotent


@given(
    local=st.from_regex(r"[A-Za-z0-9._%+\-]{1,30}", fullmatch=True),
    domain=st.from_regex(r"[a-z0-9]{1,10}\.[a-z]{2,4}", fullmatch=True),
)
def test_a_masked_email_shows_one_character_of_the_name(local, domain):
    masked = mask_email(f"{local}@{domain}")
    assert masked == f"{local[0]}•••@{domain}"
    assert mask_email(masked) == masked


@given(parts=st.lists(st.text(alphabet="abcđ 0123456789", min_size=1), max_size=6))
def test_a_masked_address_never_shows_its_first_part(parts):
    address = ", ".join(parts)
    masked = mask_address(address)
    kept = [p.strip() for p in address.split(",") if p.strip()]
    if not kept:
        assert masked == ""
        return
    shown = masked.split(", ")
    assert shown[0] == "•••"
    assert shown[1:] == kept[-2:] if len(kept) >= 3 else shown[1:] == kept[1:]
    assert mask_address(masked) == masked


# -- the rule -----------------------------------------------------------------------------------


@dataclass
class _Applicant:
    kind: str = "person"
    full_name: str = "Nguyễn Văn An"
    id_number: str = CITIZEN_ID
    phone: str = "0912345678"
    email: str = "an.nguyen@gmail.com"
    address: str = "12 Lê Lợi, phường Bến Thành, TP. Hồ Chí Minh"
    tax_code: str = ""
    representative: str = ""


@pytest.mark.parametrize(
    ("roles", "level"),
    [
        (["processor"], Disclosure.FULL),
        (["receiver", "agency_leader"], Disclosure.FULL),
        (["consultee"], Disclosure.FULL),  # asked for an opinion, still to answer
        ([], Disclosure.MASKED),  # view scope only: inspector, reform office, other units
    ],
)
def test_who_sees_what(roles, level):
    assert disclosure_for(roles) is level


def test_the_view_at_each_level():
    a = _Applicant()
    full = applicant_view(a, Disclosure.FULL)
    assert (full.id_number, full.phone, full.email, full.address) == (
        a.id_number,
        a.phone,
        a.email,
        a.address,
    )
    assert not full.masked
    masked = applicant_view(a, Disclosure.MASKED)
    assert (masked.full_name, masked.id_number, masked.phone, masked.email, masked.address) == (
        "Nguyễn Văn An",
        "••••••••2345",
        "•••••••678",
        "a•••@gmail.com",
        "•••, phường Bến Thành, TP. Hồ Chí Minh",
    )
    assert masked.masked
    nothing = applicant_view(a, Disclosure.NONE)
    assert nothing.full_name == nothing.id_number == nothing.phone == ""
    assert privacy.PRINTED_FORMS is Disclosure.MASKED


def test_a_persons_tax_code_is_masked_an_organisations_is_not():
    person = applicant_view(_Applicant(tax_code="8012345678"), Disclosure.MASKED)
    assert person.tax_code == "••••••5678"
    org = _Applicant(kind="organisation", id_number="", tax_code="0100109106")
    assert applicant_view(org, Disclosure.MASKED).tax_code == "0100109106"


# -- every surface ------------------------------------------------------------------------------

EMAIL = "an.nguyen@example.vn"
ADDRESS = "Số 12, đường Lê Lợi, phường Bến Thành, TP. Hồ Chí Minh"
APPLICANT = {**PERSON, "email": EMAIL, "address": ADDRESS}
#: Every personal datum in full: none may reach a reader without a role on the dossier.
WHOLE = [CITIZEN_ID, PERSON["phone"], EMAIL, ADDRESS, "Số 12"]
#: What that reader sees instead.
MASKED = ["••••••••2345", "•••••••678", "a•••@example.vn", "•••, phường Bến Thành"]


@pytest.fixture
def dossier(tree: Any, officers: Any, version: Any) -> Dossier:
    return receive(
        officers.receiver,
        version,
        tree.dept_a,
        received_at=vn(2025, 6, 2, 9),
        applicant=APPLICANT,
    )


@pytest.fixture
def inspector(tree: Any, make_officer: Any) -> Any:
    return make_officer("inspector", tree.dept_a, username="thanhtra_a")


def _none_of(texts: list[str], content: str) -> None:
    for text in texts:
        assert text not in content, text


def _all_of(texts: list[str], content: str) -> None:
    for text in texts:
        assert text in content, text


@pytest.mark.django_db
def test_the_dossier_page(client, dossier, officers, inspector, make_officer, tree):
    url = reverse("dossiers:detail", args=[dossier.code])
    client.force_login(officers.processor)
    html = client.get(url).content.decode()
    _all_of(WHOLE, html)
    assert "(đã ẩn)" not in html
    for reader in (inspector, make_officer("reform_officer", tree.dept_a, username="cchc")):
        client.force_login(reader)
        html = client.get(url).content.decode()
        _none_of(WHOLE, html)
        _all_of([*MASKED, "(đã ẩn)", "Nguyễn Văn An"], html)


@pytest.mark.django_db
def test_the_api_detail(dossier, officers, inspector):
    api = APIClient()
    url = f"/api/v1/dossiers/{dossier.code}/"
    api.force_authenticate(officers.processor)
    applicant = api.get(url).json()["applicant"]
    assert applicant["id_number"] == CITIZEN_ID
    assert (applicant["phone"], applicant["email"], applicant["address"]) == (
        PERSON["phone"],
        EMAIL,
        ADDRESS,
    )
    assert applicant["masked"] is False
    api.force_authenticate(inspector)
    response = api.get(url)
    assert response.status_code == 200
    applicant = response.json()["applicant"]
    assert applicant == {
        "kind": "person",
        "full_name": "Nguyễn Văn An",
        "id_number": "••••••••2345",
        "phone": "•••••••678",
        "email": "a•••@example.vn",
        "address": "•••, phường Bến Thành, TP. Hồ Chí Minh",
        "tax_code": "",
        "representative": "",
        "masked": True,
    }
    assert set(applicant) == set(DossierApplicantSerializer().fields)
    _none_of(WHOLE, response.content.decode())


@pytest.mark.django_db
def test_the_api_list_and_the_inbox_name_the_applicant_only(client, dossier, officers, inspector):
    api = APIClient()
    for reader in (officers.processor, inspector):
        api.force_authenticate(reader)
        response = api.get("/api/v1/dossiers/")
        assert dossier.code in response.content.decode()
        _none_of(WHOLE, response.content.decode())
        client.force_login(reader)
        html = client.get(reverse("dossiers:inbox"), {"tab": "tat-ca", "cu": "1"}).content.decode()
        assert dossier.code in html and "Nguyễn Văn An" in html
        _none_of(WHOLE, html)


@pytest.mark.django_db
def test_the_printed_forms_mask_whoever_prints(dossier, officers, inspector, monkeypatch):
    # The HTML that WeasyPrint would print, through the API as each reader asks for it.
    monkeypatch.setattr(documents, "_pdf", lambda html: html.encode())
    api = APIClient()
    for reader in (officers.processor, inspector):
        api.force_authenticate(reader)
        for form in ("receipt", "control_sheet"):
            response = api.get(f"/api/v1/dossiers/{dossier.code}/forms/{form}.pdf")
            assert response.status_code == 200, form
            text = response.content.decode()
            assert "Nguyễn Văn An" in text
            _none_of(WHOLE, text)
            if form == "receipt":
                assert "Số định danh cá nhân: ••••••••2345" in text


@pytest.mark.django_db
def test_the_register_names_the_applicant_only(dossier, officers, inspector, tree):
    june = Period(vn(2025, 6, 1).date(), vn(2025, 6, 30).date())
    for reader in (officers.processor, inspector):
        rows = list(reports.register_queryset(reader, tree.dept_a, june))
        assert [d.code for d in rows] == [dossier.code]
        html = documents.render_register_html(tree.dept_a, june.start, june.end, rows)
        assert "Nguyễn Văn An" in html
        _none_of(WHOLE, html)
        content = reports.register_xlsx(reader, tree.dept_a, june)
        sheet = load_workbook(io.BytesIO(content.read())).active
        cells = repr(list(sheet.iter_rows(values_only=True)))
        assert "Nguyễn Văn An" in cells
        _none_of(WHOLE, cells)


@pytest.mark.django_db
def test_the_public_lookup_shows_nothing_of_the_applicant(client, dossier):
    html = client.get(
        reverse("lookup:detail", args=[dossier.code]), {"t": dossier.lookup_token}
    ).content.decode()
    assert dossier.code in html
    _none_of([*WHOLE, "Nguyễn Văn An", "2345", "•••"], html)
    response = APIClient().get(f"/api/v1/lookup/{dossier.code}/", {"t": dossier.lookup_token})
    assert response.status_code == 200
    _none_of([*WHOLE, "Nguyễn Văn An", "applicant"], response.content.decode())


@pytest.mark.django_db
def test_the_export_is_a_full_transfer_for_the_administrator(dossier):
    # Not a reader's surface: `caicach dossiers export`, run on the server by an administrator
    # to migrate dossiers, carries the applicant whole (documented in privacy and exchange).
    [line] = list(exchange.export_dossiers(Dossier.objects.filter(pk=dossier.pk)))
    applicant = json.loads(line)["applicant"]
    assert (applicant["id_number"], applicant["phone"], applicant["email"]) == (
        CITIZEN_ID,
        PERSON["phone"],
        EMAIL,
    )
    assert HIDDEN not in line


@pytest.mark.django_db
def test_an_organisation_keeps_its_tax_code_and_representative(
    client, tree, officers, version, inspector
):
    org = receive(officers.receiver, version, tree.dept_a, applicant=ORGANISATION)
    client.force_login(inspector)
    html = client.get(reverse("dossiers:detail", args=[org.code])).content.decode()
    assert ORGANISATION["tax_code"] in html and ORGANISATION["representative"] in html


@pytest.mark.django_db
def test_the_dossiers_behind_a_figure_name_the_applicant_only(dossier, officers, inspector, tree):
    # /api/v1/metrics/kpis/{code}/dossiers/: a list, read by leaders and inspectors (issue 13).
    api = APIClient()
    url = "/api/v1/metrics/kpis/online_share/dossiers/"
    params = {"agency": tree.dept_a.code, "period": "2025-06", "part": "denominator"}
    for reader in (officers.leader, inspector):
        api.force_authenticate(reader)
        response = api.get(url, params)
        assert response.status_code == 200
        assert response.json()["results"][0]["applicant_name"] == "Nguyễn Văn An"
        assert dossier.code in response.content.decode()
        _none_of([*WHOLE, *MASKED, 'applicant":'], response.content.decode())
