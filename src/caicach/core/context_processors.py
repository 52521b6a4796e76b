"""What every page's navigation needs: the menu entries the signed-in officer may open (as
the apps registered them in :mod:`caicach.core.registry`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from caicach.core import registry


def navigation(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items: list[tuple[str, str]] = []
    if user is not None and user.is_authenticated:
        items = [(str(e.label), reverse(e.url_name)) for e in registry.menu_for(user)]
    path = getattr(request, "path", "")
    # The entry whose URL is the longest prefix of the current path is the active one.
    active = max((url for _label, url in items if path.startswith(url)), key=len, default=None)
    return {
        "nav_items": [(label, url, url == active) for label, url in items],
        "province_name": settings.CAICACH_PROVINCE_NAME,
    }
