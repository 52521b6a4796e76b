from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def home_roles(user: Any) -> dict[str, Any]:
    """The home page's table of the officer's role assignments."""
    from caicach.accounts.models import RoleAssignment

    return {"assignments": RoleAssignment.objects.filter(user=user).select_related("agency")}


class AccountsConfig(AppConfig):
    name = "caicach.accounts"
    label = "accounts"

    def ready(self) -> None:
        from caicach.accounts import access, signals  # noqa: F401  (connects the receivers)
        from caicach.core import registry

        registry.set_access_policy(access)
        registry.register_menu(50, _("Cán bộ"), "accounts:officer_list", "officers.view")
        registry.register_home_section(10, "accounts/home_roles.html", home_roles)
