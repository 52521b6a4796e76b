"""Input that cannot be stored or parsed gets a clear 400, never a 500 (issue 17, item 2).

A NUL byte (``%00``) in a code reached PostgreSQL and answered a ``DataError`` 500 on a dozen
officer endpoints; a deeply nested JSON body raised ``RecursionError`` in the intake and action
endpoints. Each is sent here as the province's admin, who may reach every one of them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

NUL = "%00"
CODE = "000.00.01.H97"

API = [
    f"/api/v1/calendar/due?agency={CODE}{NUL}&start=2026-01-05T09:00:00%2B07:00&days=5",
    f"/api/v1/calendar/2026/?agency={CODE}{NUL}",
    f"/api/v1/reports/apologies/?agency={CODE}{NUL}",
    f"/api/v1/reports/apologies/?agency={CODE}&by={NUL}",
    f"/api/v1/registers/{CODE}{NUL}.pdf",
    f"/api/v1/registers/{CODE}{NUL}.xlsx",
    f"/api/v1/agencies/{CODE}{NUL}/",
    f"/api/v1/procedures/X{NUL}/",
    f"/api/v1/dossiers/X{NUL}/",
    f"/api/v1/dossiers/?procedure=X{NUL}",
]
PAGES = [
    f"/lich/han-tra/?agency={CODE}{NUL}",
    f"/lich/?agency={CODE}{NUL}",
    f"/ho-so/so-theo-doi/?agency={CODE}{NUL}",
    f"/ho-so/thong-ke-xin-loi/?agency={CODE}{NUL}",
    f"/ho-so/thong-ke-xin-loi/ho-so/?agency={CODE}{NUL}",
    f"/co-quan/{CODE}{NUL}/",
    f"/thu-tuc/X{NUL}/",
    f"/thu-tuc/?agency={CODE}{NUL}",
    f"/nhat-ky/?q=a{NUL}",
    f"/xep-hang/so-nganh/?kpi=on_time_766{NUL}",
    f"/xep-hang/so-nganh/?period=2025-07{NUL}",
    f"/xep-hang/so-nganh/{CODE}{NUL}/?period=2025-07",
]


@pytest.fixture
def admin(tree: Any, make_officer: Any, settings: Any) -> Any:
    settings.OTP_REQUIRED_FOR_PRIVILEGED = False
    return make_officer("admin", tree.province, username="bad.input.admin")


@pytest.mark.parametrize("url", API)
def test_a_nul_in_an_api_request_is_a_json_400(admin: Any, url: str) -> None:
    client = APIClient()
    client.force_authenticate(admin)
    response = client.get(url)
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] and body["detail_vi"]


@pytest.mark.parametrize("url", PAGES)
def test_a_nul_in_a_page_request_is_a_vietnamese_400(admin: Any, url: str) -> None:
    client = Client()
    client.force_login(admin)
    response = client.get(url)
    assert response.status_code == 400, response.content[:300]
    assert "ký tự không hợp lệ" in response.content.decode()


def test_a_nul_in_a_posted_form_is_a_400(admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    response = client.post("/nhat-ky/", {"q": "a\x00"})
    assert response.status_code == 400


def _nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize("url", ["/api/v1/dossiers/", "/api/v1/dossiers/X/actions/assign/"])
@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_json_is_a_json_400(admin: Any, url: str, depth: int) -> None:
    client = APIClient()
    client.force_authenticate(admin)
    response = client.post(
        url, _nested(depth), content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "parse_error"


def test_a_nul_inside_a_json_string_is_a_json_400(admin: Any) -> None:
    client = APIClient()
    client.force_authenticate(admin)
    body = '{"procedure": "X\\u0000", "nested": {"k\\u0000": 1}}'
    response = client.post(
        "/api/v1/dossiers/", body, content_type="application/json", headers={"Idempotency-Key": "k"}
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"procedure", "nested"}
    assert body["errors_vi"]["procedure"] == ["Dữ liệu gửi lên chứa ký tự không hợp lệ."]
