"""Headers on every answer (issue 17): a Content-Security-Policy that allows no inline script,
and ``Cache-Control: no-store`` on pages and API answers with personal data (Decree 13/2023)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

import caicach

pytestmark = pytest.mark.django_db


def _policy(response) -> str:
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "unsafe-inline" not in script and "unsafe-eval" not in script
    return policy


def test_a_page_has_the_policy_and_is_never_stored(client, officers):
    client.force_login(officers.receiver)
    response = client.get(reverse("dossiers:inbox"))
    assert response.status_code == 200
    _policy(response)
    assert "no-store" in response["Cache-Control"]


def test_the_api_has_the_policy_and_is_never_stored(officers):
    api = APIClient()
    api.force_authenticate(officers.receiver)
    response = api.get("/api/v1/dossiers/")
    assert response.status_code == 200
    _policy(response)
    assert "no-store" in response["Cache-Control"]
    anonymous = APIClient().get("/api/v1/dossiers/")
    assert "no-store" in anonymous["Cache-Control"]
    _policy(anonymous)


def test_no_template_has_an_inline_script_or_an_hx_on_handler():
    # The policy would block them: behaviour lives in static/caicach/site.js.
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\bhx-on[:-]|\bon[a-z]+=\"", re.I)
    found = [
        str(path)
        for path in Path(caicach.__file__).parent.rglob("templates/**/*.html")
        if "/forms/" not in path.as_posix() and inline.search(path.read_text())
    ]
    assert found == []
