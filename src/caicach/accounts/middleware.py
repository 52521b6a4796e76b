"""Second factor for admins and leaders, when ``OTP_REQUIRED_FOR_PRIVILEGED`` says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from caicach.accounts.access import has_privileged_role

#: Pages a signed-in privileged officer may reach before verifying a second factor.
_OPEN_PREFIXES = ("/tai-khoan/", "/static/", "/i18n/")


class SecondFactorRequiredMiddleware:
    """Send a privileged officer who has not passed a second factor to enrol or verify one."""

    def __init__(self, get_response: Callable[[Any], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.OTP_REQUIRED_FOR_PRIVILEGED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
            and has_privileged_role(user)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "detail": "Second factor required.",
                        "detail_vi": "Cần xác thực hai lớp.",
                        "code": "otp_required",
                    },
                    status=403,
                )
            return redirect(f"{reverse('accounts:otp')}?next={request.get_full_path()}")
        return self.get_response(request)
