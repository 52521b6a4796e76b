from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "caicach.plans"
    label = "plans"
    verbose_name = _("Kế hoạch cải cách hành chính")

    def ready(self) -> None:
        from caicach.core import registry
        from caicach.plans import board

        # Targets for the dashboards (issue 14), which sit below this app and cannot import it.
        registry.register_targets_provider(board.targets_for)
