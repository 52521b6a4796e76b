"""Files held for the counter between two submits of the intake form (issue 16, "keep the files").

A browser never re-sends a chosen file after a failed submit, so the counter officer had to pick
every scan again when, say, the citizen ID was mistyped. Each VALID upload of a failed submit is
now held in the default storage under ``held/<officer id>/<token>/<file name>``; the page carries
the token in a hidden field and the next submit uses the held file when no new one is chosen.

- The token is random (``secrets``, 144 bits) and the officer's id is part of the path, so a token
  works only for the officer who uploaded it: another officer's token, or a forged one, finds
  nothing and the form says so (nothing is received).
- Only files that passed the form's checks are held (PDF/JPEG/PNG by their first bytes, at most
  :data:`~caicach.dossiers.inputs.MAX_COMPONENT_BYTES`), at most :data:`MAX_HELD_PER_OFFICER`
  per officer (the oldest are dropped first).
- A held file is deleted once the dossier is received. One that is never used (the citizen left)
  is referenced by no row, so the nightly orphan job (:mod:`caicach.core.orphans`) deletes it after
  ``ORPHAN_FILE_GRACE_HOURS``: personal data kept no longer than needed (Decree 13/2023 art. 3).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename

from caicach.dossiers.inputs import MAX_COMPONENT_BYTES, sniff

PREFIX = "held"
#: Held files kept per officer at most (a counter holds one applicant's scans at a time).
MAX_HELD_PER_OFFICER = 30
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{24}$")


@dataclass(frozen=True)
class Held:
    """One held file: its token (the hidden field's value) and its original name."""

    token: str
    name: str

    def read(self, owner_id: int) -> bytes:
        with default_storage.open(_path(owner_id, self.token, self.name), "rb") as handle:
            return bytes(handle.read())


def _folder(owner_id: int, token: str = "") -> str:
    base = f"{PREFIX}/{int(owner_id)}"
    return f"{base}/{token}" if token else base


def _path(owner_id: int, token: str, name: str) -> str:
    return f"{_folder(owner_id, token)}/{name}"


def hold(owner_id: int, name: str, content: bytes) -> Held | None:
    """Keep ``content`` for ``owner_id``; None when it is not a file the form accepts."""
    if not content or len(content) > MAX_COMPONENT_BYTES or not sniff(content[:16]):
        return None
    _trim(owner_id)
    token = secrets.token_urlsafe(18)
    safe = get_valid_filename(name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])[:100] or "tep"
    default_storage.save(_path(owner_id, token, safe), ContentFile(content))
    return Held(token, safe)


def find(owner_id: int, token: str) -> Held | None:
    """The file ``owner_id`` holds under ``token``; None for a forged token or another's."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    folder = _folder(owner_id, token)
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return Held(token, sorted(files)[0]) if files else None


def release(owner_id: int, token: str) -> None:
    """Delete the held file (after the receipt, or when a new file replaced it)."""
    held = find(owner_id, token)
    if held is not None:
        default_storage.delete(_path(owner_id, token, held.name))


def _trim(owner_id: int) -> None:
    """Drop the oldest held files beyond :data:`MAX_HELD_PER_OFFICER` - 1."""
    try:
        tokens, _files = default_storage.listdir(_folder(owner_id))
    except (FileNotFoundError, NotADirectoryError):
        return
    if len(tokens) < MAX_HELD_PER_OFFICER:
        return
    dated = []
    for token in tokens:
        held = find(owner_id, token)
        if held is None:
            continue
        path = _path(owner_id, token, held.name)
        dated.append((default_storage.get_modified_time(path), token))
    for _when, token in sorted(dated)[: len(dated) - MAX_HELD_PER_OFFICER + 1]:
        release(owner_id, token)
