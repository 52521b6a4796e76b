"""The public rating page (no login): ``/danh-gia/<code>?t=<token>``, the link printed on the
receipt and the form shown on the look-up page once the dossier is finished. The look-up token
(:attr:`~caicach.dossiers.models.Dossier.lookup_token`) proves the answer comes from whoever
holds the receipt; wrong codes and tokens are counted with the look-up's failure limit
(:mod:`caicach.dossiers.lookup`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from caicach.accounts.access import require_anywhere, scope
from caicach.accounts.middleware import public
from caicach.agencies.models import Agency
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized
from caicach.dossiers import public_access as lookup
from caicach.dossiers.models import Dossier
from caicach.ratings import kiosk, rules, services
from caicach.ratings.models import Rating, RatingSource, RatingValue
from caicach.ratings.services import give_rating

SOURCES = {"tra-cuu": RatingSource.LOOKUP, "phieu-hen": RatingSource.LINK}


def factor_choices() -> list[tuple[str, str]]:
    return [(code, vi) for code, (vi, _en) in rules.FACTORS.items()]


def factors_from(post: Any) -> dict[str, str]:
    return {code: post.get(f"factor_{code}", "") for code in rules.FACTORS}


def _page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    context.setdefault("factors", factor_choices())
    response = render(request, "ratings/public.html", context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # not no-referrer: "Origin: null" fails CSRF
    return response


@public
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, code: str) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    token = str(data.get("t", ""))[:64]
    source = SOURCES.get(str(data.get("nguon", "")), RatingSource.LINK)
    if not lookup.attempt(request):
        return _page(request, status=429, error=lookup.TOO_MANY_VI)
    dossier = lookup.find(code, token=token) if token else None
    if dossier is None:
        return _page(request, status=404, error=lookup.NOT_FOUND_VI)
    lookup.succeeded(request)
    context: dict[str, Any] = {
        "dossier": dossier,
        "token": token,
        "source": next(k for k, v in SOURCES.items() if v == source),
        "action": reverse("ratings:rate", args=[dossier.code]),
    }
    if request.method == "POST":
        try:
            give_rating(
                Actor.from_request(request),
                dossier,
                value=request.POST.get("value"),
                factors=factors_from(request.POST),
                comment=request.POST.get("comment", ""),
                source=source,
            )
        except BilingualError as error:
            return _page(
                request, status=error.status, error=localized(error), show_form=True, **context
            )
        return _page(request, thanks=True, **context)
    if Rating.objects.filter(dossier=dossier).exists():
        return _page(request, thanks=True, **context)
    if not rules.rateable(dossier.state, dossier.finished_at is not None):
        return _page(
            request,
            error="Hồ sơ chưa giải quyết xong: Quý ông/bà đánh giá được khi đã có kết quả.",
            **context,
        )
    return _page(request, show_form=True, **context)


def lookup_section(query: lookup.LookupSectionsWanted) -> tuple[str, dict[str, Any]] | None:
    """The look-up page's rating block (answer to :class:`LookupSectionsWanted`): the form once
    the dossier is finished, the answer once rated."""
    dossier: Dossier = query.dossier
    if not rules.rateable(dossier.state, dossier.finished_at is not None):
        return None
    return (
        "ratings/_lookup_section.html",
        {
            "rating": Rating.objects.filter(dossier=dossier).first(),
            "action": reverse("ratings:rate", args=[dossier.code]),
            "token": dossier.lookup_token,
            "source": "tra-cuu",
            "factors": factor_choices(),
        },
    )


# -- the counter desk's tablet (kiosk) -----------------------------------------------------------


def _kiosk(request: HttpRequest, screen: str, status: int = 200, **context: Any) -> HttpResponse:
    """One kiosk screen: the ``#kiosk`` block alone for htmx, else the whole page."""
    context.update(screen=screen, factors=factor_choices(), thanks_seconds=kiosk.THANKS_SECONDS)
    template = "ratings/kiosk/_screen.html" if request.htmx else "ratings/kiosk/page.html"  # type: ignore[attr-defined]
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # not no-referrer: "Origin: null" fails CSRF
    return response


