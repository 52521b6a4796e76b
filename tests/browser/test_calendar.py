"""The working calendar in a real browser: 2026's Tết on the year page, a due-date lookup
answered in place (htmx) with its explanation, an inline error, and an administrator adding a
day off, which makes a new calendar version."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from caicach import conftest as shared
from tests.browser.conftest import SHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)

tree = shared.tree
make_officer = shared.make_officer
password = shared.password


@pytest.fixture
def officer(tree, make_officer):
    return make_officer("receiver", tree.province, username="motcua")


@pytest.fixture
def admin(tree, make_officer):
    return make_officer("admin", tree.province, username="quantri")


def lookup_due(page: Page, received: str, value: str) -> None:
    form = page.locator("#due-lookup")
    form.get_by_label("Thời điểm nhận hồ sơ").fill(received)
    form.get_by_label("Thời hạn").fill(value)
    form.get_by_label("Đơn vị").select_option("working_days")
    form.get_by_role("button", name="Tính hạn trả").click()


def test_officer_sees_tet_and_looks_up_a_due_date(
    page: Page, live_server, officer, password: str
) -> None:
    login(page, live_server, "motcua", password)
    page.get_by_role("link", name="Lịch làm việc").click()
    page.goto(f"{live_server.url}/lich/2026/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lịch làm việc năm 2026")

    tet = page.locator('td[data-date="2026-02-17"]')
    expect(tet).to_have_class(re.compile(r"\bday-off\b"))
    expect(tet).to_have_attribute("title", re.compile("Tết Nguyên đán"))
    expect(page.locator('td[data-date="2026-02-14"]')).to_have_class(re.compile("day-weekend-off"))
    expect(page.locator('td[data-date="2026-08-22"]')).to_have_class(re.compile(r"\bday-worked\b"))
    days = page.locator(".days-list")
    expect(days).to_contain_text("Thứ Hai 16/02")
    expect(days).to_contain_text("Làm bù cho thứ Hai 31/08/2026")

    page.evaluate("window.__same_page = true")  # survives only if htmx answers in place
    lookup_due(page, "", "-3")
    expect(page.locator("#due-lookup .errorlist").first).to_be_visible()
    expect(page.locator("#due-lookup")).to_contain_text("Hãy nhập thời điểm nhận hồ sơ.")
    expect(page.locator("#due-lookup")).to_contain_text("Thời hạn không được âm.")
    expect(page.locator(".due-result")).to_have_count(0)

    lookup_due(page, "2025-04-25T10:00", "3")
    result = page.locator(".due-result")
    expect(result.locator(".due-when")).to_have_text("Thứ Ba, 29/04/2025 lúc 17:00")
    expect(result).to_contain_text("Có tính thứ Bảy 26/04/2025 (ngày làm bù)")
    expect(result).to_contain_text("Không tính chủ nhật 27/04/2025")
    expect(result).to_contain_text("official-2026.1")
    expect(page.locator("#due-lookup .errorlist")).to_have_count(0)
    assert page.evaluate("window.__same_page") is True


def test_calendar_on_a_tablet(page: Page, live_server, officer, password: str) -> None:
    page.set_viewport_size({"width": 820, "height": 1180})
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/lich/2026/")
    lookup_due(page, "2026-02-13T16:00", "2")
    expect(page.locator(".due-result .due-when")).to_have_text("Thứ Tư, 25/02/2026 lúc 17:00")
    side = page.locator(".cal-side").bounding_box()
    months = page.locator(".months").bounding_box()
    assert side and months and side["width"] > 700 and months["width"] > 700  # stacked


def test_admin_adds_a_day_off_and_sees_a_new_version(
    page: Page, live_server, admin, password: str
) -> None:
    login(page, live_server, "quantri", password)
    page.goto(f"{live_server.url}/lich/2026/")
    page.get_by_role("link", name="Quản trị lịch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quản trị lịch làm việc")

    form = page.locator("form", has=page.get_by_role("button", name="Thêm ngày"))
    form.get_by_label("Ngày", exact=True).fill("2026-11-24")
    form.get_by_label("Loại ngày").select_option("holiday")
    form.get_by_label("Tên (tiếng Việt)").fill("Ngày Văn hóa Việt Nam")
    form.get_by_label("Tên (tiếng Anh)").fill("Vietnam Culture Day")
    form.get_by_label("Ghi chú, căn cứ").fill("Nghị quyết 80-NQ/TW")
    form.get_by_role("button", name="Thêm ngày").click()

    expect(page.locator(".msg.success")).to_contain_text("Đã lưu: phiên bản lịch mới")
    versions = page.locator("table").last
    expect(versions.locator("tbody tr").first).to_contain_text("2")
    expect(versions.locator("tbody tr").first).to_contain_text("đang áp dụng")
    expect(versions.locator("tbody tr").first).to_contain_text("Thêm 24/11/2026")
    expect(page.locator(".edit-main")).to_contain_text("Ngày Văn hóa Việt Nam")
    if os.environ.get("SCREENSHOTS"):  # the admin page too, not only where the test ends
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "calendar_admin_page.ok.png"), full_page=True)

    page.goto(f"{live_server.url}/lich/2026/")
    expect(page.locator('td[data-date="2026-11-24"]')).to_have_class(re.compile(r"\bday-off\b"))
    expect(page.locator(".days-list")).to_contain_text("Ngày Văn hóa Việt Nam")


def test_calendar_in_english(page: Page, live_server, officer, password: str) -> None:
    """The language switch turns day labels, the due-date explanation and the services' errors
    into English (the engine and the services keep both texts)."""
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/lich/2026/")
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_have_text("Working calendar 2026")

    tet = page.locator('td[data-date="2026-02-17"]')
    expect(tet).to_have_attribute("title", re.compile(r"^Lunar New Year \(Tết\)"))
    expect(page.locator(".month").first.locator("thead")).to_contain_text("Mon")
    days = page.locator(".days-list")
    expect(days).to_contain_text("Monday 16/02")
    expect(days).to_contain_text("Saturday 22/08")
    expect(days).not_to_contain_text("Thứ Hai")

    form = page.locator("#due-lookup")
    form.get_by_label("Dossier received at").fill("")
    form.get_by_label("Time allowed").fill("-3")
    form.get_by_role("button", name="Calculate the due date").click()
    expect(form.locator(".errorlist").first).to_be_visible()
    expect(page.locator("#due-lookup")).to_contain_text("The receipt time is required.")
    expect(page.locator("#due-lookup")).to_contain_text("The time allowed cannot be negative.")

    form = page.locator("#due-lookup")
    form.get_by_label("Dossier received at").fill("1990-01-01T10:00")
    form.get_by_label("Time allowed").fill("3")
    form.get_by_role("button", name="Calculate the due date").click()
    expect(page.locator("#due-lookup")).to_contain_text("Outside the calendar's range")

    form = page.locator("#due-lookup")
    form.get_by_label("Dossier received at").fill("2025-04-25T10:00")
    form.get_by_label("Time allowed").fill("3")
    form.get_by_label("Unit").select_option("working_days")
    form.get_by_role("button", name="Calculate the due date").click()
    result = page.locator(".due-result")
    expect(result.locator(".due-when")).to_have_text("Tuesday 29/04/2025 at 17:00")
    expect(result).to_contain_text("Counted as a working day: Saturday 26/04/2025")
    expect(result).to_contain_text("Not counted: Sunday 27/04/2025")
    expect(result).not_to_contain_text("Có tính")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "calendar_in_english.ok.png"), full_page=True)
