"""The catalogue as an XLSX workbook, for people who edit it in a spreadsheet.

Sheet "Thủ tục" has one row per procedure (its latest version) with the scalar columns;
"Thành phần hồ sơ", "Phí lệ phí" and "Quy trình" have one row per item, keyed by the procedure
code; "Danh mục mã" lists the codes the columns take. Values are the exchange format's codes
(:mod:`caicach.procedures.exchange`), headers are Vietnamese, and reading matches headers
without regard to accents or case, so columns may be reordered. Every value read remembers its
sheet, row and column, so import errors point at the cell.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.db.models import TextChoices

from caicach.accounts.models import Role
from caicach.agencies.models import AgencyKind
from caicach.core import xlsx
from caicach.core.text import normalise
from caicach.procedures.exchange import MAX_ROWS, ORIGIN_KEY, RowError
from caicach.procedures.models import AuthorityLevel, CopyKind, FeeKind, OnlineLevel, TimeUnit

#: Rows read from one sheet, blank ones included.
MAX_SHEET_ROWS = 200_000

SHEET_PROCEDURES = "Thủ tục"
SHEET_COMPONENTS = "Thành phần hồ sơ"
SHEET_FEES = "Phí lệ phí"
SHEET_STEPS = "Quy trình"
SHEET_CODES = "Danh mục mã"

#: (path in the row, header). Values are codes, as in JSON; headers are for people.
PROCEDURE_COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã thủ tục"),
    ("name", "Tên thủ tục"),
    ("field.code", "Mã lĩnh vực"),
    ("field.name", "Tên lĩnh vực"),
    ("authority_level", "Cấp thẩm quyền"),
    ("handling_agency_kinds", "Loại cơ quan giải quyết"),
    ("handling_agencies", "Cơ quan giải quyết (mã)"),
    ("owner_agency", "Cơ quan quản lý (mã)"),
    ("online_level", "Mức độ trực tuyến"),
    ("partial_reason", "Lý do chỉ trực tuyến một phần"),
    ("statutory_time.value", "Thời hạn giải quyết"),
    ("statutory_time.unit", "Đơn vị thời hạn"),
    ("promised_time.value", "Thời hạn cam kết"),
    ("cutoff", "Giờ chốt tiếp nhận"),
    ("result.name", "Kết quả"),
    ("result.paper", "Kết quả giấy"),
    ("result.electronic", "Kết quả điện tử"),
    ("legal_basis", "Căn cứ pháp lý"),
    ("effective_from", "Áp dụng từ ngày"),
    ("full_online_eligible", "Đủ điều kiện trực tuyến toàn trình"),
    ("national_portal_integrated", "Tích hợp Cổng DVCQG"),
    ("payable_online", "Thanh toán trực tuyến"),
    ("served_at_centre", "Tiếp nhận tại Trung tâm PVHCC"),
]
COMPONENT_COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã thủ tục"),
    ("name", "Tên giấy tờ"),
    ("copy_kind", "Loại bản"),
    ("quantity", "Số lượng"),
    ("required", "Bắt buộc"),
    ("reusable", "Lấy từ dữ liệu số hóa"),
]
FEE_COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã thủ tục"),
    ("name", "Tên phí, lệ phí"),
    ("kind", "Loại"),
    ("amount", "Mức thu (đồng)"),
    ("note", "Ghi chú"),
]
STEP_COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã thủ tục"),
    ("order", "Thứ tự"),
    ("name", "Tên bước"),
    ("role", "Vai trò"),
    ("unit_kind", "Loại đơn vị"),
    ("agency", "Đơn vị thực hiện (mã)"),
    ("budget", "Thời gian"),
]
#: Child sheets: (sheet, columns, list key in the row).
CHILD_SHEETS = [
    (SHEET_COMPONENTS, COMPONENT_COLUMNS, "components"),
    (SHEET_FEES, FEE_COLUMNS, "fees"),
    (SHEET_STEPS, STEP_COLUMNS, "workflow"),
]
BOOLEAN_PATHS = {
    "result.paper",
    "result.electronic",
    "required",
    "reusable",
    "full_online_eligible",
    "national_portal_integrated",
    "payable_online",
    "served_at_centre",
}
LIST_PATHS = {"handling_agency_kinds", "handling_agencies"}
CHOICES_BY_PATH: dict[str, type[TextChoices]] = {
    "authority_level": AuthorityLevel,
    "online_level": OnlineLevel,
    "statutory_time.unit": TimeUnit,
    "copy_kind": CopyKind,
    "kind": FeeKind,
    "role": Role,
    "unit_kind": AgencyKind,
}


class XlsxError(Exception):
    """The file cannot be read as a catalogue workbook at all; ``errors`` says where."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors[0].message_en if errors else "invalid workbook")
        self.errors = errors


