"""Scan files left by an intake whose transaction rolled back are deleted after the grace period
(issue 17 item 6; Decree 13/2023: personal data kept no longer than needed)."""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from caicach.core.orphans import find_orphans, remove_orphans
from caicach.core.tasks import remove_orphan_files
from caicach.dossiers.tests.factories import receive

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.7 scanned form"


def _age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ORPHAN_FILE_GRACE_HOURS = 24
    return tmp_path / "media"


def _rolled_back_intake(officers: Any, version: Any, tree: Any) -> None:
    class BoomError(Exception):
        pass

    with pytest.raises(BoomError), transaction.atomic():
        receive(
            officers.receiver,
            version,
            tree.dept_a,
            components=[{"name": "Tờ khai", "content": SCAN + b" lost", "filename": "x.pdf"}],
        )
        raise BoomError


def test_a_rolled_back_intakes_scan_is_removed_after_the_grace_period(
    media, tree, officers, version
):
    kept = receive(
        officers.receiver,
        version,
        tree.dept_a,
        components=[{"name": "Tờ khai", "content": SCAN, "filename": "to-khai.pdf"}],
    )
    _rolled_back_intake(officers, version, tree)
    files = sorted(p for p in media.rglob("*") if p.is_file())
    assert len(files) == 2
    kept_name = kept.components.get().file.name
    (orphan,) = [p for p in files if p.relative_to(media).as_posix() != kept_name]
    for path in files:
        _age(path, 30)

    # Dry run: listed, nothing deleted.
    out = StringIO()
    call_command("orphans", "--dry-run", stdout=out)
    assert orphan.relative_to(media).as_posix() in out.getvalue()
    assert "1 orphan file(s) would be deleted" in out.getvalue()
    assert orphan.exists()

    assert remove_orphan_files() == 1
    assert not orphan.exists()
    assert (media / kept_name).exists()
    assert remove_orphans() == []


def test_a_recent_orphan_is_kept_an_upload_in_progress_is_never_touched(
    media, tree, officers, version
):
    _rolled_back_intake(officers, version, tree)
    (orphan,) = [p for p in media.rglob("*") if p.is_file()]
    _age(orphan, 23)
    assert find_orphans() == []
    assert [o.path for o in find_orphans(grace_hours=22)] == [orphan]
    out = StringIO()
    call_command("orphans", "--grace-hours", "1", stdout=out)
    assert not orphan.exists()


def test_no_media_root_nothing_to_do(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "absent"
    assert remove_orphans() == []
