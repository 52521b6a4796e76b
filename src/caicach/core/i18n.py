"""Messages that services carry in both languages, shown in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language


def is_english() -> bool:
    """Is the interface in English (the current language of the request)?"""
    return (get_language() or "vi").startswith("en")


def localized(obj: Any, field: str = "message") -> str:
    """``<field>_en`` of ``obj`` (an object or a mapping) in English, else ``<field>_vi``; the
    Vietnamese text when the English one is empty, ``""`` for ``None``.

    Services and pure rules keep both texts (the API sends both); pages call this so an officer
    who chose English is not shown the Vietnamese half.
    """
    if obj is None:
        return ""
    get = obj.get if isinstance(obj, Mapping) else lambda key: getattr(obj, key, "")
    vi = str(get(f"{field}_vi") or "")
    return str(get(f"{field}_en") or vi) if is_english() else vi


def bilingual(vi: str, en: str) -> Any:
    """A lazy text: ``en`` when the reader's language is English, else ``vi`` (for labels kept
    in both languages as data, such as the dossier states, that gettext catalogues do not hold)."""
    from django.utils.functional import lazy

    return lazy(lambda: en if is_english() else vi, str)()


def number(value: Any, places: int = 0) -> str:
    """``value`` with ``places`` decimals, grouped by thousands, with the reader's separators:
    ``1.234,5`` in Vietnamese, ``1,234.5`` in English (Django's locale formats)."""
    from django.utils.formats import get_format

    text = f"{value:,.{places}f}"
    decimal, thousands = get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")
    return text.replace(",", "\0").replace(".", str(decimal)).replace("\0", str(thousands))
