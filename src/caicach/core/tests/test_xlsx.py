"""No exported cell runs as a formula (issue 17 item 6: formula injection)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from caicach.core import xlsx


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ('=HYPERLINK("http://evil.example","Bấm vào đây")', True),
        ("+84912345678", True),
        ("-2+3", True),
        ("@SUM(A1:A2)", True),
        ("\t=1+1", True),
        ("\r=1+1", True),
        ("Nguyễn Văn An", False),
        ("a=b", False),
        (" =1", False),
        ("", False),
        (12, False),
        (None, False),
    ],
)
def test_formula_like_text(text, formula):
    assert xlsx.formula_like(text) is formula


def sheet_xml(content: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return "".join(
        archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")
    )


def write(values: list[object], *, write_only: bool) -> bytes:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("s") if write_only else book.active
    sheet.append(xlsx.safe_row(sheet, values))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


texts = st.text(st.characters(codec="utf-8"), max_size=40).filter(
    lambda t: not ILLEGAL_CHARACTERS_RE.search(t)
)


@given(text=texts, write_only=st.booleans())
@example(text='=HYPERLINK("http://evil.example","x")', write_only=True)
@example(text="=1+1", write_only=False)
@example(text="@cmd", write_only=True)
@example(text="\r", write_only=False)
def test_any_text_is_written_as_text_and_read_back_unchanged(text, write_only):
    content = write([text, 7], write_only=write_only)
    assert not re.search(r"<f[ >]", sheet_xml(content))
    cells = next(iter(load_workbook(io.BytesIO(content)).worksheets[-1].iter_rows()))
    # XML 1.0 (section 2.11) reads a raw CR and CR LF as LF; written through lxml (installed with
    # python-docx) a CR is escaped as &#13; and comes back as written. Either way nothing else
    # changes.
    as_xml_reads_it = text.replace("\r\n", "\n").replace("\r", "\n")
    assert cells[0].value in {text or None, as_xml_reads_it or None}
    assert cells[0].data_type == "s" or text == ""
    assert cells[1].value == 7
    if xlsx.formula_like(text):
        assert cells[0].quotePrefix  # stays text when edited in a spreadsheet
