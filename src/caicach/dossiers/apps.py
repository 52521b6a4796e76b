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
