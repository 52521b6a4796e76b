"""Date formatting of the calendar pages (weekday names in the interface language, Vietnam time).

The ``vi_*`` filters always answer in Vietnamese; the others follow the interface language
(English when the user picked it), like :func:`caicach.core.i18n.localized` for messages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template

from caicach.calendars import services
from caicach.core.i18n import is_english, localized

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


@register.filter
def instant(value: datetime | None) -> str:
    """``Thứ Ba, 29/04/2025 lúc 17:00`` or ``Tuesday 29/04/2025 at 17:00``."""
    if not value:
        return ""
    return services.format_instant_en(value) if is_english() else services.format_instant_vi(value)


@register.filter
def weekday(value: date | None) -> str:
    if not value:
        return ""
    return services.weekday_en(value) if is_english() else services.weekday_vi(value)


@register.filter
def day_date(value: date | None) -> str:
    """``Thứ Hai 16/02/2026`` or ``Monday 16/02/2026``."""
    return f"{weekday(value)} {value:%d/%m/%Y}" if value else ""


@register.filter
def day_label(obj: Any) -> str:
    """The label of a day status in the interface language."""
    return localized(obj, "label")


@register.filter
def day_name(obj: Any) -> str:
    """The name of a calendar day (holiday, swapped day) in the interface language."""
    return localized(obj, "name")


@register.filter
def explanation(result: Any) -> list[str]:
    """The lines explaining a computed due date, in the interface language."""
    if result is None:
        return []
    return list(result.explain_en() if is_english() else result.explain_vi())
