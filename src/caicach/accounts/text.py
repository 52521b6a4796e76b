"""Search text without Vietnamese diacritics, so "tu phap" finds "Tư pháp"."""

from __future__ import annotations

import unicodedata

from django.db.models import Q


def fold(text: str) -> str:
    """``Đặng Văn Giám`` → ``dang van giam``: NFD drops the marks; đ is a letter, mapped by hand."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").lower().split())


def folded_contains(query: str, *fields: str) -> Q:
    """A ``Q`` matching rows where any of ``fields``, unaccented, contains every word of ``query``.

    PostgreSQL's ``unaccent`` folds the column; :func:`fold` folds the query the same way.
    """
    condition = Q()
    for word in fold(query).split():
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__unaccent__icontains": word})
        condition &= any_field
    return condition
