from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def procedures_visible(user: Any) -> int:
    """The home page's figure: procedures of the catalogue the officer may see."""
    from caicach.procedures.models import Procedure

    return Procedure.objects.visible_to(user).count()


class ProceduresConfig(AppConfig):
    name = "caicach.procedures"
    label = "procedures"

    def ready(self) -> None:
        from caicach.core import registry

        registry.register_menu(60, _("Thủ tục hành chính"), "procedures:list", "procedures.view")
        registry.register_home_card(20, _("thủ tục hành chính bạn được xem"), procedures_visible)
