# ruff: noqa: F811  (pytest fixtures imported from the metrics tests are parameters here)
"""Issue 14, in a real browser: the province overview and an agency page at desktop width and on
a 390 px phone (no sideways scrolling of the page: wide tables scroll inside their wrapper,
charts scale to the width), and the what-if answering as the leader types a number (htmx)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from caicach.metrics.tests.conftest import (  # noqa: F401 - the metrics tests' fixtures
    _fresh_calendar_lookup,
    _media_in_tmp,
    officers,
    tree,
    version,
)
from caicach.metrics.tests.test_kpis import july  # noqa: F401 - the hand-worked month
from tests.browser.conftest import login, shots
from tests.browser.shots import shoot

pytestmark = pytest.mark.django_db(transaction=True)

NO_PAGE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_province_overview(page: Page, live_server, july, tree, make_officer, password, width):
    make_officer("reform_officer", tree.province, username="cchc")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "cchc", password)
    page.goto(f"{live_server.url}/chi-so/?period=2025-07")
    row = page.locator('#targets-table tr[data-code="on_time_766"]')
    expect(row).to_contain_text("50,00%")
    expect(row).to_contain_text("Chưa đạt")
    expect(row).to_contain_text(tree.dept_a.name)
    chart = page.locator("#t-on_time_766 svg.chart")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] <= width
    assert page.evaluate(NO_PAGE_SCROLL), "the page scrolls sideways"
    shoot(page, f"dashboard_overview_{width}")
    row.get_by_role("link", name=tree.dept_a.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tree.dept_a.name)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_agency_page_and_its_what_if(
    page: Page, live_server, july, tree, officers, password, width
):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "lanhdao_a", password)
    expect(page.locator("#home-metrics")).to_contain_text(tree.dept_a.name)
    page.get_by_role("link", name="Xem đầy đủ chỉ số của cơ quan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tree.dept_a.name)
    page.get_by_label("Kỳ báo cáo").fill("2025-07")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.locator('#kpi-table tr[data-kpi="on_time_766"] .value')).to_have_text("50,00%")
    expect(page.locator('#index-table tr[data-sub="2.1"]')).to_contain_text("Cần thêm 1 hồ sơ")
    field = page.locator("#them-21")
    field.fill("1")
    expect(page.locator("#wi-21")).to_contain_text("tăng 10,00 điểm")
    assert page.evaluate(NO_PAGE_SCROLL), "the page scrolls sideways"
    shoot(page, f"dashboard_agency_{width}")
    shots(page, f"dashboard_agency_{width}_views", widths=(width,))
    page.get_by_label("Kỳ báo cáo").fill("2025-13")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.locator("#dash-error")).to_contain_text("Tháng không hợp lệ")
