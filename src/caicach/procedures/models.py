"""The catalogue of administrative procedures (TTHC), versioned with effective dates.

A :class:`Procedure` is the catalogue entry (national code, field, the agencies that handle it).
Its rules live in immutable :class:`ProcedureVersion` rows: times, fees, components, result and
the internal workflow. A change publishes a new version from a date; a dossier keeps the version
it was received under (regulations §2.4: "the rule version stored on each dossier").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caicach.accounts.access import agency_filter
from caicach.accounts.models import Role
from caicach.agencies.models import AgencyKind
from caicach.procedures import rules


class TimeUnit(models.TextChoices):
    """Units of a statutory time (glossary: ``statutory_time`` is a value and a unit)."""

    WORKING_DAYS = "working_days", _("ngày làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")


class OnlineLevel(models.TextChoices):
    """NĐ 224/2026 art. 14: full online by default; partial only with a published reason."""

    FULL = "full", _("Toàn trình")
    PARTIAL = "partial", _("Một phần")
    NONE = "none", _("Không trực tuyến")


class AuthorityLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    COMMUNE = "commune", _("Cấp xã")


class CopyKind(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")
    PRESENTED = "presented", _("Xuất trình bản chính để đối chiếu")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Lệ phí")
    CHARGE = "charge", _("Phí")


class Field(models.Model):
    """Lĩnh vực: the sector a procedure belongs to."""

    code = models.CharField(_("mã lĩnh vực"), max_length=30, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self) -> str:
        return self.name


def in_force_q(day: date, prefix: str = "") -> Q:
    """The condition of :func:`caicach.procedures.rules.in_force_on` in SQL (``prefix``: a
    relation path such as ``"procedure_version__"``)."""
    return Q(**{f"{prefix}effective_from__lte": day}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gte": day})
    )


class ProcedureVersionQuerySet(models.QuerySet["ProcedureVersion"]):
    def in_force(self, day: date) -> ProcedureVersionQuerySet:
        """Versions in force on ``day`` (:func:`caicach.procedures.rules.in_force_on`)."""
        return self.filter(in_force_q(day))

    def latest_first(self) -> ProcedureVersionQuerySet:
        """The order :func:`~caicach.procedures.rules.version_in_force` breaks ties in."""
        return self.order_by("-effective_from", "-number")

    def fee_bearing(self) -> ProcedureVersionQuerySet:
        """Versions with at least one fee of a positive amount (Decision 766, 3.5: the
        denominator of "procedures payable online" is the fee-bearing procedures)."""
        return self.filter(Exists(Fee.objects.filter(version=OuterRef("pk"), amount__gt=0)))


class ProcedureQuerySet(models.QuerySet["Procedure"]):
    def visible_to(self, user: Any) -> ProcedureQuerySet:
        """Procedures handled or owned by an agency in the user's ``procedures.view`` scope."""
        handled = agency_filter(user, "procedures.view", "handling_agencies")
        owned = agency_filter(user, "procedures.view", "owner_agency")
        ids = Procedure.objects.filter(handled | owned).values("pk")
        return self.filter(pk__in=ids)

    def changeable_by(self, user: Any) -> ProcedureQuerySet:
        return self.filter(agency_filter(user, "procedures.change", "owner_agency"))

    def in_force(self, day: date | None = None) -> ProcedureQuerySet:
        """Prefetch the versions not yet ended on ``day`` into ``open_versions``.

        :attr:`Procedure.current_version` then needs no query: it is the one in force, or the
        first future one for a procedure not yet in force.
        """
        day = day or timezone.localdate()
        open_versions = (
            ProcedureVersion.objects.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
            .select_related("field")
            .order_by("effective_from", "number")
        )
        return self.prefetch_related(
            Prefetch("versions", queryset=open_versions, to_attr="open_versions")
        )


