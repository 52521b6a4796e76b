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


class FriendlyErrorPagesMiddleware:
    """In the demo (``DEBUG``), a wrong address or a crash shows the site's Vietnamese 404/500
    page, as in production, instead of Django's English debug page listing the URL patterns
    (issue 16). The console keeps the traceback of a 500; the API keeps its JSON answers."""

    TEMPLATES = {404: "404.html", 500: "500.html"}

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        from django.conf import settings

        response = self.get_response(request)
        template = self.TEMPLATES.get(response.status_code)
        if (
            template
            and settings.DEBUG
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "streaming", False)
            and b"DEBUG = True" in response.content
        ):
            if request.path.startswith("/api/"):
                if response.status_code != 404:
                    return response
                from caicach.core.api.errors import not_found

                return not_found(request)  # the API's JSON shape
            from django.shortcuts import render

            return render(request, template, status=response.status_code)
        return response
