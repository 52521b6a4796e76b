"""A :class:`~caicach.metrics.documents.model.Document` as PDF: WeasyPrint from the template
``metrics/documents/report.html``, in the layout of Decree 30/2020/NĐ-CP, Appendix I (the same
parts as :mod:`docx_writer`: A4, margins 20/20/30/15 mm, Times-metric Liberation Serif 14 pt
shipped with the project, header block, numbered sections, recipients, signature, page numbers
from page 2 centred at the top). The charts are the SVG of :mod:`caicach.metrics.charts`,
embedded as is.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from caicach.dossiers.documents import FONT_DIR, FONT_FAMILY, font_faces
from caicach.metrics.charts import LineChart, bar_svg, line_svg
from caicach.metrics.documents.model import ChartBlock, Document, Paragraph, Table

__all__ = ["render_pdf", "report_html"]


def _block(block: Paragraph | Table | ChartBlock) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"kind": "p", "p": block}
    if isinstance(block, Table):
        total = sum(block.widths)
        return {
            "kind": "table",
            "t": block,
            "cols": [f"{100 * w / total:.2f}%" for w in block.widths],
            "head": list(zip(block.header, range(len(block.header)), strict=True)),
            "rows": [
                [(text, block.alignment(i)) for i, text in enumerate(row)] for row in block.rows
            ],
            "small": len(block.header) > 7,
        }
    svg = line_svg(block.chart) if isinstance(block.chart, LineChart) else bar_svg(block.chart)
    # The shipped face first: WeasyPrint draws SVG text with the document's @font-face rules.
    svg = svg.replace(
        "font-family=\"'Times New Roman'", f"font-family=\"'{FONT_FAMILY}', 'Times New Roman'", 1
    )
    return {
        "kind": "chart",
        "caption": block.caption,
        "svg": mark_safe(svg),
    }  # our own SVG, its text escaped


def report_html(d: Document) -> str:
    sections = [{"s": s, "blocks": [_block(b) for b in s.blocks]} for s in d.sections]
    context = {
        "d": d,
        "sections": sections,
        "font_faces": font_faces(),
        "font_family": FONT_FAMILY,
    }
    return str(render_to_string("metrics/documents/report.html", context))


def render_pdf(d: Document) -> bytes:
    from weasyprint import HTML

    html = HTML(string=report_html(d), base_url=FONT_DIR.as_uri() + "/")
    return bytes(html.write_pdf())
