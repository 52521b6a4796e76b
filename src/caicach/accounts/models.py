"""Officers, citizens and the roles that scope what an officer may see and do."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The officer roles (glossary: "Government and people")."""

    RECEIVER = "receiver", _("Cán bộ một cửa")
    PROCESSOR = "processor", _("Chuyên viên thụ lý")
    UNIT_LEADER = "unit_leader", _("Lãnh đạo phòng")
    AGENCY_LEADER = "agency_leader", _("Lãnh đạo cơ quan")
    REFORM_OFFICER = "reform_officer", _("Cán bộ CCHC")
    INSPECTOR = "inspector", _("Thanh tra, kiểm tra")
    ADMIN = "admin", _("Quản trị")


class UserKind(models.TextChoices):
    OFFICER = "officer", _("Cán bộ, công chức")
    CITIZEN = "citizen", _("Người dân, tổ chức")


class User(AbstractUser):
    """A person who signs in. Officers act through their role assignments; citizens are kept
    apart (``kind``) and never pass the officer checks, whatever else they hold."""

    kind = models.CharField(
        _("loại tài khoản"), max_length=10, choices=UserKind.choices, default=UserKind.OFFICER
    )
    full_name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    must_change_password = models.BooleanField(
        _("phải đổi mật khẩu"),
        default=False,
        help_text=_("Mật khẩu tạm do quản trị cấp: phải đổi ở lần đăng nhập tiếp theo."),
    )

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_officer(self) -> bool:
        return self.kind == UserKind.OFFICER and self.is_active


class RoleAssignment(models.Model):
    """One role of an officer over an agency and everything below it in the tree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("phạm vi (cơ quan)"),
    )
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "agency"], name="role_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency}"


class MachineClient(models.Model):
    """An integration (a counter application, the national portal's sync, a kiosk) signing in
    with OAuth2 client credentials: the scopes it may ask for. Its tokens act as the
    application's service account (``Application.user``, an officer with role assignments), so
    every agency rule of :mod:`caicach.accounts.access` applies to it unchanged."""

    application = models.OneToOneField(
        "oauth2_provider.Application",
        on_delete=models.CASCADE,
        related_name="machine_client",
    )
    scopes = models.CharField(
        _("phạm vi được cấp"), max_length=200, help_text=_("Cách nhau bởi dấu cách.")
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("ứng dụng kết nối")
        verbose_name_plural = _("ứng dụng kết nối")

    def __str__(self) -> str:
        return str(self.application)

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()
