"""The reform plan as data (issue 15; glossary: *nghị quyết*, *chương trình hành động*,
*kế hoạch CCHC*).

A :class:`Plan` of an agency for a period is organised by reform :class:`Domain` (the six areas
of Resolution 76/NQ-CP 2021-2030 plus direction and any other the plan names). A domain holds
numeric :class:`Target` s (each with its :class:`Stage` s, a trajectory stored both as the rule
and expanded) and the :class:`Task` s that carry the plan out. A target is measured either by a
live KPI of ``caicach.metrics.registry`` or by a :class:`ReportedIndicator` whose
:class:`ReportedValue` s agencies submit with evidence and the reform office approves. When a
live target falls off track, a :class:`CorrectiveProposal` is put to the reform office.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanKind(models.TextChoices):
    RESOLUTION = "resolution", _("Nghị quyết")
    PROGRAMME = "programme", _("Chương trình hành động")
    FIVE_YEAR = "five_year", _("Kế hoạch 5 năm")
    YEARLY = "yearly", _("Kế hoạch năm")
    PROJECT = "project", _("Đề án")


class DomainCode(models.TextChoices):
    DIRECTION = "direction", _("Chỉ đạo, điều hành")
    INSTITUTIONS = "institutions", _("Cải cách thể chế")
    PROCEDURES = "procedures", _("Cải cách thủ tục hành chính")
    ORGANISATION = "organisation", _("Cải cách tổ chức bộ máy")
    CIVIL_SERVICE = "civil_service", _("Cải cách chế độ công vụ")
    PUBLIC_FINANCE = "public_finance", _("Cải cách tài chính công")
    DIGITAL_GOVERNMENT = "digital_government", _("Xây dựng chính quyền điện tử, chính quyền số")
    COMPETITIVENESS = "competitiveness", _("Nâng cao các chỉ số PAR, PCI, PAPI, DTI")
    OTHER = "other", _("Khác")


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", _("tối thiểu")
    AT_MOST = "at_most", _("tối đa")
    EXACTLY = "exactly", _("đúng bằng")
    RANK_AT_OR_ABOVE = "rank_at_or_above", _("xếp hạng từ … trở lên")


class ScopeKind(models.TextChoices):
    PLAN_AGENCY = "plan_agency", _("Toàn bộ đơn vị ban hành kế hoạch")
    AGENCY = "agency", _("Một cơ quan")
    TIER = "tier", _("Từng cơ quan của một cấp")
    FIELD = "field", _("Một nhóm lĩnh vực")


class Plan(models.Model):
    """A resolution, action programme, five-year or yearly plan of an agency, for a period."""

    code = models.SlugField(_("mã kế hoạch"), max_length=80, unique=True)
    kind = models.CharField(_("loại văn bản"), max_length=20, choices=PlanKind.choices)
    title = models.CharField(_("tên"), max_length=400)
    number = models.CharField(_("số, ký hiệu"), max_length=80, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan")
    )
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    orientation_end = models.DateField(_("định hướng đến"), null=True, blank=True)
    legal_basis = models.TextField(_("căn cứ"), blank=True)
    implements = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="implementations",
        verbose_name=_("thực hiện kế hoạch cấp trên"),
    )
    source = models.CharField(_("nguồn"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "code"]
        verbose_name = _("kế hoạch cải cách hành chính")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="plan_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def horizon(self) -> date:
        """The last day a stage may fall on: the orientation year's end, else the period's."""
        return self.orientation_end or self.period_end


class Domain(models.Model):
    """A reform domain of one plan, in the plan's order."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(_("lĩnh vực"), max_length=30, choices=DomainCode.choices)
    name = models.CharField(_("tên trong kế hoạch"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code", "name"], name="domain_unique_in_plan")
        ]

    def __str__(self) -> str:
        return self.name


class ReportedIndicator(models.Model):
    """A figure the system cannot count: agencies report it each period with evidence (staff with
    degrees, self-financing units, PCI/PAR ranks, survey satisfaction...)."""

    code = models.SlugField(_("mã chỉ tiêu"), max_length=60, unique=True)
    name_vi = models.CharField(_("tên"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300)
    unit = models.CharField(_("đơn vị"), max_length=20)
    period_kind = models.CharField(_("kỳ báo cáo"), max_length=10, default="year")
    evidence_required = models.BooleanField(_("cần minh chứng"), default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_vi


class Target(models.Model):
    """A numeric target: comparison, threshold, unit, due date, scope, and what measures it.

    ``threshold``/``due`` are those of the last stage (kept for listing); the stages carry the
    path. ``trajectory`` is the rule the stages marked ``from_rule`` were expanded from
    (``plans.trajectory``). Scope ``tier``: every agency of ``scope_tier`` under the plan's
    agency is evaluated, and the target is met when at least ``share_required`` % of them meet it.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="targets")
    code = models.CharField(_("mã"), max_length=30)
    label_vi = models.CharField(_("chỉ tiêu"), max_length=500)
    label_en = models.CharField(_("tên tiếng Anh"), max_length=500, blank=True)
    comparison = models.CharField(_("so sánh"), max_length=20, choices=Comparison.choices)
    threshold = models.DecimalField(_("ngưỡng"), max_digits=12, decimal_places=2, null=True)
    unit = models.CharField(_("đơn vị"), max_length=20)
    due = models.DateField(_("thời hạn"))
    kpi_code = models.CharField(_("chỉ số tự động"), max_length=60, blank=True)
    kpi_formula_version = models.CharField(max_length=30, blank=True)
    indicator = models.ForeignKey(
        ReportedIndicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("chỉ tiêu báo cáo"),
    )
    scope_kind = models.CharField(
        _("phạm vi"), max_length=20, choices=ScopeKind.choices, default=ScopeKind.PLAN_AGENCY
    )
    scope_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scope_tier = models.CharField(_("cấp"), max_length=20, blank=True)
    scope_field = models.CharField(_("nhóm lĩnh vực"), max_length=60, blank=True)
    share_required = models.DecimalField(
        _("tỷ lệ cơ quan phải đạt"), max_digits=5, decimal_places=2, default=100
    )
    tolerance = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    trajectory = models.JSONField(_("lộ trình"), null=True, blank=True)
    baseline_due = models.DateField(_("mốc so sánh"), null=True, blank=True)
    refines = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refinements"
    )
    quote = models.TextField(_("trích văn bản"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "domain__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="target_code_unique_in_plan"),
            models.CheckConstraint(
                condition=(~models.Q(kpi_code="") & models.Q(indicator__isnull=True))
                | (models.Q(kpi_code="") & models.Q(indicator__isnull=False)),
                name="target_one_measure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label_vi}"

    @property
    def is_live(self) -> bool:
        return bool(self.kpi_code)


class Stage(models.Model):
    """A milestone of a target: ``threshold`` by ``due``; a relative stage (no threshold) moves
    by ``step`` from the value reached at the previous stage."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="stages")
    due = models.DateField(_("thời hạn"))
    threshold = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    step = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    from_rule = models.BooleanField(default=False)

    class Meta:
        ordering = ["target", "due"]
        constraints = [
            models.UniqueConstraint(fields=["target", "due"], name="stage_due_unique"),
            models.CheckConstraint(
                condition=models.Q(threshold__isnull=False) | models.Q(step__isnull=False),
                name="stage_threshold_or_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} @ {self.due}"


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("Chờ duyệt")
    APPROVED = "approved", _("Đã duyệt")
    RETURNED = "returned", _("Trả lại")


class ReportedValue(models.Model):
    """An agency's value of an indicator for a period, with its evidence; counts once the
    reform office has approved it."""

    indicator = models.ForeignKey(ReportedIndicator, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("kỳ"), max_length=30)
    period_end = models.DateField()
    value = models.DecimalField(_("giá trị"), max_digits=14, decimal_places=2)
    evidence = models.FileField(_("minh chứng"), upload_to="plans/evidence/", blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_type = models.CharField(max_length=10, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    state = models.CharField(
        max_length=10, choices=ReportState.choices, default=ReportState.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["indicator", "agency", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "agency", "period"], name="reported_value_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.agency_id} {self.period} = {self.value}"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Hoàn thành")
    CANCELLED = "cancelled", _("Hủy")


class Task(models.Model):
    """A task or solution of a plan: lead agency, supporting agencies, deadline, expected output.

    Agencies outside the tree (a steering committee, the Fatherland Front) are named in
    ``lead_label``/``supporting_label``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    title = models.TextField(_("nhiệm vụ"))
    lead_agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lead_label = models.CharField(_("cơ quan chủ trì"), max_length=300, blank=True)
    supporting_agencies = models.ManyToManyField("agencies.Agency", blank=True, related_name="+")
    supporting_label = models.CharField(_("cơ quan phối hợp"), max_length=500, blank=True)
    deadline = models.DateField(_("thời hạn"), null=True, blank=True)
    recurrence = models.CharField(_("định kỳ"), max_length=20, blank=True)
    expected_output = models.TextField(_("sản phẩm"), blank=True)
    status = models.CharField(
        max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    order = models.PositiveSmallIntegerField(default=0)
    # --- plans.work (issue 15, "Tasks"): the latest progress and what was delivered ---
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    output = models.TextField(_("kết quả"), blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    # --- end plans.work ---

    class Meta:
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return self.title[:120]


class ReportingDuty(models.Model):
    """A reporting duty a plan names: who reports what to whom, how often."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="duties")
    subject = models.CharField(_("nội dung báo cáo"), max_length=500)
    reporter = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reporter_label = models.CharField(max_length=300, blank=True)
    recipient = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_label = models.CharField(max_length=300, blank=True)
    frequencies = models.JSONField(default=list)  # "quarterly", "half_yearly", "yearly", "ad_hoc"
    first_due = models.DateField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    # --- periodic reports (plans.reporting) ---------------------------------------------------
    #: Every agency directly under the plan's agency reports (the seeds' "các sở, ban, ngành;
    #: UBND cấp xã"), besides ``reporter`` when set.
    reporters_below = models.BooleanField(_("các cơ quan trực thuộc cùng báo cáo"), default=False)
    #: A report is due this many working days after its period ends (working-day calendar).
    due_working_days = models.PositiveSmallIntegerField(_("hạn gửi (ngày làm việc)"), default=5)

    class Meta:
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return self.subject[:120]


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", _("Đề xuất")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    DISMISSED = "dismissed", _("Đã bác")


class CorrectiveProposal(models.Model):
    """A corrective task proposed to a live target's lead agency when it falls off track; the
    reform office accepts it (a :class:`Task` is created) or dismisses it with a reason."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="proposals")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    title = models.TextField()
    deadline = models.DateField()
    figures = models.JSONField(default=dict)
    state = models.CharField(
        max_length=10, choices=ProposalState.choices, default=ProposalState.PROPOSED
    )
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    task = models.OneToOneField(
        Task, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposal"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["target"],
                condition=models.Q(state="proposed"),
                name="one_open_proposal_per_target",
            )
        ]

    def __str__(self) -> str:
        return self.title[:120]


# The subsystems of issue 15, each in its own subpackage: reform inspections (inspections),
# PAR-Index self-assessment (parindex), periodic reports (reporting); task updates, reminders,
# initiatives, dialogues (work).
from caicach.plans.inspections.models import *  # noqa: E402, F403
from caicach.plans.parindex.models import *  # noqa: E402, F403
from caicach.plans.reporting.models import *  # noqa: E402, F403
from caicach.plans.work.models import *  # noqa: E402, F403
