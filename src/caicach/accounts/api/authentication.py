"""API authentication classes (the settings' ``DEFAULT_AUTHENTICATION_CLASSES``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import BasicScheme
from drf_spectacular.contrib.django_oauth_toolkit import DjangoOAuthToolkitScheme
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import authentication, exceptions, status


class BasicAuthentication(authentication.BasicAuthentication):
    """HTTP Basic sign-in, only where ``API_BASIC_AUTH`` is on (off by default: each request
    costs a password hash; machine clients use :class:`TokenAuthentication`). With it off, the
    header is ignored and the request is anonymous.

    Credentials that contain a NUL character are refused.

    Such a user name can be no account's (Django's forms refuse NUL), and PostgreSQL text cannot
    hold it: the lock-out look-up (django-axes) failed with a database error, a 500, on any API
    URL (found by ``tests/test_openapi_fuzz.py``). It is now the same refusal as a wrong
    password, before any query.
    """

    def authenticate(self, request: Any) -> tuple[Any, None] | None:
        if not settings.API_BASIC_AUTH:
            return None
        return super().authenticate(request)

    def authenticate_credentials(
        self, userid: str, password: str, request: Any = None
    ) -> tuple[Any, None]:
        if "\x00" in userid or "\x00" in password:
            # DRF's own message for bad credentials (translated in its catalogue).
            raise exceptions.AuthenticationFailed(_("Invalid username/password."))
        return super().authenticate_credentials(userid, password, request)


class InvalidToken(exceptions.APIException):
    """401 for a bearer token that is unknown, expired or revoked. Not DRF's
    ``AuthenticationFailed``: DRF would answer 403 since the first authenticator is the session."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")
    default_code = "invalid_token"


class TokenAuthentication(OAuth2Authentication):
    """OAuth2 bearer tokens of machine clients (django-oauth-toolkit, client credentials); see
    :mod:`caicach.accounts.machine_clients`. A bearer token that does not verify is a 401 with a
    ``WWW-Authenticate: Bearer`` challenge, not an anonymous request."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if result is None and header[:7].lower() == "bearer ":
            error = InvalidToken()
            error.auth_header = self.authenticate_header(request)  # type: ignore[attr-defined]
            raise error
        return result


class BasicAuthenticationScheme(BasicScheme):
    """The OpenAPI ``basicAuth`` scheme for the class above (drf-spectacular matches by class);
    listed only while ``API_BASIC_AUTH`` is on (``AUTHENTICATION_WHITELIST`` in the settings)."""

    target_class = "caicach.accounts.api.authentication.BasicAuthentication"


class TokenAuthenticationScheme(DjangoOAuthToolkitScheme):
    """The OpenAPI ``oauth2`` scheme (client credentials) with the scope each operation needs:
    ``<view.token_scope>:read`` for reads, ``:write`` for changes (as ``IsOfficer`` checks)."""

    target_class = "caicach.accounts.api.authentication.TokenAuthentication"

    def get_security_requirement(self, auto_schema: Any) -> Any:
        area = getattr(auto_schema.view, "token_scope", None)
        if area is None:
            return None
        return {self.name: [f"{area}:{token_access(auto_schema.method)}"]}


def token_access(method: str) -> str:
    """``read`` for the safe HTTP methods, ``write`` for the others."""
    return "read" if method.upper() in ("GET", "HEAD", "OPTIONS") else "write"
