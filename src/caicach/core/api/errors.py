"""API errors in both languages: every error body has ``detail`` (English) and ``detail_vi``.

Field validation errors keep DRF's ``{"field": ["message"]}`` shape under ``errors`` so clients
can point at the field, with the message in Vietnamese (the UI language) and English.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils import translation
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from caicach.core.errors import BilingualError

_GENERIC = {
    status.HTTP_400_BAD_REQUEST: ("Invalid input.", "Dữ liệu không hợp lệ."),
    status.HTTP_401_UNAUTHORIZED: ("Authentication required.", "Cần đăng nhập."),
    status.HTTP_403_FORBIDDEN: (
        "You do not have permission to perform this action.",
        "Bạn không có quyền thực hiện thao tác này.",
    ),
    status.HTTP_404_NOT_FOUND: ("Not found.", "Không tìm thấy."),
    status.HTTP_405_METHOD_NOT_ALLOWED: ("Method not allowed.", "Phương thức không được hỗ trợ."),
    status.HTTP_409_CONFLICT: ("Conflict.", "Xung đột dữ liệu."),
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: (
        "Unsupported media type.",
        "Định dạng dữ liệu không được hỗ trợ.",
    ),
    status.HTTP_429_TOO_MANY_REQUESTS: ("Too many requests.", "Quá nhiều yêu cầu."),
}

TOO_BIG_VI = "Nội dung gửi lên quá lớn (xem REQUEST_BODY_MAX_MB)."
TOO_BIG_EN = "The request body is too large (see REQUEST_BODY_MAX_MB)."


def _in_both(detail: Any) -> tuple[Any, Any]:
    """Render lazy messages in English and in Vietnamese."""
    with translation.override("en"):
        en = _render(detail)
    with translation.override("vi"):
        vi = _render(detail)
    return en, vi


def _render(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _render(value) for key, value in detail.items()}
    if isinstance(detail, list | tuple):
        return [_render(item) for item in detail]
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):  # Django's would be an HTML 400
        body = {"detail": TOO_BIG_EN, "detail_vi": TOO_BIG_VI, "code": "too_large"}
        return Response(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, BilingualError):
        body = {"detail": exc.message_en, "detail_vi": exc.message_vi, "code": exc.code}
        if exc.errors:
            body["errors"] = exc.errors
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    en_default, vi_default = _GENERIC.get(response.status_code, ("Error.", "Có lỗi."))
    if isinstance(exc, exceptions.ValidationError):
        en, vi = _in_both(exc.detail)
        response.data = {
            "detail": en_default,
            "detail_vi": vi_default,
            "code": "invalid",
            "errors": en,
            "errors_vi": vi,
        }
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        en, vi = _in_both(exc.detail)
        if en == vi:  # DRF's own message has no Vietnamese: use ours
            vi = vi_default if en in {en_default, str(exc.default_detail)} else vi
        response.data = {"detail": en, "detail_vi": vi, "code": code}
    return response


def not_found(request: Any, exception: Exception | None = None) -> Any:
    """The site's 404 (``handler404``): in the API's JSON shape under ``/api/``, where a path
    that matches no route (``/api/v1/calendar/abc/``) answered Django's HTML page; the page
    elsewhere."""
    if request.path.startswith("/api/"):
        en, vi = _GENERIC[status.HTTP_404_NOT_FOUND]
        return JsonResponse({"detail": en, "detail_vi": vi, "code": "not_found"}, status=404)
    return page_not_found(request, exception or Http404())
