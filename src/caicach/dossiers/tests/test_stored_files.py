# ruff: noqa: F811 - `june` is the fixture imported from test_reports
"""Uploaded and generated files are only sent by the scoped views (issue 17, Decree 13/2023): no
URL serves MEDIA_ROOT, debug or not; a stored file has a server-chosen name and the extension of
its sniffed type; the demo settings have no debug pages."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.urls import clear_url_caches, reverse
from rest_framework.test import APIClient

import caicach.urls
from caicach.core.audit import Actor
from caicach.dossiers import reports
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import receive
from caicach.dossiers.tests.test_reports import JUNE, june  # noqa: F401 - the June fixture

pytestmark = pytest.mark.django_db

#: What the probe uploaded: a page with a script, behind the PDF signature the sniff looks at.
EVIL = b"%PDF-1.4\n<html><script>fetch('/api/v1/me/')</script></html>"


@pytest.fixture
def evil(tree: Any, officers: Any, version: Any) -> Dossier:
    return receive(
        officers.receiver,
        version,
        tree.dept_a,
        components=[{"name": "Tờ khai", "content": EVIL, "filename": "evil.html"}],
    )


@pytest.fixture
def debug_urls(settings: Any) -> Any:
    """The URLs as built with DEBUG on (where `static()` used to add MEDIA_ROOT)."""
    settings.DEBUG = True
    importlib.reload(caicach.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(caicach.urls)
    clear_url_caches()


def test_the_clients_name_never_reaches_the_disk(evil):
    component = evil.components.get()
    path = Path(component.file.path)
    assert path.name == f"{component.sha256}.pdf"
    assert "evil" not in component.file.name and ".html" not in component.file.name


def test_html_behind_a_pdf_signature_is_served_as_pdf_with_nosniff(client, officers, evil):
    component = evil.components.get()
    client.force_login(officers.receiver)
    response = client.get(reverse("dossiers:component_file", args=[evil.code, component.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == f'inline; filename="{evil.code}-0.pdf"'
    api = APIClient()
    api.force_authenticate(officers.receiver)
    response = api.get(f"/api/v1/dossiers/{evil.code}/components/{component.pk}/file")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_type_not_sniffed_is_a_download_never_a_page(client, officers, evil):
    # An import line may carry any content type; it is never sent as such.
    evil.components.update(content_type="text/html")
    component = evil.components.get()
    client.force_login(officers.receiver)
    response = client.get(reverse("dossiers:component_file", args=[evil.code, component.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_stored_file_is_served_under_media_url(
    client, tree, officers, evil, june, debug_urls, monkeypatch
):
    monkeypatch.setattr(reports.register_jobs, "PDF_SYNC_MAX_ROWS", 2)
    export = reports.request_register_pdf(
        officers.receiver, Actor(user=officers.receiver), tree.dept_a, JUNE, 4
    )
    reports.build_register_export(export.pk)
    export.refresh_from_db()
    root = Path(django_settings.MEDIA_ROOT)
    stored = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
    assert export.file.name in stored and evil.components.get().file.name in stored
    guesses = ["", "dossiers/", "registers/", "dossiers/2025/", "../", "%2e%2e/"]
    for user in (officers.receiver, officers.receiver_b):
        client.force_login(user)
        for name in stored + guesses:
            url = f"{django_settings.MEDIA_URL}{name}"
            assert client.get(url).status_code == 404, url


def test_the_demo_settings_have_no_debug_pages(client, officers, settings):
    dev = importlib.import_module("caicach.settings.dev")
    assert dev.DEBUG is False
    settings.DEBUG = dev.DEBUG
    client.force_login(officers.receiver)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "URLconf" not in body and "URL patterns" not in body and "api/schema/" not in body
