"""Date formatting of the calendar pages (weekday names in the interface language, Vietnam time).

The ``vi_*`` filters always answer in Vietnamese; the others follow the interface language
(English when the user picked it), like :func:`caicach.core.i18n.localized` for messages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils.translation import get_language

from caicach.calendars import services

register = template.Library()


@register.filter
def vi_instant(value: datetime | None) -> str:
    """``Thứ Ba, 29/04/2025 lúc 17:00``."""
    return services.format_instant_vi(value) if value else ""


@register.filter
def vi_weekday(value: date | None) -> str:
    return services.weekday_vi(value) if value else ""


@register.filter
def vi_date(value: date | None) -> str:
    """``Thứ Hai 16/02/2026``."""
    return f"{services.weekday_vi(value)} {value:%d/%m/%Y}" if value else ""


@register.filter
def iso(value: datetime | date | None) -> str:
    return value.isoformat() if value else ""


@register.filter
def hours_text(intervals: list[list[str]] | None) -> str:
    """``07:30–11:30, 13:30–17:00`` from the stored JSON intervals."""
    return ", ".join(f"{s}–{e}" for s, e in intervals or [])


def english() -> bool:
    """Is the interface in English (the current language of the request)?"""
    return (get_language() or "vi").startswith("en")


@register.filter
def instant(value: datetime | None) -> str:
    """``Thứ Ba, 29/04/2025 lúc 17:00`` or ``Tuesday 29/04/2025 at 17:00``."""
    if not value:
        return ""
    return services.format_instant_en(value) if english() else services.format_instant_vi(value)


@register.filter
def weekday(value: date | None) -> str:
    if not value:
        return ""
    return services.weekday_en(value) if english() else services.weekday_vi(value)


@register.filter
def day_date(value: date | None) -> str:
    """``Thứ Hai 16/02/2026`` or ``Monday 16/02/2026``."""
    return f"{weekday(value)} {value:%d/%m/%Y}" if value else ""


@register.filter
def day_label(obj: Any) -> str:
    """``label_en`` of a day status in English (``label_vi`` when empty), else ``label_vi``."""
    if obj is None:
        return ""
    vi = str(getattr(obj, "label_vi", "") or "")
    return str(getattr(obj, "label_en", "") or vi) if english() else vi


@register.filter
def day_name(obj: Any) -> str:
    """``name_en`` of a calendar day in English (``name_vi`` when empty), else ``name_vi``."""
    if obj is None:
        return ""
    vi = str(getattr(obj, "name_vi", "") or "")
    return str(getattr(obj, "name_en", "") or vi) if english() else vi


@register.filter
def explanation(result: Any) -> list[str]:
    """The lines explaining a computed due date, in the interface language."""
    if result is None:
        return []
    return list(result.explain_en() if english() else result.explain_vi())
