from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "caicach.core"
    label = "core"

    def ready(self) -> None:
        from caicach.core.registry import register_menu

        register_menu(0, _("Tổng quan"), "core:home")
        register_menu(90, _("Nhật ký"), "core:audit", "audit.view")
