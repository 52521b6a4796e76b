"""The inbox's query vocabulary: the tabs (one condition each, shared by the list and its count),
the filters that compose with them, the counts per tab in one query, and the export of the
filtered list (XLSX with a frozen header, CSV).

The tab conditions are the ones of :class:`caicach.dossiers.models.DossierQuerySet`
(``overdue_q``, ``due_soon_q``: the same definitions as ``.overdue()`` and ``.due_soon()``), so a
tab's count and its list never disagree."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from caicach.accounts.access import agency_filter, scope_agency_ids
from caicach.accounts.models import Role, RoleAssignment
from caicach.agencies.models import Agency
from caicach.calendars.services import calendar_for
from caicach.core.widgets import FastSelect
from caicach.dossiers import deadlines
from caicach.dossiers.models import (
    CHANNEL_CHOICES,
    OPEN_STATE_VALUES,
    Dossier,
    Referral,
    due_soon_q,
    due_soon_window,
    overdue_q,
)
from caicach.dossiers.workflow import DossierState
from caicach.procedures.models import Field, Procedure

S = DossierState

#: "Tất cả" leaves out, unless asked (or searching), the dossiers due more than this many days
#: ago: the tab opens on current work, not on the first dossiers ever received.
ALL_TAB_RECENT_DAYS = 30
#: The most rows one export holds (a larger list: narrow the filters).
EXPORT_LIMIT = 20_000


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any


TABS = [
    Tab("moi", _("Chờ tiếp nhận, mới tiếp nhận")),
    Tab("dang-xu-ly", _("Đang xử lý")),
    Tab("sap-den-han", _("Sắp đến hạn")),
    Tab("qua-han", _("Quá hạn")),
    Tab("cho-bo-sung", _("Chờ bổ sung")),
    Tab("cho-phe-duyet", _("Chờ phê duyệt")),
    Tab("y-kien", _("Xin ý kiến / phối hợp")),
    Tab("tat-ca", _("Tất cả")),
]
TAB_KEYS = {t.key for t in TABS}


def recent_since(now: datetime) -> datetime:
    """The start of "recent" for the "Tất cả" tab: midnight (local) ``ALL_TAB_RECENT_DAYS`` ago."""
    day = timezone.localdate(now) - timedelta(days=ALL_TAB_RECENT_DAYS)
    return timezone.make_aware(datetime.combine(day, time.min))


def tab_q(tab: str, now: datetime, user: Any, *, recent_only: bool = True) -> Q:
    """The condition of one tab (the list filters by it, the count counts it)."""
    if tab == "y-kien":
        # Open referrals (consultation, supporting agency) addressed to the user's agencies.
        asked = Referral.objects.filter(
            agency_filter(user, "dossiers.reply", "agency"),
            dossier=OuterRef("pk"),
            answered_at__isnull=True,
            deemed_agreed_at__isnull=True,
        )
        return Q(Exists(asked))
    if tab == "moi":
        return Q(state__in=[S.RECEIVED.value, S.ASSIGNED.value])
    if tab == "dang-xu-ly":
        return Q(state__in=[S.PROCESSING.value, S.CONSULTING.value, S.TRANSFERRED.value])
    if tab == "sap-den-han":
        return due_soon_q(now, calendar_for(None), due_soon_window())
    if tab == "qua-han":
        return overdue_q(now)
    if tab == "cho-bo-sung":
        return Q(state=S.AWAITING_SUPPLEMENT.value)
    if tab == "cho-phe-duyet":
        return Q(state=S.AWAITING_APPROVAL.value)
    if recent_only:
        # Due recently or later: a range of the (due_at, id) index, where the list starts.
        # Open dossiers overdue for longer are in "Quá hạn" (and "Chờ bổ sung").
        return Q(due_at__gte=recent_since(now))
    return Q()


def tab_counts(queryset: QuerySet[Dossier], now: datetime, user: Any, recent_only: bool) -> dict:
    """The number of dossiers of each tab in ``queryset`` (the scope and the filters), in one
    query: ``COUNT(*) FILTER (WHERE <tab condition>)`` per tab."""
    conditions = {t.key: tab_q(t.key, now, user, recent_only=recent_only) for t in TABS}
    aggregates = {
        key.replace("-", "_"): Count("pk", filter=condition) if condition else Count("pk")
        for key, condition in conditions.items()
    }
    if recent_only:
        # Only the rows some tab counts: open (every tab but "Tất cả" reads open states), due
        # recently, or asked by a referral; not the years of finished dossiers.
        queryset = queryset.filter(
            Q(state__in=OPEN_STATE_VALUES) | conditions["tat-ca"] | conditions["y-kien"]
        )
    values = queryset.order_by().aggregate(**aggregates)
    return {key: values[key.replace("-", "_")] for key in conditions}


# -- filters ------------------------------------------------------------------------------------

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value


def _choices_procedures() -> list[tuple[str, str]]:
    rows = Procedure.objects.order_by("code").values_list("code", "name")
    return [(code, f"{code} · {name[:90]}") for code, name in rows]


def _choices_fields() -> list[tuple[str, str]]:
    return [
        (str(pk), name) for pk, name in Field.objects.order_by("name").values_list("pk", "name")
    ]


def _choices_units(user: Any) -> list[tuple[str, str]]:
    ids = scope_agency_ids(user, "dossiers.view")
    agencies = Agency.objects.order_by("path")
    if ids is not None:
        agencies = agencies.filter(pk__in=ids)
    return [(code, f"{name} ({code})") for code, name in agencies.values_list("code", "name")]


def _choices_officers(user: Any) -> list[tuple[str, str]]:
    """Processing officers of the agencies in the user's view scope."""
    rows = (
        RoleAssignment.objects.filter(
            agency_filter(user, "dossiers.view", "agency"), role=Role.PROCESSOR
        )
        .order_by("user__full_name", "user__username")
        .values_list("user_id", "user__full_name", "user__username")
        .distinct()
    )
    seen: dict[str, str] = {}
    for pk, full_name, username in rows:
        seen.setdefault(str(pk), full_name or username)
    return list(seen.items())


