"""Errors raised by services that carry their message in Vietnamese and English.

Services raise these; the API turns them into ``{"detail", "detail_vi", "code"}`` with the given
status, and pages show ``message_vi``.
"""

from __future__ import annotations

from typing import Any


class BilingualError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self,
        message_vi: str,
        message_en: str,
        *,
        code: str | None = None,
        status: int | None = None,
        errors: Any = None,
    ) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        self.errors = errors
        if code:
            self.code = code
        if status:
            self.status = status


class ConflictError(BilingualError):
    """The action does not fit the current state (HTTP 409)."""

    status = 409
    code = "conflict"
