"""A URL under /api/ that matches no route answers 404 in the API's JSON shape (schemathesis
found ``/api/v1/calendar/abc/`` answering Django's HTML page); pages keep the HTML 404."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_an_unrouted_api_path_is_a_json_404(tree, make_officer):
    api = APIClient()
    api.force_login(make_officer("receiver", tree.dept_a))
    response = api.get("/api/v1/calendar/abc/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Not found.",
        "detail_vi": "Không tìm thấy.",
        "code": "not_found",
    }
    page = api.get("/khong-co-trang-nay/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
