"""The notification outbox: one row per message to one recipient on one channel.

A row is written in the transaction that changes the dossier's status, with the background job
that sends it (:mod:`caicach.notifications.tasks`); both commit or roll back with the change. The
job retries while the gateway is down, so a message is never lost: the row says whether it went,
how many attempts it took and the last error.

Two kinds: the applicant's status changes, and the warnings to the officers holding a dossier
and their leaders when its promised date is near (:func:`caicach.dossiers.tasks.warn`).
A reminder about a reform plan's task (issue 15, ``plans.work.reminders``) has no dossier.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")


class NotificationKind(models.TextChoices):
    STATUS_CHANGE = "status_change", _("Thay đổi trạng thái (người nộp)")
    DUE_WARNING = "due_warning", _("Cảnh báo sắp đến hạn (cán bộ)")
    RATING_COMPLAINT = "rating_complaint", _("Đánh giá không hài lòng (lãnh đạo)")
    PLAN_TASK = "plan_task", _("Nhắc nhiệm vụ kế hoạch CCHC (lãnh đạo)")


class Notification(models.Model):
    kind = models.CharField(
        _("loại"),
        max_length=20,
        choices=NotificationKind.choices,
        default=NotificationKind.STATUS_CHANGE,
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,  # a reminder about a plan's task (issue 15) concerns no dossier
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("hồ sơ"),
    )
    event = models.ForeignKey(
        "dossiers.DossierEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("thay đổi trạng thái"),
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cán bộ nhận"),
        help_text=_("Người nhận là cán bộ (cảnh báo); trống khi gửi người nộp hồ sơ."),
    )
    channel = models.CharField(_("kênh"), max_length=10, choices=NotificationChannel.choices)
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=300, blank=True)
    body = models.TextField(_("nội dung"))
    status = models.CharField(
        _("tình trạng"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)
    sent_at = models.DateTimeField(_("thời điểm gửi"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["dossier", "id"], name="notification_dossier_idx"),
            models.Index(
                fields=["created_at"],
                condition=~models.Q(status="sent"),
                name="notification_unsent_idx",
            ),
        ]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.dossier_id}: {self.get_status_display()}"
