"""A :class:`~caicach.metrics.documents.model.Document` as a Word file (python-docx), in the
layout of Decree 30/2020/NĐ-CP, Appendix I (metrics-notes, "Official documents"):

* A4; margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; Times New Roman 14 pt body,
  single line spacing with 6 pt after paragraphs;
* the header: a borderless two-column table, on the left the governing body (13 pt, upper
  case), the issuing agency in bold with a short rule under it, then "Số: …/BC-…"; on the right
  "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (bold, 13 pt) and "Độc lập - Tự do - Hạnh phúc" (bold,
  14 pt, with its rule), the place and date in italics;
* the title "BÁO CÁO" in bold capitals, its subject in bold; sections I., 1., a);
* the tables (12 pt figures), the charts as PNG (:mod:`chart_png`);
* "Nơi nhận:" bold italic 12 pt, the recipients 11 pt, bottom left; the signature block on the
  right (authority, position in bold, "(Ký, ghi rõ họ tên, đóng dấu)", space, the name);
* page numbers from page 2, centred in the header (a different first page).

The fonts are named "Times New Roman" (Word substitutes the Times-metric Liberation Serif where
Times is missing, as LibreOffice does).
"""

from __future__ import annotations

import io
from typing import Any

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from caicach.metrics.documents.chart_png import chart_png
from caicach.metrics.documents.model import ChartBlock, Document, Paragraph, Section, Table

__all__ = ["BODY_PT", "FONT", "render_docx"]

FONT = "Times New Roman"
BODY_PT = 14
_ALIGN = {
    "l": WD_ALIGN_PARAGRAPH.LEFT,
    "c": WD_ALIGN_PARAGRAPH.CENTER,
    "r": WD_ALIGN_PARAGRAPH.RIGHT,
}
_TEXT_WIDTH_MM = 210 - 30 - 15


def _fonts(run_or_style: Any, size: float | None = None, *, bold: bool | None = None,
           italic: bool | None = None) -> None:  # fmt: skip
    font = run_or_style.font
    font.name = FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _para(container: Any, text: str = "", *, size: float = BODY_PT, bold: bool = False,
          italic: bool = False, align: str = "j", after: float = 6, before: float = 0,
          indent: bool = False) -> Any:  # fmt: skip
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_after, fmt.space_before = Pt(after), Pt(before)
    fmt.line_spacing = 1.0
    p.alignment = {"j": WD_ALIGN_PARAGRAPH.JUSTIFY, **_ALIGN}[align]
    if indent:
        fmt.first_line_indent = Cm(1)
    if text:
        _fonts(p.add_run(text), size, bold=bold, italic=italic)
    return p


def _rule(paragraph: Any, width_pct: int) -> None:
    """A short centred rule under a line (Decree 30/2020: the line under the agency's name and
    under the motto), drawn as the paragraph's bottom border, indented to the wanted width."""
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)
    side = Mm(_TEXT_WIDTH_MM * (100 - width_pct) / 400)
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side


def _no_borders(table: Any) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)


def _cell_text(cell: Any, text: str, *, size: float, bold: bool = False, italic: bool = False,
               align: str = "c", after: float = 0) -> Any:  # fmt: skip
    p = cell.paragraphs[0] if not cell.paragraphs[0].text and len(cell.paragraphs) == 1 and \
        not cell.paragraphs[0].runs else cell.add_paragraph()  # fmt: skip
    p.alignment = _ALIGN[align]
    p.paragraph_format.space_after = Pt(after)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    _fonts(p.add_run(text), size, bold=bold, italic=italic)
    return p


def _header_block(doc: Any, d: Document) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Mm(70), Mm(95)
    if d.issuer_parent:
        _cell_text(left, d.issuer_parent, size=13)
    _rule(_cell_text(left, d.issuer, size=13, bold=True, after=4), 40)
    _cell_text(left, d.number_line, size=13, after=0).paragraph_format.space_before = Pt(4)
    _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True)
    _rule(_cell_text(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True, after=4), 62)
    _cell_text(right, d.place_date, size=14, italic=True).paragraph_format.space_before = Pt(4)


def _table(doc: Any, t: Table) -> None:
    _para(doc, t.caption, size=13, bold=True, align="c", after=3, before=3)
    table = doc.add_table(rows=1 + len(t.rows), cols=len(t.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total_w = sum(t.widths)
    widths = [Mm(_TEXT_WIDTH_MM * w / total_w) for w in t.widths]
    many = len(t.header) > 7
    size = 11 if many else 12
    for i, text in enumerate(t.header):
        cell = table.rows[0].cells[i]
        cell.width = widths[i]
        _cell_text(cell, text, size=size, bold=True, align="c")
    _repeat_header(table.rows[0])
    last = len(t.rows) - 1
    for r, row in enumerate(t.rows):
        for i, text in enumerate(row):
            cell = table.rows[r + 1].cells[i]
            cell.width = widths[i]
            _cell_text(cell, text, size=size, bold=t.total and r == last, align=t.alignment(i))
    if t.note:
        _para(doc, t.note, size=12, italic=True, after=6, before=2)
    else:
        _para(doc, "", after=2)


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _chart(doc: Any, c: ChartBlock) -> None:
    p = _para(doc, align="c", after=2)
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(chart_png(c.chart)), width=Mm(_TEXT_WIDTH_MM - 5))
    _para(doc, f"Biểu đồ: {c.caption}", size=12, italic=True, align="c", after=6)


def _section(doc: Any, s: Section) -> None:
    label = f"{s.number}. {s.title}" if s.level < 3 else f"{s.number}) {s.title}"
    _para(doc, label, bold=True, after=6, before=6 if s.level == 1 else 0, indent=s.level > 1)
    for block in s.blocks:
        if isinstance(block, Paragraph):
            p = _para(doc, indent=True)
            if block.bold_lead:
                _fonts(p.add_run(block.bold_lead), BODY_PT, bold=True)
            _fonts(p.add_run(block.text), BODY_PT, italic=block.italic)
        elif isinstance(block, Table):
            _table(doc, block)
        else:
            _chart(doc, block)


def _closing(doc: Any, d: Document) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(85), Mm(80)
    _cell_text(left, "Nơi nhận:", size=12, bold=True, italic=True, align="l")
    for line in d.recipients:
        _cell_text(left, f"- {line}", size=11, align="l")
    if d.sign_authority:
        _cell_text(right, d.sign_authority, size=14, bold=True)
    _cell_text(right, d.sign_position, size=14, bold=True)
    _cell_text(right, "(Ký, ghi rõ họ tên, đóng dấu)", size=14, italic=True, after=60)
    _cell_text(right, d.signer or " ", size=14, bold=True)
    table.rows[0]._tr.get_or_add_trPr().append(_cant_split())


def _cant_split() -> Any:
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    return el


def _page_numbers(section: Any) -> None:
    """Page numbers from page 2, centred at the top (Decree 30/2020 Appendix I): a PAGE field
    in the header, a different (empty) header on the first page."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _fonts(run, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def render_docx(d: Document) -> bytes:
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_PT)
    props = doc.core_properties
    props.title = f"{d.title} {d.subject}"
    props.author = d.issuer
    props.language = "vi-VN"
    _header_block(doc, d)
    _para(doc, d.title, bold=True, align="c", after=0, before=12)
    _para(doc, d.subject, bold=True, align="c", after=0)
    _rule(_para(doc, "", align="c", after=12, size=6), 30)
    _para(doc, d.intro, indent=True)
    for s in d.sections:
        _section(doc, s)
    _closing(doc, d)
    _page_numbers(section)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
