"""An inspection finding turned into a task, in a real browser (issue 15 "Inspections"): the
reform officer opens the demo's inspection plan from the menu (quota progress, share
remedied), opens the planned inspection of a commune, records a finding and assigns it as a
task with a deadline; desktop and 390 px screenshots in .data/screenshots/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from caicach.agencies.models import Agency
from caicach.demo.plans import load_demo_plans
from caicach.plans.models import Task
from caicach.plans.tests.conftest import demo_tree  # noqa: F401 - the demo agencies
from tests.browser.conftest import SHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_finding_becomes_a_task(
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
    page.get_by_role("link", name="Kiểm tra CCHC").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra cải cách hành chính")
    expect(page.locator("[data-remedied]")).to_have_text("50,0%")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "inspections_list.1280.png"), full_page=True)
    planned = page.locator("tr", has_text="Theo kế hoạch").get_by_role("link")
    agency = planned.inner_text()
    planned.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(agency)
    page.get_by_label("Nội dung phát hiện").fill("Chưa công khai số điện thoại đường dây nóng")
    page.get_by_label("Mức độ").select_option("medium")
    page.get_by_role("button", name="Ghi nhận", exact=True).click()
    expect(page.locator(".msg").first).to_contain_text("Đã ghi nhận phát hiện")
    row = page.locator("tr[data-finding]", has_text="đường dây nóng")
    deadline = timezone.localdate() + timedelta(days=15)
    row.locator("input[type=date]").fill(deadline.isoformat())
    row.get_by_role("button", name="Giao nhiệm vụ").click()
    expect(page.locator("tr[data-finding]", has_text="đường dây nóng")).to_contain_text(
        f"Chưa thực hiện · hạn {deadline:%d/%m/%Y}"
    )
    task = Task.objects.get(title__contains="đường dây nóng")
    assert task.lead_agency is not None and task.lead_agency.name == agency
    page.screenshot(path=str(SHOTS / "inspection_detail.1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SHOTS / "inspection_detail.390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
