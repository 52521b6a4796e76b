"""The inbox in a real browser (issue 16): counts on the tabs, filters that survive a tab
change and the next page, the export of the filtered list, and on a 390 px phone a collapsed
menu with each dossier's due date and status on screen."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from caicach.dossiers.tests.factories import ORGANISATION, procedure_version, receive
from tests.browser.conftest import SHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(tree, make_officer):  # noqa: F811
    receiver = make_officer("receiver", tree.dept_a, username="motcua", full_name="Phạm Một Cửa")
    version = procedure_version(tree.dept_a, name="Cấp bản sao trích lục hộ tịch")
    codes = [receive(receiver, version, tree.dept_a).code for _ in range(3)]
    codes.append(receive(receiver, version, tree.dept_a, channel="post").code)
    codes.append(receive(receiver, version, tree.dept_a, applicant=ORGANISATION).code)
    return codes


def test_counts_filters_and_export(page: Page, live_server, desk, password):
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/ho-so/?tab=moi")
    moi = page.get_by_role("link", name="Chờ tiếp nhận, mới tiếp nhận")
    expect(moi).to_contain_text("5")
    expect(page.locator("tbody tr")).to_have_count(5)

    page.locator("summary", has_text="Lọc").click()
    page.get_by_label("Kênh nộp").select_option("post")
    page.get_by_role("button", name="Lọc", exact=True).click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(moi).to_contain_text("1")
    expect(page.locator("#list-summary")).to_contain_text("1 hồ sơ")
    page.screenshot(path=str(SHOTS / "inbox-filtered-desktop.png"), full_page=True)

    # Another tab keeps the filter.
    page.get_by_role("link", name="Tất cả").click()
    expect(page.get_by_label("Kênh nộp")).to_have_value("post")
    expect(page.locator("tbody tr")).to_have_count(1)

    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert sheet.freeze_panes == "A2"
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [desk[3]]


def test_inbox_on_a_phone(page: Page, live_server, desk, password):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/ho-so/?tab=moi")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.locator("#main-menu")).to_be_hidden()
    # The top bar takes a line, not a third of the screen.
    assert page.locator("header.topbar").bounding_box()["height"] < 844 / 6
    first = page.locator("tbody tr").first
    for cell in ("td.due", "td.state", "td.code"):
        box = first.locator(cell).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, cell
    expect(first.locator("td.state")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "inbox-phone.png"), full_page=True)
    menu.click()
    expect(page.locator("#main-menu")).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.screenshot(path=str(SHOTS / "inbox-phone-menu.png"))
    page.get_by_role("link", name="Hồ sơ", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ thủ tục hành chính")
