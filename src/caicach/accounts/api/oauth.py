"""The OAuth2 endpoints of machine clients: token (client credentials) and revocation.

django-oauth-toolkit's views, counted per client address (``API_TOKEN_REQUESTS_PER_MINUTE``,
:mod:`caicach.core.ratelimit`): a client secret is checked with a password hash, so unlimited
guesses would cost what HTTP Basic cost. Issuing and revoking are audited by the validator
(:class:`caicach.accounts.machine_clients.Validator`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import views

from caicach.accounts.middleware import public
from caicach.core import ratelimit

_WINDOW = timedelta(minutes=1)


class _Limited:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = f"caicach:api-token:{request.META.get('REMOTE_ADDR', '')}"
        if ratelimit.hit(key, _WINDOW) > settings.API_TOKEN_REQUESTS_PER_MINUTE:
            response = JsonResponse(
                {
                    "detail": "Too many token requests; try again in a minute.",
                    "detail_vi": "Quá nhiều yêu cầu cấp mã truy cập; hãy thử lại sau một phút.",
                    "code": "too_many_requests",
                },
                status=429,
            )
            response["Retry-After"] = str(int(_WINDOW.total_seconds()))
            return response
        with transaction.atomic():  # the token and its audit entry commit together
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


@public  # the client authenticates itself with its id and secret
@method_decorator(csrf_exempt, name="dispatch")
class TokenView(_Limited, views.TokenView):
    pass


@public
@method_decorator(csrf_exempt, name="dispatch")
class RevokeTokenView(_Limited, views.RevokeTokenView):
    pass


urlpatterns = [
    path("token/", TokenView.as_view(), name="oauth-token"),
    path("revoke_token/", RevokeTokenView.as_view(), name="oauth-revoke-token"),
]
