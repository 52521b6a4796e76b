"""Vietnamese first: the interface language is the one the user chose, else Vietnamese."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers


class ChosenLanguageMiddleware:
    """Activate the language saved by the language switch (a cookie), or ``LANGUAGE_CODE``.

    Django's ``LocaleMiddleware`` would follow the browser's Accept-Language, so an officer whose
    browser happens to be set to English would get a half-English screen; the province's
    working language is Vietnamese unless the user picks English.
    """

    def __init__(self, get_response: Callable[[Any], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: Any) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # ``override`` restores the previous language afterwards, so one request's choice
        # never leaks into the next one handled by the same thread.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (Django's ``never_cache`` headers) on every API answer and on
    every page sent to a signed-in user: they carry personal data (Decree 13/2023), which no
    browser cache or proxy may keep. Static files never reach it (whitenoise answers first); a
    view that set its own ``Cache-Control`` keeps it."""

    def __init__(self, get_response: Callable[[Any], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if "Cache-Control" not in response and (signed_in or request.path.startswith("/api/")):
            add_never_cache_headers(response)
        return response
