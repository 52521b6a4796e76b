"""The public look-up: no login, no personal data, one answer for every wrong guess, a limit."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from caicach.accounts.middleware import is_public
from caicach.core.audit import Actor
from caicach.dossiers import services
from caicach.dossiers.lookup import NOT_FOUND_EN, NOT_FOUND_VI, TOO_MANY_VI
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import CITIZEN_ID, PERSON, receive, vn
from caicach.dossiers.workflow import DossierState

pytestmark = pytest.mark.django_db

APPLICANT = {**PERSON, "email": "an.nguyen@example.vn"}
PERSONAL = [
    PERSON["full_name"],
    CITIZEN_ID,
    PERSON["phone"],
    PERSON["address"],
    "an.nguyen@example.vn",
]


@pytest.fixture(autouse=True)
def _fresh_limit() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dossier(tree: Any, officers: Any, version: Any) -> Dossier:
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False) as traveller:
        d = receive(officers.receiver, version, tree.dept_a, applicant=APPLICANT)
        traveller.move_to(vn(2025, 6, 2, 10))
        d = services.perform_action(
            Actor(user=officers.receiver),
            d.code,
            "assign",
            expected_version=d.version,
            agency=tree.unit_a.code,
            assignee=officers.processor.pk,
        )
    return d


def officer_names(officers: Any) -> list[str]:
    return [o.full_name for o in (officers.receiver, officers.processor)] + [
        officers.receiver.username,
        officers.processor.username,
    ]


def assert_nothing_personal(text: str, officers: Any) -> None:
    for value in PERSONAL + officer_names(officers):
        assert value not in text, value


def test_the_pages_and_the_api_are_public():
    from django.urls import resolve

    for path in ("/tra-cuu/", "/tra-cuu/X-1", "/api/v1/lookup/X-1/"):
        match = resolve(path)
        assert is_public(match.func, match.view_name), path


def test_the_form_opens_for_anyone():
    response = Client().get("/tra-cuu/")
    assert response.status_code == 200
    assert "Mã hồ sơ" in response.content.decode()


def test_code_and_phone_show_the_progress_without_personal_data(dossier, officers):
    response = Client().post("/tra-cuu/", {"code": dossier.code.lower(), "phone_last4": "5678"})
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html
    assert dossier.procedure_version.name in html
    assert DossierState.RECEIVED.label_vi in html and DossierState.ASSIGNED.label_vi in html
    assert "02/06/2025" in html and "05/06/2025" in html  # received, due
    assert_nothing_personal(html, officers)
    assert response["Cache-Control"] == "no-store"


def test_the_qr_link_works_with_its_token(dossier, officers):
    response = Client().get(f"/tra-cuu/{dossier.code}", {"t": dossier.lookup_token})
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html
    assert_nothing_personal(html, officers)


@pytest.mark.parametrize(
    "how",
    ["wrong phone", "wrong code", "wrong token", "no token"],
)
def test_every_wrong_guess_gets_the_same_not_found(dossier, how):
    client = Client()
    if how == "wrong phone":
        response = client.post("/tra-cuu/", {"code": dossier.code, "phone_last4": "0000"})
    elif how == "wrong code":
        response = client.post("/tra-cuu/", {"code": dossier.code + "9", "phone_last4": "5678"})
    elif how == "wrong token":
        response = client.get(f"/tra-cuu/{dossier.code}", {"t": "x" * 24})
    else:
        response = client.get(f"/tra-cuu/{dossier.code}")
    assert response.status_code == 404
    html = response.content.decode()
    assert NOT_FOUND_VI in html
    assert dossier.procedure_version.name not in html


def test_api_returns_the_same_data_without_personal_data(dossier, officers):
    api = APIClient()
    response = api.get(f"/api/v1/lookup/{dossier.code}/", {"phone_last4": "5678"})
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == dossier.code
    assert body["state"] == "assigned"
    assert [step["state"] for step in body["timeline"]] == ["received", "assigned"]
    assert set(body) == {
        "code",
        "procedure",
        "state",
        "state_label",
        "received_at",
        "due_at",
        "finished_at",
        "returned_at",
        "timeline",
    }
    assert_nothing_personal(response.content.decode(), officers)
    by_token = api.get(f"/api/v1/lookup/{dossier.code}/", {"t": dossier.lookup_token})
    assert by_token.json() == body


def test_api_wrong_phone_or_code_is_a_generic_404(dossier):
    api = APIClient()
    wrong_phone = api.get(f"/api/v1/lookup/{dossier.code}/", {"phone_last4": "1234"})
    no_such = api.get("/api/v1/lookup/000.00.01.H97-250602-0999/", {"phone_last4": "5678"})
    nothing = api.get(f"/api/v1/lookup/{dossier.code}/")
    for response in (wrong_phone, no_such, nothing):
        assert response.status_code == 404
        assert response.json() == {
            "detail": NOT_FOUND_EN,
            "detail_vi": NOT_FOUND_VI,
            "code": "not_found",
        }


def test_a_signed_in_officer_does_not_change_the_answer(dossier, officers):
    api = APIClient()
    api.force_login(officers.receiver)
    assert api.get(f"/api/v1/lookup/{dossier.code}/", {"phone_last4": "0000"}).status_code == 404


def test_too_many_failures_are_refused_even_with_the_right_answer(dossier, settings):
    settings.LOOKUP_MAX_FAILURES = 20
    client, api = Client(), APIClient()
    for _ in range(10):
        wrong = client.post("/tra-cuu/", {"code": dossier.code, "phone_last4": "0000"})
        assert wrong.status_code == 404
    for _ in range(10):
        assert api.get(f"/api/v1/lookup/{dossier.code}/", {"t": "nope"}).status_code == 404
    page = client.post("/tra-cuu/", {"code": dossier.code, "phone_last4": "5678"})
    assert page.status_code == 429
    assert TOO_MANY_VI in page.content.decode()
    assert client.get(f"/tra-cuu/{dossier.code}", {"t": dossier.lookup_token}).status_code == 429
    blocked = api.get(f"/api/v1/lookup/{dossier.code}/", {"t": dossier.lookup_token})
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_lookups"
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.get(f"/tra-cuu/{dossier.code}", {"t": dossier.lookup_token}).status_code == 200


def test_successful_look_ups_are_not_limited(dossier, settings):
    settings.LOOKUP_MAX_FAILURES = 3
    api = APIClient()
    for _ in range(10):
        response = api.get(f"/api/v1/lookup/{dossier.code}/", {"t": dossier.lookup_token})
        assert response.status_code == 200


def test_a_malformed_phone_is_a_form_error_not_a_guess(dossier):
    response = Client().post("/tra-cuu/", {"code": dossier.code, "phone_last4": "12"})
    assert response.status_code == 400
    assert "Nhập đúng 4 chữ số." in response.content.decode()
