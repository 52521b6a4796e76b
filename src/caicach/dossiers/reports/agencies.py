"""The agencies a user may report on: listed in tree order, or resolved from a code.

Scope is checked through :mod:`caicach.accounts.access`; an agency outside the user's scope is
an :class:`AgencyNotInScopeError` (404 in the API: its existence is not revealed; the same
bilingual message on pages).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from caicach.accounts.access import agency_filter, can, scope_paths
from caicach.agencies.models import Agency
from caicach.core.errors import BilingualError

__all__ = ["AgencyNotInScopeError", "register_agencies", "report_agencies", "resolve_agency"]


class AgencyNotInScopeError(BilingualError):
    status = 404
    code = "agency_not_found"

    def __init__(self, code: str) -> None:
        shown = str(code)[:40]
        super().__init__(
            f"Không tìm thấy cơ quan “{shown}” trong phạm vi bạn được xem.",
            f"No agency “{shown}” in the scope you may view.",
        )


def _agencies(user: Any, action: str) -> QuerySet[Agency]:
    return (
        Agency.objects.valid_on(timezone.localdate())
        .filter(agency_filter(user, action))
        .only("id", "code", "name", "path", "depth")
        .order_by("path")
    )


def register_agencies(user: Any) -> QuerySet[Agency]:
    """Agencies whose register the user may print (``dossiers.view``), in tree order."""
    return _agencies(user, "dossiers.view")


def report_agencies(user: Any) -> QuerySet[Agency]:
    """Agencies whose figures the user may see (``reports.view``), in tree order."""
    return _agencies(user, "reports.view")


def resolve_agency(user: Any, code: str | None, action: str) -> Agency:
    """The agency ``code`` if ``user`` may ``action`` over it; no code: the top of the user's
    first scope (their own agency). Raises :class:`AgencyNotInScopeError`."""
    text = (code or "").strip()[:40]
    if not text:
        paths = scope_paths(user, action)
        agency = Agency.objects.filter(path=paths[0]).first() if paths else None
        if agency is None:
            raise AgencyNotInScopeError("?")
        return agency
    agency = Agency.objects.filter(code=text).select_related("parent").first()
    if agency is None or not can(user, action, agency):
        raise AgencyNotInScopeError(text)
    return agency
