"""The leader's page and a task inbox in a real browser (issue 15, plans.work): a province
leader reads the off-track targets and late tasks and follows a number to the inbox behind it;
a department's leader updates a task's progress. Desktop and 390 px phone screenshots in
.data/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count
from playwright.sync_api import Page, expect

from caicach.agencies.models import Agency
from caicach.demo.plans import PROVINCE, load_demo_plans
from caicach.plans.models import Task
from caicach.plans.tests.conftest import demo_tree  # noqa: F401 - the demo agencies
from tests.browser.conftest import SHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)


def _shots(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}.1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}.390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.set_viewport_size({"width": 1280, "height": 900})


def test_leader_page_and_inbox(
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
    make_officer("agency_leader", Agency.objects.get(code=PROVINCE), username="ld_tinh")
    login(page, live_server, "ld_tinh", password)
    page.get_by_role(
        "link", name="Trang của lãnh đạo: chỉ tiêu chậm tiến độ, nhiệm vụ, báo cáo"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cải cách hành chính")
    expect(
        page.get_by_role("heading", name="Chỉ tiêu chậm tiến độ hoặc có nguy cơ")
    ).to_be_visible()
    _shots(page, "plans_leader")
    # A number leads to what is behind it: the late tasks of one lead agency.
    late = page.locator("#late tbody a").first
    n = late.inner_text()
    late.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nhiệm vụ CCHC của")
    expect(page.locator("tbody tr[data-task]")).to_have_count(int(n))

    # A department's leader updates one of its tasks from its inbox.
    lead = (
        Task.objects.filter(
            lead_agency__parent__code=PROVINCE, status__in=("not_started", "in_progress")
        )
        .values("lead_agency")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert lead is not None
    dept = Agency.objects.get(pk=lead["lead_agency"])
    make_officer("agency_leader", dept, username="ld_so")
    page.context.clear_cookies()
    login(page, live_server, "ld_so", password)
    page.goto(f"{live_server.url}/ke-hoach/nhiem-vu/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(dept.name)
    _shots(page, "plans_inbox")
    page.locator("tbody tr[data-task]", has_text="Chủ trì").locator("a").first.click()
    page.get_by_label("Tiến độ (%)").fill("45")
    page.get_by_label("Trạng thái").select_option("in_progress")
    page.get_by_label("Nội dung đã thực hiện").fill("Đã hoàn thành rà soát bước 1")
    page.get_by_role("button", name="Lưu cập nhật").click()
    expect(page.get_by_text("Đã cập nhật tiến độ nhiệm vụ.")).to_be_visible()
    expect(page.get_by_text("Đã hoàn thành rà soát bước 1")).to_be_visible()
    _shots(page, "plans_task")
