from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "caicach.notifications"
    label = "notifications"
    verbose_name = _("Thông báo cho người nộp hồ sơ và cán bộ")

    def ready(self) -> None:
        from caicach.dossiers.services import EVENT_LISTENERS
        from caicach.notifications.services import notify_status_change

        if notify_status_change not in EVENT_LISTENERS:
            EVENT_LISTENERS.append(notify_status_change)

        from caicach.dossiers.tasks import WARNING_LISTENERS
        from caicach.notifications.services import notify_due_warning

        if notify_due_warning not in WARNING_LISTENERS:
            WARNING_LISTENERS.append(notify_due_warning)
