"""Signing in through a real browser: password only, with a second factor, and the lock-out."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Page, expect

from caicach.accounts.tests.helpers import code_for, make_totp, wrong_code
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_otp_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # retry a code at once after a wrong one


def test_receiver_signs_in_with_a_password(page: Page, live_server, tree, make_officer, password):
    make_officer("receiver", tree.dept_a, username="tiepnhan", full_name="Phạm Thị Một Cửa")
    login(page, live_server, "tiepnhan", password)
    expect(page.get_by_role("heading", name="Xin chào, Phạm Thị Một Cửa")).to_be_visible()
    expect(page.get_by_role("link", name="Cơ quan")).to_be_visible()


def test_wrong_password_is_explained(page: Page, live_server, tree, make_officer):
    make_officer("receiver", tree.dept_a, username="tiepnhan")
    login(page, live_server, "tiepnhan", "Sai-Mat-Khau-1!")
    expect(page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.")).to_be_visible()


def test_second_factor(page: Page, live_server, tree, make_officer, password):
    officer = make_officer(
        "agency_leader", tree.dept_a, username="giamdoc", full_name="Đặng Văn Giám"
    )
    device = make_totp(officer)
    login(page, live_server, "giamdoc", password)
    expect(page).to_have_url(re.compile(r"/tai-khoan/xac-thuc/"))
    expect(page.get_by_role("heading", name="Xác thực hai lớp")).to_be_visible()

    page.get_by_label("Mã xác thực").fill(wrong_code(device))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Mã xác thực không đúng.")).to_be_visible()

    page.get_by_label("Mã xác thực").fill(code_for(device))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Xin chào, Đặng Văn Giám")).to_be_visible()


def test_lockout_page(page: Page, live_server, tree, make_officer):
    make_officer("receiver", tree.dept_a, username="tiepnhan")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        login(page, live_server, "tiepnhan", "Sai-Mat-Khau-1!")
    expect(page.get_by_role("heading", name="Tạm khóa đăng nhập")).to_be_visible()
    minutes = int(django_settings.AXES_COOLOFF_TIME * 60)
    expect(page.get_by_text(f"Vui lòng thử lại sau {minutes} phút")).to_be_visible()
