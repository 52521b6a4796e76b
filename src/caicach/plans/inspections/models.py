"""Reform inspections (issue 15, glossary ``Inspection``; seeds 002/003: quotas of agencies
inspected a year, 100% of findings remedied).

An :class:`InspectionPlan` is the province's (or an agency's) yearly inspection plan, tied to
the reform :class:`~caicach.plans.models.Plan` whose tasks the findings become; its
:class:`InspectionQuota` s are data (tier, share, alternative; the year is the plan's). An
:class:`Inspection` of one agency has a team, a date, a status, a dossier period and, once
drawn, its :class:`SampledDossier` s with the reasons they were picked
(:mod:`caicach.plans.inspections.rules`), a :class:`ChecklistItem` list and its
:class:`Finding` s, each of which may become a :class:`~caicach.plans.models.Task` of the
inspected agency.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ChecklistItem",
    "Finding",
    "Inspection",
    "InspectionPlan",
    "InspectionQuota",
    "SampledDossier",
]


class QuotaTier(models.TextChoices):
    DEPARTMENT = "department", _("Sở, ban, ngành")
    COMMUNE = "commune", _("UBND cấp xã")
    UNIT = "unit", _("Cơ quan, đơn vị (sở và xã)")


class InspectionPlan(models.Model):
    """A yearly inspection plan of ``agency`` (kế hoạch kiểm tra CCHC năm)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên kế hoạch"), max_length=300)
    number = models.CharField(_("số, ký hiệu"), max_length=80, blank=True)
    reform_plan = models.ForeignKey(
        "plans.Plan",
        on_delete=models.PROTECT,
        related_name="inspection_plans",
        verbose_name=_("kế hoạch CCHC nhận nhiệm vụ khắc phục"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="inspection_plan_once_a_year")
        ]

    def __str__(self) -> str:
        return self.title


class InspectionQuota(models.Model):
    """At least ``share`` % of the agencies of ``tier`` inspected in the plan's year."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="quotas")
    tier = models.CharField(_("cấp"), max_length=20, choices=QuotaTier.choices)
    share = models.DecimalField(_("tỷ lệ tối thiểu (%)"), max_digits=5, decimal_places=2)
    alternative = models.PositiveSmallIntegerField(_("phương án"), default=1)

    class Meta:
        ordering = ["plan", "alternative", "tier"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share__gt=0, share__lte=100), name="inspection_quota_share"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tier} ≥ {self.share}%"


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Theo kế hoạch")
    IN_PROGRESS = "in_progress", _("Đang kiểm tra")
    DONE = "done", _("Đã kết luận")


class Inspection(models.Model):
    """One inspection of ``agency`` under ``plan``: on ``scheduled_on`` by ``team``, looking at
    the dossiers received from ``period_start`` to ``period_end``."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="inspections")
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan")
    )
    scheduled_on = models.DateField(_("ngày kiểm tra"))
    team = models.CharField(_("đoàn kiểm tra"), max_length=500)
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PLANNED,
    )
    period_start = models.DateField(_("hồ sơ từ ngày"))
    period_end = models.DateField(_("hồ sơ đến ngày"))
    sample_seed = models.PositiveIntegerField(_("hạt giống chọn mẫu"), null=True, blank=True)
    sample_size = models.PositiveSmallIntegerField(_("cỡ mẫu"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheduled_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="inspection_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency} {self.scheduled_on:%d/%m/%Y}"


class SampledDossier(models.Model):
    """A dossier drawn for the inspection, with its risk score and reasons."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="sample")
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(default=0)
    reasons = models.JSONField(default=list)
    picked_by = models.CharField(max_length=10)  # "risk" | "random"
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["inspection", "order"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "dossier"], name="sample_dossier_once")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}: {self.dossier_id}"


class CheckResult(models.TextChoices):
    OK = "ok", _("Đạt")
    NOT_OK = "not_ok", _("Không đạt")
    NA = "na", _("Không áp dụng")


class ChecklistItem(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="checklist")
    order = models.PositiveSmallIntegerField(default=0)
    question = models.CharField(_("nội dung kiểm tra"), max_length=500)
    result = models.CharField(_("kết quả"), max_length=10, choices=CheckResult.choices, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["inspection", "order"]

    def __str__(self) -> str:
        return self.question[:120]


class Severity(models.TextChoices):
    LOW = "low", _("Thấp")
    MEDIUM = "medium", _("Trung bình")
    HIGH = "high", _("Cao")


class Finding(models.Model):
    """A problem the inspection found; becomes a remedial task of the inspected agency."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    description = models.TextField(_("nội dung phát hiện"))
    severity = models.CharField(_("mức độ"), max_length=10, choices=Severity.choices)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    task = models.OneToOneField(
        "plans.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspection_finding",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection", "pk"]

    def __str__(self) -> str:
        return self.description[:120]
