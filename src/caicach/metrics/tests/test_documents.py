# ruff: noqa: F811 - `july` is the fixture imported from test_kpis
"""The monthly 766 report and the quarterly one-stop report (issue 14, "Exports"): the figures
in the Word and PDF files equal ``caicach kpi`` (``metrics.report``, ``metrics.compute.kpi``)
and ``index766`` for the same agency and period; the layout of Decree 30/2020/NĐ-CP, Appendix I
(motto, number line, Times New Roman 13-14 pt, A4 and margins, page numbers from page 2); the
page (scope, bad input, background job, audit).

``CAICACH_REPORT_PNG=/some/folder`` writes every PDF page as PNG there, to look at them."""

from __future__ import annotations

import io
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from django.urls import reverse
from docx.shared import Mm, Pt
from hypothesis import given, settings
from hypothesis import strategies as st
from procrastinate.contrib.django.models import ProcrastinateJob

from caicach.core.audit import Actor
from caicach.core.models import AuditEntry
from caicach.metrics import compute, index766_reads
from caicach.metrics.documents import content, jobs
from caicach.metrics.documents.docx_writer import render_docx
from caicach.metrics.documents.pdf_writer import render_pdf
from caicach.metrics.models import ReportFile, ReportFileStatus
from caicach.metrics.periods import parse_period
from caicach.metrics.report import report
from caicach.metrics.tests.test_kpis import july  # noqa: F401 - the fixture

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SLOGAN = "Độc lập - Tự do - Hạnh phúc"


def pdf_pages(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    return [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(data)]


def top_margin_texts(data: bytes) -> list[str]:
    """The text of each page's top margin (the 20 mm above the body), where the page number is."""
    import pypdfium2 as pdfium

    out = []
    for page in pdfium.PdfDocument(data):
        width, height = page.get_size()
        margin = 20 / 25.4 * 72
        out.append(page.get_textpage().get_text_bounded(0, height - margin, width, height).strip())
    return out


def save_pngs(data: bytes, stem: str) -> None:
    folder = os.environ.get("CAICACH_REPORT_PNG")
    if not folder:
        return
    import pypdfium2 as pdfium

    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / f"{stem}.pdf").write_bytes(data)
    for i, page in enumerate(pdfium.PdfDocument(data), start=1):
        page.render(scale=1.4).to_pil().save(Path(folder) / f"{stem}-p{i}.png")


def docx_tables(data: bytes) -> list[list[list[str]]]:
    doc = docx.Document(io.BytesIO(data))
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def table(tables: list[list[list[str]]], first_header: str) -> list[list[str]]:
    return next(t for t in tables if t[0][0] == first_header or t[0][1:2] == [first_header])


def _num(x: Any) -> str:
    return content.n(Decimal(x))


def test_vietnamese_number_format():
    assert content.n(1234567) == "1.234.567"
    assert content.d(Decimal("1234.5")) == "1.234,50"
    assert content.d(Decimal("-0.456")) == "-0,46"
    assert content.signed(Decimal(3)) == "+3,00"
    assert content.d(None) == "—"


def test_the_monthly_766_report_of_the_province(tree, july):
    period = parse_period("2025-07")
    doc = content.build("766", tree.province, period)
    res = index766_reads.index_for(tree.province, period)
    data = render_docx(doc)
    tables = docx_tables(data)
    header = " ".join(tables[0][0])
    assert MOTTO in header and SLOGAN in header
    assert "Số:" in header and "/BC-UBND" in header and "UBND TỈNH THỬ" in header
    groups = table(tables, "Nhóm chỉ số")
    assert groups[-1][4] == content.d(res.total) and groups[-1][3] == content.d(res.max_counted)
    for g, row in zip(res.groups, groups[1:-1], strict=True):
        assert row[1] == g.group.name_vi and row[2] == str(g.group.pmax)
    subs = table(tables, "Mã")
    on_time = next(r for r in subs if r[0] == "2.1")
    fig = compute.kpi("on_time_766", tree.province, period)
    assert on_time[2] == f"{fig.numerator}/{fig.denominator}"  # 1/2: D2 is late by 766 §1.3
    assert on_time[3] == content.d(fig.value) + "%" and on_time[5] == "10,00"
    # The subordinate agencies with their own index.
    children = table(tables, "Cơ quan, đơn vị")
    dept_a = index766_reads.index_for(tree.dept_a, period)
    assert children[1][1] == "Sở Tư pháp" and children[1][2] == content.d(dept_a.total)
    # What would raise the lowest ones: 2.1 needs one more dossier on time for its 20 points.
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "Chỉ tiêu 2.1" in text and "Nếu thêm 1 hồ sơ được giải quyết trước hạn" in text
    assert "được 20,00 điểm (tăng 10,00 điểm)" in text
    assert "Nơi nhận:" in " ".join(tables[-1][0])


