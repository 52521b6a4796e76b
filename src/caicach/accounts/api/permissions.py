"""API permission: an active officer who has passed the sign-in steps."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

from caicach.accounts import twofactor
from caicach.accounts.access import has_privileged_role
from caicach.accounts.api.authentication import TokenAuthentication, token_access
from caicach.accounts.errors import ForbiddenError
from caicach.accounts.models import UserKind


class IsOfficer(BasePermission):
    """Signed in, an active officer account, and no sign-in step left.

    Sessions went through the gate middleware already; HTTP Basic requests did not, so the same
    rules are applied here: a user with a second factor cannot use a password alone.

    A machine client's token (:mod:`caicach.accounts.machine_clients`) acts as its service
    account, which has no password and no second factor: what stands for them is the client
    secret an administrator issued. The token must carry the view's scope instead:
    ``<token_scope>:read`` to read, ``<token_scope>:write`` to change; a view that names no
    ``token_scope`` is not open to tokens.
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF answers 401/403 "authentication required"
        if user.kind != UserKind.OFFICER or not user.is_active:
            raise ForbiddenError(
                _("Tài khoản này không phải tài khoản cán bộ."), "This is not an officer account."
            )
        if isinstance(request.successful_authenticator, TokenAuthentication):
            return self._token_allows(request, view)
        by_session = isinstance(request.successful_authenticator, SessionAuthentication)
        verified = by_session and getattr(user, "is_verified", lambda: False)()
        if not verified and (
            (not by_session and twofactor.has_device(user))
            or (settings.OTP_REQUIRED_FOR_PRIVILEGED and has_privileged_role(user))
        ):
            raise ForbiddenError(
                _("Cần xác thực hai lớp."), "Second factor required.", code="otp_required"
            )
        if user.must_change_password:
            raise ForbiddenError(
                _("Hãy đổi mật khẩu tạm trước khi sử dụng hệ thống."),
                "Change your temporary password first.",
                code="password_change_required",
            )
        return True

    def _token_allows(self, request: Any, view: Any) -> bool:
        area = getattr(view, "token_scope", None)
        needed = f"{area}:{token_access(request.method)}"
        if area is None or not request.auth.allow_scopes([needed]):
            raise ForbiddenError(
                _("Mã truy cập không có phạm vi %(scope)s.") % {"scope": needed},
                f"The token lacks the scope {needed}.",
                code="insufficient_scope",
            )
        return True
