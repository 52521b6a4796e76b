"""Forms of the calendar pages. They only render and collect input: the checks (and their
messages in both languages) live in :mod:`caicach.calendars.services`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caicach.agencies.models import Agency
from caicach.calendars import services
from caicach.calendars.models import AGENCY_KINDS, OFFICIAL_KINDS, DayKind
from caicach.calendars.rules import TimeUnit
from caicach.core.i18n import is_english

UNIT_CHOICES = [
    (TimeUnit.WORKING_DAYS.value, _("ngày làm việc")),
    (TimeUnit.WORKING_HOURS.value, _("giờ làm việc")),
    (TimeUnit.CALENDAR_DAYS.value, _("ngày (theo lịch)")),
]


def agency_choices(agencies: Sequence[Agency], official_label: Any) -> list[tuple[str, str]]:
    choices = [("", str(official_label))] if official_label else []
    for agency in agencies:
        indent = "\u2002" * max(agency.depth, 0)
        choices.append((agency.code, f"{indent}{agency.name}"))
    return choices


def field_errors(error: services.CalendarInputError) -> dict[str, str]:
    """The service's messages per field in the interface language (``errors_en`` in English)."""
    return error.errors_en if is_english() else error.errors_vi


class DueForm(forms.Form):
    """Due-date lookup: the service parses the values, so the page and the API agree."""

    received = forms.CharField(
        label=_("Thời điểm nhận hồ sơ"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    value = forms.CharField(
        label=_("Thời hạn"),
        required=False,
        widget=forms.NumberInput(attrs={"min": "0", "step": "any", "inputmode": "decimal"}),
    )
    unit = forms.ChoiceField(label=_("Đơn vị"), choices=UNIT_CHOICES)
    cutoff = forms.CharField(
        label=_("Giờ chốt tiếp nhận"),
        required=False,
        initial="15:00",
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Nhận sau giờ này tính là nhận vào ngày làm việc tiếp theo."),
    )
    agency = forms.ChoiceField(label=_("Lịch của cơ quan"), required=False)

    def __init__(self, *args: Any, agencies: Sequence[Agency] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = {a.code: a for a in agencies}
        self.fields["agency"].choices = agency_choices(agencies, _("Lịch chính thức"))
        self.query: services.DueQuery | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            self.query = services.parse_due_query(
                received=data.get("received"),
                value=data.get("value"),
                unit=data.get("unit"),
                cutoff=data.get("cutoff"),
                agency=self.agencies.get(data.get("agency") or ""),
            )
        except services.CalendarInputError as error:
            for name, message in field_errors(error).items():
                self.add_error(name if name in self.fields else None, message)
        return data


class DayForm(forms.Form):
    day = forms.DateField(
        label=_("Ngày"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": _("Hãy chọn ngày."), "invalid": _("Ngày không hợp lệ.")},
    )
    kind = forms.ChoiceField(label=_("Loại ngày"))
    name_vi = forms.CharField(label=_("Tên (tiếng Việt)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Tên (tiếng Anh)"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Ghi chú, căn cứ"),
        max_length=500,
        required=False,
        help_text=_("Ví dụ: số, ngày của văn bản công bố."),
    )

    def __init__(self, *args: Any, official: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = OFFICIAL_KINDS if official else AGENCY_KINDS
        self.fields["kind"].choices = [(k.value, k.label) for k in DayKind if k in allowed]
        self.fields["kind"].initial = DayKind.HOLIDAY if official else DayKind.AGENCY_OFF


class RemoveDayForm(forms.Form):
    day = forms.DateField(input_formats=["%Y-%m-%d"])


class OfficeHoursForm(forms.Form):
    office_hours = forms.CharField(
        label=_("Giờ làm việc"),
        required=False,
        max_length=120,
        help_text=_("Dạng 07:30-11:30, 13:30-17:00. Để trống: dùng giờ của cấp trên."),
    )


class YearsForm(forms.Form):
    first_year = forms.IntegerField(label=_("Từ năm"), min_value=1901, max_value=2199)
    last_year = forms.IntegerField(label=_("Đến năm"), min_value=1901, max_value=2199)
