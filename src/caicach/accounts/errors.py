"""Errors of the accounts and agencies services, in Vietnamese and English."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from caicach.core.errors import BilingualError
from caicach.core.i18n import localized


class FieldError(BilingualError):
    """A service refuses one value. Pages show ``message_vi`` next to ``field``; the API sends
    ``{"detail", "detail_vi", "code", "errors": {field: [English]}}`` with status 400."""

    def __init__(
        self, field: str | None, message_vi: str, message_en: str, *, code: str = "invalid"
    ) -> None:
        super().__init__(
            message_vi, message_en, code=code, errors={field: [message_en]} if field else None
        )
        self.field = field


class ForbiddenError(BilingualError, PermissionDenied):
    """Refused by the access rules: a 403 page, or a bilingual 403 from the API."""

    status = 403
    code = "permission_denied"

    def __str__(self) -> str:  # the 403 page shows str(exception): the UI language
        return localized(self)


def require_actor(actor: Any, action: str, agency: Any) -> None:
    """The access check of every service: a named system actor (a command, the demo loader)
    acts without a user; anyone else goes through :func:`caicach.accounts.access.require`."""
    from caicach.accounts.access import require

    if actor.user is None:
        if not actor.label:
            raise ForbiddenError(_("Cần đăng nhập."), "Authentication required.")
        return
    require(actor.user, action, agency)
