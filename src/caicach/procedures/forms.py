"""Forms of the catalogue pages. They only read input: the rules live in ``rules.py`` and are
applied by the services, whose errors :func:`show_rule_errors` puts next to the fields."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caicach.accounts.models import Role
from caicach.agencies.models import Agency, AgencyKind
from caicach.core.i18n import localized
from caicach.procedures import rules
from caicach.procedures.data import (
    ComponentData,
    FeeData,
    HandlingData,
    StepData,
    VersionData,
)
from caicach.procedures.models import (
    AuthorityLevel,
    CopyKind,
    FeeKind,
    Field,
    OnlineLevel,
    ProcedureVersion,
    TimeUnit,
)

MAX_UPLOAD = 10 * 1024 * 1024


def _time_field(label: str, help_text: str = "") -> forms.DecimalField:
    # Localised: officers type "0,5" as they write it; "0.5" is accepted too.
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        max_digits=7,
        decimal_places=3,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )


def _plain(value: Decimal) -> Decimal:
    """Initial values without trailing zeros: ``4`` rather than ``4,000``, which reads as 4000."""
    return Decimal(rules.format_time(value, "en"))


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Ví dụ: khai sinh, 1.001193, hộ tịch (có dấu hay không đều được)"),
            }
        ),
    )
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Field.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("Mọi lĩnh vực"),
    )
    online_level = forms.ChoiceField(
        label=_("Mức độ trực tuyến"),
        required=False,
        choices=[("", _("Mọi mức độ")), *OnlineLevel.choices],
    )
    authority_level = forms.ChoiceField(
        label=_("Cấp thẩm quyền"),
        required=False,
        choices=[("", _("Mọi cấp")), *AuthorityLevel.choices],
    )


class VersionForm(forms.Form):
    """The content of a version, plus who handles the procedure and from when it applies."""

    name = forms.CharField(label=_("Tên thủ tục"), max_length=500)
    field = forms.ModelChoiceField(label=_("Lĩnh vực"), queryset=Field.objects.all())
    authority_level = forms.ChoiceField(label=_("Cấp thẩm quyền"), choices=AuthorityLevel.choices)
    handling_agency_kinds = forms.MultipleChoiceField(
        label=_("Mọi cơ quan thuộc loại"),
        required=False,
        choices=AgencyKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ví dụ: mọi UBND xã, phường đang hoạt động đều giải quyết thủ tục này."),
    )
    handling_agencies = forms.MultipleChoiceField(
        label=_("Cơ quan giải quyết khác"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Giữ Ctrl (hoặc ⌘) để chọn nhiều cơ quan."),
    )
    online_level = forms.ChoiceField(
        label=_("Mức độ trực tuyến"), choices=OnlineLevel.choices, widget=forms.RadioSelect
    )
    partial_reason = forms.CharField(
        label=_("Lý do chỉ cung cấp trực tuyến một phần"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Bắt buộc khi mức độ là “Một phần”; được công khai trên Cổng Dịch vụ công quốc gia "
            "(NĐ 224/2026/NĐ-CP, Điều 14)."
        ),
    )
    statutory_value = _time_field(_("Thời hạn giải quyết"))
    statutory_unit = forms.ChoiceField(label=_("Đơn vị"), choices=TimeUnit.choices)
    promised_value = _time_field(
        _("Thời hạn cam kết"), _("Cùng đơn vị, không dài hơn thời hạn giải quyết.")
    )
    cutoff = forms.TimeField(
        label=_("Giờ chốt tiếp nhận"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Hồ sơ nhận sau giờ này tính là nhận vào ngày làm việc tiếp theo."),
    )
    result_name = forms.CharField(label=_("Kết quả giải quyết"), max_length=500)
    result_paper = forms.BooleanField(label=_("Bản giấy"), required=False)
    result_electronic = forms.BooleanField(label=_("Bản điện tử"), required=False)
    full_online_eligible = forms.BooleanField(
        label=_("Đủ điều kiện trực tuyến toàn trình"), required=False
    )
    national_portal_integrated = forms.BooleanField(
        label=_("Tích hợp Cổng Dịch vụ công quốc gia"), required=False
    )
    payable_online = forms.BooleanField(label=_("Thanh toán phí trực tuyến"), required=False)
    served_at_centre = forms.BooleanField(
        label=_("Tiếp nhận tại Trung tâm Phục vụ hành chính công"), required=False
    )
    legal_basis = forms.CharField(
        label=_("Căn cứ pháp lý"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    effective_from = forms.DateField(
        label=_("Áp dụng từ ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.agencies = {a.code: a for a in agencies}
        self.fields["handling_agencies"].choices = [
            (a.code, f"{a.name} ({a.code})") for a in agencies
        ]

    def version_data(self) -> VersionData:
        d = self.cleaned_data
        return VersionData(
            name=d["name"],
            field=d["field"],
            authority_level=d["authority_level"],
            online_level=d["online_level"],
            partial_reason=d["partial_reason"],
            statutory_value=d["statutory_value"],
            statutory_unit=d["statutory_unit"],
            promised_value=d["promised_value"],
            cutoff=d["cutoff"],
            result_name=d["result_name"],
            result_paper=d["result_paper"],
            result_electronic=d["result_electronic"],
            legal_basis=d["legal_basis"],
            full_online_eligible=d["full_online_eligible"],
            national_portal_integrated=d["national_portal_integrated"],
            payable_online=d["payable_online"],
            served_at_centre=d["served_at_centre"],
        )

    def handling(self) -> HandlingData:
        return HandlingData(
            agencies=[self.agencies[code] for code in self.cleaned_data["handling_agencies"]],
            kinds=list(self.cleaned_data["handling_agency_kinds"]),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("handling_agency_kinds") and not data.get("handling_agencies"):
            self.add_error(
                "handling_agencies", _("Chọn ít nhất một cơ quan giải quyết hoặc một loại cơ quan.")
            )
        return data


class CreateForm(VersionForm):
    """A new procedure: its national code and owner agency come first."""

    code = forms.CharField(
        label=_("Mã thủ tục"),
        max_length=20,
        help_text=_("Mã trên Cơ sở dữ liệu quốc gia về thủ tục hành chính, ví dụ 1.004227."),
    )
    owner_agency = forms.ChoiceField(
        label=_("Cơ quan quản lý"),
        help_text=_("Cơ quan chịu trách nhiệm công bố, cập nhật thủ tục."),
    )
    field_code = forms.CharField(
        label=_("Mã lĩnh vực mới"),
        required=False,
        max_length=30,
        help_text=_("Chỉ điền khi lĩnh vực chưa có trong danh sách."),
    )
    field_name = forms.CharField(label=_("Tên lĩnh vực mới"), required=False, max_length=200)
    field_order = ["code", "owner_agency", "name", "field", "field_code", "field_name"]

    def __init__(self, *args: Any, owners: list[Agency], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.owners = {a.code: a for a in owners}
        self.fields["owner_agency"].choices = [(a.code, f"{a.name} ({a.code})") for a in owners]
        self.fields["field"].required = False
        self.fields["field"].empty_label = _("Chọn lĩnh vực")
        self.order_fields(self.field_order)

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        for problem in rules.check_procedure_code(code):
            raise forms.ValidationError(localized(problem))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("field") is None:
            code, name = data.get("field_code", "").strip(), data.get("field_name", "").strip()
            if not code or not name:
                self.add_error("field", _("Chọn một lĩnh vực, hoặc nhập mã và tên lĩnh vực mới."))
            elif not re.fullmatch(r"[A-Za-z0-9_.-]+", code):
                self.add_error(
                    "field_code", _("Mã lĩnh vực chỉ gồm chữ không dấu, số, “_”, “-”, “.”.")
                )
            else:
                data["field"] = Field.objects.filter(code=code).first() or Field(
                    code=code, name=name
                )
        return data

    def owner(self) -> Agency:
        return self.owners[self.cleaned_data["owner_agency"]]


class RowForm(forms.Form):
    """A row of a list table: inputs have no visible label, so they get an accessible name."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        row = (self.prefix or "").rsplit("-", 1)[-1]
        for field in self.fields.values():
            label = field.label or _("Xóa")
            name = (
                _("%(label)s, dòng %(row)s") % {"label": label, "row": int(row) + 1}
                if row.isdigit()
                else str(label)
            )
            field.widget.attrs.setdefault("aria-label", name)

    #: A blank row is skipped; it counts as filled in once one of these has a value (the
    #: checkboxes and quantities have defaults, so they cannot tell).
    key_fields: tuple[str, ...] = ("name",)

    def has_changed(self) -> bool:
        if self.empty_permitted and not any(
            str(self.data.get(self.add_prefix(name), "")).strip() for name in self.key_fields
        ):
            return False
        return super().has_changed()


