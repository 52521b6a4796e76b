"""Typed values out of one line of the exchange format, each problem a :class:`LineError` (pure).

A :class:`Reader` never raises on bad input: it records the problem (line number, field path,
reason in Vietnamese and English) and returns a harmless value, so one pass over a file finds
every problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["LineError", "Reader", "show"]


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "field": self.field,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


_MISSING = object()


def show(value: Any) -> str:
    text = "" if value is _MISSING or value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


class Reader:
    """Typed values out of one line's object; each bad value adds a :class:`LineError`."""

    def __init__(self, line: int, errors: list[LineError]) -> None:
        self.line = line
        self.errors = errors
        self.failed = False

    def error(self, path: str, message_vi: str, message_en: str) -> None:
        self.errors.append(LineError(self.line, path, message_vi, message_en))
        self.failed = True

    def text(
        self, source: Mapping[str, Any], key: str, at: str, *, required: bool, max_length: int
    ) -> str:
        value = source.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(at, "Phải là chuỗi ký tự.", "Must be a string.")
            return ""
        if required and not value.strip():
            self.error(at, "Không được để trống.", "Is required.")
        elif len(value) > max_length:
            self.error(
                at, f"Dài quá {max_length} ký tự.", f"Is longer than {max_length} characters."
            )
        return value

    def integer(
        self,
        source: Mapping[str, Any],
        key: str,
        at: str,
        *,
        default: int | None = None,
        minimum: int = 0,
        maximum: int = 32_767,
        nullable: bool = False,
    ) -> int | None:
        value = source.get(key)
        if value is None:
            if nullable or default is not None:
                return default
            self.error(at, "Không được để trống.", "Is required.")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(at, "Phải là một số nguyên.", "Must be a whole number.")
            return None
        if not minimum <= value <= maximum:
            self.error(
                at,
                f"Phải từ {minimum} đến {maximum}.",
                f"Must be between {minimum} and {maximum}.",
            )
            return None
        return value

    def moment(
        self, source: Mapping[str, Any], key: str, at: str, *, required: bool
    ) -> datetime | None:
        value = source.get(key)
        if value is None:
            if required:
                self.error(at, "Không được để trống.", "Is required.")
            return None
        parsed = None
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None or parsed.tzinfo is None or parsed.utcoffset() is None:
            self.error(
                at,
                f"Thời điểm “{show(value)}” không hợp lệ (ISO 8601 có múi giờ, ví dụ "
                "2025-04-25T10:00:00+07:00).",
                f"Invalid instant “{show(value)}” (ISO 8601 with an offset, e.g. "
                "2025-04-25T10:00:00+07:00).",
            )
            return None
        return parsed

    def choice(
        self,
        source: Mapping[str, Any],
        key: str,
        at: str,
        values: Iterable[str],
        *,
        blank: bool = False,
        default: str | None = None,
    ) -> str:
        allowed = list(values)
        value = source.get(key)
        if value is None and default is not None:
            return default
        if value in (None, "") and blank:
            return ""
        if isinstance(value, str) and value in allowed:
            return value
        shown = ", ".join(allowed)
        self.error(
            at,
            f"Giá trị “{show(value)}” không hợp lệ; chọn một trong: {shown}.",
            f"Unknown value “{show(value)}”; expected one of: {shown}.",
        )
        return ""

    def mapping(self, source: Mapping[str, Any], key: str, at: str) -> Mapping[str, Any]:
        value = source.get(key)
        if not isinstance(value, Mapping):
            self.error(at, "Phải là một đối tượng JSON.", "Must be a JSON object.")
            return {}
        return value

    def items(self, source: Mapping[str, Any], key: str, at: str) -> list[Mapping[str, Any]]:
        value = source.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(at, "Phải là một danh sách.", "Must be a list.")
            return []
        good = []
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                good.append(item)
            else:
                self.error(f"{at}[{index}]", "Phải là một đối tượng.", "Must be an object.")
        return good
