"""The append-only, tamper-evident audit trail shared by every app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One recorded action: who, when, from where, on what, and what changed.

    Rows are never updated or deleted: a database trigger refuses both (see the migration
    ``0002_audit_append_only``). Each row carries the SHA-256 of the previous row's hash and its
    own content, so ``caicach audit verify`` can prove that nothing was altered or removed.
    """

    at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("người thực hiện"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    action = models.CharField(_("hành động"), max_length=100, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=100)
    object_id = models.CharField(_("mã đối tượng"), max_length=100)
    object_repr = models.CharField(_("đối tượng"), max_length=300, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]
        verbose_name = _("nhật ký thao tác")
        verbose_name_plural = _("nhật ký thao tác")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class RateLimit(models.Model):
    """One counter of a fixed-window rate limit (e.g. failed public look-ups per address).

    A table rather than Django's cache so every process (gunicorn workers, several machines)
    shares the count; :func:`caicach.core.ratelimit.hit` updates it with one atomic upsert.
    """

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    window_end = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("giới hạn tần suất")
        verbose_name_plural = _("giới hạn tần suất")

    def __str__(self) -> str:
        return f"{self.key}: {self.count} until {self.window_end:%Y-%m-%d %H:%M}"
