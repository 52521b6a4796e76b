from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "caicach.ratings"
    label = "ratings"
    verbose_name = _("Đánh giá mức độ hài lòng")

    def ready(self) -> None:
        from caicach.core import registry
        from caicach.ratings import views

        # The rating on the officer's dossier page, and the desk's tablet in the menu.
        registry.register_dossier_panel(20, "ratings/panel.html", views.panel_context)
        registry.register_menu(25, _("Đánh giá tại quầy"), "kiosk:open", "dossiers.receive")
        # The look-up page asks for its extra blocks on the event seam (ADR 0006).
        from caicach.core.events import subscribe
        from caicach.dossiers.public_access import LookupSectionsWanted

        subscribe(LookupSectionsWanted, views.lookup_section)