def test_the_docx_layout_of_decree_30(tree, july):
    data = render_docx(content.build("766", tree.dept_a, parse_period("2025-07")))
    doc = docx.Document(io.BytesIO(data))
    section = doc.sections[0]
    for got, want in ((section.page_width, 210), (section.page_height, 297),
                      (section.top_margin, 20), (section.bottom_margin, 20),
                      (section.left_margin, 30), (section.right_margin, 15)):  # fmt: skip
        assert abs(got - Mm(want)) < Mm(0.1)
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert doc.styles["Normal"].font.size == Pt(14)
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for t in doc.tables for c in t._cells for p in c.paragraphs for r in p.runs]
    assert {r.font.name for r in runs} == {"Times New Roman"}
    assert all(Pt(11) <= r.font.size <= Pt(14) for r in runs if r.font.size)
    motto = next(r for r in runs if r.text == MOTTO)
    assert motto.font.bold and motto.font.size == Pt(13)
    title = next(p for p in doc.paragraphs if p.text == "BÁO CÁO")
    assert title.runs[0].font.bold
    # Page numbers from page 2: a PAGE field in the header, none on the first page.
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml
    # The header block of a department: its parent on the first line, the number and symbol.
    header = [c for c in doc.tables[0].rows[0].cells[0].paragraphs]
    assert header[0].text == "UBND TỈNH THỬ" and header[1].text == "SỞ TƯ PHÁP"
    assert header[1].runs[0].font.bold and header[2].text.endswith("/BC-STP")
    place = doc.tables[0].rows[0].cells[1].paragraphs[2]
    assert ", ngày " in place.text and place.runs[0].font.italic
    # The 12-month chart went in as a picture.
    assert len(doc.inline_shapes) >= 1


def test_the_pdf_has_the_motto_on_page_one_and_numbers_from_page_two(tree, july):
    pdf = render_pdf(content.build("766", tree.province, parse_period("2025-07")))
    save_pngs(pdf, "766-province-2025-07")
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    assert MOTTO in pages[0] and SLOGAN in pages[0] and "/BC-UBND" in pages[0]
    tops = top_margin_texts(pdf)
    assert tops == ["", *(str(i) for i in range(2, len(pages) + 1))]  # centred numbers from 2
    assert "Nơi nhận:" in pages[-1] and "(Ký, ghi rõ họ tên, đóng dấu)" in pages[-1]


