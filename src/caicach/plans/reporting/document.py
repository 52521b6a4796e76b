"""A periodic report as an official document (Decree 30/2020/NĐ-CP, Appendix I), built as the
data of ``metrics.documents.model`` and written by its DOCX and PDF writers, so both files carry
the same text and figures (issue 15: "Word (official Decree 30/2020 layout) and PDF export").

* :func:`report_document` — one agency's report from a submitted version (the figures as they
  were submitted) or, for a draft, from what it would submit now;
* :func:`consolidated_document` — the province's report of one duty and period combining the
  APPROVED reports: the figures tabulated per agency and summed (numerators and denominators),
  the targets' statuses counted per agency, then each agency's narrative per reform domain.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation

from caicach.agencies.models import Agency
from caicach.metrics.documents.common import ROMAN, d, header, n, span
from caicach.metrics.documents.model import Document, Paragraph, Section, Table
from caicach.metrics.periods import Period
from caicach.plans.models import DomainCode

__all__ = ["STATUS_VI", "consolidated_document", "report_document"]

STATUS_VI = {
    "achieved": "Đã đạt",
    "on_track": "Đúng tiến độ",
    "at_risk": "Có nguy cơ",
    "off_track": "Chậm tiến độ",
    "no_data": "Chưa có số liệu",
}
UNIT_VI = {
    "working_days": "ngày làm việc",
    "per_dossier": "lần/hồ sơ",
    "count": "",
    "rank": "hạng",
    "tier": "nhóm",
}
COMPARISON_VI = {">=": "≥", "<=": "≤", "=": "=", "rank<=": "hạng ≤"}


def _num(text: str | None) -> Decimal | None:
    if text in (None, ""):
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def _unit(code: str) -> str:
    return UNIT_VI.get(code, code)


def _subject(text: str) -> str:
    """The subject under the title "BÁO CÁO", without a leading "Báo cáo" the duty may repeat."""
    if text[:8].lower() == "báo cáo ":
        text = text[8:]
    return text[:1].upper() + text[1:]


def _paragraphs(text: str) -> tuple[Paragraph, ...]:
    return tuple(Paragraph(p.strip()) for p in text.split("\n") if p.strip())


def _label(code: DomainCode) -> str:
    """The domain's name in Vietnamese (the document's language, whatever the page's)."""
    with translation.override("vi"):
        return str(code.label)


def _domains(narrative: dict[str, str]) -> list[tuple[str, str]]:
    return [(_label(c), narrative[c.value]) for c in DomainCode if narrative.get(c.value)]


def _figures_table(content: dict[str, Any]) -> Table:
    rows = []
    for i, f in enumerate(content["figures"], 1):
        value = _num(f.get("value"))
        shown = d(value) if value is not None else "Không có dữ liệu"
        rows.append((str(i), f["name_vi"], _unit(f["unit"]), shown))
    return Table(
        caption="Bảng 1. Số liệu của kỳ báo cáo (tự động từ hệ thống)",
        header=("STT", "Chỉ số", "Đơn vị", "Giá trị"),
        rows=tuple(rows),
        widths=(1, 9, 2, 3),
        align="clcr",
        note=f"Phiên bản công thức: {content.get('formula_version', '')}.",
    )


def _targets_table(content: dict[str, Any]) -> Table:
    rows = []
    for i, t in enumerate(content["targets"], 1):
        threshold = t["threshold"] if t["threshold"] is not None else "—"
        rule = (
            f"{COMPARISON_VI.get(t['comparison'], t['comparison'])} {threshold} {_unit(t['unit'])}"
        )
        rows.append((str(i), t["label_vi"], rule, t["due"][:4], STATUS_VI.get(t["status"], "")))
    return Table(
        caption="Bảng 2. Tình hình thực hiện chỉ tiêu kế hoạch",
        header=("STT", "Chỉ tiêu", "Mục tiêu", "Năm", "Tình trạng"),
        rows=tuple(rows),
        widths=(1, 8, 3, 1.5, 3),
        align="cllcl",
    )


