"""Date formatting of the calendar pages (Vietnamese weekday names, Vietnam time)."""

from __future__ import annotations

from datetime import date, datetime

from django import template

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
