"""An official report as data (Decree 30/2020/NĐ-CP, Appendix I): the parts of the layout and
the numbered sections with their paragraphs, tables and charts. Built once by
:mod:`caicach.metrics.documents.content`, written by the DOCX and the PDF writers, so the two files
carry the same figures. Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from caicach.metrics.charts import BarChart, LineChart

__all__ = ["Block", "ChartBlock", "Document", "Paragraph", "Section", "Table"]


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold_lead: str = ""  # a bold run before the text (e.g. "Tổng điểm: ")
    italic: bool = False


@dataclass(frozen=True)
class Table:
    """A table of figures: one header row, body rows, an optional bold total row last."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative column widths
    align: str = ""  # one letter per column: l, c, r (default: first l, others r)
    total: bool = False  # the last row is a total (bold)
    note: str = ""

    def alignment(self, i: int) -> str:
        if i < len(self.align):
            return self.align[i]
        return "l" if i == 0 else "r"


@dataclass(frozen=True)
class ChartBlock:
    """A chart with its caption; the writers draw it as SVG (PDF) or PNG (Word), and the
    numbers are always in a table near it (issue 14: a table under every chart)."""

    caption: str
    chart: LineChart | BarChart


Block = Paragraph | Table | ChartBlock


@dataclass(frozen=True)
class Section:
    """A numbered heading: level 1 ``I.``, level 2 ``1.``, level 3 ``a)`` (Decree 30/2020
    Appendix I: parts in Roman numerals, sections in Arabic numerals, points in letters)."""

    number: str
    title: str
    level: int
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Document:
    kind: str  # "766" or "one_stop"
    issuer_parent: str  # the governing body, first line (empty for the province)
    issuer: str  # the issuing agency, bold
    symbol: str  # "BC-UBND": after the number in "Số: …/BC-UBND"
    place_date: str  # "Quảng Trị, ngày 05 tháng 12 năm 2026"
    title: str  # "BÁO CÁO"
    subject: str
    intro: str
    sections: tuple[Section, ...]
    recipients: tuple[str, ...]
    sign_authority: str  # "TM. ỦY BAN NHÂN DÂN" or ""
    sign_position: str  # "CHỦ TỊCH", "GIÁM ĐỐC"
    signer: str  # the name, or "" (written by hand)
    filename: str  # without extension
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def number_line(self) -> str:
        """The number is given by the clerical office when the report is issued (Decree
        30/2020 art. 15): left blank, the symbol printed."""
        return f"Số:        /{self.symbol}"

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def charts(self) -> list[ChartBlock]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, ChartBlock)]