def _idle(
    request: HttpRequest, desk: kiosk.Desk, status: int = 200, **context: Any
) -> HttpResponse:
    since = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    waiting = services.waiting_at_desk(desk.agency.pk, since)
    return _kiosk(request, "idle", status=status, desk=desk, waiting=waiting, **context)


def _closed(request: HttpRequest) -> HttpResponse:
    return _kiosk(request, "closed", status=403)


@public
@require_http_methods(["GET", "POST"])
def kiosk_idle(request: HttpRequest) -> HttpResponse:
    """The idle screen (a code to type, scan or pick); POST ``ma``: the rating screen."""
    desk = kiosk.desk_of(request)
    if desk is None:
        return _closed(request)
    if request.method == "GET":
        return _idle(request, desk)
    code = kiosk.code_from(request.POST.get("ma"))
    try:
        dossier = services.desk_dossier(desk.agency.pk, code)
    except BilingualError as error:
        return _idle(request, desk, status=error.status, error=localized(error), typed=code)
    return _kiosk(request, "rate", desk=desk, dossier=dossier)


@public
@require_http_methods(["GET", "POST"])
def kiosk_rate(request: HttpRequest, code: str) -> HttpResponse:
    """The three faces for one dossier of the desk; POST records the answer (``source=kiosk``)
    and thanks the applicant."""
    desk = kiosk.desk_of(request)
    if desk is None:
        return _closed(request)
    try:
        dossier = services.desk_dossier(desk.agency.pk, kiosk.code_from(code))
    except BilingualError as error:
        return _idle(request, desk, status=error.status, error=localized(error))
    if request.method == "GET":
        return _kiosk(request, "rate", desk=desk, dossier=dossier)
    try:
        rating = give_rating(
            desk.actor(request),
            dossier,
            value=request.POST.get("value"),
            factors=factors_from(request.POST),
            comment=request.POST.get("comment", ""),
            source=RatingSource.KIOSK,
        )
    except services.RatingInputError as error:
        return _kiosk(
            request, "rate", status=error.status, desk=desk, dossier=dossier, error=localized(error)
        )
    except BilingualError as error:
        return _idle(request, desk, status=error.status, error=localized(error))
    return _kiosk(request, "thanks", desk=desk, rating=rating)


class DeskForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Quầy tiếp nhận của cơ quan"), queryset=Agency.objects.none()
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        field.queryset = scope(Agency.objects.all(), user, kiosk.ACTION).order_by("path")  # type: ignore[attr-defined]
        field.empty_label = None  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def desk_open(request: HttpRequest) -> HttpResponse:
    """A receiving officer turns this browser into the desk's rating tablet: the officer's
    sign-in here ends, the signed desk cookie starts (:mod:`caicach.ratings.kiosk`)."""
    require_anywhere(request.user, kiosk.ACTION)
    form = DeskForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        agency = form.cleaned_data["agency"]
        officer = request.user
        with transaction.atomic():
            record(
                Actor.from_request(request),
                "kiosk.opened",
                agency,
                agency=agency,
                changes={"hours": kiosk.HOURS},
            )
        logout(request)
        response = redirect("kiosk:idle")
        kiosk.open_desk(response, agency, officer)  # type: ignore[arg-type]
        return response
    return render(request, "ratings/kiosk/open.html", {"form": form, "hours": kiosk.HOURS})


@public
@require_POST
def desk_close(request: HttpRequest) -> HttpResponse:
    """End the desk session on this tablet (back to the sign-in page)."""
    response = redirect("accounts:login")
    kiosk.close_desk(response)
    return response


# -- the rating on the officer's dossier page ----------------------------------------------------


def panel_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """The "Đánh giá của người nộp" block: the answer once given, else whether it can be."""
    rating = Rating.objects.filter(dossier=dossier).first()
    return {
        "dossier": dossier,
        "rating": rating,
        "rateable": rules.rateable(dossier.state, dossier.finished_at is not None),
        "factor_rows": [
            (rules.FACTORS[code][0], rules.SCORES[score])
            for code, score in (rating.factors if rating else {}).items()
            if code in rules.FACTORS and score in rules.SCORES
        ],
        "labels": dict(RatingValue.choices),
    }