class InboxFilterForm(forms.Form):
    """What narrows the inbox, whatever the tab: the GET parameters keep it across pages."""

    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Mã hồ sơ, tên người nộp (có hoặc không dấu), CCCD, điện thoại"),
            }
        ),
    )
    thu_tuc = forms.ChoiceField(label=_("Thủ tục"), required=False, widget=FastSelect)
    linh_vuc = forms.ChoiceField(label=_("Lĩnh vực"), required=False, widget=FastSelect)
    kenh = forms.ChoiceField(label=_("Kênh nộp"), required=False)
    don_vi = forms.ChoiceField(label=_("Đơn vị đang xử lý"), required=False, widget=FastSelect)
    can_bo = forms.ChoiceField(label=_("Chuyên viên thụ lý"), required=False, widget=FastSelect)
    nhan_tu = forms.DateField(
        label=_("Tiếp nhận từ ngày"), required=False, input_formats=DATE_FORMATS, widget=DateInput
    )
    nhan_den = forms.DateField(
        label=_("Tiếp nhận đến ngày"), required=False, input_formats=DATE_FORMATS, widget=DateInput
    )
    han_tu = forms.DateField(
        label=_("Hẹn trả từ ngày"), required=False, input_formats=DATE_FORMATS, widget=DateInput
    )
    han_den = forms.DateField(
        label=_("Hẹn trả đến ngày"), required=False, input_formats=DATE_FORMATS, widget=DateInput
    )
    cu = forms.BooleanField(label=_("Gồm cả hồ sơ cũ đã kết thúc"), required=False)

    FILTERS: tuple[str, ...] = ("thu_tuc", "linh_vuc", "kenh", "don_vi", "can_bo")
    FILTERS = (*FILTERS, "nhan_tu", "nhan_den", "han_tu", "han_den")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every: list[tuple[str, Any]] = [("", _("— Tất cả —"))]
        choices: dict[str, list[tuple[str, Any]]] = {
            "thu_tuc": [*every, *_choices_procedures()],
            "linh_vuc": [*every, *_choices_fields()],
            "kenh": [*every, *CHANNEL_CHOICES],
            "don_vi": [*every, *_choices_units(user)],
            "can_bo": [*every, ("-", _("— Chưa phân công —")), *_choices_officers(user)],
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values
        for name in ("nhan_tu", "nhan_den", "han_tu", "han_den"):
            self.fields[name].error_messages["invalid"] = _(
                "Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end in (("nhan_tu", "nhan_den"), ("han_tu", "han_den")):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, _("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
        return data

    @property
    def active(self) -> int:
        """How many filters (not the search text) are set."""
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return 0
        return sum(1 for name in self.FILTERS if self.cleaned_data.get(name) not in (None, ""))

    def params(self) -> dict[str, str]:
        """The valid, non-empty values as GET parameters (tabs, pages and exports keep them)."""
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return {}
        out: dict[str, str] = {}
        for name in ("q", *self.FILTERS):
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            out[name] = value.isoformat() if isinstance(value, date) else str(value).strip()
        if self.cleaned_data.get("cu"):
            out["cu"] = "1"
        return {k: v for k, v in out.items() if v}

    def recent_only(self) -> bool:
        """ "Tất cả" opens on recent work unless old dossiers, a search or a date range are
        asked for."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        dates = ("q", "nhan_tu", "nhan_den", "han_tu", "han_den")
        return not (data.get("cu") or any(data.get(n) for n in dates))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def apply_filters(queryset: QuerySet[Dossier], data: dict[str, Any]) -> QuerySet[Dossier]:
    """``queryset`` narrowed by the cleaned filters (dates are local days, both ends included)."""
    if data.get("thu_tuc"):
        queryset = queryset.filter(procedure__code=data["thu_tuc"])
    if data.get("linh_vuc"):
        ids = list(
            Procedure.objects.filter(field_id=int(data["linh_vuc"])).values_list("pk", flat=True)
        )
        queryset = queryset.filter(procedure_id__in=ids)
    if data.get("kenh"):
        queryset = queryset.filter(channel=data["kenh"])
    if data.get("don_vi"):
        queryset = queryset.filter(current_agency__code=data["don_vi"])
    if data.get("can_bo") == "-":
        queryset = queryset.filter(assigned_to__isnull=True)
    elif data.get("can_bo"):
        queryset = queryset.filter(assigned_to_id=int(data["can_bo"]))
    if data.get("nhan_tu"):
        queryset = queryset.filter(received_at__gte=_day_start(data["nhan_tu"]))
    if data.get("nhan_den"):
        queryset = queryset.filter(received_at__lt=_day_start(data["nhan_den"] + timedelta(1)))
    if data.get("han_tu"):
        queryset = queryset.filter(due_at__gte=_day_start(data["han_tu"]))
    if data.get("han_den"):
        queryset = queryset.filter(due_at__lt=_day_start(data["han_den"] + timedelta(1)))
    return queryset


# -- export ---------------------------------------------------------------------------------------


def export_header() -> list[str]:
    return [
        _t("Mã hồ sơ"),
        _t("Thủ tục"),
        _t("Người nộp"),
        _t("Kênh nộp"),
        _t("Đơn vị đang xử lý"),
        _t("Chuyên viên thụ lý"),
        _t("Tiếp nhận"),
        _t("Hẹn trả"),
        _t("Trạng thái"),
        _t("Tiến độ"),
    ]


def export_rows(queryset: QuerySet[Dossier], now: datetime) -> Iterator[list[Any]]:
    """One row per dossier in the list's order (local times, naive for the spreadsheet)."""
    soon = deadlines.due_soon_until(now, calendar_for(None), due_soon_window())
    badges = {"overdue": _t("Quá hạn"), "soon": _t("Sắp đến hạn")}
    rows = queryset.select_related(
        "procedure_version", "applicant", "current_agency", "assigned_to"
    ).order_by("due_at", "id")[:EXPORT_LIMIT]
    for d in rows.iterator(chunk_size=2000):
        badge = deadlines.deadline_badge(d.state, d.due_at, now, soon)
        officer = d.assigned_to
        yield [
            d.code,
            d.procedure_version.name,
            d.applicant.full_name,
            d.get_channel_display(),
            d.current_agency.name,
            (officer.full_name or officer.username) if officer else "",
            timezone.localtime(d.received_at).replace(tzinfo=None),
            timezone.localtime(d.due_at).replace(tzinfo=None),
            d.get_state_display(),
            badges.get(badge, ""),
        ]


def export_xlsx(rows: Iterable[list[Any]]) -> io.BytesIO:
    """A workbook with a bold, frozen header row and date-time cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from caicach.core.xlsx import safe_row

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_t("Hồ sơ"))
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJ", (24, 50, 28, 12, 36, 24, 17, 17, 22, 14), strict=True):
        sheet.column_dimensions[column].width = width
    bold = Font(bold=True)
    header = []
    for text in export_header():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values in rows:
        cells = safe_row(sheet, values)
        for i in (6, 7):
            cell = WriteOnlyCell(sheet, value=values[i])
            cell.number_format = "DD/MM/YYYY HH:MM"
            cells[i] = cell
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def export_csv(rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a byte order mark (Excel opens the Vietnamese text right), dates d/m/Y H:M;
    formula-like text is prefixed with an apostrophe (CSV injection)."""
    from caicach.core.xlsx import formula_like

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(export_header())
    for values in rows:
        writer.writerow(
            [
                v.strftime("%d/%m/%Y %H:%M")
                if isinstance(v, datetime)
                else (f"'{v}" if formula_like(v) else v)
                for v in values
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
