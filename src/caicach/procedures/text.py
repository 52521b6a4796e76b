"""Vietnamese text without diacritics, for search that ignores them both ways."""

from __future__ import annotations

import re
import unicodedata

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
    """Lower case, no diacritics, single spaces: the form stored in ``search_text``."""
    return _SPACES.sub(" ", unaccent(text).lower()).strip()
