"""Forms of the sign-in steps, the security page and officer management (labels in Vietnamese)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from caicach.accounts.models import Role
from caicach.agencies.forms import AgencyChoiceField
from caicach.agencies.models import Agency
from caicach.core.forms import Form


class LoginForm(Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(Form):
    token = forms.CharField(
        label=_("Mã xác thực"),
        max_length=32,
        help_text=_("Mã 6 chữ số trên ứng dụng xác thực, hoặc một mã dự phòng."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class EnrolForm(Form):
    token = forms.CharField(
        label=_("Mã 6 chữ số trên ứng dụng"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class DeviceRemoveForm(Form):
    device = forms.CharField(widget=forms.HiddenInput)
    token = forms.CharField(
        label=_("Mã xác thực hiện tại"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form (it runs every password validator) with Vietnamese labels."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Mật khẩu hiện tại")
        self.fields["new_password1"].label = _("Mật khẩu mới")
        self.fields["new_password2"].label = _("Nhập lại mật khẩu mới")
        self.fields["old_password"].widget.attrs.pop("autofocus", None)


class OfficerSearchForm(Form):
    q = forms.CharField(label=_("Tìm theo tên, tên đăng nhập"), required=False, max_length=100)
    inactive = forms.BooleanField(label=_("Cả tài khoản đã ngừng hoạt động"), required=False)


class RoleForm(Form):
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    agency = AgencyChoiceField(
        label=_("Cơ quan (phạm vi)"),
        queryset=Agency.objects.none(),
        empty_label=_("— chọn cơ quan —"),
    )
    valid_from = forms.DateField(
        label=_("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return data


class OfficerCreateForm(RoleForm):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)

    field_order = ["username", "full_name", "email", "phone", "role", "agency"]
