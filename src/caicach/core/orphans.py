"""Stored files that no row references are deleted after a grace period (issue 17 item 6).

An intake writes its scans to ``MEDIA_ROOT`` before its transaction commits; when the
transaction rolls back (a refused component, a lost connection, a killed process) the files stay
on disk with no row pointing at them: personal data kept with no purpose, which Decree 13/2023
(art. 3, storage limitation) does not allow. :func:`find_orphans` lists every regular file under
``MEDIA_ROOT`` that no ``FileField`` of any installed model names and that is older than
``ORPHAN_FILE_GRACE_HOURS`` (an upload in progress is never touched: its row is not committed
yet); :func:`remove_orphans` deletes them. Run nightly by the ``core.remove_orphan_files`` job
and by hand with ``caicach orphans [--dry-run]``.

The models are found through the app registry, so the core knows no higher layer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models


@dataclass(frozen=True)
class Orphan:
    path: Path
    name: str
    size: int
    age_hours: float


def referenced_names() -> set[str]:
    """Every storage name held by a ``FileField`` of any model (empty values left out)."""
    names: set[str] = set()
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for field in fields:
            values = (
                model._default_manager.exclude(**{field: ""})
                .exclude(**{f"{field}__isnull": True})
                .values_list(field, flat=True)
            )
            names.update(str(v) for v in values.iterator())
    return names


def find_orphans(*, grace_hours: float | None = None, now: float | None = None) -> list[Orphan]:
    """The files under ``MEDIA_ROOT`` that no row references and older than the grace period."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    grace = settings.ORPHAN_FILE_GRACE_HOURS if grace_hours is None else grace_hours
    now = time.time() if now is None else now
    referenced = referenced_names()
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        if name in referenced:
            continue
        stat = path.stat()
        age_hours = (now - stat.st_mtime) / 3600
        if age_hours < grace:
            continue
        found.append(Orphan(path, name, stat.st_size, age_hours))
    return found


def remove_orphans(*, dry_run: bool = False, grace_hours: float | None = None) -> list[Orphan]:
    """Delete the orphans (none with ``dry_run``); return what was (or would be) deleted."""
    orphans = find_orphans(grace_hours=grace_hours)
    if not dry_run:
        for orphan in orphans:
            orphan.path.unlink(missing_ok=True)
    return orphans
