"""Template filters for the catalogue pages: times, money and the online-level badge."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from caicach.core.i18n import number
from caicach.procedures import rules

register = template.Library()


@register.filter
def duration(value: Decimal | None, unit: str) -> str:
    """``4,5 ngày làm việc``."""
    if value is None:
        return "—"
    lang = "vi" if (get_language() or "vi").startswith("vi") else "en"
    return rules.format_duration(Decimal(value), unit, lang)


@register.filter
def timevalue(value: Decimal | None) -> str:
    """``4,5`` (a time without its unit)."""
    if value is None:
        return "—"
    lang = "vi" if (get_language() or "vi").startswith("vi") else "en"
    return rules.format_time(Decimal(value), lang)


@register.filter
def vnd(amount: int | None) -> str:
    """``8000`` → ``8.000 đ`` (Vietnamese groups thousands with dots)."""
    if amount is None:
        return "—"
    return f"{number(int(amount))} đ"


@register.filter
def online_badge(level: str) -> str:
    """The badge class of an online level: full is the rule (NĐ 224/2026 art. 14)."""
    return {"full": "ok", "partial": "warn", "none": "bad"}.get(level, "")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


#: Names of the audited keys, for people.
CHANGE_LABELS = {
    "number": "Phiên bản",
    "effective_from": "Áp dụng từ",
    "name": "Tên thủ tục",
    "field": "Lĩnh vực",
    "authority_level": "Cấp thẩm quyền",
    "online_level": "Mức độ trực tuyến",
    "partial_reason": "Lý do một phần",
    "statutory_time": "Thời hạn giải quyết",
    "promised_time": "Thời hạn cam kết",
    "cutoff": "Giờ chốt",
    "result": "Kết quả",
    "legal_basis": "Căn cứ pháp lý",
    "facts": "Thông tin danh mục",
    "fees": "Phí, lệ phí",
    "components": "Thành phần hồ sơ",
    "workflow": "Quy trình",
    "handling_agencies": "Cơ quan giải quyết",
    "kinds": "Loại cơ quan giải quyết",
    "owner_agency": "Cơ quan quản lý",
}
#: Shown even when they are not a before/after pair (a creation's snapshot is long).
SUMMARY_KEYS = (
    "number",
    "effective_from",
    "name",
    "created",
    "new_versions",
    "unchanged",
    "updated",
)


@register.filter
def change_lines(changes: Any) -> list[str]:
    """An audit entry's changes as short lines: ``Thời hạn giải quyết: 4 working_days → 5 …``;
    lists that changed are named, not printed."""
    if not isinstance(changes, dict):
        return []

    def short(value: Any) -> str:
        text = "—" if value in (None, "", []) else str(value)
        match = re.fullmatch(r"([\d.]+) (\w+)", text)
        if match and match[2] in rules.TIME_UNITS:  # "4 working_days" → "4 ngày làm việc"
            text = rules.format_duration(Decimal(match[1]), match[2])
        return text if len(text) <= 60 else text[:57] + "…"

    lines, hidden = [], 0
    for key, value in changes.items():
        label = CHANGE_LABELS.get(key, key)
        if isinstance(value, list) and len(value) == 2 and key not in {"result"}:
            before, after = value
            if isinstance(before, list) or isinstance(after, list):
                lines.append(f"{label}: {_('đã thay đổi')}")
            else:
                lines.append(f"{label}: {short(before)} → {short(after)}")
        elif key in SUMMARY_KEYS:
            lines.append(f"{label}: {short(value)}")
        else:
            hidden += 1
    if hidden:
        lines.append(_("… và %(count)s mục khác") % {"count": hidden})
    return lines
