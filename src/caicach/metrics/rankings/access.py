"""Who sees which ranking (issue 14, "Fair rankings"; docs/architecture.md, "Fair rankings").

A ranking shows aggregates only (counts and rates per agency, no dossier and no person), and it
is read with ``reports.view`` (leaders, reform office, inspectors, administrators):

- over a root of the tree (the province's reform office, its leaders): both tiers, every
  agency's "why";
- otherwise, the tier of the units in the caller's scope: a commune leader sees the commune
  ranking, a department leader the departments' (their peers' figures, the way the national
  portal publishes every agency's 766 score); the "why" (figures per procedure) only for the
  units in their scope. A unit leader below a department sees no ranking.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from caicach.accounts.access import can, require_anywhere, scope_paths
from caicach.agencies.models import Agency
from caicach.metrics.rankings.query import TIERS

ACTION = "reports.view"


def visible_tiers(user: Any) -> list[str]:
    """The tiers ``user`` may see, in :data:`TIERS` order (one query over the agency table)."""
    require_anywhere(user, ACTION)
    paths = scope_paths(user, ACTION)
    rows = list(Agency.objects.filter(path__in=paths).values_list("parent_id", "kind", "level"))
    if any(parent is None for parent, _kind, _level in rows):
        return list(TIERS)
    out = []
    for slug, (kind, level, _vi, _en) in TIERS.items():
        if any(k == kind and (level is None or lv == level) for _p, k, lv in rows):
            out.append(slug)
    return out


def require_tier(user: Any, tier: str) -> None:
    if tier not in visible_tiers(user):
        raise PermissionDenied(_("Bạn không có quyền xem bảng xếp hạng này."))


def may_explain(user: Any, agency: Agency) -> bool:
    """May ``user`` read ``agency``'s figures per procedure (its "why")?"""
    return can(user, ACTION, agency)
