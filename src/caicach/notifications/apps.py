from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "caicach.notifications"
    label = "notifications"
    verbose_name = _("Thông báo cho người nộp hồ sơ")