def _cell_value(path: str, row: Mapping[str, Any]) -> Any:
    value: Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if path in BOOLEAN_PATHS:
        return "Có" if value else "Không"
    if path in LIST_PATHS:
        return ", ".join(value or [])
    if path == "effective_from" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def write_xlsx(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """The catalogue as a workbook: one row per procedure, one sheet per list."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="EEF1F5")

    def sheet(title: str, columns: list[tuple[str, str]], first: bool = False) -> Any:
        ws = book.active if first else book.create_sheet(title)
        ws.title = title
        ws.append(xlsx.safe_row(ws, [header for _, header in columns]))
        for index, (path, header) in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=index)
            cell.font, cell.fill = header_font, header_fill
            width = 40 if path in {"name", "result.name", "legal_basis", "partial_reason"} else 16
            ws.column_dimensions[get_column_letter(index)].width = max(width, len(header) + 2)
            if path in CHOICES_BY_PATH or path in BOOLEAN_PATHS:
                values = ["Có", "Không"] if path in BOOLEAN_PATHS else CHOICES_BY_PATH[path].values
                check = DataValidation(
                    type="list", formula1=f'"{",".join(values)}"', allow_blank=True
                )
                ws.add_data_validation(check)
                check.add(f"{get_column_letter(index)}2:{get_column_letter(index)}{MAX_ROWS}")
        ws.freeze_panes = "B2"
        return ws

    main = sheet(SHEET_PROCEDURES, PROCEDURE_COLUMNS, first=True)
    for row in rows:
        main.append(xlsx.safe_row(main, [_cell_value(path, row) for path, _ in PROCEDURE_COLUMNS]))
    for row_cells in main.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(
                vertical="top", wrap_text=isinstance(cell.value, str) and len(cell.value) > 40
            )
        row_cells[
            PROCEDURE_COLUMNS.index(("effective_from", "Áp dụng từ ngày"))
        ].number_format = "DD/MM/YYYY"
    for title, columns, key in CHILD_SHEETS:
        ws = sheet(title, columns)
        for row in rows:
            for item in row.get(key) or []:
                ws.append(
                    xlsx.safe_row(
                        ws,
                        [
                            row["code"] if path == "code" else _cell_value(path, item)
                            for path, _ in columns
                        ],
                    )
                )

    codes = book.create_sheet(SHEET_CODES)
    codes.append(["Cột", "Mã", "Ý nghĩa"])
    for cell in codes[1]:
        cell.font, cell.fill = header_font, header_fill
    headers = dict(PROCEDURE_COLUMNS + COMPONENT_COLUMNS + FEE_COLUMNS + STEP_COLUMNS)
    for path, choices in CHOICES_BY_PATH.items():
        for code, label in choices.choices:
            codes.append(xlsx.safe_row(codes, [headers[path], code, str(label)]))
    for code, label in AgencyKind.choices:
        codes.append(xlsx.safe_row(codes, [headers["handling_agency_kinds"], code, str(label)]))
    for width, letter in ((28, "A"), (18, "B"), (44, "C")):
        codes.column_dimensions[letter].width = width

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _set(row: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        row = row.setdefault(part, {})
    row[parts[-1]] = value


def _header_map(
    sheet: str, header: Sequence[Any], columns: list[tuple[str, str]]
) -> tuple[dict[int, tuple[str, str]], list[RowError]]:
    """Column index → (path, "C · Header"), matching headers without regard to accents or case."""
    from openpyxl.utils import get_column_letter

    wanted = {}
    for path, label in columns:
        wanted[normalise(label)] = path
        wanted[normalise(path)] = path
    found: dict[int, tuple[str, str]] = {}
    for index, cell in enumerate(header):
        if cell is None:
            continue
        matched = wanted.get(normalise(str(cell)))
        if matched is not None:
            found[index] = (matched, f"{get_column_letter(index + 1)} · {str(cell).strip()}")
    missing = [
        label
        for path, label in columns
        if path in {"code", "name"} and path not in {p for p, _ in found.values()}
    ]
    errors = [
        RowError(
            sheet,
            1,
            label,
            f"Thiếu cột “{label}” ở dòng tiêu đề.",
            f"The header row lacks the column “{label}”.",
        )
        for label in missing
    ]
    return found, errors


def _check_size(sheet: str, number: int) -> None:
    """Stop reading a sheet with absurdly many rows (blank ones count: they cost time too)."""
    if number > MAX_SHEET_ROWS:
        raise XlsxError(
            [
                RowError(
                    sheet,
                    number,
                    "",
                    f"Trang tính có quá {MAX_SHEET_ROWS} dòng.",
                    f"The sheet has more than {MAX_SHEET_ROWS} rows.",
                )
            ]
        )


def _blank(values: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def read_xlsx(content: bytes) -> list[dict[str, Any]]:
    """Rows in the exchange format from a workbook made by :func:`write_xlsx` (or by hand).

    Each row carries ``_origin``: for every path, the sheet, row and column it came from.
    Raises :class:`XlsxError` when the workbook's structure is wrong (not a workbook, no
    "Thủ tục" sheet, a missing header, a list row for an unknown procedure code).
    """
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise XlsxError(
            [
                RowError(
                    "",
                    None,
                    "",
                    "Tệp không phải là bảng tính XLSX hợp lệ.",
                    f"The file is not a valid XLSX workbook ({type(error).__name__}).",
                )
            ]
        ) from error
    try:
        return _read_book(book)
    finally:
        book.close()


def _read_book(book: Any) -> list[dict[str, Any]]:
    if SHEET_PROCEDURES not in book.sheetnames:
        raise XlsxError(
            [
                RowError(
                    SHEET_PROCEDURES,
                    None,
                    "",
                    f"Không có trang tính “{SHEET_PROCEDURES}”.",
                    f"The workbook has no sheet “{SHEET_PROCEDURES}”.",
                )
            ]
        )
    errors: list[RowError] = []
    rows: list[dict[str, Any]] = []
    by_code: dict[str, dict[str, Any]] = {}
    sheet_rows = book[SHEET_PROCEDURES].iter_rows(values_only=True)
    columns, header_errors = _header_map(SHEET_PROCEDURES, next(sheet_rows, ()), PROCEDURE_COLUMNS)
    errors += header_errors
    for number, values in enumerate(sheet_rows, start=2):
        _check_size(SHEET_PROCEDURES, number)
        if _blank(values):
            continue
        row: dict[str, Any] = {ORIGIN_KEY: {"": (SHEET_PROCEDURES, number, "")}}
        for index, value in enumerate(values):
            if index in columns:
                path, label = columns[index]
                _set(row, path, value.strip() if isinstance(value, str) else value)
                row[ORIGIN_KEY][path] = (SHEET_PROCEDURES, number, label)
        value = (
            row.get("statutory_time", {}).get("unit")
            if isinstance(row.get("statutory_time"), dict)
            else None
        )
        if isinstance(row.get("promised_time"), dict) and value is not None:
            row["promised_time"]["unit"] = value  # one unit column serves both times
        code = str(row.get("code") or "").strip()
        row["code"] = code
        by_code.setdefault(code, row)
        rows.append(row)
    for title, child_columns, key in CHILD_SHEETS:
        if title not in book.sheetnames:
            continue
        child_rows = book[title].iter_rows(values_only=True)
        child_map, header_errors = _header_map(title, next(child_rows, ()), child_columns)
        errors += header_errors
        code_column = next((i for i, (p, _) in child_map.items() if p == "code"), None)
        for number, values in enumerate(child_rows, start=2):
            _check_size(title, number)
            if _blank(values) or code_column is None:
                continue
            code = str(values[code_column] or "").strip() if code_column < len(values) else ""
            parent = by_code.get(code)
            if parent is None:
                label = child_map[code_column][1]
                errors.append(
                    RowError(
                        title,
                        number,
                        label,
                        f"Mã thủ tục “{code}” không có trong trang “{SHEET_PROCEDURES}”.",
                        f"Procedure code “{code}” is not on the sheet “{SHEET_PROCEDURES}”.",
                    )
                )
                continue
            items = parent.setdefault(key, [])
            item: dict[str, Any] = {}
            position = f"{key}[{len(items)}]"
            parent[ORIGIN_KEY][position] = (title, number, "")
            for index, value in enumerate(values):
                if index in child_map and child_map[index][0] != "code":
                    path, label = child_map[index]
                    item[path] = value.strip() if isinstance(value, str) else value
                    parent[ORIGIN_KEY][f"{position}.{path}"] = (title, number, label)
            items.append(item)
    if errors:
        raise XlsxError(errors)
    return rows


# -- naming places for people ----------------------------------------------------------------

SECTION_LABELS = {"procedures": SHEET_PROCEDURES, "previous_versions": "Phiên bản trước"}
_LIST_LABELS = {
    "components": (SHEET_COMPONENTS, dict(COMPONENT_COLUMNS)),
    "fees": (SHEET_FEES, dict(FEE_COLUMNS)),
    "workflow": (SHEET_STEPS, dict(STEP_COLUMNS)),
}
_HEADERS = {**dict(PROCEDURE_COLUMNS), "promised_time.unit": "Đơn vị thời hạn cam kết"}


def column_label(path: str) -> str:
    """The Vietnamese name of a JSON path: ``workflow[1].budget`` → ``Quy trình, dòng 2 ·
    Thời gian``; empty when there is none (spreadsheet columns are already named)."""
    if path in _HEADERS:
        return _HEADERS[path]
    match = re.fullmatch(r"(\w+)(?:\[(\d+)\](?:\.(\w+))?)?", path)
    if match is None:
        return ""
    root, index, attr = match[1], match[2], match[3]
    if root in _LIST_LABELS:
        title, headers = _LIST_LABELS[root]
        if index is None:
            return title
        return f"{title}, dòng {int(index) + 1}" + (
            f" · {headers[attr]}" if attr in headers else ""
        )
    if root in _HEADERS and index is not None:
        return f"{_HEADERS[root]}, mục {int(index) + 1}"
    return ""
