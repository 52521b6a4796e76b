"""The gate in front of every view: who may reach a view at all.

Fine-grained decisions (which agency, which action) stay in :mod:`caicach.accounts.access`;
this gate only makes sure nobody reaches a page half-signed-in. In order:

1. anonymous users reach public views only; every other page redirects to the login page (API
   views and the admin site answer anonymous users themselves);
2. citizen accounts reach nothing of the officers' site (their portal comes later);
3. a session that signed in without the code step although the user has a device (the admin
   site, for one) must pass it;
4. admins and leaders must enrol and use a second factor when ``OTP_REQUIRED_FOR_PRIVILEGED``;
5. an officer with a temporary password must change it first.

A view is public when it is named in :data:`PUBLIC_VIEW_NAMES` or decorated with :func:`public`
(any kind of view, API included).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from caicach.accounts import twofactor
from caicach.accounts.access import has_privileged_role
from caicach.accounts.models import UserKind

#: Views anybody may open, signed in or not.
PUBLIC_VIEW_NAMES = frozenset(
    {"accounts:login", "core:healthz", "core:favicon", "schema", "api-docs", "set_language"}
)
#: Views a signed-in user may open while a sign-in step is still due.
_VERIFY_STEP_VIEWS = frozenset({"accounts:login", "accounts:otp", "accounts:logout"})
_SECURITY_PREFIX = "accounts:security"


def public(view: Any) -> Any:
    """Mark a view (function, Django class-based or DRF) as open to everyone."""
    view.caicach_public = True
    return view


def is_public(view_func: Any, view_name: str) -> bool:
    """Open to everybody, signed in or not, whatever sign-in step is due."""
    if view_name in PUBLIC_VIEW_NAMES:
        return True
    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    return bool(
        getattr(view_func, "caicach_public", False) or getattr(view_class, "caicach_public", False)
    )


def handles_own_login(view_func: Any) -> bool:
    """Views that answer anonymous users themselves: DRF (401/403 from its authentication, and
    HTTP Basic sign-in happens inside the view) and Django's ``login_not_required`` (the admin
    site redirects to its own login). Signed-in users still pass the whole gate there."""
    return getattr(view_func, "cls", None) is not None or not getattr(
        view_func, "login_required", True
    )


def due_step(request: Any, user: Any) -> str | None:
    """What this signed-in officer must still do: ``"verify"``, ``"enrol"``, ``"password"``."""
    if not getattr(user, "is_verified", lambda: False)():
        session = request.session
        marker = session.get(twofactor.SIGN_IN_KEY)
        if marker is None:  # a session older than the marker: look once
            marker = twofactor.NEEDS_CODE if twofactor.has_device(user) else twofactor.PASSWORD_ONLY
            session[twofactor.SIGN_IN_KEY] = marker
        if marker == twofactor.NEEDS_CODE:  # a password alone is not enough for this user
            return "verify"
        if settings.OTP_REQUIRED_FOR_PRIVILEGED and has_privileged_role(user):
            return "verify" if twofactor.has_device(user) else "enrol"
    if user.must_change_password:
        return "password"
    return None


def _step_allows(step: str, view_name: str) -> bool:
    if view_name in _VERIFY_STEP_VIEWS:
        return True
    return step in {"enrol", "password"} and view_name.startswith(_SECURITY_PREFIX)


_STEP_MESSAGES = {
    "verify": ("Second factor required.", gettext_noop("Cần xác thực hai lớp."), "otp_required"),
    "enrol": (
        "Turn on two-factor authentication first.",
        gettext_noop("Hãy bật xác thực hai lớp trước khi sử dụng hệ thống."),
        "otp_enrolment_required",
    ),
    "password": (
        "Change your temporary password first.",
        gettext_noop("Hãy đổi mật khẩu tạm trước khi sử dụng hệ thống."),
        "password_change_required",
    ),
}


class SecondFactorRequiredMiddleware:
    """The gate (see the module docstring). The name predates its other duties; settings
    refer to it, so it stays."""

    def __init__(self, get_response: Callable[[Any], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: Any, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = getattr(request, "resolver_match", None)
        view_name = match.view_name if match else ""
        if is_public(view_func, view_name):
            return None
        is_api = getattr(view_func, "cls", None) is not None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            if handles_own_login(view_func):
                return None
            return redirect_to_login(request.get_full_path())
        if user.kind != UserKind.OFFICER:
            if view_name == "accounts:logout":
                return None
            return self._refuse(
                request,
                is_api,
                "This is not an officer account.",
                _("Tài khoản này không phải tài khoản cán bộ."),
                "not_officer",
            )
        step = due_step(request, user)
        if step is None or _step_allows(step, view_name):
            return None
        en, vi, code = _STEP_MESSAGES[step]
        if is_api:
            return JsonResponse({"detail": en, "detail_vi": _(vi), "code": code}, status=403)
        query = urlencode({"next": request.get_full_path()})
        if step == "verify":
            return redirect(f"{reverse('accounts:otp')}?{query}")
        messages.warning(request, _(vi))
        return redirect(f"{reverse('accounts:security')}?{query}")

    def _refuse(self, request: Any, is_api: bool, en: str, vi: str, code: str) -> HttpResponse:
        if is_api:
            return JsonResponse({"detail": en, "detail_vi": vi, "code": code}, status=403)
        return render(request, "403.html", {"exception": vi}, status=403)


#: The same class under the name that says what it does.
AccessGateMiddleware = SecondFactorRequiredMiddleware
