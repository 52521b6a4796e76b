"""Keyset ("before id") paging for pages over large tables: no OFFSET, no COUNT(*)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass
class KeysetPage:
    items: list[Any]
    next_before: int | None
    size: int


def keyset_page(queryset: QuerySet[Any], before: str | None, size: int = 50) -> KeysetPage:
    """Items with id below ``before``, newest first; one extra row tells if there is more."""
    if before and before.isdigit():
        queryset = queryset.filter(id__lt=int(before))
    rows = list(queryset.order_by("-id")[: size + 1])
    more = len(rows) > size
    items = rows[:size]
    return KeysetPage(items, items[-1].id if more and items else None, size)
