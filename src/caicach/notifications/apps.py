from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "caicach.notifications"
    label = "notifications"
    verbose_name = _("Thông báo cho người nộp hồ sơ và cán bộ")

    def ready(self) -> None:
        # On the event seam (core.events, ADR 0006): the outbox rows and their sending jobs are
        # written in the dossier's transaction, so a rolled-back change notifies nobody.
        from caicach.core.events import subscribe
        from caicach.dossiers.events import DossierChanged, DossierDueSoonWarned
        from caicach.notifications.services import on_dossier_changed, on_due_soon_warned

        subscribe(DossierChanged, on_dossier_changed)
        subscribe(DossierDueSoonWarned, on_due_soon_warned)

        # A "not satisfied" rating warns the leaders of the unit that decided (issue 13).
        from caicach.notifications.services import on_rating_given
        from caicach.ratings.events import RatingGiven

        subscribe(RatingGiven, on_rating_given)

        from django.core import checks

        from caicach.notifications.checks import public_url_is_set

        checks.register(public_url_is_set, checks.Tags.security, deploy=True)
