"""What every page's navigation needs: the menu entries the signed-in officer may open."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from caicach.accounts.access import allows, roles_of


def navigation(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items: list[tuple[str, str]] = []
    if user is not None and user.is_authenticated:
        items.append((_("Tổng quan"), reverse("core:home")))
        if allows(user, "dossiers.view"):
            items.append((_("Hồ sơ"), reverse("dossiers:inbox")))
            items.append((_("Sổ theo dõi"), reverse("dossiers:register")))
        if allows(user, "reports.view"):
            items.append((_("Xin lỗi, trễ hạn"), reverse("dossiers:apologies")))
        if allows(user, "agencies.view"):
            items.append((_("Cơ quan"), reverse("agencies:list")))
        if allows(user, "officers.view"):
            items.append((_("Cán bộ"), reverse("accounts:officer_list")))
        if allows(user, "procedures.view"):
            items.append((_("Thủ tục hành chính"), reverse("procedures:list")))
        if allows(user, "calendars.view"):
            items.append((_("Lịch làm việc"), reverse("calendars:year")))
        if allows(user, "audit.view"):
            items.append((_("Nhật ký"), reverse("core:audit")))
    path = getattr(request, "path", "")
    # The entry whose URL is the longest prefix of the current path is the active one.
    active = max((url for _label, url in items if path.startswith(url)), key=len, default=None)
    return {
        "nav_items": [(label, url, url == active) for label, url in items],
        "user_roles": sorted(r.label for r in roles_of(user)) if user is not None else [],
        "province_name": settings.CAICACH_PROVINCE_NAME,
    }
