"""Printing the one-stop forms from the dossier page (*in, in lại biểu mẫu*): the forms that
apply to a dossier (:func:`caicach.dossiers.documents.applicable_forms`, the same rule as the
API's 409) as links on the page, and the page URL that answers the PDF, or a Vietnamese page
saying why the form does not apply, instead of the API's JSON."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from caicach.core.i18n import localized
from caicach.dossiers import access_log, documents
from caicach.dossiers.models import Dossier, DossierEvent


def form_links(dossier: Dossier, events: list[DossierEvent]) -> list[dict[str, Any]]:
    """The forms the dossier page offers: number, title (in the page's language) and URL."""
    english = (get_language() or "vi").startswith("en")
    rows = []
    for form in documents.applicable_forms(dossier, events):
        spec = documents.FORMS[form]
        rows.append(
            {
                "form": form,
                "number": spec.number,
                "title": spec.title_en.capitalize() if english else spec.title,
                "url": reverse("dossiers:form", args=[dossier.code, form]),
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "HEAD"])
def form_pdf(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """One form of the dossier as a PDF, printed afresh each time (a reprint is the same link);
    a form that does not apply (409) or does not exist (404) is a page in the officer's
    language with the forms that do apply."""
    from caicach.dossiers.views import _visible  # the dossier page's scope rule

    dossier = _visible(request, code)
    try:
        pdf = documents.render_form(dossier, form, base_url=documents.public_base(request))
    except (documents.FormNotAvailableError, documents.UnknownFormError) as error:
        events = list(dossier.events.all())
        context = {
            "dossier": dossier,
            "message": localized(error),
            "forms": form_links(dossier, events),
        }
        status = 404 if isinstance(error, documents.UnknownFormError) else 409
        return render(request, "dossiers/form_unavailable.html", context, status=status)
    access_log.form_printed(request, dossier, form)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.code}-{form}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


__all__ = ["form_links", "form_pdf"]
