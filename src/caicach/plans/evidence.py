"""Which evidence files a reported value may carry (issue 15: "evidence of a forbidden type →
clear message, nothing written").

Pure (mypy strict). The type is read from the file's bytes, never from its name or the
browser's word: PDF, JPEG, PNG, and the Office Open XML documents DOCX and XLSX (ZIP archives
whose parts are under ``word/`` or ``xl/``). Anything else, and anything over
:data:`MAX_EVIDENCE_BYTES`, is refused.
"""

from __future__ import annotations

import io
import zipfile

__all__ = ["ALLOWED", "MAX_EVIDENCE_BYTES", "sniff"]

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
#: extension → what people call it
ALLOWED = {
    "pdf": "PDF",
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "jpg": "JPEG",
    "png": "PNG",
}


def _office(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    return None


def sniff(content: bytes) -> str | None:
    """The allowed extension the bytes are, or None."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content.startswith(b"PK\x03\x04"):
        return _office(content)
    return None
