"""Officer sign-in: password rules, lock-out (django-axes), the second factor (django-otp)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from caicach.accounts import twofactor
from caicach.accounts.models import UserKind
from caicach.accounts.tests.factories import UserFactory
from caicach.accounts.tests.helpers import (
    allow_code_again,
    code_for,
    code_for_key,
    make_backup_codes,
    make_totp,
    wrong_code,
)
from caicach.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"
OTP = "/tai-khoan/xac-thuc/"
SECURITY = "/tai-khoan/bao-mat/"


@pytest.fixture(autouse=True)
def _no_otp_throttle(settings):
    # django-otp makes a device wait 1 s after a wrong code; tests retry at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def signed_in(client):
    return client.get("/co-quan/").status_code == 200


# -- passwords ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!", "Mật khẩu quá ngắn"),
        ("123456789012345", "Mật khẩu này hoàn toàn là số"),
        ("password12345", "Mật khẩu này quá phổ biến"),
        ("chu-thuong-khong-so", "chữ hoa, chữ số"),
        ("CHUHOA-VA-SO-123", "chữ thường"),
        ("KhongCoKyTuDacBiet1", "ký tự đặc biệt"),
    ],
)
def test_weak_passwords_are_refused_in_vietnamese(password, message):
    with pytest.raises(ValidationError) as caught:
        validate_password(password)
    assert any(message in m for m in caught.value.messages)


def test_password_like_the_username_is_refused():
    user = UserFactory(username="nguyenvana", full_name="Nguyễn Văn A")
    with pytest.raises(ValidationError) as caught:
        validate_password("Nguyenvana@2025", user)
    assert any("quá giống" in m for m in caught.value.messages)


@pytest.mark.parametrize(
    "denied",
    ["Password123!", "password123!", "P@ssw0rd", "Admin@123456", "Qwerty!2345", "CaiCach@2026"],
)
def test_common_breached_and_published_passwords_are_refused(denied):
    """Issue 17 item 6: ``Password123!`` passed (Django's list has ``password123`` only) and so
    did the demo password printed in the README."""
    with pytest.raises(ValidationError) as caught:
        validate_password(denied)
    assert "password_denied" in [e.code for e in caught.value.error_list]
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            validate_password(denied)
        assert any("published or is too common" in m for m in caught.value.messages)


@pytest.mark.parametrize(
    ("username", "email", "candidate"),
    [
        ("quantri", "", "Quantri@Caicach2025"),
        ("tiepnhan01", "", "Moi!tiepnhan01-xyz"),
        ("cv", "le.van.c@anhoa.example", "X9!le.van.c-Phong"),
        ("kt", "", "Trần-Thị-Bình-7!"),  # a word of the full name, with or without diacritics
    ],
)
def test_a_password_containing_the_user_name_is_refused(username, email, candidate):
    user = UserFactory(username=username, email=email, full_name="Trần Thị Bình")
    with pytest.raises(ValidationError) as caught:
        validate_password(candidate, user)
    assert "password_contains_user_name" in [e.code for e in caught.value.error_list]


def test_a_strong_password_passes(password):
    validate_password(password)


def test_password_change_page_applies_the_rules(client, tree, make_officer, password):
    officer = make_officer("receiver", tree.dept_a, username="tn")
    client.force_login(officer)
    response = client.post(
        f"{SECURITY}mat-khau/",
        {"old_password": password, "new_password1": "abc", "new_password2": "abc"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mật khẩu quá ngắn" in html and "chữ hoa" in html
    response = client.post(
        f"{SECURITY}mat-khau/",
        {
            "old_password": "sai",
            "new_password1": "Moi@Mat-Khau-2026",
            "new_password2": "Moi@Mat-Khau-2026",
        },
    )
    assert "Mật khẩu cũ không chính xác" in response.content.decode()
    response = client.post(
        f"{SECURITY}mat-khau/",
        {
            "old_password": password,
            "new_password1": "Moi@Mat-Khau-2026",
            "new_password2": "Moi@Mat-Khau-2026",
        },
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("Moi@Mat-Khau-2026")
    assert signed_in(client)  # the session survives its own password change
    assert AuditEntry.objects.filter(action="account.password_change", actor=officer).exists()


def test_a_password_that_fails_the_policy_must_be_changed_at_sign_in(
    client, tree, make_officer, password, settings
):
    """An account whose password the policy refuses today (the demo accounts outside the demo)
    may sign in only to change it; the API refuses it too."""
    officer = make_officer("receiver", tree.dept_a, username="motcua")
    officer.set_password("CaiCach@2026")  # as `demo load` does
    officer.save()
    response = sign_in(client, "motcua", "CaiCach@2026")
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.must_change_password
    assert client.get("/co-quan/").status_code == 302  # the gate sends it to the change
    assert client.get("/api/v1/me/").json()["code"] == "password_change_required"


def test_the_demo_settings_keep_the_demo_password(client, tree, make_officer, settings):
    settings.PASSWORD_POLICY_AT_SIGN_IN = False
    officer = make_officer("receiver", tree.dept_a, username="motcua")
    officer.set_password("CaiCach@2026")
    officer.save()
    assert sign_in(client, "motcua", "CaiCach@2026").status_code == 302
    officer.refresh_from_db()
    assert not officer.must_change_password and signed_in(client)


def test_a_good_password_is_not_flagged_at_sign_in(client, tree, make_officer, password):
    officer = make_officer("receiver", tree.dept_a, username="motcua")
    assert sign_in(client, "motcua", password).status_code == 302
    officer.refresh_from_db()
    assert not officer.must_change_password and signed_in(client)


# -- the password step -------------------------------------------------------------------


def test_login_page_is_in_vietnamese(client):
    html = client.get(LOGIN).content.decode()
    for text in ("Tên đăng nhập", "Mật khẩu", "Đăng nhập"):
        assert text in html


def test_officer_without_device_signs_in(client, tree, make_officer, password):
    make_officer("receiver", tree.dept_a, username="tn")
    response = sign_in(client, "tn", password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)


def test_next_is_followed_inside_the_site_only(client, tree, make_officer, password):
    make_officer("receiver", tree.dept_a, username="tn")
    assert sign_in(client, "tn", password, next="/co-quan/")["Location"] == "/co-quan/"
    client.logout()
    assert sign_in(client, "tn", password, next="https://evil.example/")["Location"] == "/"


def test_wrong_password(client, tree, make_officer):
    make_officer("receiver", tree.dept_a, username="tn")
    response = sign_in(client, "tn", "Sai-Mat-Khau-1!")
    assert response.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert not signed_in(client)


def test_citizens_cannot_sign_in_here(client, password):
    UserFactory(username="dan", kind=UserKind.CITIZEN)
    response = sign_in(client, "dan", password)
    assert response.status_code == 400
    assert "Tài khoản này không phải tài khoản cán bộ" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_officers_cannot_sign_in(client, tree, make_officer, password):
    make_officer("receiver", tree.dept_a, username="tn", is_active=False)
    assert sign_in(client, "tn", password).status_code == 400


def test_logout_is_post_only(client, tree, make_officer):
    client.force_login(make_officer("receiver", tree.dept_a, username="tn"))
    assert client.get("/tai-khoan/dang-xuat/").status_code == 405
    assert client.post("/tai-khoan/dang-xuat/").status_code == 302
    assert not signed_in(client)


# -- lock-out ------------------------------------------------------------------------------


def fail(client, username, times):
    return [sign_in(client, username, "Sai-Mat-Khau-1!") for _ in range(times)]


def test_lockout_after_the_failure_limit(client, tree, make_officer, password):
    make_officer("receiver", tree.dept_a, username="tn")
    limit = settings.AXES_FAILURE_LIMIT
    responses = fail(client, "tn", limit)
    assert all(r.status_code == 400 for r in responses[:-1])
    locked = responses[-1]
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Tạm khóa đăng nhập" in html
    assert f"thử lại sau {int(settings.AXES_COOLOFF_TIME * 60)} phút" in html
    # Even the right password is refused while locked out.
    assert sign_in(client, "tn", password).status_code == 429
    assert not signed_in(client)


def test_lockout_ends_after_the_cool_off(client, tree, make_officer, password):
    make_officer("receiver", tree.dept_a, username="tn")
    fail(client, "tn", settings.AXES_FAILURE_LIMIT)
    later = timezone.now() + timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    with time_machine.travel(later):
        assert sign_in(client, "tn", password).status_code == 302


def test_success_resets_the_count(client, tree, make_officer, password):
    make_officer("receiver", tree.dept_a, username="tn")
    fail(client, "tn", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "tn", password).status_code == 302
    assert not AccessAttempt.objects.filter(username="tn").exists()
    client.logout()
    assert all(r.status_code == 400 for r in fail(client, "tn", settings.AXES_FAILURE_LIMIT - 1))


def test_lockout_of_one_user_leaves_others_alone(client, tree, make_officer, password):
    make_officer("receiver", tree.dept_a, username="tn")
    make_officer("receiver", tree.dept_a, username="khac")
    fail(client, "tn", settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "khac", password).status_code == 302


# -- the second factor -------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_confirms_with_a_code(client, tree, make_officer):
    officer = make_officer("receiver", tree.dept_a, username="tn")
    client.force_login(officer)
    html = client.get(SECURITY).content.decode()
    assert "<svg" in html and "<path" in html  # the QR code, inline
    key = client.session[twofactor.ENROL_KEY]
    assert twofactor.base32_secret(key) in html  # the secret, to type by hand
    assert not TOTPDevice.objects.exists()  # nothing stored until confirmed

    response = client.post(
        f"{SECURITY}ung-dung/", {"token": "000000" if code_for_key(key) != "000000" else "111111"}
    )
    assert response.status_code == 400 and "Mã xác thực không đúng" in response.content.decode()

    response = client.post(f"{SECURITY}ung-dung/", {"token": code_for_key(key)})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=officer)
    assert device.confirmed and device.key == key
    assert AuditEntry.objects.filter(action="account.otp_enrol", actor=officer).exists()
    html = client.get(SECURITY).content.decode()
    assert "Đang bật" in html and "<svg" not in html


def test_officer_with_device_must_give_a_code(client, tree, make_officer, password):
    officer = make_officer("receiver", tree.dept_a, username="tn")
    device = make_totp(officer)
    response = sign_in(client, "tn", password, next="/co-quan/")
    assert response.status_code == 302 and response["Location"].startswith(OTP)
    assert not signed_in(client)  # not signed in before the code
    page = client.get(response["Location"])
    assert "Xác thực hai lớp" in page.content.decode()

    response = client.post(OTP, {"token": wrong_code(device)})
    assert response.status_code == 400 and "Mã xác thực không đúng" in response.content.decode()
    assert not signed_in(client)

    response = client.post(OTP, {"token": code_for(device), "next": "/co-quan/"})
    assert response.status_code == 302 and response["Location"] == "/co-quan/"
    assert signed_in(client)
    assert client.get("/api/v1/me/").json()["otp_verified"] is True


def test_a_code_works_once(client, tree, make_officer, password):
    officer = make_officer("receiver", tree.dept_a, username="tn")
    device = make_totp(officer)
    code = code_for(device)
    sign_in(client, "tn", password)
    assert client.post(OTP, {"token": code}).status_code == 302
    client.post("/tai-khoan/dang-xuat/")
    sign_in(client, "tn", password)
    assert client.post(OTP, {"token": code}).status_code == 400  # replayed


def test_wrong_codes_lock_the_account_out(client, tree, make_officer, password):
    officer = make_officer("receiver", tree.dept_a, username="tn")
    device = make_totp(officer)
    sign_in(client, "tn", password)
    responses = [
        client.post(OTP, {"token": wrong_code(device)}) for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert responses[-1].status_code == 429
    assert "Tạm khóa đăng nhập" in responses[-1].content.decode()
    # Locked out: the right code no longer helps (the pending sign-in is dropped), nor
    # does the password.
    assert client.post(OTP, {"token": code_for(device)}).status_code == 429
    assert client.post(OTP, {"token": code_for(device)})["Location"] == LOGIN
    assert not signed_in(client)
    assert sign_in(client, "tn", password).status_code == 429


def test_backup_code_works_once(client, tree, make_officer, password):
    officer = make_officer("receiver", tree.dept_a, username="tn")
    make_totp(officer)
    make_backup_codes(officer, ["abcd2345", "efgh6789"])
    sign_in(client, "tn", password)
    response = client.post(OTP, {"token": "ABCD 2345"}, follow=True)
    assert "còn 1 mã chưa dùng" in response.content.decode()
    assert signed_in(client)
    client.post("/tai-khoan/dang-xuat/")
    sign_in(client, "tn", password)
    assert client.post(OTP, {"token": "abcd2345"}).status_code == 400


def test_backup_codes_are_shown_once(client, tree, make_officer):
    officer = make_officer("receiver", tree.dept_a, username="tn")
    device = make_totp(officer)
    client.force_login(officer)
    client.post(OTP, {"token": code_for(device)})  # verify this session first
    response = client.post(f"{SECURITY}ma-du-phong/")
    assert response.status_code == 302
    codes = [t.token for t in officer.staticdevice_set.get().token_set.all()]
    assert len(codes) == 10
    first = client.get(SECURITY).content.decode()
    assert all(code in first for code in codes)
    second = client.get(SECURITY).content.decode()
    assert not any(code in second for code in codes) and "Còn 10 mã dự phòng" in second


def test_backup_codes_need_a_verified_session(client, tree, make_officer):
    officer = make_officer("receiver", tree.dept_a, username="tn")
    make_totp(officer)
    client.force_login(officer)
    response = client.post(f"{SECURITY}ma-du-phong/")
    assert response.status_code == 302 and response["Location"].startswith(OTP)
    assert not officer.staticdevice_set.exists()


def test_removing_a_device_needs_a_current_code(client, tree, make_officer):
    officer = make_officer("receiver", tree.dept_a, username="tn")
    device = make_totp(officer)
    client.force_login(officer)
    client.post(OTP, {"token": code_for(device)})
    allow_code_again(device)
    url = f"{SECURITY}go-thiet-bi/"
    response = client.post(url, {"device": device.persistent_id, "token": wrong_code(device)})
    assert response.status_code == 400 and "Mã xác thực không đúng" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    response = client.post(url, {"device": device.persistent_id, "token": code_for(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEntry.objects.filter(action="account.otp_remove").exists()


def test_nobody_removes_someone_elses_device(client, tree, make_officer):
    officer = make_officer("receiver", tree.dept_a, username="tn")
    other = make_totp(make_officer("receiver", tree.dept_a, username="khac"))
    client.force_login(officer)
    response = client.post(
        f"{SECURITY}go-thiet-bi/", {"device": other.persistent_id, "token": code_for(other)}
    )
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(pk=other.pk).exists()


def test_a_session_opened_elsewhere_still_shows_its_device(client, tree, make_officer):
    """The admin site (or any other sign-in path) logs in with a password only: a user who
    has a device is sent to the code step before any page."""
    officer = make_officer("receiver", tree.dept_a, username="tn")
    device = make_totp(officer)
    client.force_login(officer)
    response = client.get("/co-quan/")
    assert response.status_code == 302 and response["Location"].startswith(OTP)
    assert client.get("/api/v1/agencies/").status_code == 403
    client.post(OTP, {"token": code_for(device)})
    assert signed_in(client)


def test_pending_sign_in_expires(client, tree, make_officer, password):
    officer = make_officer("receiver", tree.dept_a, username="tn")
    device = make_totp(officer)
    sign_in(client, "tn", password)
    with time_machine.travel(timezone.now() + timedelta(seconds=twofactor.PENDING_SECONDS + 5)):
        response = client.post(OTP, {"token": code_for(device)})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not signed_in(client)


# -- OTP_REQUIRED_FOR_PRIVILEGED -------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "agency_leader", "unit_leader"])
@override_settings(OTP_REQUIRED_FOR_PRIVILEGED=True)
def test_privileged_officers_must_enrol_before_any_page(client, tree, make_officer, password, role):
    officer = make_officer(role, tree.dept_a, username="ld")
    response = sign_in(client, "ld", password, next="/co-quan/")
    assert response.status_code == 302 and response["Location"].startswith(SECURITY)
    for url in ("/", "/co-quan/", f"/co-quan/{tree.dept_a.code}/", "/tai-khoan/can-bo/"):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith(SECURITY), url
    api = client.get("/api/v1/agencies/")
    assert api.status_code == 403 and api.json()["code"] == "otp_enrolment_required"
    enrol_page = client.get(SECURITY)
    assert (
        enrol_page.status_code == 200
        and "bắt buộc bật xác thực hai lớp" in enrol_page.content.decode()
    )
    key = client.session[twofactor.ENROL_KEY]
    client.post(f"{SECURITY}ung-dung/", {"token": code_for_key(key)})
    assert signed_in(client)
    # Next time the code step comes straight after the password.
    client.post("/tai-khoan/dang-xuat/")
    device = TOTPDevice.objects.get(user=officer)
    allow_code_again(device)
    assert sign_in(client, "ld", password)["Location"].startswith(OTP)
    client.post(OTP, {"token": code_for(device)})
    assert signed_in(client)


@override_settings(OTP_REQUIRED_FOR_PRIVILEGED=True)
def test_receivers_are_not_forced(client, tree, make_officer, password):
    make_officer("receiver", tree.dept_a, username="tn")
    assert sign_in(client, "tn", password)["Location"] == "/"
    assert signed_in(client)


@override_settings(OTP_REQUIRED_FOR_PRIVILEGED=False)
def test_without_the_setting_admins_are_not_forced(client, tree, make_officer, password):
    make_officer("admin", tree.dept_a, username="qt")
    assert sign_in(client, "qt", password)["Location"] == "/"
    assert signed_in(client)


# -- temporary passwords ---------------------------------------------------------------


def test_temporary_password_must_be_changed_first(client, tree, make_officer, password):
    officer = make_officer("receiver", tree.dept_a, username="tn", must_change_password=True)
    response = sign_in(client, "tn", password)
    assert response["Location"].startswith(SECURITY)
    assert client.get("/co-quan/")["Location"].startswith(SECURITY)
    assert client.get("/api/v1/me/").json()["code"] == "password_change_required"
    new = "Mat-Khau-Rieng-2026!"
    client.post(
        f"{SECURITY}mat-khau/",
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    officer.refresh_from_db()
    assert not officer.must_change_password
    assert signed_in(client)