class Procedure(models.Model):
    """A catalogue entry. ``name`` and ``field`` mirror the current version for search."""

    code = models.CharField(_("mã thủ tục"), max_length=20, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(Field, on_delete=models.PROTECT, verbose_name=_("lĩnh vực"))
    owner_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="owned_procedures",
        verbose_name=_("cơ quan quản lý"),
        help_text=_("Cơ quan chịu trách nhiệm công bố, cập nhật thủ tục."),
    )
    handling_agencies = models.ManyToManyField(
        "agencies.Agency",
        related_name="handled_procedures",
        blank=True,
        verbose_name=_("cơ quan giải quyết"),
    )
    handling_agency_kinds = ArrayField(
        models.CharField(max_length=20),
        blank=True,
        default=list,
        verbose_name=_("loại cơ quan giải quyết"),
        help_text=_("Ví dụ “commune”: mọi UBND xã, phường đang hoạt động đều giải quyết."),
    )
    search_text = models.TextField(editable=False, default="")
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        indexes = [
            GinIndex(
                OpClass(F("search_text"), name="gin_trgm_ops"), name="procedure_search_trgm_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def current_version(self) -> ProcedureVersion | None:
        """The version in force today (or the next one, if none is in force yet)."""
        versions = getattr(self, "open_versions", None)
        if versions is None:
            versions = list(self.versions.all())
        return rules.current_version(versions, timezone.localdate())

    def version_on(self, day: date | None = None) -> ProcedureVersion | None:
        """The version in force on ``day`` (today by default)."""
        day = day or timezone.localdate()
        return self.versions.in_force(day).latest_first().first()


class ProcedureVersion(models.Model):
    """The rules of a procedure from ``effective_from``; never edited once a dossier uses it."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    effective_from = models.DateField(_("áp dụng từ ngày"))
    effective_to = models.DateField(_("áp dụng đến ngày"), null=True, blank=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="+", verbose_name=_("lĩnh vực")
    )
    authority_level = models.CharField(
        _("cấp thẩm quyền"), max_length=20, choices=AuthorityLevel.choices
    )
    online_level = models.CharField(
        _("mức độ trực tuyến"), max_length=10, choices=OnlineLevel.choices
    )
    partial_reason = models.TextField(
        _("lý do chỉ cung cấp một phần"),
        blank=True,
        help_text=_("Bắt buộc khi mức độ là “Một phần” (NĐ 224/2026/NĐ-CP, Điều 14)."),
    )
    statutory_value = models.DecimalField(_("thời hạn giải quyết"), max_digits=7, decimal_places=3)
    statutory_unit = models.CharField(_("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices)
    promised_value = models.DecimalField(
        _("thời hạn cam kết"),
        max_digits=7,
        decimal_places=3,
        help_text=_("Thời gian tỉnh cam kết, không dài hơn thời hạn theo quy định."),
    )
    cutoff = models.TimeField(
        _("giờ chốt tiếp nhận"),
        default="15:00",
        help_text=_("Hồ sơ nhận sau giờ này được tính là nhận vào ngày làm việc tiếp theo."),
    )
    result_name = models.CharField(_("kết quả"), max_length=500)
    result_paper = models.BooleanField(_("kết quả giấy"), default=True)
    result_electronic = models.BooleanField(_("kết quả điện tử"), default=False)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    # Catalogue facts counted by Decision 766 (dated with the version, so a past month is
    # computed with the catalogue as it was).
    full_online_eligible = models.BooleanField(
        _("đủ điều kiện trực tuyến toàn trình"),
        default=False,
        help_text=_("Thuộc danh mục đủ điều kiện cung cấp dịch vụ công trực tuyến toàn trình."),
    )
    national_portal_integrated = models.BooleanField(
        _("tích hợp Cổng Dịch vụ công quốc gia"), default=False
    )
    payable_online = models.BooleanField(
        _("thanh toán trực tuyến"),
        default=False,
        help_text=_("Phí, lệ phí nộp được trực tuyến (Quyết định 766, chỉ tiêu 3.5)."),
    )
    served_at_centre = models.BooleanField(
        _("tiếp nhận tại Trung tâm Phục vụ hành chính công"), default=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ProcedureVersionQuerySet.as_manager()

    class Meta:
        ordering = ["procedure", "-number"]
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        indexes = [
            models.Index(fields=["procedure", "effective_from"], name="procedure_version_from_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="procedure_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(promised_value__lte=F("statutory_value")),
                name="promise_within_statutory_time",
                violation_error_message=_(
                    "Thời hạn cam kết không được dài hơn thời hạn theo quy định."
                ),
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="procedure_version_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} ({self.effective_from:%d/%m/%Y})"

    @property
    def fee_bearing(self) -> bool:
        """At least one fee with a positive amount (uses prefetched ``fees`` when present)."""
        return rules.fee_bearing(f.amount for f in self.fees.all())


class Fee(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("tên phí, lệ phí"), max_length=300)
    kind = models.CharField(_("loại"), max_length=10, choices=FeeKind.choices)
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return f"{self.name}: {self.amount:,} đ"


class Component(models.Model):
    """A required document (thành phần hồ sơ)."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="components"
    )
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    copy_kind = models.CharField(_("loại bản"), max_length=20, choices=CopyKind.choices)
    quantity = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    required = models.BooleanField(_("bắt buộc"), default=True)
    reusable = models.BooleanField(
        _("có thể lấy từ dữ liệu số hóa"),
        default=False,
        help_text=_(
            "Không yêu cầu nộp lại nếu đã có trong kho dữ liệu số hóa (NĐ 224/2026, Điều 18)."
        ),
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self) -> str:
        return self.name


class WorkflowStep(models.Model):
    """One step of the internal workflow, with the role that does it and its time budget.

    ``budget`` is in the version's ``statutory_unit``; the budgets add up to no more than the
    statutory time (checked by :func:`caicach.procedures.rules.check_time_budget`).
    """

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=300)
    role = models.CharField(_("vai trò thực hiện"), max_length=20, choices=Role.choices)
    unit_kind = models.CharField(
        _("loại đơn vị"), max_length=20, blank=True, choices=AgencyKind.choices
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị thực hiện"),
    )
    budget = models.DecimalField(_("thời gian"), max_digits=7, decimal_places=3)

    class Meta:
        ordering = ["order"]
        verbose_name = _("bước quy trình")
        verbose_name_plural = _("bước quy trình")
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="workflow_step_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"
