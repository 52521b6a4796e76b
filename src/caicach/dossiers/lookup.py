"""The public look-up (*tra cứu hồ sơ*): anyone holding the receipt follows a dossier, no login.

* ``/tra-cuu/``: a form asking for the dossier code and the last four digits of the phone number
  given at receipt;
* ``/tra-cuu/<code>?t=<token>``: the link in the receipt's QR code
  (:attr:`~caicach.dossiers.models.Dossier.lookup_token`);
* ``GET /api/v1/lookup/<code>/?phone_last4=1234`` or ``?t=<token>``: the same, as JSON.

What is shown is what TT 22/2019 art. 4 asks to publish: procedure, status, receipt and due
dates, the timeline of states. **No personal data** (Nghị định 13/2023/NĐ-CP): no name, CCCD,
phone, address, and no officer. A wrong code, phone or token all get the same "not found"
(the existence of a code is not revealed), and failures are limited per client address
(``LOOKUP_MAX_FAILURES`` in ``LOOKUP_WINDOW_MINUTES``, then 429), counted in PostgreSQL
(:mod:`caicach.core.ratelimit`) so every worker process shares the count. Every attempt is
counted *before* it is answered, by one atomic upsert returning the new count, and a success
takes its count back: concurrent guesses can never get more answers than the limit (a check
then an increment let 60 concurrent guesses get 25 answers for a limit of 20). The client
address is :func:`caicach.core.client.client_address` (``X-Forwarded-For`` only from
``TRUSTED_PROXIES``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caicach.accounts.middleware import public
from caicach.core.errors import BilingualError
from caicach.core.events import ask
from caicach.dossiers.api.serializers import DossierErrorSerializer
from caicach.dossiers.models import STATE_CHOICES, Dossier

app_name = "lookup"

# Finding a dossier by code and token or phone, and the failure limit: shared with the public
# rating page (caicach.ratings), which must not import this module's API.
from caicach.dossiers.public_access import (  # noqa: E402
    _LAST4,
    NOT_FOUND_EN,
    NOT_FOUND_VI,
    TOO_MANY_EN,
    TOO_MANY_VI,
    LookupSectionsWanted,
    _find,
    _normalise,
    attempt,
    public_data,
)

# -- pages -------------------------------------------------------------------------------------


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "000.00.01.H97-250425-0001"}),
    )
    phone_last4 = forms.RegexField(
        label=_("4 số cuối điện thoại đã đăng ký"),
        regex=_LAST4,
        max_length=4,
        error_messages={"invalid": _("Nhập đúng 4 chữ số.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _page(request: HttpRequest, form: LookupForm, *, status: int = 200, **extra: Any) -> Any:
    return render(request, "dossiers/lookup.html", {"form": form, **extra}, status=status)


@public
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """The form (GET) and its answer (POST)."""
    if request.method != "POST":
        return _page(request, LookupForm())
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    if not attempt(request):
        return _page(request, form, status=429, error=TOO_MANY_VI)
    data = form.cleaned_data
    dossier = _find(request, data["code"], phone_last4=data["phone_last4"])
    if dossier is None:
        return _page(request, form, status=404, error=NOT_FOUND_VI)
    return _result(request, dossier)


@public
@require_http_methods(["GET"])
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """The QR link: ``/tra-cuu/<code>?t=<token>``."""
    form = LookupForm(initial={"code": _normalise(code)})
    if not attempt(request):
        return _page(request, form, status=429, error=TOO_MANY_VI)
    dossier = _find(request, code, token=request.GET.get("t", "")[:64])
    if dossier is None:
        return _page(request, form, status=404, error=NOT_FOUND_VI)
    return _result(request, dossier)


def _result(request: HttpRequest, dossier: Dossier) -> HttpResponse:
    sections = [s for s in ask(LookupSectionsWanted(dossier)) if s]
    response = render(
        request,
        "dossiers/lookup_result.html",
        {"data": public_data(dossier), "now": timezone.now(), "sections": sections},
    )
    response["Cache-Control"] = "no-store"
    # The token stays out of other sites' logs; "same-origin", not "no-referrer": with no
    # referrer at all the browser sends "Origin: null" with the rating form, which CSRF refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


urlpatterns = [
    path("", search, name="search"),
    path("<str:code>", detail, name="detail"),
]


# -- API ---------------------------------------------------------------------------------------


class LookupTimelineSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=STATE_CHOICES)
    state_label = serializers.CharField(help_text="Vietnamese.")


class LookupSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure = serializers.CharField(help_text="Name of the procedure (version at receipt).")
    state = serializers.ChoiceField(choices=STATE_CHOICES)
    state_label = serializers.CharField(help_text="Vietnamese.")
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(help_text="Promised return date.")
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    timeline = LookupTimelineSerializer(many=True)


@public
class LookupAPI(APIView):
    """Public look-up of one dossier's progress (no personal data)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="lookup_dossier",
        summary="Public look-up of a dossier's progress",
        description="Open to everyone. Give the receipt's token (`t`, from the QR code) or the "
        "last four digits of the phone number given at receipt (`phone_last4`). A wrong code, "
        "token or phone all answer the same 404; too many failures from one address answer "
        "429. The answer holds no personal data.",
        parameters=[
            OpenApiParameter(
                "code",
                str,
                OpenApiParameter.PATH,
                description="Dossier code, e.g. 000.00.01.H97-250425-0001.",
            ),
            OpenApiParameter("t", str, description="Look-up token printed in the QR code."),
            OpenApiParameter(
                "phone_last4", str, pattern=r"^[0-9]{4}$", description="Last 4 digits of the phone."
            ),
        ],
        responses={
            200: LookupSerializer,
            404: OpenApiResponse(DossierErrorSerializer, description="No matching dossier."),
            429: OpenApiResponse(DossierErrorSerializer, description="Too many failed look-ups."),
        },
        auth=[],
        tags=["lookup"],
    )
    def get(self, request: Request, code: str) -> Response:
        if not attempt(request._request):
            raise BilingualError(TOO_MANY_VI, TOO_MANY_EN, code="too_many_lookups", status=429)
        dossier = _find(
            request._request,
            code,
            token=str(request.query_params.get("t", ""))[:64],
            phone_last4=str(request.query_params.get("phone_last4", "")),
        )
        if dossier is None:
            raise BilingualError(NOT_FOUND_VI, NOT_FOUND_EN, code="not_found", status=404)
        response = Response(LookupSerializer(public_data(dossier)).data)
        response["Cache-Control"] = "no-store"
        return response
