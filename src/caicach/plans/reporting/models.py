"""A periodic :class:`Report` of an agency under a :class:`~caicach.plans.models.ReportingDuty`
for one period, its evidence files and its submitted versions (issue 15, "Periodic reports").

A report is ``draft`` until the agency submits it (``submitted``); the reform office approves it
(``approved``, final) or returns it with a comment (``returned``, the agency edits and submits
again). Every submission is kept as a :class:`ReportVersion`: the content as it was, the live
figures included; versions are never changed nor deleted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Report", "ReportEvidence", "ReportStatus", "ReportVersion"]


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Chờ duyệt")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt")


class Report(models.Model):
    """The report an agency owes under a duty for one period (``period`` a label of
    ``metrics.periods``: ``2025-Q3``, ``2025-H1``, ``2025``, or a custom range for an ad hoc
    report), due ``due`` (working days after the period, ``ReportingDuty.due_working_days``)."""

    duty = models.ForeignKey(
        "plans.ReportingDuty", on_delete=models.CASCADE, related_name="reports"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan")
    )
    period = models.CharField(_("kỳ báo cáo"), max_length=30)
    period_kind = models.CharField(max_length=10)
    period_first = models.DateField()
    period_last = models.DateField()
    due = models.DateField(_("hạn gửi"))
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    narrative = models.JSONField(_("nội dung theo lĩnh vực"), default=dict, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_comment = models.TextField(blank=True)
    versions_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_last", "agency__path", "duty_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["duty", "agency", "period"], name="report_once_per_duty_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_last__gte=models.F("period_first")),
                name="report_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["period_last", "agency"], name="report_period_agency")]

    def __str__(self) -> str:
        return f"{self.duty.subject[:80]} — {self.period}"


class ReportEvidence(models.Model):
    """An evidence file of a report (type read from its bytes, ``plans.evidence``)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="plans/report-evidence/")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class ReportVersion(models.Model):
    """One submission of a report, as it was: ``content`` holds the narrative, the figures and
    target statuses of the day, and the evidence names. Never changed nor deleted."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    content = models.JSONField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A report version never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("A report version is never deleted.")
