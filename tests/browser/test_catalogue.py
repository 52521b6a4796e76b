"""The procedure catalogue in a real browser: search without diacritics, read a procedure,
publish a new version, see the Vietnamese rule errors, and an import that is refused."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from caicach.core.audit import Actor
from caicach.procedures.services import create_procedure
from caicach.procedures.tests.factories import FieldFactory, procedure_data
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def officer(tree, make_officer, password):
    """A reform officer of the province, and a small catalogue."""
    cli = Actor.system("test")
    hotich = FieldFactory(code="HOTICH", name="Hộ tịch")
    create_procedure(
        cli,
        procedure_data("1.001193", tree.province, [tree.commune], hotich, name="Đăng ký khai sinh"),
    )
    create_procedure(
        cli,
        procedure_data("1.000894", tree.province, [tree.commune], hotich, name="Đăng ký kết hôn"),
    )
    xaydung = FieldFactory(code="XAYDUNG", name="Xây dựng")
    create_procedure(
        cli,
        procedure_data(
            "1.009999", tree.dept_b, [tree.dept_b], xaydung, name="Cấp giấy phép xây dựng"
        ),
    )
    return make_officer("reform_officer", tree.province, username="cchc")


def open_birth_registration(page: Page, live_server, password: str) -> None:
    login(page, live_server, "cchc", password)
    page.goto(f"{live_server.url}/thu-tuc/")
    page.get_by_role("searchbox", name="Tìm kiếm").fill("khai sinh")
    page.get_by_role("button", name="Tìm").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    page.get_by_role("link", name="Đăng ký khai sinh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")


def test_search_without_diacritics_and_publish_a_version(
    page: Page, live_server, officer, password
):
    open_birth_registration(page, live_server, password)
    expect(page.get_by_text("8.000 đ")).to_be_visible()
    page.get_by_role("link", name="Công bố phiên bản mới").click()

    page.get_by_label(re.compile(r"^Thời hạn giải quyết")).fill("5")
    page.get_by_label("Thời gian, dòng 2").fill("2,5")
    page.get_by_role("button", name="Công bố phiên bản").click()

    expect(page.get_by_role("status").filter(has_text="Đã công bố phiên bản 2")).to_be_visible()
    history = page.locator("table", has=page.get_by_role("columnheader", name="Áp dụng từ"))
    expect(history.locator("tbody tr")).to_have_count(2)
    expect(history.locator("tbody tr").first).to_contain_text("5 ngày làm việc")
    expect(page.locator("tfoot")).to_contain_text("4,5 ngày làm việc / 5 ngày làm việc")


def test_a_budget_overflow_is_explained_in_vietnamese(page: Page, live_server, officer, password):
    open_birth_registration(page, live_server, password)
    page.get_by_role("link", name="Công bố phiên bản mới").click()
    page.get_by_label("Thời gian, dòng 2").fill("2,5")
    page.get_by_role("button", name="Công bố phiên bản").click()

    expect(page.get_by_role("alert").first).to_contain_text("Chưa lưu được")
    expect(
        page.get_by_text(
            "Tổng thời gian các bước (4,5 ngày làm việc) vượt thời hạn giải quyết "
            "(4 ngày làm việc)."
        )
    ).to_be_visible()
    expect(page.get_by_label("Thời gian, dòng 2")).to_have_value("2,5")  # input kept


def test_an_import_with_errors_lists_them_and_changes_nothing(
    page: Page, live_server, tree, make_officer, password, tmp_path
):
    make_officer("admin", tree.province, username="quantri")
    rows = [
        {
            "code": "1.0042",
            "name": "Thủ tục thiếu thông tin",
            "field": {"code": "HOTICH", "name": "Hộ tịch"},
            "authority_level": "commune",
            "handling_agency_kinds": ["commune"],
            "online_level": "partial",
            "statutory_time": {"value": 3, "unit": "working_days"},
            "result": {"name": "Giấy xác nhận", "paper": True},
            "workflow": [{"order": 1, "name": "Xử lý", "role": "processor", "budget": 4}],
        }
    ]
    path = tmp_path / "danh-muc.json"
    path.write_text(json.dumps(rows, ensure_ascii=False))
    login(page, live_server, "quantri", password)
    page.goto(f"{live_server.url}/thu-tuc/nhap-xuat/")
    page.get_by_label("Tệp danh mục (JSON hoặc XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Kiểm tra và nhập").click()

    expect(page.get_by_role("alert")).to_contain_text("Chưa nhập: tệp có 3 lỗi")
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(3)
    expect(errors.filter(has_text="partial_reason")).to_contain_text("phải nêu lý do")
    expect(errors.filter(has=page.get_by_text(re.compile(r"^code$")))).to_contain_text(
        "không đúng định dạng"
    )
