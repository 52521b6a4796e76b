"""The outbox in the admin site: read-only, with an action to send unsent rows again."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from caicach.notifications import services
from caicach.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "dossier",
        "channel",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["kind", "status", "channel"]
    search_fields = ["dossier__code"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Gửi lại các thông báo chưa gửi được"))
    def send_again(self, request: Any, queryset: Any) -> None:
        count = services.requeue(queryset)
        self.message_user(request, _("Đã xếp lại %(n)d thông báo.") % {"n": count}, messages.INFO)
