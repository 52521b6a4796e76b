"""The PAR-Index pages in a real browser (issue 15): the reform officer opens the demo's
departments' set from the menu (results and ranking), opens the first unit's assessment and
appraises a manual criterion with a comment; desktop and 390 px screenshots."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from caicach.agencies.models import Agency
from caicach.demo.plans import load_demo_plans
from caicach.plans.parindex.models import ParScore
from caicach.plans.tests.conftest import demo_tree  # noqa: F401 - the demo agencies
from tests.browser.conftest import SHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_reform_officer_appraises(
    page: Page,
    live_server: Any,
    demo_tree: Any,  # noqa: F811
    make_officer: Any,
    password: str,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    make_officer("reform_officer", Agency.objects.get(code="000.00.00.H90"), username="cchc_tinh")
    load_demo_plans()
    login(page, live_server, "cchc_tinh", password)
    page.get_by_role("link", name="Chấm điểm CCHC").click()
    page.get_by_role("link", name="Bộ chỉ số CCHC các sở, ban, ngành tỉnh năm 2025").click()
    expect(page.locator("tr[data-unit]")).to_have_count(3)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "par_index.1280.png"), full_page=True)
    page.locator("tr[data-unit]").nth(2).get_by_role("link").click()
    row = page.locator("tr[data-criterion='4.1']")
    row.get_by_label("Điểm thẩm định").fill("3")
    row.get_by_label("Nhận xét").fill("Chưa có quyết định kiện toàn tổ chức")
    row.get_by_role("button", name="Thẩm định").click()
    expect(page.locator(".msg").first).to_contain_text("Đã thẩm định tiêu chí")
    expect(page.locator("tr[data-criterion='4.1'] [data-appraised]")).to_have_text("3")
    score = ParScore.objects.get(criterion__code="4.1", appraisal_comment__startswith="Chưa có")
    assert score.appraised_points == 3
    page.screenshot(path=str(SHOTS / "par_assessment.1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SHOTS / "par_assessment.390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
