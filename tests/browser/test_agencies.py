"""The agency tree in a real browser: an admin opens a unit, renames it, sees the trail."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_edits_an_agency(page: Page, live_server, tree, make_officer, password):
    make_officer("admin", tree.province, username="quantri", full_name="Nguyễn Quản Trị")
    login(page, live_server, "quantri", password)
    page.get_by_role("link", name="Cơ quan", exact=True).click()
    expect(page.get_by_role("heading", name="Cơ quan, đơn vị")).to_be_visible()
    tree_box = page.locator(".agency-tree")
    for name in ("UBND tỉnh Thử", "Sở Tư pháp", "Sở Xây dựng", "Xã Tân Phú"):
        expect(tree_box.get_by_role("link", name=name, exact=True)).to_be_visible()

    tree_box.get_by_role("link", name="Sở Tư pháp", exact=True).click()
    expect(page).to_have_url(re.compile(r"/co-quan/000\.00\.01\.H97/$"))
    expect(page.get_by_role("link", name="Phòng Hành chính tư pháp")).to_be_visible()

    page.get_by_role("link", name="Sửa", exact=True).click()
    page.get_by_label("Tên", exact=True).fill("Sở Tư pháp tỉnh Thử")
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_role("heading", name="Sở Tư pháp tỉnh Thử")).to_be_visible()
    expect(page.get_by_text("Đã lưu thay đổi.")).to_be_visible()
    trail = page.get_by_role("table", name="Nhật ký thao tác")
    expect(trail).to_contain_text("agency.update")
    expect(trail).to_contain_text("Sở Tư pháp → Sở Tư pháp tỉnh Thử")
    expect(trail).to_contain_text("quantri")


def test_bad_code_is_explained(page: Page, live_server, tree, make_officer, password):
    make_officer("admin", tree.province, username="quantri")
    login(page, live_server, "quantri", password)
    page.goto(f"{live_server.url}/co-quan/{tree.dept_a.code}/sua/")
    page.get_by_label("Mã định danh").fill("000.00.1.H97")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("không đúng định dạng V1V2V3.Z1Z2.Y1Y2.MX1X2")).to_be_visible()


def test_search_without_diacritics(page: Page, live_server, tree, make_officer, password):
    make_officer("processor", tree.dept_a, username="thuly")
    login(page, live_server, "thuly", password)
    page.goto(f"{live_server.url}/co-quan/")
    page.get_by_label("Tìm theo tên hoặc mã").fill("hanh chinh tu phap")
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator("mark")).to_have_text("Phòng Hành chính tư pháp")
    expect(page.get_by_text("Sở Xây dựng")).to_have_count(0)
