"""GET /api/v1/me/ and the API's officer-only permission."""

from __future__ import annotations

import base64

import pytest
from rest_framework.test import APIClient

from caicach.accounts.models import RoleAssignment, UserKind
from caicach.accounts.tests.factories import UserFactory
from caicach.accounts.tests.helpers import make_totp

pytestmark = pytest.mark.django_db


def test_me(tree, make_officer):
    officer = make_officer("unit_leader", tree.unit_a, username="tp")
    RoleAssignment.objects.create(user=officer, role="receiver", agency=tree.commune)
    api = APIClient()
    api.force_login(officer)
    body = api.get("/api/v1/me/").json()
    assert body["username"] == "tp" and body["kind"] == "officer"
    assert {(r["role"], r["agency"]) for r in body["roles"]} == {
        ("unit_leader", tree.unit_a.code),
        ("receiver", tree.commune.code),
    }
    assert body["permissions"]["agencies.view"] == [tree.unit_a.code, tree.commune.code]
    assert body["permissions"]["officers.view"] == [tree.unit_a.code]
    assert "agencies.change" not in body["permissions"]


def test_me_refuses_anonymous_and_citizens(tree):
    api = APIClient()
    response = api.get("/api/v1/me/")
    assert response.status_code in (401, 403) and response.json()["detail_vi"]
    api.force_login(UserFactory(username="dan", kind=UserKind.CITIZEN))
    response = api.get("/api/v1/me/")
    assert response.status_code == 403 and response.json()["code"] == "not_officer"


@pytest.fixture
def basic_on(settings):
    """HTTP Basic is off by default (``API_BASIC_AUTH``); these tests are about Basic itself."""
    settings.API_BASIC_AUTH = True


def basic(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_basic_auth_cannot_skip_the_second_factor(basic_on, tree, make_officer, password):
    officer = make_officer("receiver", tree.dept_a, username="tn")
    api = APIClient()
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=basic("tn", password)).status_code == 200
    make_totp(officer)
    response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=basic("tn", password))
    assert response.status_code == 403 and response.json()["code"] == "otp_required"


def test_basic_auth_of_a_citizen_is_refused(basic_on, tree, password):
    UserFactory(username="dan", kind=UserKind.CITIZEN)
    response = APIClient().get("/api/v1/agencies/", HTTP_AUTHORIZATION=basic("dan", password))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("username", "secret"), [("a\x00b", "x"), ("tn", "pass\x00word"), ("\x00", "\x00")]
)
def test_basic_auth_with_a_nul_character_is_refused_not_500(
    basic_on, tree, make_officer, password, username, secret
):
    # Found by tests/test_openapi_fuzz.py: the lock-out look-up sent NUL to PostgreSQL (a 500).
    make_officer("receiver", tree.dept_a, username="tn")
    wrong = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=basic("tn", "wrong"))
    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=basic(username, secret))
    # The same refusal as a wrong password.
    assert response.status_code == wrong.status_code == 403
    assert response.json() == wrong.json()
    assert response.json()["detail_vi"] == "Sai tên đăng nhập hoặc mật khẩu."
