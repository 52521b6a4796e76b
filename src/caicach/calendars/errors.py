"""The calendar's errors, bilingual (:class:`~caicach.core.errors.BilingualError`): bad input
with a message per field (400), a calendar, version or agency not found (404)."""

from __future__ import annotations

from caicach.core.errors import BilingualError


class CalendarInputError(BilingualError):
    """Bad input, with a message per field in both languages (``errors_vi``/``errors_en``)."""

    def __init__(self, errors_vi: dict[str, str], errors_en: dict[str, str]) -> None:
        super().__init__(
            " ".join(errors_vi.values()),
            " ".join(errors_en.values()),
            code="invalid",
            errors={key: [value] for key, value in errors_en.items()},
        )
        self.errors_vi = errors_vi
        self.errors_en = errors_en


def invalid(field_name: str, vi: str, en: str) -> CalendarInputError:
    return CalendarInputError({field_name: vi}, {field_name: en})


class CalendarNotFoundError(BilingualError):
    status = 404
    code = "not_found"
