"""Issue 16, "keep the files": after a failed intake submit each valid upload is held for the
officer (:mod:`caicach.dossiers.held_files`) and the next submit uses it without choosing it
again; another officer's token or a forged one is refused clearly and nothing is received; the
held file is deleted once the dossier is received, and the orphan job removes abandoned ones."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from caicach.core.orphans import find_orphans
from caicach.dossiers import held_files
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.test_intake_views import PDF, URL, _component, _post

pytestmark = pytest.mark.django_db


def _held_token(html: str, component: Any) -> str:
    found = re.search(rf'name="tp-{component.pk}-giu" value="([^"]+)"', html)
    assert found, "no held-file token on the page"
    return found.group(1)


def _held_paths() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / held_files.PREFIX
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _fail_once(client: Any, version: Any) -> tuple[str, dict[str, Any]]:
    """A submit with a bad citizen ID and a valid file: 400, the file held."""
    response = client.post(URL, _post(version, id_number="001085"))
    assert response.status_code == 400
    html = response.content.decode()
    token = _held_token(html, _component(version))
    assert "Đã giữ tệp to-khai.pdf (chọn tệp khác để thay)" in html
    data = _post(version)
    del data[f"tp-{_component(version).pk}-tep"]
    data[f"tp-{_component(version).pk}-giu"] = token
    return token, data


def test_the_held_file_is_used_on_the_next_submit(client, tree, officers, version):
    client.force_login(officers.receiver)
    token, data = _fail_once(client, version)
    assert len(_held_paths()) == 1 and token in str(_held_paths()[0])
    assert not Dossier.objects.exists()

    response = client.post(URL, data)  # the citizen ID corrected, no file chosen again
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    part = dossier.components.get()
    assert part.file.read() == PDF and part.content_type == "application/pdf"
    assert _held_paths() == []  # deleted once received
    # A double submit of the same form: the same dossier (idempotency key), no second one.
    response = client.post(URL, data)
    assert Dossier.objects.count() == 1


def test_a_new_file_replaces_the_held_one(client, tree, officers, version):
    client.force_login(officers.receiver)
    component = _component(version)
    _token, data = _fail_once(client, version)
    other = PDF.replace(b"1.4", b"1.7")
    data[f"tp-{component.pk}-tep"] = SimpleUploadedFile("moi.pdf", other, "application/pdf")
    assert client.post(URL, data).status_code == 302
    assert Dossier.objects.get().components.get().file.read() == other
    assert _held_paths() == []


def test_another_officers_token_does_not_work(client, tree, officers, version, make_officer):
    client.force_login(officers.receiver)
    _token, data = _fail_once(client, version)
    colleague = make_officer("receiver", tree.dept_a, username="motcua_a2")
    client.force_login(colleague)
    response = client.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "không phải do bạn" in html and "hãy chọn lại tệp" in html
    assert not Dossier.objects.exists()
    assert len(_held_paths()) == 1  # the owner's file untouched


@pytest.mark.parametrize("forged", ["../../etc/passwd", "x" * 24, "A" * 40, "%00"])
def test_a_forged_token_is_refused(client, tree, officers, version, forged):
    client.force_login(officers.receiver)
    _token, data = _fail_once(client, version)
    data[f"tp-{_component(version).pk}-giu"] = forged
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "hãy chọn lại tệp" in response.content.decode()
    assert not Dossier.objects.exists()


def test_only_valid_files_are_held(client, tree, officers, version):
    component = _component(version)
    fake = SimpleUploadedFile("to-khai.pdf", b"just some text, not a PDF", "application/pdf")
    client.force_login(officers.receiver)
    response = client.post(URL, _post(version, **{f"tp-{component.pk}-tep": fake}))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'name="tp-{component.pk}-giu" value=' not in html
    assert "chỉ cần chọn lại tệp cho giấy tờ bị báo lỗi" in html
    assert _held_paths() == []


def test_held_files_are_bounded_and_abandoned_ones_are_orphans(officers):
    owner = officers.receiver.pk
    for n in range(held_files.MAX_HELD_PER_OFFICER + 3):
        assert held_files.hold(owner, f"t{n}.pdf", PDF) is not None
    assert len(_held_paths()) == held_files.MAX_HELD_PER_OFFICER
    assert held_files.hold(owner, "x.pdf", b"not a pdf") is None
    assert held_files.hold(owner, "x.pdf", b"") is None
    # Nothing references a held file: the nightly job deletes it after the grace period.
    orphans = find_orphans(grace_hours=0)
    assert {o.name for o in orphans} >= {
        p.relative_to(settings.MEDIA_ROOT).as_posix() for p in _held_paths()
    }


def test_a_search_keeps_the_held_file(client, tree, officers, version):
    """The search and the procedure picker post the form: the held file stays offered."""
    client.force_login(officers.receiver)
    token, data = _fail_once(client, version)
    data["buoc"] = "chon"
    response = client.post(URL, data)
    assert response.status_code == 200
    assert _held_token(response.content.decode(), _component(version)) == token
    assert not Dossier.objects.exists()
