"""An upload up to the documented 20 MB reaches the component check; a body over the request
limit is a 413 in the API's JSON shape, not Django's HTML 400 (issue 17, item 2)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from rest_framework.test import APIClient

from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.test_api import body, post

pytestmark = pytest.mark.django_db


def _with_scan(version: Any, agency: Any, size: int) -> dict[str, Any]:
    scan = base64.b64encode(b"%PDF-1.7 " + b"0" * (size - 9)).decode()
    component = {"name": "Tờ khai", "content": scan, "filename": "scan.pdf"}
    return body(version, agency, components=[{**component, "content_type": "application/pdf"}])


def test_a_15_mb_scan_is_received(tree: Any, officers: Any, version: Any) -> None:
    api = APIClient()
    api.force_authenticate(officers.receiver)
    response = post(api, _with_scan(version, tree.dept_a, 15 * 1024 * 1024))
    assert response.status_code == 201, response.content[:300]


def test_a_scan_over_20_mb_gets_the_documented_error(tree: Any, officers: Any, version: Any):
    api = APIClient()
    api.force_authenticate(officers.receiver)
    response = post(api, _with_scan(version, tree.dept_a, 20 * 1024 * 1024 + 1))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert not Dossier.objects.exists()


def test_a_body_over_the_limit_is_a_json_413(
    tree: Any, officers: Any, version: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    api = APIClient()
    api.force_authenticate(officers.receiver)
    response = post(api, _with_scan(version, tree.dept_a, 2 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert response.json()["detail_vi"]