class ComponentForm(RowForm):
    name = forms.CharField(label=_("Tên giấy tờ"), max_length=500)
    copy_kind = forms.ChoiceField(label=_("Loại bản"), choices=CopyKind.choices)
    quantity = forms.IntegerField(
        label=_("Số lượng"),
        min_value=1,
        max_value=100,
        initial=1,
        error_messages={
            "min_value": _("Từ 1 trở lên."),
            "max_value": _("Tối đa 100."),
            "invalid": _("Nhập số nguyên."),
        },
        widget=forms.NumberInput(attrs={"style": "width:5em"}),
    )
    required = forms.BooleanField(label=_("Bắt buộc"), required=False, initial=True)
    reusable = forms.BooleanField(label=_("Lấy từ dữ liệu số hóa"), required=False)


class FeeForm(RowForm):
    key_fields = ("name", "amount")
    name = forms.CharField(label=_("Tên phí, lệ phí"), max_length=300)
    kind = forms.ChoiceField(label=_("Loại"), choices=FeeKind.choices)
    amount = forms.IntegerField(label=_("Mức thu (đồng)"), min_value=0, max_value=10**12)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)


class StepForm(RowForm):
    key_fields = ("order", "name", "budget")
    order = forms.IntegerField(
        label=_("Thứ tự"),
        min_value=1,
        max_value=99,
        widget=forms.NumberInput(attrs={"style": "width:4.5em"}),
    )
    name = forms.CharField(label=_("Nội dung công việc"), max_length=300)
    role = forms.ChoiceField(label=_("Vai trò thực hiện"), choices=Role.choices)
    unit_kind = forms.ChoiceField(
        label=_("Loại đơn vị"), required=False, choices=[("", "—"), *AgencyKind.choices]
    )
    agency = forms.ChoiceField(label=_("Đơn vị cụ thể"), required=False)
    budget = _time_field(_("Thời gian"))

    def __init__(self, *args: Any, agency_choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agency_choices


ComponentFormSet = formset_factory(ComponentForm, extra=2, can_delete=True, max_num=60)
FeeFormSet = formset_factory(FeeForm, extra=1, can_delete=True, max_num=30)
StepFormSet = formset_factory(StepForm, extra=2, can_delete=True, max_num=40)


class VersionForms:
    """The main form and the three lists of one "publish a version" page, built and read
    together; ``index`` maps a list position in the data back to the form that gave it."""

    def __init__(
        self,
        data: Any = None,
        *,
        base: ProcedureVersion | None,
        agencies: list[Agency],
        form_class: type[VersionForm] = VersionForm,
        initial: dict[str, Any] | None = None,
        **form_kwargs: Any,
    ):
        self.agencies = {a.code: a for a in agencies}
        agency_choices = [("", "—")] + [(a.code, a.name) for a in agencies]
        main_initial = dict(initial or {})
        lists: dict[str, list[dict[str, Any]]] = {"components": [], "fees": [], "steps": []}
        if base is not None:
            main_initial.update(
                name=base.name,
                field=base.field,
                authority_level=base.authority_level,
                online_level=base.online_level,
                partial_reason=base.partial_reason,
                statutory_value=_plain(base.statutory_value),
                statutory_unit=base.statutory_unit,
                promised_value=_plain(base.promised_value),
                cutoff=base.cutoff,
                result_name=base.result_name,
                result_paper=base.result_paper,
                result_electronic=base.result_electronic,
                legal_basis=base.legal_basis,
                full_online_eligible=base.full_online_eligible,
                national_portal_integrated=base.national_portal_integrated,
                payable_online=base.payable_online,
                served_at_centre=base.served_at_centre,
            )
            lists["components"] = [
                {
                    "name": c.name,
                    "copy_kind": c.copy_kind,
                    "quantity": c.quantity,
                    "required": c.required,
                    "reusable": c.reusable,
                }
                for c in base.components.all()
            ]
            lists["fees"] = [
                {"name": f.name, "kind": f.kind, "amount": f.amount, "note": f.note}
                for f in base.fees.all()
            ]
            lists["steps"] = [
                {
                    "order": s.order,
                    "name": s.name,
                    "role": s.role,
                    "unit_kind": s.unit_kind,
                    "agency": s.agency.code if s.agency else "",
                    "budget": _plain(s.budget),
                }
                for s in base.steps.all()
            ]
        main_initial.setdefault("cutoff", "15:00")
        main_initial.setdefault("result_paper", True)
        main_initial.setdefault("served_at_centre", True)
        main_initial.setdefault("online_level", OnlineLevel.FULL)
        main_initial.setdefault("effective_from", timezone.localdate())
        self.form = form_class(data, initial=main_initial, agencies=agencies, **form_kwargs)
        self.components = ComponentFormSet(
            data, prefix="components", initial=lists["components"] or None
        )
        self.fees = FeeFormSet(data, prefix="fees", initial=lists["fees"] or None)
        self.steps = StepFormSet(
            data,
            prefix="steps",
            initial=lists["steps"] or None,
            form_kwargs={"agency_choices": agency_choices},
        )
        self.index: dict[str, list[int]] = {}

    @property
    def formsets(self) -> dict[str, Any]:
        return {"components": self.components, "fees": self.fees, "steps": self.steps}

    def is_valid(self) -> bool:
        results = [self.form.is_valid()] + [fs.is_valid() for fs in self.formsets.values()]
        return all(results)

    def _rows(self, name: str) -> list[dict[str, Any]]:
        rows, positions = [], []
        for i, form in enumerate(self.formsets[name].forms):
            data = form.cleaned_data
            if data and not data.get("DELETE"):
                rows.append(data)
                positions.append(i)
        self.index[name] = positions
        return rows

    def version_data(self) -> VersionData:
        data = self.form.version_data()
        data.components = [
            ComponentData(r["name"], r["copy_kind"], r["quantity"], r["required"], r["reusable"])
            for r in self._rows("components")
        ]
        data.fees = [
            FeeData(r["name"], r["kind"], r["amount"], r["note"]) for r in self._rows("fees")
        ]
        data.steps = [
            StepData(
                r["order"],
                r["name"],
                r["role"],
                r["budget"],
                r["unit_kind"],
                self.agencies.get(r["agency"]) if r["agency"] else None,
            )
            for r in self._rows("steps")
        ]
        return data

    @property
    def effective_from(self) -> date:
        value: date = self.form.cleaned_data["effective_from"]
        return value

    def error_count(self) -> int:
        count = len(self.form.errors)
        for formset in self.formsets.values():
            count += len(formset.non_form_errors()) + sum(len(e) for e in formset.errors)
        return count

    def show_rule_errors(self, problems: list[rules.RuleError]) -> None:
        """Put each service error next to the input it names (``steps[2].budget`` → the
        budget cell of the step form that gave the third step)."""
        for problem in problems:
            match = re.fullmatch(r"(components|fees|steps)(?:\[(\d+)\]\.(\w+))?", problem.field)
            if match and match[2] is None:
                self.formsets[match[1]].non_form_errors().append(localized(problem))
            elif match:
                positions = self.index.get(match[1], [])
                index = int(match[2])
                form = (
                    self.formsets[match[1]].forms[positions[index]]
                    if index < len(positions)
                    else None
                )
                if form is not None and match[3] in form.fields:
                    form.add_error(match[3], localized(problem))
                else:
                    self.formsets[match[1]].non_form_errors().append(localized(problem))
            elif problem.field == "result":
                self.form.add_error("result_paper", localized(problem))
            elif problem.field in self.form.fields:
                self.form.add_error(problem.field, localized(problem))
            else:
                self.form.add_error(None, localized(problem))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh mục (JSON hoặc XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".json", ".xlsx")):
            raise forms.ValidationError(_("Chỉ nhận tệp .json hoặc .xlsx."))
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Tệp lớn quá 10 MB."))
        return upload
