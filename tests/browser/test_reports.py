"""Workspace reports in a real browser: a one-stop officer downloads the dossier register of
June 2025 as PDF and XLSX; a reform officer reads apologies and lateness per agency, sorts the
table and opens the dossiers behind a figure."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    officers,
    tree,
    version,
)
from caicach.dossiers.tests.test_reports import june  # noqa: F401 - the June 2025 dossiers
from tests.browser.conftest import SHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"reports_{name}.png"), full_page=True)


def test_an_officer_downloads_the_register(
    page: Page,
    live_server,
    june,  # noqa: F811
    password,
    tmp_path: Path,
):
    login(page, live_server, "motcua_a", password)
    page.get_by_role("link", name="Sổ theo dõi", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sổ theo dõi hồ sơ")
    page.get_by_label("Từ ngày").fill("2025-06-01")
    page.get_by_label("Đến ngày").fill("2025-06-30")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.get_by_test_id("register-count")).to_have_text("4 hồ sơ trong sổ.")
    _shot(page, "register")

    with page.expect_download() as info:
        page.get_by_role("button", name="Tải PDF").click()
    pdf = tmp_path / "so.pdf"
    info.value.save_as(pdf)
    assert info.value.suggested_filename.endswith("-20250601-20250630.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")

    with page.expect_download() as info:
        page.get_by_role("button", name="Tải Excel (XLSX)").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    codes = [row[1] for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert sorted(codes) == sorted(
        [june.early.code, june.late.code, june.apologised.code, june.overdue.code]
    )

    # A period the wrong way round: the page says why, no download.
    page.get_by_label("Từ ngày").fill("2025-06-30")
    page.get_by_label("Đến ngày").fill("2025-06-01")
    page.get_by_role("button", name="Tải PDF").click()
    expect(page.get_by_role("alert")).to_contain_text("“Từ ngày” phải trước hoặc trùng")
    _shot(page, "register_error")


def test_a_reform_officer_reads_apologies_per_agency(
    page: Page,
    live_server,
    tree,  # noqa: F811
    june,  # noqa: F811
    make_officer,
    password,
):
    make_officer("reform_officer", tree.province, username="cchc", full_name="Lê Cải Cách")
    login(page, live_server, "cchc", password)
    page.get_by_role("link", name="Xin lỗi, trễ hạn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin lỗi và trễ hạn theo cơ quan")
    page.get_by_label("Từ ngày").fill("2025-06-01")
    page.get_by_label("Đến ngày").fill("2025-06-30")
    page.get_by_role("button", name="Xem", exact=True).click()
    table = page.locator("#apology-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tfoot")).to_contain_text("Tổng cộng")
    page.get_by_role("link", name="Trễ hạn", exact=True).click()  # sort, most late first
    expect(table.locator("th[aria-sort]")).to_contain_text("Trễ hạn")
    first = table.locator("tbody tr").first
    expect(first).to_contain_text("Sở Tư pháp")
    expect(first.locator('[data-metric="late_apologies"]')).to_contain_text("Sai quy định")
    _shot(page, "apologies")

    first.locator('[data-metric="late"] a').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trễ hạn")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name=june.late.code)).to_be_visible()
    _shot(page, "apology_dossiers")
    page.get_by_role("link", name="Về bảng thống kê").click()
    expect(table.locator("tbody tr")).to_have_count(2)


def test_a_long_register_pdf_is_made_in_the_background(
    page: Page,
    live_server,
    june,  # noqa: F811
    password,
    monkeypatch,
    tmp_path: Path,
):
    from caicach.dossiers import reports
    from caicach.dossiers.models import RegisterExport

    # June's 4 dossiers are "long":
    monkeypatch.setattr(reports.register_jobs, "PDF_SYNC_MAX_ROWS", 2)
    login(page, live_server, "motcua_a", password)
    page.get_by_role("link", name="Sổ theo dõi", exact=True).click()
    page.get_by_label("Từ ngày").fill("2025-06-01")
    page.get_by_label("Đến ngày").fill("2025-06-30")
    page.get_by_role("button", name="Tải PDF").click()
    exports = page.get_by_test_id("register-exports")
    expect(exports.get_by_test_id("register-export")).to_have_count(1)
    expect(exports).to_contain_text("Đang chờ")
    expect(page.get_by_test_id("register-count")).to_contain_text("4 hồ sơ")
    _shot(page, "register_background_waiting")

    # The worker renders it; the page (htmx, every 3 s) offers the download without a reload.
    reports.build_register_export(RegisterExport.objects.get().pk)
    expect(exports).to_contain_text("Đã xong", timeout=8_000)
    _shot(page, "register_background_done")
    with page.expect_download() as info:
        exports.get_by_role("link", name="Tải PDF").click()
    assert info.value.suggested_filename.endswith("-20250601-20250630.pdf")
    pdf = tmp_path / "so.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
