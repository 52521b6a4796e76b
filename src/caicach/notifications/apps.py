from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "caicach.notifications"
    label = "notifications"
    verbose_name = _("Thông báo cho người nộp hồ sơ")

    def ready(self) -> None:
        from caicach.dossiers.services import EVENT_LISTENERS
        from caicach.notifications.services import notify_status_change

        if notify_status_change not in EVENT_LISTENERS:
            EVENT_LISTENERS.append(notify_status_change)