def test_every_number_of_the_quarterly_report_is_the_kpi(tree, july):
    period = parse_period("2025-Q3")
    doc = content.build("one_stop", tree.province, period)
    data = render_docx(doc)
    tables = docx_tables(data)
    kpis = {row["code"]: row for row in report(tree.province, period)["kpis"]}  # `caicach kpi`
    received = table(tables, "Kỳ trước chuyển sang")[1]
    channels = compute.kpi("online_share", tree.province, period, by="channel")
    assert received[1] == _num(kpis["online_share"]["denominator"]) == "4"
    assert received[2] == _num(channels["online"].denominator) == "1"
    assert received[3] == _num(channels["counter"].denominator) == "3"
    assert received[0] == "—"  # no end-of-June snapshot: no data, not 0
    settled = table(tables, "Đã giải quyết")[1]
    legal = kpis["on_time_legal"]
    assert settled[0] == _num(legal["denominator"]) and settled[1] == _num(legal["numerator"])
    assert settled[2] == _num(kpis["early"]["numerator"])
    assert settled[3] == _num(Decimal(legal["denominator"]) - Decimal(legal["numerator"]))
    assert settled[4] == content.d(Decimal(legal["value"]))
    other = {r[0]: r for r in table(tables, "Chỉ tiêu")[1:]}
    for code, label in content.OTHER_ROWS:
        row, k = other[label], kpis[code]
        if code != "avg_processing_days":
            assert row[1] == _num(k["numerator"]), code
        assert row[2] == _num(k["denominator"]), code
        shown = "Không có dữ liệu" if k["value"] is None else content.d(Decimal(k["value"]))
        assert row[3].rstrip("%") == shown, code
    by_agency = table(tables, "Cơ quan, đơn vị")
    dept_a = {r["code"]: r for r in report(tree.dept_a, period)["kpis"]}
    row = next(r for r in by_agency if r[0] == "Sở Tư pháp")
    assert row[1] == _num(dept_a["online_share"]["denominator"])
    assert row[2] == _num(dept_a["on_time_legal"]["denominator"])
    assert by_agency[-1][0] == "Tổng cộng" and by_agency[-1][1] == received[1]
    pdf = render_pdf(doc)
    save_pngs(pdf, "one-stop-province-2025-Q3")
    text = "\n".join(pdf_pages(pdf))
    assert MOTTO in pdf_pages(pdf)[0] and "quý III năm 2025" in text


def test_a_stock_at_a_snapshotted_quarter_end(tree, july):
    """July has its end-of-month snapshot: the quarter that ends... only when the quarter's last
    day has one; a custom check through the stock helper on July's figure."""
    fig = compute.kpi("overdue_open", tree.province, parse_period("2025-07"))
    assert content.stock(fig, "open") == _num(fig.denominator) == "2"
    assert content.stock(fig, "overdue") == "1" and content.stock(fig, "in_time") == "1"


@pytest.mark.parametrize(
    ("kind", "period", "message"),
    [
        ("766", "2025-Q3", "theo tháng"),
        ("one_stop", "2025-07", "theo quý"),
        ("766", "2025-13", "Tháng không hợp lệ"),
        ("766", "tháng bảy", "Kỳ báo cáo không hợp lệ"),
        ("khac", "2025-07", "Loại báo cáo không hợp lệ"),
    ],
)
def test_a_bad_kind_or_period_is_a_clear_400(tree, officers, client, kind, period, message):
    client.force_login(officers.leader)
    url = reverse("metrics_documents:page")
    r = client.get(url, {"loai": kind, "ky": period, "tai": "docx", "agency": tree.dept_a.code})
    if kind == "khac":  # an unknown kind on the form falls back to 766: the period decides
        assert r.status_code in (200, 400)
        return
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not AuditEntry.objects.filter(action=jobs.ACTION).exists()


def test_the_leader_downloads_their_own_report_and_it_is_audited(tree, officers, july, client):
    client.force_login(officers.leader)
    url = reverse("metrics_documents:page")
    page = client.get(url)
    assert page.status_code == 200 and "Báo cáo cải cách hành chính" in page.content.decode()
    r = client.get(url, {"loai": "766", "ky": "2025-07", "tai": "docx", "agency": "000.00.01.H97"})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bao-cao-766-000.00.01.H97-2025-07.docx"' in r["Content-Disposition"]
    assert "SỞ TƯ PHÁP" in " ".join(docx_tables(r.content)[0][0])
    r = client.get(url, {"loai": "one_stop", "ky": "2025-Q3", "tai": "pdf", "agency": ""})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    entries = list(AuditEntry.objects.filter(action=jobs.ACTION).order_by("id"))
    assert [(e.changes["kind"], e.changes["period"], e.changes["format"]) for e in entries] == [
        ("766", "2025-07", "docx"),
        ("one_stop", "2025-Q3", "pdf"),
    ]


def test_a_leader_gets_their_subtree_only(tree, officers, july, client, make_officer):
    client.force_login(officers.leader)  # agency leader of department A
    url = reverse("metrics_documents:page")
    for code in (tree.province.code, tree.dept_b.code):
        r = client.get(url, {"loai": "766", "ky": "2025-07", "tai": "pdf", "agency": code})
        assert r.status_code == 404 and "trong phạm vi bạn được xem" in r.content.decode()
    unit = client.get(
        url, {"loai": "766", "ky": "2025-07", "tai": "docx", "agency": tree.unit_a.code}
    )
    assert unit.status_code == 200  # a unit under department A is in the subtree
    client.force_login(officers.receiver)  # no reports.view at all
    assert client.get(url).status_code == 403
    assert not AuditEntry.objects.filter(action=jobs.ACTION, agency=tree.province).exists()


