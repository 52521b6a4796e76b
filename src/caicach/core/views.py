"""The officer's home page, the audit trail page and the health check.

The home page shows what the apps registered in :mod:`caicach.core.registry`; who may read
which audit entries is the installed access policy's decision."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from caicach.core import registry
from caicach.core.models import AuditEntry
from caicach.core.paging import keyset_page


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    context = {
        "cards": [(card.value(user), card.label) for card in registry.home_cards()],
        "sections": [
            render_to_string(section.template, section.context(user))
            for section in registry.home_sections()
        ],
    }
    return render(request, "core/home.html", context)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The trail, newest first, limited to entries of agencies in the viewer's scope."""
    policy = registry.access_policy()
    policy.require_anywhere(request.user, "audit.view")
    entries = AuditEntry.objects.filter(policy.agency_filter(request.user, "audit.view", "agency"))
    if query := request.GET.get("q", "").strip():
        entries = entries.filter(object_repr__icontains=query) | entries.filter(
            action__icontains=query
        )
    page = keyset_page(entries.select_related("actor"), request.GET.get("before"), size=50)
    return render(request, "core/audit.html", {"page": page, "q": query})


def healthz(request: HttpRequest) -> JsonResponse:
    """Open to everybody: ``core:healthz`` is one of the gate's public view names."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
