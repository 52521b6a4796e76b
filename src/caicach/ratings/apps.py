from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "caicach.ratings"
    label = "ratings"
    verbose_name = _("Đánh giá mức độ hài lòng")

    def ready(self) -> None:
        # The look-up page asks for its extra blocks on the event seam (ADR 0006).
        from caicach.core.events import subscribe
        from caicach.dossiers.public_access import LookupSectionsWanted
        from caicach.ratings.views import lookup_section

        subscribe(LookupSectionsWanted, lookup_section)
