# ruff: noqa: F811 - fixtures imported from the metrics tests
"""The official reform reports in a real browser (issue 14, "Exports"): a department leader
downloads the monthly Decision 766 report as Word and the quarterly one-stop report as PDF; a bad
period shows why; a reform officer's province report is made in the background and appears in
the list, polled with htmx, ready to download. Screenshots at desktop and phone widths."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Page, expect

from caicach.metrics.documents import jobs
from caicach.metrics.models import ReportFile
from caicach.metrics.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    officers,
    tree,
    version,
)
from caicach.metrics.tests.test_kpis import july  # noqa: F401 - July 2025's dossiers
from tests.browser.conftest import login, shots

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_leader_downloads_the_reports(page: Page, live_server, july, password, tmp_path: Path):
    login(page, live_server, "lanhdao_a", password)
    page.get_by_role("link", name="Báo cáo CCHC", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo cải cách hành chính")
    page.get_by_label("Kỳ báo cáo").fill("2025-07")
    shots(page, "reform_reports")
    with page.expect_download() as info:
        page.get_by_role("button", name="Tải Word (DOCX)").click()
    assert info.value.suggested_filename == "bao-cao-766-000.00.01.H97-2025-07.docx"
    word = docx.Document(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert "Độc lập - Tự do - Hạnh phúc" in word.tables[0].rows[0].cells[1].text

    page.get_by_label("Loại báo cáo").select_option("one_stop")
    page.get_by_label("Kỳ báo cáo").fill("2025-Q3")
    with page.expect_download() as info:
        page.get_by_role("button", name="Tải PDF").click()
    pdf = tmp_path / "quy.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    page.get_by_label("Kỳ báo cáo").fill("2025-Q3")
    page.get_by_label("Loại báo cáo").select_option("766")
    page.get_by_role("button", name="Tải PDF").click()
    expect(page.get_by_role("alert")).to_contain_text("lập theo tháng")
    shots(page, "reform_reports_error")


def test_the_province_report_comes_from_the_background(
    page: Page, live_server, tree, july, make_officer, password, monkeypatch
):
    monkeypatch.setattr(jobs, "SYNC_MAX_AGENCIES", 1)
    make_officer("reform_officer", tree.province, username="cchc", full_name="Lê Cải Cách")
    login(page, live_server, "cchc", password)
    page.goto(f"{live_server.url}/bao-cao-cchc/?loai=766&ky=2025-07")
    page.get_by_label("Cơ quan, đơn vị").select_option(tree.province.code)
    page.get_by_role("button", name="Tải PDF").click()
    row = page.get_by_test_id("report-file")
    expect(row).to_contain_text("Đang chờ")
    jobs.build_report_file(ReportFile.objects.get().pk)  # what the worker does
    expect(row).to_contain_text("Đã xong", timeout=10_000)  # the htmx poll brings it
    shots(page, "reform_reports_files")
    with page.expect_download() as info:
        row.get_by_role("link", name="Tải về").click()
    assert info.value.suggested_filename.endswith(".pdf")
