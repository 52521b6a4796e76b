"""The counter desk's rating tablet (issue 13): a receiving officer opens the desk session on the
tablet, the applicant taps a face, the thank-you screen goes back to idle by itself, a second
rating of the same dossier is refused in Vietnamese, and the tablet cannot reach the officers'
pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    officers,
    tree,
    version,
)
from caicach.ratings.models import Rating
from caicach.ratings.tests.test_kiosk import returned
from tests.browser.conftest import login, shots

pytestmark = pytest.mark.django_db(transaction=True)

IDLE = "Mời Quý ông/bà đánh giá mức độ hài lòng"


@pytest.fixture
def handed_back(tree, officers, version):  # noqa: F811
    return returned(tree, officers, version)


def test_the_desk_tablet_rates_once_and_goes_back_to_idle(
    page: Page,
    live_server,
    tree,  # noqa: F811
    officers,  # noqa: F811
    handed_back,
    password,
):
    login(page, live_server, officers.receiver.username, password)
    page.get_by_role("link", name="Đánh giá tại quầy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mở chế độ đánh giá tại quầy")
    expect(page.get_by_label("Quầy tiếp nhận của cơ quan")).to_contain_text(tree.dept_a.name)
    shots(page, "kiosk-open")
    page.get_by_role("button", name="Mở chế độ đánh giá trên máy này").click()

    # Idle: the desk's agency, a code to type or scan, today's handed-back dossiers; no menu.
    expect(page.get_by_role("heading", level=1)).to_have_text(IDLE)
    expect(page.locator(".kiosk-brand")).to_contain_text(tree.dept_a.name)
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.get_by_label("Mã hồ sơ")).to_be_focused()
    pick = page.get_by_role("button", name=handed_back.code)
    expect(pick).to_contain_text(handed_back.procedure_version.name)
    shots(page, "kiosk-idle")

    page.get_by_label("Mã hồ sơ").fill(handed_back.code.lower())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Quý ông/bà có hài lòng với việc giải quyết hồ sơ này không?"
    )
    expect(page.locator(".kiosk-dossier")).to_contain_text(handed_back.code)
    expect(page.get_by_text(handed_back.applicant.full_name)).to_have_count(0)
    shots(page, "kiosk-rate")
    page.get_by_text("Đánh giá chi tiết theo từng tiêu chí (không bắt buộc)").click()
    officer = page.get_by_role("group", name="Công chức trực tiếp giải quyết")
    officer.get_by_text("Rất hài lòng").click()
    expect(officer.get_by_role("radio", name="Rất hài lòng")).to_be_checked()
    shots(page, "kiosk-rate-factors")
    page.get_by_role("button", name="Rất hài lòng", exact=True).click()

    thanks = page.get_by_role("status")
    expect(thanks).to_contain_text("Cảm ơn Quý ông/bà!")
    expect(thanks).to_contain_text("Rất hài lòng")
    shots(page, "kiosk-thanks")
    rating = Rating.objects.get()
    assert (rating.dossier_id, rating.value, rating.source, rating.factors) == (
        handed_back.pk,
        "very_satisfied",
        "kiosk",
        {"officer": 3},
    )
    # Back to idle by itself after a few seconds; the dossier is no longer offered.
    expect(page.get_by_role("heading", level=1)).to_have_text(IDLE, timeout=12_000)
    expect(page.get_by_role("button", name=handed_back.code)).to_have_count(0)

    # The same dossier again: a clear Vietnamese message, nothing recorded.
    page.get_by_label("Mã hồ sơ").fill(handed_back.code)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ được đánh giá một lần."
    )
    shots(page, "kiosk-already-rated")
    assert Rating.objects.count() == 1

    # The tablet is not signed in: the officers' pages ask for a sign-in.
    page.goto(f"{live_server.url}/ho-so/")
    expect(page.get_by_label("Mật khẩu")).to_be_visible()


def test_the_kiosk_without_a_desk_session_says_so(page: Page, live_server, tree):  # noqa: F811
    page.goto(f"{live_server.url}/quay/danh-gia/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quầy chưa mở chế độ đánh giá")
    expect(page.get_by_role("link", name="Cán bộ đăng nhập")).to_be_visible()