def test_the_province_report_goes_to_the_background(tree, july, client, make_officer, monkeypatch):
    monkeypatch.setattr(jobs, "SYNC_MAX_AGENCIES", 2)  # the province has 3 agencies under it
    office = make_officer("reform_officer", tree.province, username="cchc")
    client.force_login(office)
    url = reverse("metrics_documents:page")
    query = {"loai": "766", "ky": "2025-07", "tai": "pdf", "agency": tree.province.code}
    r = client.get(url, query)
    assert r.status_code == 302 and r["Location"].endswith("#report-files")
    row = ReportFile.objects.get()
    assert (row.owner, row.agency, row.status, row.agencies) == (
        office,
        tree.province,
        ReportFileStatus.PENDING,
        3,
    )
    assert [j.args for j in ProcrastinateJob.objects.filter(task_name="metrics.render_report")] == [
        {"file_id": row.pk}
    ]
    entry = AuditEntry.objects.get(action=jobs.ACTION)
    assert entry.changes["file"] == row.pk
    assert client.get(url, query).status_code == 302 and ReportFile.objects.count() == 1
    page = client.get(reverse("metrics_documents:files"))
    assert 'hx-trigger="every 3s"' in page.content.decode()  # polled while it is being made
    jobs.build_report_file(row.pk)
    row.refresh_from_db()
    assert row.status == ReportFileStatus.DONE
    page = client.get(reverse("metrics_documents:files")).content.decode()
    assert "every 3s" not in page and reverse("metrics_documents:download", args=[row.pk]) in page
    r = client.get(reverse("metrics_documents:download", args=[row.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    # Another officer does not see it.
    other = make_officer("reform_officer", tree.province, username="cchc2")
    client.force_login(other)
    assert client.get(reverse("metrics_documents:download", args=[row.pk])).status_code == 404
    assert client.get(reverse("metrics_documents:download", args=["x"])).status_code == 404


def test_the_job_fails_cleanly_when_the_scope_is_gone(tree, july, make_officer):
    office = make_officer("reform_officer", tree.province, username="cchc")
    row = jobs.request_report(
        office, Actor(user=office), "766", tree.province, parse_period("2025-07"), "docx", 3
    )
    office.roles.all().delete()
    jobs.build_report_file(row.pk)
    row.refresh_from_db()
    assert row.status == ReportFileStatus.FAILED and "phạm vi" in row.error


@given(
    st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=1, max_size=14),
    st.lists(st.one_of(st.none(), st.floats(0, 1000)), min_size=1, max_size=12),
)
@settings(max_examples=15, deadline=None)
def test_any_chart_draws_as_png_of_its_svg_size(values, bars):
    """The Word charts: any values (gaps included) give a PNG at twice the SVG's size."""
    from PIL import Image

    from caicach.metrics.charts import Bar, BarChart, LineChart, Series
    from caicach.metrics.documents.chart_png import chart_png

    line = LineChart("t", [str(i) for i in range(len(values))], [Series("s", values)], target=90)
    image = Image.open(io.BytesIO(chart_png(line)))
    assert image.size == (1280, 520)
    chart = BarChart("b", [Bar(f"Xã {i}", v) for i, v in enumerate(bars)], target=50)
    image = Image.open(io.BytesIO(chart_png(chart)))
    assert image.size == (1280, 2 * (8 + 22 * len(bars) + 24))


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False))
def test_numbers_print_the_vietnamese_way_and_read_back(x):
    text = content.d(x)
    back = Decimal(text.replace(".", "").replace(",", "."))
    assert back == x.quantize(Decimal("0.01"))
    assert "," in text and text.count(",") == 1


def test_the_page_reads_a_bounded_number_of_queries(
    tree, officers, client, django_assert_max_num_queries
):
    client.force_login(officers.leader)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("metrics_documents:page")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("metrics_documents:files")).status_code == 200
