"""Input PostgreSQL cannot store is refused at the door, in one place.

PostgreSQL's ``text`` refuses the NUL character (``%00``): a code carrying one reached a query and
answered a 500 ``DataError`` on a dozen officer pages and API operations (issue 17). The
middleware answers 400 instead, before any view: in the API's JSON error shape under ``/api/``,
a short Vietnamese page elsewhere. JSON bodies are checked by :class:`JSONParser`, which also
bounds their depth (a deeply nested body made Python's decoder raise ``RecursionError``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser as DRFJSONParser

from caicach.core.errors import BilingualError

NUL = "\x00"
#: Nesting deeper than any body of the API (a dossier with components is 4 levels).
MAX_JSON_DEPTH = 32

BAD_INPUT_VI = "Dữ liệu gửi lên chứa ký tự không hợp lệ."
BAD_INPUT_EN = "The request contains a character that is not allowed."
BAD_JSON_VI = "Nội dung JSON không hợp lệ hoặc lồng nhau quá sâu."
BAD_JSON_EN = "Malformed or too deeply nested JSON."


def _has_nul(items: Iterable[tuple[str, list[str]]]) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in items)


def _is_form(request: HttpRequest) -> bool:
    return request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}


def refused(request: HttpRequest) -> bool:
    """Whether the path, the query string or a form field holds a NUL."""
    if NUL in request.path_info or _has_nul(request.GET.lists()):
        return True
    return request.method == "POST" and _is_form(request) and _has_nul(request.POST.lists())


def bad_request(request: HttpRequest, message_vi: str, message_en: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        body = {"detail": message_en, "detail_vi": message_vi, "code": "invalid"}
        return JsonResponse(body, status=400)
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    with translation.override(language):
        html = render_to_string("core/bad_request.html", {"message": gettext(message_vi)})
    return HttpResponse(html, status=400)


class RefuseUnstorableInputMiddleware:
    """400 for a request whose path, query or form carries a NUL (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if refused(request):
            return bad_request(request, BAD_INPUT_VI, BAD_INPUT_EN)
        return self.get_response(request)


def _too_deep() -> BilingualError:
    return BilingualError(BAD_JSON_VI, BAD_JSON_EN, code="parse_error", status=400)


def _check(data: Any) -> None:
    """Walk the decoded body without recursion: bounded depth, no NUL in keys or strings. A NUL
    is reported under the top-level field holding it, as the field's validation error."""
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    fields: set[str] = set()
    while stack:
        value, depth, field = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(value, str) and NUL in value:
            fields.add(field)
        elif isinstance(value, dict):
            for key, item in value.items():
                if NUL in key:
                    fields.add(field or key)
                stack.append((item, depth + 1, field or key))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)
    if fields:
        message = gettext_lazy(BAD_INPUT_VI)
        raise ValidationError({field or "non_field_errors": [message] for field in sorted(fields)})


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, answering 400 (not 500) to a body nested too deep, and refusing NUL."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        _check(data)
        return data