def report_document(
    agency: Agency, period: Period, content: dict[str, Any], version: int | None
) -> Document:
    sections = [
        Section(ROMAN[0], "KẾT QUẢ THỰC HIỆN THEO LĨNH VỰC", 1),
        *[
            Section(str(i), title, 2, _paragraphs(text))
            for i, (title, text) in enumerate(_domains(content["narrative"]), 1)
        ],
        Section(ROMAN[1], "SỐ LIỆU VÀ CHỈ TIÊU", 1, (_figures_table(content),)),
    ]
    if content["targets"]:
        sections.append(Section(ROMAN[2], "CHỈ TIÊU KẾ HOẠCH", 1, (_targets_table(content),)))
    if content["evidence"]:
        parts = sum(1 for s in sections if s.level == 1)
        sections.append(
            Section(
                ROMAN[parts],
                "TÀI LIỆU KÈM THEO",
                1,
                tuple(Paragraph(f"- {name}") for name in content["evidence"]),
            )
        )
    subject = _subject(content["subject"])
    intro = (
        f"{agency.name} báo cáo {subject[:1].lower()}{subject[1:]}, "
        f"kỳ {period.label} ({span(period)}), như sau:"
    )
    doc = header(agency, "plan_report", period, f"{subject} — kỳ {period.label}", intro, sections)
    suffix = f"-v{version}" if version else "-du-thao"
    return dataclasses.replace(doc, filename=f"bao-cao-cchc-{agency.code}-{period.label}{suffix}")


def consolidated_document(
    province: Agency, period: Period, subject: str, items: list[tuple[Agency, dict[str, Any]]]
) -> Document:
    """``items``: (agency, content of its approved version), in tree order."""
    codes: list[tuple[str, str, str]] = []
    sums: dict[str, list[Decimal]] = {}
    for _agency, content in items:
        for f in content["figures"]:
            if f["code"] not in sums:
                codes.append((f["code"], f["name_vi"], f["unit"]))
                sums[f["code"]] = [Decimal(0), Decimal(0)]
            num, den = _num(f.get("numerator")), _num(f.get("denominator"))
            if num is not None and den is not None:
                sums[f["code"]][0] += num
                sums[f["code"]][1] += den
    sum_rows = tuple(
        (str(i), name, _unit(unit), n(sums[c][0]), n(sums[c][1]))
        for i, (c, name, unit) in enumerate(codes, 1)
    )
    status_rows = []
    for i, (agency, content) in enumerate(items, 1):
        counts = Counter(t["status"] for t in content["targets"])
        status_rows.append((str(i), agency.name, *(str(counts.get(s, 0)) for s in STATUS_VI)))
    tables = (
        Table(
            caption="Bảng 1. Tổng hợp số liệu của các cơ quan (cộng tử số, mẫu số)",
            header=("STT", "Chỉ số", "Đơn vị", "Tổng tử số", "Tổng mẫu số"),
            rows=sum_rows,
            widths=(1, 8, 2, 2.5, 2.5),
            align="clcrr",
            note=f"Tổng hợp từ {len(items)} báo cáo đã được duyệt.",
        ),
        Table(
            caption="Bảng 2. Tình trạng chỉ tiêu theo cơ quan",
            header=("STT", "Cơ quan", *STATUS_VI.values()),
            rows=tuple(status_rows),
            widths=(1, 6, 2, 2, 2, 2, 2),
            align="clrrrrr",
        ),
    )
    narrative_sections: list[Section] = []
    for code in DomainCode:
        blocks = tuple(
            Paragraph(text.replace("\n", " "), bold_lead=f"{agency.name}: ")
            for agency, content in items
            if (text := content["narrative"].get(code.value, ""))
        )
        if blocks:
            number = str(len(narrative_sections) + 1)
            narrative_sections.append(Section(number, _label(code), 2, blocks))
    sections = [
        Section(ROMAN[0], "TỔNG HỢP SỐ LIỆU", 1, tables),
        Section(ROMAN[1], "KẾT QUẢ THỰC HIỆN THEO LĨNH VỰC", 1),
        *narrative_sections,
    ]
    intro = (
        f"Trên cơ sở báo cáo đã được duyệt của {len(items)} cơ quan, {province.name} tổng hợp "
        f"báo cáo kỳ {period.label} ({span(period)}) như sau:"
    )
    title = f"{_subject(subject)} — kỳ {period.label}"
    doc = header(province, "plan_consolidated", period, title, intro, sections)
    return dataclasses.replace(doc, filename=f"bao-cao-tong-hop-{province.code}-{period.label}")
