"""Forms of the agency pages. They check types; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.core.forms import Form


class AgencyChoiceField(forms.ModelChoiceField):
    """Agencies labelled with their name and code, indented by depth when annotated."""

    def label_from_instance(self, obj: Any) -> str:
        indent = "— " * max(obj.depth - 1, 0) if hasattr(obj, "depth") else ""
        return f"{indent}{obj.name} ({obj.code})"


_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgencySearchForm(Form):
    q = forms.CharField(label=_("Tìm theo tên hoặc mã"), required=False, max_length=100)
    dissolved = forms.BooleanField(label=_("Hiện cả đơn vị đã giải thể, sáp nhập"), required=False)


class AgencyForm(Form):
    parent = AgencyChoiceField(
        label=_("Cơ quan cấp trên"),
        queryset=Agency.objects.none(),
        empty_label=_("— chọn cơ quan cấp trên —"),
    )
    code = forms.CharField(
        label=_("Mã định danh"),
        max_length=20,
        help_text=_(
            "Định dạng V1V2V3.Z1Z2.Y1Y2.MX1X2 (Thông tư 10/2016/TT-BTTTT): mã của đơn vị trực "
            "thuộc giữ các cấp của cơ quan cấp trên và điền thêm một cấp."
        ),
    )
    name = forms.CharField(label=_("Tên"), max_length=255)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("Loại"), choices=AgencyKind.choices)
    level = forms.ChoiceField(label=_("Cấp"), choices=AgencyLevel.choices)
    valid_from = forms.DateField(label=_("Hiệu lực từ"), widget=_DATE)
    valid_to = forms.DateField(
        label=_("Hiệu lực đến"),
        required=False,
        widget=_DATE,
        help_text=_("Để trống nếu đang hoạt động. Sáp nhập dùng chức năng “Sáp nhập”."),
    )
    address = forms.CharField(label=_("Địa chỉ"), max_length=300, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)

    def __init__(self, *args: Any, parents: Any, root: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["parent"]
        field.queryset = parents
        if root:  # the top of the tree keeps no parent
            del self.fields["parent"]

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip().upper()


class MergeForm(Form):
    predecessors = forms.ModelMultipleChoiceField(
        label=_("Các đơn vị được sáp nhập"),
        queryset=Agency.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Giữ phím Ctrl để chọn nhiều đơn vị."),
    )
    successor = AgencyChoiceField(
        label=_("Đơn vị kế thừa"),
        queryset=Agency.objects.none(),
        empty_label=_("— chọn đơn vị kế thừa —"),
    )
    effective_on = forms.DateField(
        label=_("Ngày sáp nhập có hiệu lực"),
        widget=_DATE,
        help_text=_("Các đơn vị được sáp nhập hết hiệu lực từ ngày hôm trước."),
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        predecessors: Any = self.fields["predecessors"]
        predecessors.queryset = agencies
        predecessors.label_from_instance = lambda a: f"{a.name} ({a.code})"
        successor: Any = self.fields["successor"]
        successor.queryset = agencies
