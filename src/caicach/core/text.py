"""Vietnamese text without diacritics, for search that ignores them both ways.

Stored search columns hold :func:`normalise` of their text; queries are folded the same way, or
matched against PostgreSQL's ``unaccent`` of a column with :func:`folded_contains`.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Q

_SPACES = re.compile(r"\s+")


def unaccent(text: str) -> str:
    """``Đăng ký khai sinh`` → ``Dang ky khai sinh``.

    NFD splits a letter from its marks, which are dropped; đ/Đ is a letter of its own (not d
    plus a mark), so it is mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D")


def normalise(text: str) -> str:
    """Lower case, no diacritics, single spaces: ``Đặng  Văn Giám`` → ``dang van giam``."""
    return _SPACES.sub(" ", unaccent(text).lower()).strip()


def folded_contains(query: str, *fields: str) -> Q:
    """A ``Q`` matching rows where any of ``fields``, unaccented, contains every word of ``query``."""
    condition = Q()
    for word in normalise(query).split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__unaccent__icontains": word})
        condition &= any_field
    return condition


def row_id(value: object) -> int | None:
    """A row id typed in a URL or sent by a client, or ``None`` when it cannot be one (not ASCII
    digits, zero, or beyond PostgreSQL's bigint, which the database would refuse with a 500)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    number = int(text)
    return number if 0 < number < 2**63 else None
