"""The catalogue exchange format: JSON rows and XLSX sheets, read and written.

One row is one procedure version, in the shape of ``demo/data/procedures.json``::

    {"code": "1.004227", "name": "...", "field": {"code": "...", "name": "..."},
     "authority_level": "commune", "handling_agency_kinds": ["commune"],
     "handling_agencies": ["000.00.01.H97"], "owner_agency": "000.00.00.H97",
     "online_level": "partial", "partial_reason": "...",
     "statutory_time": {"value": 3, "unit": "working_days"},
     "promised_time": {"value": 2, "unit": "working_days"}, "cutoff": "15:00",
     "fees": [{"name", "amount", "kind", "note"}],
     "components": [{"name", "copy_kind", "quantity", "required", "reusable"}],
     "result": {"name", "paper", "electronic"},
     "workflow": [{"order", "name", "role", "unit_kind", "budget", "agency"}],
     "legal_basis": "...", "effective_from": "2026-07-01",
     "full_online_eligible": true, "national_portal_integrated": true,
     "payable_online": true, "served_at_centre": true}

``online_level`` also takes the legacy "mức độ 3/4" (3 -> partial, 4 -> full, 1-2 -> none:
:func:`caicach.procedures.rules.online_level_from_legacy`).

:func:`parse_row` turns a row into :class:`ParsedRow` and collects *every* problem as a
:class:`RowError` (row, column, reason in Vietnamese and English) instead of stopping at the
first; the import writes nothing unless no row has an error. Paths in errors index lists from 0
(``workflow[2].budget`` is the third step). XLSX rows carry where each value came from, so their
errors name the sheet, the spreadsheet row and the column letter and header.

Size (~650 lines): the catalogue's one exchange format, its parser and its error paths for
JSON and XLSX rows alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import TextChoices

from caicach.accounts.models import Role
from caicach.agencies.models import Agency, AgencyKind
from caicach.core.text import normalise
from caicach.procedures import rules
from caicach.procedures.data import ComponentData, FeeData, HandlingData, StepData, VersionData
from caicach.procedures.models import (
    AuthorityLevel,
    CopyKind,
    FeeKind,
    Field,
    OnlineLevel,
    ProcedureVersion,
    TimeUnit,
)

#: Where a value came from: (sheet or section, row number, column).
Origin = tuple[str, int | None, str]
ORIGIN_KEY = "_origin"

#: How many rows one import may hold: far above a province's catalogue, low enough to be safe.
MAX_ROWS = 20_000


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None
    column: str
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


@dataclass
class ParsedRow:
    """One valid row, ready to be compared with the stored catalogue and written."""

    sheet: str
    row: int
    code: str
    version: VersionData
    handling: HandlingData
    owner_agency: Agency
    effective_from: date
    field_name: str = ""
    origin: Mapping[str, Origin] = field(default_factory=dict)


@dataclass
class Lookups:
    """The reference data rows point at, loaded once per import."""

    agencies: dict[str, Agency]
    fields: dict[str, Field]
    root: Agency | None
    today: date

    @classmethod
    def load(cls, today: date) -> Lookups:
        agencies = {a.code: a for a in Agency.objects.all()}
        roots = sorted(
            (a for a in agencies.values() if a.parent_id is None and a.is_valid_on(today)),
            key=lambda a: a.path,
        )
        return cls(
            agencies, {f.code: f for f in Field.objects.all()}, roots[0] if roots else None, today
        )


# -- reading one row -------------------------------------------------------------------------

_MISSING = object()
_TRUE = {"true", "1", "co", "x", "yes", "y", "dung"}
_FALSE = {"false", "0", "khong", "no", "n", "sai", ""}


class RowReader:
    """Reads typed values out of one raw row, recording an error for each bad one."""

    def __init__(self, raw: Mapping[str, Any], sheet: str, row: int, errors: list[RowError]):
        self.raw = raw
        self.sheet = sheet
        self.row = row
        self.errors = errors
        origin = raw.get(ORIGIN_KEY)
        # Only the spreadsheet reader sets this (tuples cannot come from JSON).
        valid = isinstance(origin, dict) and all(isinstance(v, tuple) for v in origin.values())
        self.origin: Mapping[str, Origin] = origin if valid else {}
        if "" in self.origin:  # a spreadsheet row: its own sheet and row number
            self.sheet, self.row = self.origin[""][0], self.origin[""][1] or row
        self.failed = False
        self.bad_paths: set[str] = set()

    # where and how to complain

    def locate(self, path: str) -> Origin:
        """The sheet, row and column of ``path``: exact, else its list item, else the row."""
        candidates = [path, f"{path}[0]"]  # a whole list: point at its first item's sheet
        if "." in path:
            candidates.append(path.rsplit(".", 1)[0])
        for candidate in candidates:
            if candidate in self.origin:
                sheet, row, column = self.origin[candidate]
                return sheet, row, column or path
        return self.sheet, self.row, path

    def error(self, path: str, message_vi: str, message_en: str) -> None:
        sheet, row, column = self.locate(path)
        self.errors.append(RowError(sheet, row, column, message_vi, message_en))
        self.failed = True
        self.bad_paths.add(path)

    # raw access

    def get(self, path: str, source: Any = None) -> Any:
        value: Any = self.raw if source is None else source
        for part in path.split("."):
            if not isinstance(value, Mapping):
                return _MISSING
            value = value.get(part, _MISSING)
            if value is _MISSING:
                return _MISSING
        return value

    # typed values

    def text(
        self,
        path: str,
        *,
        required: bool = True,
        max_length: int = 500,
        source: Any = None,
        at: str = "",
    ) -> str:
        at = at or path
        value = self.get(path, source)
        if value is _MISSING or value is None:
            value = ""
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = "\n".join(value)  # legal_basis may be given as a list of instruments
        if not isinstance(value, str):
            self.error(at, "Phải là chuỗi ký tự.", "Must be a string.")
            return ""
        value = value.strip()
        if required and not value:
            self.error(at, "Không được để trống.", "Is required.")
        elif len(value) > max_length:
            self.error(
                at,
                f"Dài quá {max_length} ký tự.",
                f"Is longer than {max_length} characters.",
            )
        return value

    def decimal(self, path: str, *, source: Any = None, at: str = "") -> Decimal | None:
        at = at or path
        value = self.get(path, source)
        if value is _MISSING or value is None or value == "":
            self.error(at, "Không được để trống.", "Is required.")
            return None
        if isinstance(value, bool):
            value = None
        elif isinstance(value, int | Decimal):
            value = Decimal(value)
        elif isinstance(value, float):
            value = Decimal(repr(value))
        elif isinstance(value, str):
            text = value.strip().replace(" ", "")
            if "," in text and "." not in text:
                text = text.replace(",", ".")  # Vietnamese decimal comma: 4,5
            try:
                value = Decimal(text)
            except InvalidOperation:
                value = None
        else:
            value = None
        if value is None or not value.is_finite():
            self.error(
                at, "Phải là một số (ví dụ 4 hoặc 4,5).", "Must be a number (e.g. 4 or 4.5)."
            )
            return None
        return value

    def integer(
        self, path: str, *, default: int | None = None, source: Any = None, at: str = ""
    ) -> int | None:
        at = at or path
        value = self.get(path, source)
        if value is _MISSING or value is None or value == "":
            if default is not None:
                return default
            self.error(at, "Không được để trống.", "Is required.")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str):
            text = re.sub(r"\s|đ$|đồng$", "", value.strip())
            if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
                text = re.sub(r"[.,]", "", text)  # 8.000 đ
            value = int(text) if re.fullmatch(r"-?\d+", text) else None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(at, "Phải là một số nguyên.", "Must be a whole number.")
            return None
        if not -(2**62) < value < 2**62:
            self.error(at, "Số quá lớn.", "The number is too large.")
            return None
        return value

    def boolean(self, path: str, *, default: bool, source: Any = None, at: str = "") -> bool:
        at = at or path
        value = self.get(path, source)
        if value is _MISSING or value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            key = normalise(value)
            if key in _TRUE:
                return True
            if key in _FALSE:
                return False if key else default
        self.error(at, "Phải là Có hoặc Không (true/false).", "Must be true or false (Có/Không).")
        return default

    def choice(
        self,
        path: str,
        choices: type[TextChoices],
        *,
        default: str | None = None,
        source: Any = None,
        at: str = "",
    ) -> str:
        """A code of ``choices``; the Vietnamese label is accepted too (from a spreadsheet)."""
        at = at or path
        value = self.get(path, source)
        if value is _MISSING or value is None or value == "":
            if default is not None:
                return default
            self.error(at, "Không được để trống.", "Is required.")
            return ""
        if isinstance(value, str):
            key = value.strip()
            if key in choices.values:
                return key
            by_label = {normalise(str(label)): code for code, label in choices.choices}
            if normalise(key) in by_label:
                return by_label[normalise(key)]
        allowed = ", ".join(choices.values)
        self.error(
            at,
            f"Giá trị “{_show(value)}” không hợp lệ; chọn một trong: {allowed}.",
            f"Unknown value “{_show(value)}”; expected one of: {allowed}.",
        )
        return ""

    def day(self, path: str, *, default: date) -> date:
        value = self.get(path)
        if value is _MISSING or value is None or value == "":
            return default
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            text = value.strip()
            for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
                try:
                    return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no zone)
                except ValueError:
                    continue
        self.error(
            path,
            f"Ngày “{_show(value)}” không hợp lệ (dạng YYYY-MM-DD hoặc dd/mm/yyyy).",
            f"Invalid date “{_show(value)}” (use YYYY-MM-DD or dd/mm/yyyy).",
        )
        return default

    def clock(self, path: str, *, default: time) -> time:
        value = self.get(path)
        if value is _MISSING or value is None or value == "":
            return default
        if isinstance(value, datetime):
            return value.time().replace(second=0, microsecond=0)
        if isinstance(value, time):
            return value.replace(second=0, microsecond=0)
        if isinstance(value, str) and re.fullmatch(r"\d{1,2}[:h]\d{2}", value.strip()):
            hours, minutes = re.split(r"[:h]", value.strip())
            if int(hours) < 24 and int(minutes) < 60:
                return time(int(hours), int(minutes))
        self.error(
            path,
            f"Giờ “{_show(value)}” không hợp lệ (dạng HH:MM, ví dụ 15:00).",
            f"Invalid time “{_show(value)}” (use HH:MM, e.g. 15:00).",
        )
        return default

    def strings(self, path: str) -> list[str]:
        """A list of codes: a JSON list, or a cell with codes separated by commas or lines."""
        value = self.get(path)
        if value is _MISSING or value is None or value == "":
            return []
        if isinstance(value, str):
            return [part.strip() for part in re.split(r"[,;\n]", value) if part.strip()]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [v.strip() for v in value if v.strip()]
        self.error(path, "Phải là một danh sách mã.", "Must be a list of codes.")
        return []

    def items(self, path: str) -> list[Mapping[str, Any]]:
        value = self.get(path)
        if value is _MISSING or value is None:
            return []
        if not isinstance(value, list):
            self.error(path, "Phải là một danh sách.", "Must be a list.")
            return []
        good: list[Mapping[str, Any]] = []
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                good.append(item)
            else:
                self.error(f"{path}[{index}]", "Phải là một đối tượng.", "Must be an object.")
        return good


def _show(value: Any) -> str:
    text = "" if value is _MISSING or value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def parse_row(
    raw: Any, sheet: str, row: int, lookups: Lookups, errors: list[RowError]
) -> ParsedRow | None:
    """Check one row completely; return it parsed, or ``None`` after adding its errors."""
    if not isinstance(raw, Mapping):
        errors.append(
            RowError(
                sheet, row, "", "Dòng phải là một đối tượng JSON.", "A row must be a JSON object."
            )
        )
        return None
    r = RowReader(raw, sheet, row, errors)
    code = r.text("code", max_length=20)
    for problem in rules.check_procedure_code(code) if code else []:
        r.error("code", problem.message_vi, problem.message_en)
    name = r.text("name")
    field_code = r.text("field.code", max_length=30)
    field_name = r.text("field.name", max_length=200, required=field_code not in lookups.fields)
    the_field = lookups.fields.get(field_code)
    if the_field is None:  # created on import; later rows share this instance
        the_field = Field(code=field_code, name=field_name)
        if field_code and field_name:
            lookups.fields[field_code] = the_field

    authority_level = r.choice("authority_level", AuthorityLevel)
    online_level = _legacy_online_level(r.get("online_level")) or r.choice(
        "online_level", OnlineLevel
    )
    partial_reason = r.text("partial_reason", required=False, max_length=2000)
    statutory_value = r.decimal("statutory_time.value")
    statutory_unit = r.choice("statutory_time.unit", TimeUnit)
    promised_value = statutory_value
    if r.get("promised_time") is not _MISSING and r.get("promised_time") is not None:
        promised_value = r.decimal("promised_time.value")
        promised_unit = r.choice("promised_time.unit", TimeUnit, default=statutory_unit)
        if promised_unit and statutory_unit and promised_unit != statutory_unit:
            r.error(
                "promised_time.unit",
                "Thời hạn cam kết phải cùng đơn vị với thời hạn giải quyết.",
                "The promised time must use the statutory time's unit.",
            )
    cutoff = r.clock("cutoff", default=time(15, 0))
    result_name = r.text("result.name")
    result_paper = r.boolean("result.paper", default=True)
    result_electronic = r.boolean("result.electronic", default=False)
    legal_basis = r.text("legal_basis", required=False, max_length=10_000)
    full_online_eligible = r.boolean("full_online_eligible", default=False)
    national_portal_integrated = r.boolean("national_portal_integrated", default=False)
    payable_online = r.boolean("payable_online", default=False)
    served_at_centre = r.boolean("served_at_centre", default=True)
    effective_from = r.day("effective_from", default=lookups.today)

    fees = []
    for i, item in enumerate(r.items("fees")):
        at = f"fees[{i}]"
        fees.append(
            FeeData(
                name=r.text("name", max_length=300, source=item, at=f"{at}.name"),
                kind=r.choice("kind", FeeKind, default="fee", source=item, at=f"{at}.kind"),
                amount=r.integer("amount", source=item, at=f"{at}.amount") or 0,
                note=r.text("note", required=False, source=item, at=f"{at}.note"),
            )
        )
    components = []
    for i, item in enumerate(r.items("components")):
        at = f"components[{i}]"
        components.append(
            ComponentData(
                name=r.text("name", source=item, at=f"{at}.name"),
                copy_kind=r.choice(
                    "copy_kind",
                    CopyKind,
                    default="original",
                    source=item,
                    at=f"{at}.copy_kind",
                ),
                quantity=r.integer("quantity", default=1, source=item, at=f"{at}.quantity") or 0,
                required=r.boolean("required", default=True, source=item, at=f"{at}.required"),
                reusable=r.boolean("reusable", default=False, source=item, at=f"{at}.reusable"),
            )
        )
    steps = []
    for i, item in enumerate(r.items("workflow")):
        at = f"workflow[{i}]"
        agency_code = r.text(
            "agency", required=False, max_length=20, source=item, at=f"{at}.agency"
        )
        agency = lookups.agencies.get(agency_code) if agency_code else None
        if agency_code and agency is None:
            r.error(
                f"{at}.agency",
                f"Không có cơ quan mã “{agency_code}”.",
                f"No agency has the code “{agency_code}”.",
            )
        steps.append(
            StepData(
                order=r.integer("order", default=i + 1, source=item, at=f"{at}.order") or 0,
                name=r.text("name", max_length=300, source=item, at=f"{at}.name"),
                role=r.choice("role", Role, source=item, at=f"{at}.role"),
                budget=r.decimal("budget", source=item, at=f"{at}.budget") or Decimal(0),
                unit_kind=r.choice(
                    "unit_kind", AgencyKind, default="", source=item, at=f"{at}.unit_kind"
                ),
                agency=agency,
            )
        )

    kinds = r.strings("handling_agency_kinds")
    for index, kind in enumerate(kinds):
        if kind not in AgencyKind.values:
            r.error(
                f"handling_agency_kinds[{index}]",
                f"Loại cơ quan “{kind}” không hợp lệ; chọn trong: {', '.join(AgencyKind.values)}.",
                f"Unknown agency kind “{kind}”; expected one of: {', '.join(AgencyKind.values)}.",
            )
    handling_agencies = []
    for index, agency_code in enumerate(r.strings("handling_agencies")):
        agency = lookups.agencies.get(agency_code)
        if agency is None:
            r.error(
                f"handling_agencies[{index}]",
                f"Không có cơ quan mã “{agency_code}”.",
                f"No agency has the code “{agency_code}”.",
            )
        else:
            handling_agencies.append(agency)
    if not kinds and not handling_agencies and not r.failed:
        r.error(
            "handling_agencies",
            "Phải có ít nhất một cơ quan giải quyết (handling_agencies hoặc handling_agency_kinds).",
            "At least one handling agency is needed (handling_agencies or handling_agency_kinds).",
        )
    owner_code = r.text("owner_agency", required=False, max_length=20)
    owner = lookups.agencies.get(owner_code) if owner_code else lookups.root
    if owner is None:
        r.error(
            "owner_agency",
            f"Không có cơ quan mã “{owner_code}”."
            if owner_code
            else "Chưa có cơ quan gốc (UBND tỉnh) trong hệ thống.",
            f"No agency has the code “{owner_code}”."
            if owner_code
            else "There is no root agency (provincial People's Committee) yet.",
        )

    if statutory_value is None or promised_value is None:
        return None
    version = VersionData(
        name=name,
        field=the_field,
        authority_level=authority_level,
        online_level=online_level,
        partial_reason=partial_reason,
        statutory_value=statutory_value,
        statutory_unit=statutory_unit,
        promised_value=promised_value,
        cutoff=cutoff,
        result_name=result_name,
        result_paper=result_paper,
        result_electronic=result_electronic,
        legal_basis=legal_basis,
        full_online_eligible=full_online_eligible,
        national_portal_integrated=national_portal_integrated,
        payable_online=payable_online,
        served_at_centre=served_at_centre,
        fees=fees,
        components=components,
        steps=sorted(steps, key=lambda s: s.order),
    )
    # The rules run even on a row with other errors, so one pass reports them all; a value
    # already reported as unreadable is not blamed twice. Rule errors name the version's
    # inputs: translate to this format's paths (steps were sorted by order above, so map a
    # sorted index back to the position in the file).
    position = {id(step): index for index, step in enumerate(steps)}
    already_bad = set(r.bad_paths)
    for problem in version.rule_errors():
        path = _rule_path(problem.field, version.steps, position)
        if path not in already_bad and problem.field not in {"statutory_unit", "online_level"}:
            r.error(path, problem.message_vi, problem.message_en)
    if r.failed or owner is None:
        return None
    return ParsedRow(
        sheet=r.sheet,
        row=r.row,
        code=code,
        version=version,
        handling=HandlingData(handling_agencies, kinds),
        owner_agency=owner,
        effective_from=effective_from,
        field_name=field_name,
        origin=r.origin,
    )


_RULE_PATHS = {
    "statutory_value": "statutory_time.value",
    "statutory_unit": "statutory_time.unit",
    "promised_value": "promised_time.value",
    "steps": "workflow",
}


def _rule_path(name: str, sorted_steps: Sequence[StepData], position: Mapping[int, int]) -> str:
    match = re.fullmatch(r"steps\[(\d+)\]\.(\w+)", name)
    if match:
        index = position[id(sorted_steps[int(match[1])])]
        return f"workflow[{index}].{match[2]}"
    return _RULE_PATHS.get(name, name)


# -- writing rows ----------------------------------------------------------------------------


def version_row(
    version: ProcedureVersion,
    handling_agencies: Sequence[Agency],
    kinds: Sequence[str],
    owner: Agency,
) -> dict[str, Any]:
    """One version in the exchange format (use with fees, components, steps prefetched)."""
    explicit = [a.code for a in handling_agencies if a.kind not in kinds]
    return {
        "code": version.procedure.code,
        "name": version.name,
        "field": {"code": version.field.code, "name": version.field.name},
        "authority_level": version.authority_level,
        "handling_agency_kinds": list(kinds),
        "handling_agencies": sorted(explicit),
        "owner_agency": owner.code,
        "online_level": version.online_level,
        "partial_reason": version.partial_reason,
        "full_online_eligible": version.full_online_eligible,
        "national_portal_integrated": version.national_portal_integrated,
        "payable_online": version.payable_online,
        "served_at_centre": version.served_at_centre,
        "statutory_time": {
            "value": _number(version.statutory_value),
            "unit": version.statutory_unit,
        },
        "promised_time": {
            "value": _number(version.promised_value),
            "unit": version.statutory_unit,
        },
        "cutoff": version.cutoff.strftime("%H:%M"),
        "fees": [
            {"name": f.name, "amount": f.amount, "kind": f.kind, "note": f.note}
            for f in version.fees.all()
        ],
        "components": [
            {
                "name": c.name,
                "copy_kind": c.copy_kind,
                "quantity": c.quantity,
                "required": c.required,
                "reusable": c.reusable,
            }
            for c in version.components.all()
        ],
        "result": {
            "name": version.result_name,
            "paper": version.result_paper,
            "electronic": version.result_electronic,
        },
        "workflow": [
            {
                "order": s.order,
                "name": s.name,
                "role": s.role,
                "unit_kind": s.unit_kind,
                "budget": _number(s.budget),
                **({"agency": s.agency.code} if s.agency else {}),
            }
            for s in version.steps.all()
        ],
        "legal_basis": version.legal_basis,
        "effective_from": version.effective_from.isoformat(),
    }


def _number(value: Decimal) -> int | float:
    """4.000 → 4, 4.500 → 4.5: what a person would type in a JSON file."""
    return int(value) if value == value.to_integral_value() else float(value)


def _legacy_online_level(value: Any) -> str:
    """The level a legacy "mức độ N" value maps to, or "" (then the usual choice parse runs)."""
    if value is _MISSING or value is None or isinstance(value, bool):
        return ""
    try:
        return rules.online_level_from_legacy(value)
    except ValueError:
        return ""
