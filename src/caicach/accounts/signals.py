"""Remember, at sign-in, whether the session still owes its second factor.

Every sign-in path (this site's login, the admin site, a test client) goes through
``django.contrib.auth.login``; checking the user's devices there, once, spares every later
request a query.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from caicach.accounts import twofactor


@receiver(user_logged_in, dispatch_uid="caicach.accounts.sign_in_marker")
def mark_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[twofactor.SIGN_IN_KEY] = (
            twofactor.NEEDS_CODE if twofactor.has_device(user) else twofactor.PASSWORD_ONLY
        )
