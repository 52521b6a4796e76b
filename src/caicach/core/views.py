"""The officer's home page, the audit trail page and the health check.

The home page shows what the apps registered in :mod:`caicach.core.registry`; who may read
which audit entries is the installed access policy's decision."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from caicach.core import audit_display, registry
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
    """The trail, newest first, limited to entries of agencies in the viewer's scope; in words
    and local time, filterable by agency, actor, action and object (issue 16)."""
    policy = registry.access_policy()
    policy.require_anywhere(request.user, "audit.view")
    entries = AuditEntry.objects.filter(policy.agency_filter(request.user, "audit.view", "agency"))
    filters = {
        name: request.GET.get(name, "").strip()[:200]
        for name in ("q", "co_quan", "nguoi", "hanh_dong", "doi_tuong")
    }
    if query := filters["q"]:
        entries = entries.filter(Q(object_repr__icontains=query) | Q(action__icontains=query))
    if filters["co_quan"]:
        entries = entries.filter(
            Q(agency__code=filters["co_quan"]) | Q(agency__name__icontains=filters["co_quan"])
        )
    if filters["nguoi"]:
        entries = entries.filter(
            Q(actor_label__icontains=filters["nguoi"]) | Q(actor__username=filters["nguoi"])
        )
    if filters["hanh_dong"]:
        entries = entries.filter(action=filters["hanh_dong"])
    if filters["doi_tuong"]:
        entries = entries.filter(
            Q(object_repr__icontains=filters["doi_tuong"]) | Q(object_id=filters["doi_tuong"])
        )
    page = keyset_page(
        entries.select_related("actor", "agency"), request.GET.get("before"), size=50
    )
    rows = [
        (e, audit_display.action_label(e.action), audit_display.summary(e.changes, e.action))
        for e in page.items
    ]
    kept = {k: v for k, v in filters.items() if v}
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "actions": audit_display.action_choices(),
        "next_url": f"?{urlencode({**kept, 'before': page.next_before})}"
        if page.next_before
        else "",
        "q": query,
    }
    return render(request, "core/audit.html", context)


def favicon(request: HttpRequest) -> HttpResponse:
    """The site's icon (a static file, no CDN), open to everybody."""
    from django.shortcuts import redirect
    from django.templatetags.static import static

    return redirect(static("caicach/favicon.svg"), permanent=True)


def healthz(request: HttpRequest) -> JsonResponse:
    """Open to everybody: ``core:healthz`` is one of the gate's public view names."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
