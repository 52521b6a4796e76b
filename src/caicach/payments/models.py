"""Fees paid on a dossier, and refunds (Decision 766, indicator 3.5; Luật Phí và lệ phí 2015).

A row is a payment or a refund (``kind``); a refund points at its payment (``refund_of``) and
keeps its channel, so :func:`caicach.payments.rules.paid_online` nets them. Rows are never
edited: a correction is a refund.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from caicach.payments import rules


class PaymentKind(models.TextChoices):
    # With a context: Django's own Vietnamese catalogue translates a bare "Thu" (Thursday).
    PAYMENT = "payment", pgettext_lazy("payment kind", "Thu")
    REFUND = "refund", _("Hoàn trả")


class PaymentChannel(models.TextChoices):
    CASH = "cash", _("Tiền mặt tại quầy")
    BANK_TRANSFER = "bank_transfer", _("Chuyển khoản")
    GATEWAY = "gateway", _("Cổng thanh toán của tỉnh, bộ")
    NATIONAL_PLATFORM = "national_platform", _("Nền tảng thanh toán trên Cổng DVCQG")


class PaymentQuerySet(models.QuerySet["Payment"]):
    def payments(self) -> PaymentQuerySet:
        return self.filter(kind=PaymentKind.PAYMENT)

    def refunds(self) -> PaymentQuerySet:
        return self.filter(kind=PaymentKind.REFUND)


class Payment(models.Model):
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payments"
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan thu"),
    )
    kind = models.CharField(
        _("loại"), max_length=10, choices=PaymentKind.choices, default=PaymentKind.PAYMENT
    )
    refund_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("hoàn trả cho"),
    )
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    channel = models.CharField(_("hình thức"), max_length=20, choices=PaymentChannel.choices)
    portal_code = models.PositiveSmallIntegerField(
        _("mã thanh toán trực tuyến (DuocThanhToanTrucTuyen)"),
        default=0,
        help_text=_("0: không trực tuyến; 1: qua Cổng DVCQG; 2: qua cổng thanh toán của tỉnh, bộ."),
    )
    paid_at = models.DateTimeField(_("thời điểm"))
    receipt_number = models.CharField(_("số biên lai"), max_length=40, blank=True)
    reference = models.CharField(_("mã giao dịch"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ghi nhận"),
    )
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["paid_at", "id"]
        verbose_name = _("khoản thu phí, lệ phí")
        verbose_name_plural = _("khoản thu phí, lệ phí")
        indexes = [
            models.Index(fields=["dossier", "paid_at"], name="payment_dossier_idx"),
            models.Index(fields=["agency", "paid_at"], name="payment_agency_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=(Q(kind="refund") & Q(refund_of__isnull=False))
                | (Q(kind="payment") & Q(refund_of__isnull=True)),
                name="payment_refund_links_payment",
            ),
            models.CheckConstraint(
                condition=Q(portal_code__in=[0, 1, 2]), name="payment_portal_code_known"
            ),
            models.UniqueConstraint(
                fields=["agency", "receipt_number"],
                condition=~Q(receipt_number=""),
                name="payment_receipt_unique",
            ),
            models.CheckConstraint(condition=~Q(refund_of=F("id")), name="payment_refund_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:,} đ ({self.get_channel_display()})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.portal_code = rules.portal_code(self.channel)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def online(self) -> bool:
        return self.channel in rules.ONLINE_CHANNELS
