"""A periodic report in a real browser (issue 15: "browser tests cover ... a report submitted and
returned"): a commune's leader writes and submits the commune's 2024 yearly report, the reform
office returns it with a comment, the leader reads the comment and submits again; two versions
are kept. ``SCREENSHOTS=1`` keeps desktop and 390 px phone screenshots in .data/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from caicach.agencies.models import Agency
from caicach.demo.plans import COMMUNE_PLAN, load_demo_plans, load_demo_reports
from caicach.plans.reporting.models import Report
from caicach.plans.tests.conftest import demo_tree  # noqa: F401 - the demo agencies
from tests.browser.conftest import login, shots

pytestmark = pytest.mark.django_db(transaction=True)


def test_report_submitted_returned_resubmitted(
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
    load_demo_reports()
    report = Report.objects.get(duty__plan__code=COMMUNE_PLAN, period="2024")
    assert report.status == "draft"
    make_officer("agency_leader", report.agency, username="lanhdao_xa")
    make_officer("reform_officer", Agency.objects.get(code="000.00.00.H90"), username="cchc_tinh")

    login(page, live_server, "lanhdao_xa", password)
    page.get_by_role("link", name="Báo cáo định kỳ").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo định kỳ")
    shots(page, "plan_reports_list")
    page.locator(f'tr[data-report="{report.pk}"] a').click()
    page.get_by_label("Cải cách thủ tục hành chính").fill("Công bố, niêm yết đầy đủ 215 TTHC.")
    shots(page, "plan_report_edit")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator("#report-status")).to_have_text("Chờ duyệt")
    expect(page.locator("#versions")).to_contain_text("Phiên bản 1")

    page.context.clear_cookies()
    login(page, live_server, "cchc_tinh", password)
    page.goto(f"{live_server.url}/ke-hoach/bao-cao/cho-duyet/")
    page.locator(f'tr[data-report="{report.pk}"] a').click()
    page.get_by_label("Ý kiến (bắt buộc khi trả lại)").fill("Bổ sung kết quả số hóa hồ sơ.")
    shots(page, "plan_report_review")
    page.get_by_role("button", name="Trả lại").click()
    expect(page.locator("#report-status")).to_have_text("Bị trả lại")

    page.context.clear_cookies()
    login(page, live_server, "lanhdao_xa", password)
    page.goto(f"{live_server.url}/ke-hoach/bao-cao/{report.pk}/")
    expect(page.locator("#review-comment")).to_have_text("Bổ sung kết quả số hóa hồ sơ.")
    page.get_by_label("Xây dựng chính quyền điện tử, chính quyền số").fill("Số hóa 92% hồ sơ.")
    shots(page, "plan_report_returned")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator("#report-status")).to_have_text("Chờ duyệt")
    expect(page.locator("#versions li")).to_have_count(2)
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shots(page, "plan_report_resubmitted", widths=(1280, 390))
    report.refresh_from_db()
    assert (report.status, report.versions_count) == ("submitted", 2)
