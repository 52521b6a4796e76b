"""Messages that services carry in both languages, shown in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language


def localized(obj: Any) -> str:
    """``message_en`` of ``obj`` (an object or a mapping) in English, else ``message_vi``.

    Services and pure rules keep both texts (the API sends both); pages call this so an officer
    who chose English is not shown the Vietnamese half.
    """
    key = "message_en" if (get_language() or "vi").startswith("en") else "message_vi"
    if isinstance(obj, Mapping):  # error rows rendered as dicts ({"message_vi", "message_en"})
        return str(obj[key])
    return str(getattr(obj, key))
