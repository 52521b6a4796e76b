from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "caicach.payments"
    label = "payments"
    verbose_name = _("Phí, lệ phí")

    def ready(self) -> None:
        # The "Phí, lệ phí" block of the officer's dossier page (core.registry: dossiers, a
        # lower layer, does not import payments).
        from caicach.core import registry
        from caicach.payments.views import panel_context

        registry.register_dossier_panel(10, "payments/panel.html", panel_context)
