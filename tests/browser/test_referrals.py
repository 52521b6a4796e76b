"""Consultation with a deadline in a real browser (NĐ 61/2018 art. 19, *lấy ý kiến*): the
processor asks another department, cannot resume before the answer, the asked department finds
the dossier in its "Xin ý kiến / phối hợp" tab and answers; the holder then resumes."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from caicach.core.audit import Actor
from caicach.dossiers import services
from caicach.dossiers.models import Dossier, Referral
from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from caicach.dossiers.tests.factories import procedure_version, receive
from tests.browser.conftest import SHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(SHOTS) / f"referrals_{name}.png"), full_page=True)


@pytest.fixture
def dossier(tree, make_officer):  # noqa: F811
    receiver = make_officer("receiver", tree.dept_a, username="motcua", full_name="Phạm Một Cửa")
    processor = make_officer(
        "processor", tree.dept_a, username="chuyenvien", full_name="Vũ Chuyên Viên"
    )
    make_officer("processor", tree.dept_b, username="chuyenvien_b", full_name="Lê Xây Dựng")
    version = procedure_version(tree.dept_a, name="Cấp giấy phép xây dựng")
    d = receive(receiver, version, tree.dept_a)
    services.perform_action(
        Actor(user=receiver), d.code, "assign", expected_version=1, assignee=processor.pk
    )
    services.perform_action(Actor(user=processor), d.code, "accept", expected_version=2)
    return Dossier.objects.get(pk=d.pk)


def test_consult_then_the_asked_department_replies(
    page: Page,
    live_server,
    dossier,
    tree,  # noqa: F811
    password,
):
    login(page, live_server, "chuyenvien", password)
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    consult = page.locator("details", has_text="Lấy ý kiến")
    consult.locator("summary").click()
    consult.get_by_label("Cơ quan, đơn vị được hỏi ý kiến").fill(tree.dept_b.code)
    consult.get_by_label("Hạn trả lời (số ngày làm việc)").fill("3")
    consult.get_by_label("Nội dung xin ý kiến").fill("Đề nghị cho ý kiến về chỉ giới xây dựng.")
    shot(page, "1_consult_form")
    consult.get_by_role("button", name="Xác nhận: Lấy ý kiến").click()

    expect(page.get_by_role("status").filter(has_text="Đã thực hiện")).to_contain_text(
        "Đang lấy ý kiến"
    )
    rows = page.locator("#referrals tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sở Xây dựng")
    expect(rows.first).to_contain_text("Chờ trả lời")

    # Resuming before the answer (deadline not passed) is refused with the reason.
    resume = page.locator("details", has_text="Ghi nhận ý kiến")
    resume.locator("summary").click()
    resume.get_by_label("Ghi chú").fill("Tiếp tục thẩm định")
    resume.get_by_role("button", name="Xác nhận: Ghi nhận ý kiến").click()
    expect(page.get_by_role("alert")).to_contain_text("còn chờ ý kiến của Sở Xây dựng")
    shot(page, "2_resume_refused")

    # The asked department answers from its tab.
    page.context.clear_cookies()
    login(page, live_server, "chuyenvien_b", password)
    page.goto(f"{live_server.url}/ho-so/")
    page.get_by_role("link", name="Xin ý kiến / phối hợp").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    shot(page, "3_inbox_tab")
    page.get_by_role("link", name=dossier.code).click()
    reply = page.locator("details", has_text="Trả lời ý kiến")
    reply.locator("summary").click()
    reply.get_by_label("Ý kiến trả lời").fill("Thống nhất, đúng chỉ giới quy hoạch.")
    reply.get_by_role("button", name="Xác nhận: Trả lời ý kiến").click()
    expect(page.get_by_role("status").filter(has_text="Đã thực hiện")).to_be_visible()
    expect(rows.first).to_contain_text("Đã trả lời")
    expect(rows.first).to_contain_text("Thống nhất, đúng chỉ giới quy hoạch.")
    shot(page, "4_replied")
    referral = Referral.objects.get(dossier=dossier)
    assert referral.answer == "Thống nhất, đúng chỉ giới quy hoạch." and not referral.answered_late

    # The holder resumes.
    page.context.clear_cookies()
    login(page, live_server, "chuyenvien", password)
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    resume = page.locator("details", has_text="Ghi nhận ý kiến")
    resume.locator("summary").click()
    resume.get_by_label("Ghi chú").fill("Đã có ý kiến, tiếp tục thẩm định")
    resume.get_by_role("button", name="Xác nhận: Ghi nhận ý kiến").click()
    expect(page.get_by_role("status").filter(has_text="Đã thực hiện")).to_contain_text("Đang xử lý")
    shot(page, "5_resumed")
