"""The official working calendar and the agencies' overrides, as append-only versions.

Regulations §4.2 and §4.4: the calendar is data that an administrator amends during the year
(a holiday announced late, such as 24/11), and every stored due date keeps the version it was
computed with. So nothing is edited in place: each change makes a new :class:`CalendarVersion`
that snapshots its scope's full day list and office hours. A few hundred rows per version keeps
any old version exactly reproducible with one query.

Scopes: ``scope_agency`` empty is the official (national) calendar; otherwise the version is
that agency's override (its extra days off or worked days, and its office hours). An agency's
effective calendar is the official one plus the overrides of its ancestors and itself, the
nearest one winning on a date (see ``services.calendar_for``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    """The kinds of day the engine knows (``rules.DayKind``; a test keeps them in step)."""

    TET = "tet", _("Tết Nguyên đán")
    HOLIDAY = "holiday", _("Ngày lễ")
    IN_LIEU = "in_lieu", _("Nghỉ bù")
    SWAPPED_OFF = "swapped_off", _("Nghỉ do hoán đổi")
    WORKED_WEEKEND = "worked_weekend", _("Làm bù ngày cuối tuần")
    AGENCY_OFF = "agency_off", _("Nghỉ riêng của cơ quan")
    AGENCY_WORKED = "agency_worked", _("Làm việc riêng của cơ quan")


#: Kinds allowed in the official calendar, and in an agency's override.
OFFICIAL_KINDS = frozenset(
    {DayKind.TET, DayKind.HOLIDAY, DayKind.IN_LIEU, DayKind.SWAPPED_OFF, DayKind.WORKED_WEEKEND}
)
AGENCY_KINDS = frozenset({DayKind.AGENCY_OFF, DayKind.AGENCY_WORKED})
WORKED_KINDS = frozenset({DayKind.WORKED_WEEKEND, DayKind.AGENCY_WORKED})


class CalendarVersionQuerySet(models.QuerySet["CalendarVersion"]):
    def current(self) -> CalendarVersionQuerySet:
        return self.filter(is_current=True)

    def official(self) -> CalendarVersionQuerySet:
        return self.filter(scope_agency__isnull=True)


class CalendarVersion(models.Model):
    """One state of one scope's calendar. Rows are only added; ``is_current`` moves forward."""

    number = models.PositiveIntegerField(
        _("số phiên bản"), unique=True, help_text=_("Tăng dần, chung cho mọi phạm vi.")
    )
    label = models.CharField(_("nhãn"), max_length=80, unique=True)
    scope_agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_versions",
        verbose_name=_("cơ quan (để trống: lịch chính thức)"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("phiên bản trước"),
    )
    is_current = models.BooleanField(_("đang áp dụng"), default=True)
    office_hours = models.JSONField(
        _("giờ làm việc"),
        null=True,
        blank=True,
        help_text=_('Các khoảng [["07:30","11:30"],...]; để trống: kế thừa cấp trên.'),
    )
    first_year = models.PositiveSmallIntegerField(
        _("năm đầu có lịch chính thức"), null=True, blank=True
    )
    last_year = models.PositiveSmallIntegerField(
        _("năm cuối có lịch chính thức"),
        null=True,
        blank=True,
        help_text=_("Ngoài các năm này chỉ trừ ngày nghỉ cuối tuần; hạn trả là tạm tính."),
    )
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người tạo"),
    )
    created_by_label = models.CharField(_("người tạo (nhãn)"), max_length=200, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    objects = CalendarVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("phiên bản lịch")
        verbose_name_plural = _("phiên bản lịch")
        constraints = [
            # NULLs are distinct in a unique index, hence one constraint per kind of scope.
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True, scope_agency__isnull=True),
                name="calendar_one_current_official",
                violation_error_message=_("Chỉ có một phiên bản lịch chính thức đang áp dụng."),
            ),
            models.UniqueConstraint(
                fields=["scope_agency"],
                condition=Q(is_current=True, scope_agency__isnull=False),
                name="calendar_one_current_per_agency",
                violation_error_message=_("Mỗi cơ quan chỉ có một phiên bản lịch đang áp dụng."),
            ),
            models.CheckConstraint(
                condition=Q(scope_agency__isnull=False)
                | Q(
                    first_year__isnull=False,
                    last_year__isnull=False,
                    first_year__lte=F("last_year"),
                ),
                name="calendar_official_years",
                violation_error_message=_("Lịch chính thức phải ghi rõ năm đầu và năm cuối."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_official(self) -> bool:
        return self.scope_agency_id is None


class CalendarDay(models.Model):
    """One dated entry of a version: a day off, or a weekend day worked."""

    version = models.ForeignKey(CalendarVersion, on_delete=models.PROTECT, related_name="days")
    date = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=20, choices=DayKind.choices)
    name_vi = models.CharField(_("tên (tiếng Việt)"), max_length=200)
    name_en = models.CharField(_("tên (tiếng Anh)"), max_length=200, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["version", "date"]
        verbose_name = _("ngày trong lịch")
        verbose_name_plural = _("ngày trong lịch")
        constraints = [
            models.UniqueConstraint(fields=["version", "date"], name="calendar_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name_vi}"


class CalendarImpact(models.Model):
    """The promised due dates a version moves, computed by a background job after it commits.

    ``changes`` lists ``{"key", "agency_id", "old_due", "new_due", ...}``; the dossier work picks
    these up to recompute and notify.
    """

    version = models.OneToOneField(CalendarVersion, on_delete=models.PROTECT, related_name="impact")
    computed_at = models.DateTimeField(_("thời điểm tính"))
    count = models.PositiveIntegerField(_("số hạn trả thay đổi"), default=0)
    checked = models.PositiveIntegerField(_("số hạn trả đã kiểm tra"), default=0)
    changes = models.JSONField(_("các thay đổi"), default=list, blank=True)

    class Meta:
        ordering = ["-version__number"]
        verbose_name = _("ảnh hưởng của phiên bản lịch")
        verbose_name_plural = _("ảnh hưởng của phiên bản lịch")

    def __str__(self) -> str:
        return f"{self.version.label}: {self.count}"
