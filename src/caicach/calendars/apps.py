from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "caicach.calendars"
    label = "calendars"

    def ready(self) -> None:
        from caicach.core import registry

        registry.register_menu(70, _("Lịch làm việc"), "calendars:year", "calendars.view")
