"""PAR-Index self-assessment (issue 15, glossary ``ParIndex``; regulations.md §5.1 Decision
876/QĐ-BNV: self-assessment, appraisal, sociological survey; §5.2 SIPAS).

A :class:`ParIndexSet` is one year's criteria tree for one tier (departments or communes),
loaded from a file (``docs/formats/par-index.md``); :class:`ParCriterion` rows form the tree
(domain → criterion → sub-criterion), leaves carry the scoring rule. A unit's
:class:`ParAssessment` has one :class:`ParScore` per leaf: the measured value (live KPI,
approved reported value, or entered survey result) and its points, or the unit's own points
with evidence or a reason for none; then the reform office's appraised points and comment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ParAssessment", "ParCriterion", "ParIndexSet", "ParScore"]


class ParIndexSet(models.Model):
    year = models.PositiveSmallIntegerField(_("năm"))
    tier = models.CharField(_("đối tượng"), max_length=20)  # "department" | "commune"
    title = models.CharField(_("tên bộ chỉ số"), max_length=300)
    basis = models.TextField(_("căn cứ"), blank=True)
    illustrative = models.TextField(_("ghi chú minh họa"), blank=True)
    maximum = models.DecimalField(max_digits=7, decimal_places=2)
    source = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "tier"]
        constraints = [models.UniqueConstraint(fields=["year", "tier"], name="par_index_set_once")]

    def __str__(self) -> str:
        return self.title


class ParCriterion(models.Model):
    index = models.ForeignKey(ParIndexSet, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tiêu chí"), max_length=500)
    depth = models.PositiveSmallIntegerField()  # 1 domain, 2 criterion, 3 sub-criterion
    maximum = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2)
    rule = models.JSONField(null=True, blank=True)  # leaves only (scoring.Rule as data)
    evidence_hint = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["index", "order"]
        constraints = [
            models.UniqueConstraint(fields=["index", "code"], name="par_criterion_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ParAssessment(models.Model):
    index = models.ForeignKey(ParIndexSet, on_delete=models.PROTECT, related_name="assessments")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["index", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["index", "agency"], name="par_assessment_once")
        ]

    def __str__(self) -> str:
        return f"{self.index} · {self.agency}"


class ParScore(models.Model):
    assessment = models.ForeignKey(ParAssessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ParCriterion, on_delete=models.PROTECT, related_name="+")
    measured = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    measured_note = models.CharField(max_length=300, blank=True)
    self_points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    evidence = models.FileField(upload_to="plans/par-evidence/", blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_type = models.CharField(max_length=10, blank=True)
    no_evidence_reason = models.TextField(blank=True)
    appraised_points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    appraisal_comment = models.TextField(blank=True)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appraised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="par_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.criterion_id}"
