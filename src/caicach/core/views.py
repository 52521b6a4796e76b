"""The officer's home page, the audit trail page and the health check."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from caicach.accounts.access import agency_filter, require_anywhere, scope
from caicach.accounts.middleware import public
from caicach.accounts.models import RoleAssignment
from caicach.agencies.models import Agency
from caicach.core.models import AuditEntry
from caicach.core.paging import keyset_page
from caicach.procedures.models import Procedure


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    assignments = RoleAssignment.objects.filter(user=user).select_related("agency")
    context = {
        "assignments": assignments,
        "agency_count": scope(Agency.objects.all(), user, "agencies.view").count(),
        "procedure_count": Procedure.objects.visible_to(user).count(),
    }
    return render(request, "core/home.html", context)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The trail, newest first, limited to entries of agencies in the viewer's scope."""
    require_anywhere(request.user, "audit.view")
    entries = AuditEntry.objects.filter(agency_filter(request.user, "audit.view", "agency"))
    if query := request.GET.get("q", "").strip():
        entries = entries.filter(object_repr__icontains=query) | entries.filter(
            action__icontains=query
        )
    page = keyset_page(entries.select_related("actor"), request.GET.get("before"), size=50)
    return render(request, "core/audit.html", {"page": page, "q": query})


@public
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
