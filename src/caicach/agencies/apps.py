from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def agencies_in_scope(user: Any) -> int:
    """The home page's figure: agencies the officer may see."""
    from caicach.accounts.access import scope
    from caicach.agencies.models import Agency

    return scope(Agency.objects.all(), user, "agencies.view").count()


class AgenciesConfig(AppConfig):
    name = "caicach.agencies"
    label = "agencies"

    def ready(self) -> None:
        from caicach.core import registry

        registry.register_menu(
            40, pgettext_lazy("menu", "Cơ quan"), "agencies:list", "agencies.view"
        )
        registry.register_home_card(
            10, _("cơ quan, đơn vị trong phạm vi của bạn"), agencies_in_scope
        )
