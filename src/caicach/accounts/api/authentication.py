"""API authentication classes (the settings' ``DEFAULT_AUTHENTICATION_CLASSES``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import BasicScheme
from rest_framework import authentication, exceptions


class BasicAuthentication(authentication.BasicAuthentication):
    """HTTP Basic sign-in for API clients, refusing credentials that contain a NUL character.

    Such a user name can be no account's (Django's forms refuse NUL), and PostgreSQL text cannot
    hold it: the lock-out look-up (django-axes) failed with a database error, a 500, on any API
    URL (found by ``tests/test_openapi_fuzz.py``). It is now the same refusal as a wrong
    password, before any query.
    """

    def authenticate_credentials(
        self, userid: str, password: str, request: Any = None
    ) -> tuple[Any, None]:
        if "\x00" in userid or "\x00" in password:
            # DRF's own message for bad credentials (translated in its catalogue).
            raise exceptions.AuthenticationFailed(_("Invalid username/password."))
        return super().authenticate_credentials(userid, password, request)


class BasicAuthenticationScheme(BasicScheme):
    """The OpenAPI ``basicAuth`` scheme for the class above (drf-spectacular matches by class)."""

    target_class = "caicach.accounts.api.authentication.BasicAuthentication"
