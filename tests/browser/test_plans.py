"""The plan detail page in a real browser (issue 15): a reform officer opens the province's
resolution from the menu and reads its targets (value, status in words, projection method,
stages); desktop and 390 px phone screenshots in .data/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from caicach.agencies.models import Agency
from caicach.demo.plans import load_demo_plans
from caicach.plans.tests.conftest import demo_tree  # noqa: F401 - the demo agencies
from tests.browser.conftest import SHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_reform_officer_reads_the_plan(
    page: Page,
    live_server: Any,
    demo_tree: Any,  # noqa: F811
    make_officer: Any,
    password: str,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    load_demo_plans()
    make_officer("reform_officer", Agency.objects.get(code="000.00.00.H90"), username="cchc_tinh")
    login(page, live_server, "cchc_tinh", password)
    page.get_by_role("link", name="Kế hoạch CCHC").click()
    page.get_by_role("link", name="Nghị quyết về đẩy mạnh cải cách hành chính").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nghị quyết về đẩy mạnh")
    target = page.locator(
        "article.target", has_text="Hồ sơ công việc xử lý trên môi trường mạng — cấp xã"
    )
    expect(target.locator(".badge").first).to_have_text(
        __import__("re").compile("Đã đạt|Đúng tiến độ|Có nguy cơ|Chậm tiến độ|Chưa có số liệu")
    )
    expect(page.get_by_text("Cải cách tài chính công")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "plans_detail.1280.png"), full_page=False)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SHOTS / "plans_detail.390.png"), full_page=False)
    # No horizontal scroll on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
