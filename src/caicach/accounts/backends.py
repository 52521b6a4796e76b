"""Sign-in by user name and password (Django's model backend) that also checks the password
against today's policy: one that fails it (the published demo password, one set before a rule
was added, one set by a command) marks the account ``must_change_password``, and the gate
(:mod:`caicach.accounts.middleware`) then admits nothing but the password change.

``PASSWORD_POLICY_AT_SIGN_IN`` is off only in the demo settings, whose accounts share the
demo password printed in the README.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


class PolicyModelBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if (
            user is not None
            and password is not None
            and not user.must_change_password
            and getattr(settings, "PASSWORD_POLICY_AT_SIGN_IN", True)
        ):
            try:
                validate_password(password, user)
            except ValidationError:
                user.must_change_password = True
                user.save(update_fields=["must_change_password"])
        return user
