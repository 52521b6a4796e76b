"""The public rating page (no login): ``/danh-gia/<code>?t=<token>``, the link printed on the
receipt and the form shown on the look-up page once the dossier is finished. The look-up token
(:attr:`~caicach.dossiers.models.Dossier.lookup_token`) proves the answer comes from whoever
holds the receipt; wrong codes and tokens are counted with the look-up's failure limit
(:mod:`caicach.dossiers.lookup`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caicach.accounts.middleware import public
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized
from caicach.dossiers import public_access as lookup
from caicach.dossiers.models import Dossier
from caicach.ratings import rules
from caicach.ratings.models import Rating, RatingSource
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
    response["Referrer-Policy"] = "no-referrer"
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
