"""The signed-in user's roles, shown beside the name in every page's header."""

from __future__ import annotations

from typing import Any

from caicach.accounts.access import roles_of


def user_roles(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"user_roles": sorted(r.label for r in roles_of(user)) if user is not None else []}
