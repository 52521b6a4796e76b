from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "caicach.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ")

    def ready(self) -> None:
        # A calendar amendment must list the promised due dates it moves (regulations §4.4).
        from caicach.calendars.services import register_promise_source
        from caicach.dossiers.services import open_promises

        register_promise_source(open_promises)

        # The officers' menu: the workspace, the register, the apology and lateness figures.
        from caicach.core import registry

        registry.register_menu(10, _("Hồ sơ"), "dossiers:inbox", "dossiers.view")
        registry.register_menu(20, _("Sổ theo dõi"), "dossiers:register", "dossiers.view")
        registry.register_menu(30, _("Xin lỗi, trễ hạn"), "dossiers:apologies", "reports.view")
