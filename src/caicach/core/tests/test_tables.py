"""Tables downloaded as CSV and XLSX read back as shown, with no formula (issue 14, "Exports")."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from caicach.core import tables

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TABLE = tables.Table(
    "Tỷ lệ đúng hạn: tháng 11/2026",
    ["Cơ quan", "Tỷ lệ (%)", "Ngày", "Lúc"],
    [
        [
            "Sở Tư pháp",
            Decimal("97.50"),
            date(2026, 11, 30),
            datetime(2026, 11, 30, 8, 5, tzinfo=HCM),
        ],
        ['=HYPERLINK("http://x","y")', None, None, None],
    ],
)


def test_csv_keeps_text_and_neutralises_formulas():
    body = tables.to_csv(TABLE)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Cơ quan", "Tỷ lệ (%)", "Ngày", "Lúc"]
    assert rows[1] == ["Sở Tư pháp", "97.50", "30/11/2026", "30/11/2026 08:05"]
    assert rows[2] == ['\'=HYPERLINK("http://x","y")', "", "", ""]


def test_xlsx_title_header_values_and_no_formula():
    book = load_workbook(io.BytesIO(tables.to_xlsx(TABLE)))
    sheet = book.active
    assert sheet["A1"].value == TABLE.title
    assert [c.value for c in sheet[2]] == list(TABLE.columns)
    assert sheet["B3"].value == pytest.approx(97.5)
    assert sheet["C3"].value == datetime(2026, 11, 30, tzinfo=HCM).replace(tzinfo=None)
    assert sheet["D3"].value == datetime(2026, 11, 30, 8, 5, tzinfo=HCM).replace(tzinfo=None)
    assert sheet["A4"].data_type == "s" and sheet["A4"].quotePrefix
    assert ":" not in sheet.title and "/" not in sheet.title


def test_download_names_the_file_and_refuses_other_formats():
    response = tables.download(TABLE, "xlsx", "dung-han")
    assert response["Content-Disposition"] == 'attachment; filename="dung-han.xlsx"'
    assert response["Content-Type"] == tables.XLSX_TYPE
    with pytest.raises(ValueError):
        tables.download(TABLE, "pdf", "x")
