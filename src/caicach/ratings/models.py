"""Ratings (*mức độ hài lòng*, glossary ``Rating``): one rating per dossier, given by the
applicant once processing has ended (Decision 766 group 5 and the SIPAS survey, regulations
§1.2 and §5.2).

The value is one of three answers (very satisfied, satisfied, not satisfied); the five SIPAS
factors (§5.2: access to the service, the procedure, the officer, the result, the handling of
feedback) may be scored as optional detail (:mod:`caicach.ratings.rules`). ``agency`` is the
dossier's deciding agency at the time of the rating, so a later transfer or merger does not move
who was rated.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RatingValue(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    NOT_SATISFIED = "not_satisfied", _("Không hài lòng")


class RatingSource(models.TextChoices):
    KIOSK = "kiosk", _("Máy tính bảng tại quầy")
    LINK = "link", _("Đường dẫn trên phiếu hẹn")
    LOOKUP = "lookup", _("Trang tra cứu")
    API = "api", _("Hệ thống cán bộ (API)")


class Rating(models.Model):
    """The applicant's answer about one dossier; given once, never edited."""

    dossier = models.OneToOneField(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="rating",
        verbose_name=_("hồ sơ"),
    )
    value = models.CharField(_("mức độ hài lòng"), max_length=20, choices=RatingValue.choices)
    factors = models.JSONField(
        _("đánh giá theo tiêu chí SIPAS"),
        default=dict,
        blank=True,
        help_text=_("Tùy chọn: tiêu chí → điểm (1 không hài lòng, 2 hài lòng, 3 rất hài lòng)."),
    )
    comment = models.TextField(_("góp ý"), blank=True)
    source = models.CharField(_("nguồn đánh giá"), max_length=10, choices=RatingSource.choices)
    rated_at = models.DateTimeField(_("thời điểm đánh giá"))
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan giải quyết"),
    )

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        indexes = [
            # Satisfaction of an agency over a period (metrics' raw computation and drill-down).
            models.Index(fields=["agency", "rated_at"], name="rating_agency_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.value}"
