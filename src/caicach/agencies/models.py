"""The tree of agencies: province, departments, units, service centres, communes.

Regulations §0: from 01/7/2025 local government has two tiers (province, commune); districts
were removed and communes merged. Agencies therefore carry validity dates and a successor link,
so the history of a merged unit rolls up to the unit that replaced it.
"""

from __future__ import annotations

from datetime import date

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from caicach.agencies.codes import AgencyCodeError, parse_agency_code


class AgencyKind(models.TextChoices):
    PEOPLE_COMMITTEE = "people_committee", _("Ủy ban nhân dân")
    OFFICE = "office", _("Văn phòng")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    UNIT = "unit", _("Phòng, đơn vị trực thuộc")
    SERVICE_CENTRE = "service_centre", _("Trung tâm Phục vụ hành chính công")
    COMMUNE = "commune", _("Ủy ban nhân dân xã, phường")
    DISTRICT = "district", _("Ủy ban nhân dân huyện (trước 01/7/2025)")


class AgencyLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    COMMUNE = "commune", _("Cấp xã")
    DISTRICT = "district", _("Cấp huyện (cũ)")


class AgencyQuerySet(models.QuerySet["Agency"]):
    def valid_on(self, day: date) -> AgencyQuerySet:
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )

    def subtree_of(self, agency: Agency) -> AgencyQuerySet:
        return self.filter(path__startswith=agency.path)


class Agency(models.Model):
    """An agency or unit, with its place in the tree stored as a materialised path.

    ``path`` is the chain of zero-padded ids from the root (``000001.000007.``), so a subtree is
    one indexed prefix query, whatever the depth.
    """

    code = models.CharField(_("mã định danh"), max_length=20, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=AgencyKind.choices)
    level = models.CharField(_("cấp"), max_length=20, choices=AgencyLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("cơ quan cấp trên"),
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name=_("đơn vị kế thừa"),
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        indexes = [
            GinIndex(OpClass(models.F("name"), name="gin_trgm_ops"), name="agency_name_trgm_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="agency_validity_ordered",
                violation_error_message=_("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        """Keep ``path`` and ``depth`` in step with ``parent`` (the id is needed, hence two writes)."""
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        prefix = self.parent.path if self.parent_id is not None and self.parent else ""
        path, depth = f"{prefix}{self.pk:06d}.", prefix.count(".")
        if (path, depth) != (self.path, self.depth):
            old_path = self.path
            Agency.objects.filter(pk=self.pk).update(path=path, depth=depth)
            if old_path:  # moved: carry the whole subtree along
                for child in Agency.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.path = path + child.path[len(old_path) :]
                    child.depth = child.path.count(".") - 1
                    Agency.objects.filter(pk=child.pk).update(path=child.path, depth=child.depth)
            self.path, self.depth = path, depth

    def clean(self) -> None:
        try:
            parsed = parse_agency_code(self.code)
        except AgencyCodeError as error:
            raise ValidationError({"code": str(error)}) from error
        if self.parent_id is not None and self.parent is not None:
            parent_code = parse_agency_code(self.parent.code)
            if parsed.level1 != parent_code.level1:
                raise ValidationError(
                    {"code": _("Mã phải cùng mã cấp 1 (MX1X2) với cơ quan cấp trên.")}
                )
        if self.successor_id is not None and self.successor_id == self.pk:
            raise ValidationError({"successor": _("Một cơ quan không thể kế thừa chính nó.")})

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def final_successor(self) -> Agency:
        """Follow successor links to the unit that carries this one's history today."""
        current: Agency = self
        seen = {current.pk}
        while current.successor_id is not None and current.successor_id not in seen:
            current = current.successor  # type: ignore[assignment]
            seen.add(current.pk)
        return current

    def ancestors(self) -> AgencyQuerySet:
        ids = [int(part) for part in self.path.split(".") if part]
        return Agency.objects.filter(pk__in=ids).order_by("depth")
