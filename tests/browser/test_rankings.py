"""Issue 14, fair rankings in a real browser, desktop and 390 px: the reform office opens the
departments' ranking for July 2025 (the hand-built case where the raw and fair ranks disagree),
sees the chart and the table, opens a department's "why", and switches to the communes."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from caicach.metrics.tests.ranking_data import build_province
from tests.browser.conftest import login
from tests.browser.shots import shoot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_stale_ranking():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("width", [1280, 390])
def test_fair_ranking_of_departments(page: Page, live_server, tree, make_officer, password, width):  # noqa: F811
    build_province(tree)
    make_officer("reform_officer", tree.province, username="cchc")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "cchc", password)
    page.goto(
        f"{live_server.url}/xep-hang/so-nganh/?kpi=on_time_766&period=2025-07&compare=previous"
    )
    expect(page.get_by_role("heading", name="Xếp hạng công bằng")).to_be_visible()
    rows = page.locator("#ranking-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Sở Tư pháp")
    expect(rows.nth(0)).to_contain_text("(thô 3)")
    expect(page.locator("figure svg")).to_be_visible()
    expect(page.locator("#most-improved")).to_contain_text("Sở Tư pháp")
    # The table scrolls inside its frame on a phone; the page itself does not.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    shoot(page, f"rankings-departments-{width}")
    rows.nth(0).get_by_role("link", name="Sở Tư pháp").click()
    expect(page.locator("#why-text")).to_contain_text("Chứng thực bản sao (+2,0 hồ sơ)")
    expect(page.locator("#why-procedures")).to_contain_text("Chuyển nhượng đất")
    shoot(page, f"rankings-why-{width}")
    page.get_by_role("link", name="Về bảng xếp hạng").click()
    page.get_by_role("link", name="Xã, phường").click()
    expect(page.locator("#ranking-table tbody tr")).to_have_count(1)
    expect(page.locator("#too-few")).to_contain_text("Xã Bình An")
    shoot(page, f"rankings-communes-{width}")
