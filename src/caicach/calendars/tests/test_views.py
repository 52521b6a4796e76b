"""Calendar pages: the year view, the due-date lookup (htmx and plain), the admin page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from caicach.accounts.models import UserKind
from caicach.calendars import services
from caicach.calendars.models import CalendarImpact, CalendarVersion
from caicach.core.audit import Actor
from caicach.core.models import AuditEntry

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LOOKUP = {
    "received": "2025-04-25T10:00",
    "value": "3",
    "unit": "working_days",
    "cutoff": "15:00",
    "agency": "",
}


@pytest.fixture
def officer(tree: Any, make_officer: Any, client: Client) -> Client:
    client.force_login(make_officer("receiver", tree.province))
    return client


@pytest.fixture
def admin(tree: Any, make_officer: Any, client: Client) -> Client:
    client.force_login(make_officer("admin", tree.province))
    return client


def test_anonymous_is_sent_to_login(client: Client) -> None:
    response = client.get(reverse("calendars:year"))
    assert response.status_code == 302
    assert "dang-nhap" in response["Location"]


def test_citizen_is_refused(tree: Any, make_officer: Any, client: Client) -> None:
    client.force_login(make_officer("receiver", tree.province, kind=UserKind.CITIZEN))
    assert client.get(reverse("calendars:year", args=[2026])).status_code in {302, 403}


def test_year_page_marks_tet_weekends_and_worked_days(
    officer: Client, django_assert_max_num_queries: Any
) -> None:
    officer.get(reverse("calendars:year", args=[2025]))  # first load and session: one-offs
    with django_assert_max_num_queries(7):
        response = officer.get(reverse("calendars:year", args=[2026]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lịch làm việc năm 2026" in html
    assert (
        'class="day-off" title="Tết Nguyên đán (Mùng 1 Tết (âm lịch))" data-date="2026-02-17"'
        in html
    )
    assert 'class="day-off day-weekend-off"' in html  # Tết on a weekend
    assert 'class="day-worked" title="Làm bù cho thứ Hai 31/08/2026" data-date="2026-08-22"' in html
    assert 'class="day-weekend" title="Thứ Bảy (nghỉ cuối tuần)" data-date="2026-01-03"' in html
    assert "Thứ Hai 27/04" in html  # the list: day in lieu of the Hùng Kings' Day
    assert "official-2026.1" in html
    assert "07:30–11:30, 13:30–17:00" in html
    for year in (2024, 2025, 2027):
        assert f'href="/lich/{year}/"' in html
    assert "Quản trị lịch" not in html  # a receiver cannot edit


def test_year_page_defaults_to_this_year_and_warns_beyond_official_years(officer: Client) -> None:
    assert officer.get(reverse("calendars:year")).status_code == 200
    response = officer.get(reverse("calendars:year", args=[2027]))
    assert response.status_code == 200
    assert "Chưa có lịch nghỉ chính thức của năm 2027" in response.content.decode()
    assert officer.get(reverse("calendars:year", args=[1900])).status_code == 404


def test_agency_selector_shows_the_agency_calendar(
    tree: Any, make_officer: Any, client: Client
) -> None:
    services.set_office_hours(Actor.system("t"), tree.dept_a, "08:00-12:00, 13:00-17:00")
    client.force_login(make_officer("processor", tree.dept_a))
    url = reverse("calendars:year", args=[2026])
    html = client.get(url, {"agency": tree.unit_a.code}).content.decode()
    assert "08:00–12:00, 13:00–17:00" in html
    assert f'<option value="{tree.unit_a.code}" selected>' in html
    assert tree.dept_b.code not in html  # outside the officer's scope
    assert client.get(url, {"agency": tree.dept_b.code}).status_code == 404


def test_due_lookup_with_htmx_answers_in_place(officer: Client) -> None:
    response = officer.post(reverse("calendars:due"), LOOKUP, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card due-card" id="due-lookup"')
    assert "Thứ Ba, 29/04/2025 lúc 17:00" in html
    assert "2025-04-29T17:00:00+07:00" in html
    assert "Có tính thứ Bảy 26/04/2025 (ngày làm bù)" in html
    assert "Không tính chủ nhật 27/04/2025" in html
    assert "official-2026.1" in html
    assert "<html" not in html


def test_due_lookup_after_the_cutoff(officer: Client) -> None:
    data = {**LOOKUP, "received": "2025-04-24T15:30", "value": "1"}
    html = officer.post(reverse("calendars:due"), data, **HTMX).content.decode()
    assert "Nhận sau giờ chốt 15:00" in html
    assert "đã áp dụng" in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"received": ""}, "Hãy nhập thời điểm nhận hồ sơ."),
        ({"value": "-3"}, "Thời hạn không được âm."),
        ({"value": "abc"}, "không phải là số"),
        ({"cutoff": "25:99"}, "Giờ chốt"),
        ({"received": "1990-01-01T10:00"}, "Ngoài phạm vi lịch"),
    ],
)
def test_due_lookup_bad_input_is_an_inline_400(
    officer: Client, change: dict[str, str], message: str
) -> None:
    response = officer.post(reverse("calendars:due"), {**LOOKUP, **change}, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="errorlist"' in html
    assert "Hạn trả kết quả" not in html


def test_due_lookup_without_javascript_renders_the_page(officer: Client) -> None:
    response = officer.post(reverse("calendars:due"), {**LOOKUP, "year": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lịch làm việc năm 2025" in html
    assert "Thứ Ba, 29/04/2025 lúc 17:00" in html
    bad = officer.post(reverse("calendars:due"), {**LOOKUP, "received": ""})
    assert bad.status_code == 400
    assert "Hãy nhập thời điểm nhận hồ sơ." in bad.content.decode()


def test_due_lookup_with_an_agency_outside_scope(
    tree: Any, make_officer: Any, client: Client
) -> None:
    client.force_login(make_officer("processor", tree.dept_a))
    response = client.post(reverse("calendars:due"), {**LOOKUP, "agency": tree.dept_b.code}, **HTMX)
    assert response.status_code == 400  # not a choice the form offers


def test_edit_is_for_calendar_admins_only(officer: Client) -> None:
    assert officer.get(reverse("calendars:edit")).status_code == 403
    assert officer.post(reverse("calendars:edit"), {"action": "add"}).status_code == 403


def test_admin_adds_a_day_and_sees_a_new_version(
    admin: Client, django_assert_max_num_queries: Any
) -> None:
    admin.get(reverse("calendars:year"))  # first load and session: one-offs
    with django_assert_max_num_queries(8):
        page = admin.get(reverse("calendars:edit"))
    assert page.status_code == 200
    assert "Các ngày trong lịch chính thức" in page.content.decode()
    response = admin.post(
        reverse("calendars:edit"),
        {
            "action": "add",
            "agency": "",
            "day": "2026-11-24",
            "kind": "holiday",
            "name_vi": "Ngày Văn hóa Việt Nam",
            "name_en": "Vietnam Culture Day",
            "note": "NQ 80-NQ/TW",
        },
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    version = CalendarVersion.objects.get(is_current=True, scope_agency=None)
    assert version.number == 2
    assert f"Đã lưu: phiên bản lịch mới {version.label}" in html
    assert "Ngày Văn hóa Việt Nam" in html
    entry = AuditEntry.objects.get(action="calendar.day_added")
    assert entry.ip_address == "127.0.0.1"
    assert not services.calendar_for().is_working_day(date(2026, 11, 24))


def test_admin_errors_are_shown_inline(admin: Client) -> None:
    response = admin.post(
        reverse("calendars:edit"),
        {"action": "add", "day": "2026-11-25", "kind": "worked_weekend", "name_vi": "Làm bù"},
    )
    assert response.status_code == 400
    assert "Ngày làm bù phải là thứ Bảy hoặc Chủ nhật" in response.content.decode()
    duplicate = admin.post(
        reverse("calendars:edit"),
        {"action": "add", "day": "2026-09-02", "kind": "holiday", "name_vi": "Quốc khánh"},
    )
    assert duplicate.status_code == 409
    missing = admin.post(reverse("calendars:edit"), {"action": "add", "kind": "holiday"})
    assert missing.status_code == 400
    assert "Hãy chọn ngày." in missing.content.decode()
    unknown = admin.post(reverse("calendars:edit"), {"action": "explode"})
    assert unknown.status_code == 400


def test_admin_removes_a_day_and_sets_office_hours(tree: Any, admin: Client) -> None:
    url = reverse("calendars:edit")
    response = admin.post(url, {"action": "remove", "day": "2026-09-01"})
    assert response.status_code == 302
    assert services.calendar_for().is_working_day(date(2026, 9, 1))
    response = admin.post(
        url,
        {
            "action": "hours",
            "agency": tree.commune.code,
            "office_hours": "07:00-11:00, 13:00-16:30",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?agency={tree.commune.code}")
    assert services.calendar_for(tree.commune).office_hours.describe() == "07:00–11:00, 13:00–16:30"
    bad = admin.post(url, {"action": "hours", "office_hours": "17:00-07:00"})
    assert bad.status_code == 400
    assert "giờ kết thúc phải sau giờ bắt đầu" in bad.content.decode()
    years = admin.post(url, {"action": "years", "first_year": "2024", "last_year": "2027"})
    assert years.status_code == 302
    assert services.calendar_for().last_year == 2027


def test_agency_admin_edits_only_its_own_override(
    tree: Any, make_officer: Any, client: Client
) -> None:
    client.force_login(make_officer("admin", tree.dept_a))
    url = reverse("calendars:edit")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lịch chính thức (toàn quốc)</option>" not in html
    assert "Ngày riêng của Sở Tư pháp" in html
    assert client.post(url, {"action": "remove", "day": "2026-09-01"}).status_code == 403
    assert client.get(url, {"agency": tree.dept_b.code}).status_code == 404
    response = client.post(
        url,
        {
            "action": "add",
            "agency": tree.unit_a.code,
            "day": "2025-05-10",
            "kind": "agency_worked",
            "name_vi": "Trực thứ Bảy",
        },
    )
    assert response.status_code == 302
    assert services.calendar_for(tree.unit_a).is_working_day(date(2025, 5, 10))


def test_version_page_shows_the_diff_and_the_impact(admin: Client) -> None:
    version = services.add_day(
        Actor.system("t"), date(2026, 11, 24), "holiday", "Ngày Văn hóa Việt Nam"
    )
    url = reverse("calendars:version", args=[version.number])
    html = admin.get(url).content.decode()
    assert "Ngày Văn hóa Việt Nam" in html and "thêm" in html
    assert "Đang tính trong nền" in html
    services.record_impact(version.pk)
    assert CalendarImpact.objects.filter(version=version).exists()
    html = admin.get(url).content.decode()
    assert "Không có hạn trả nào bị thay đổi." in html
    edit = admin.get(reverse("calendars:edit")).content.decode()
    assert f'href="/lich/quan-tri/phien-ban/{version.number}/#impact"' in edit
    assert admin.get(reverse("calendars:version", args=[999])).status_code == 404


# -- English interface ---------------------------------------------------------------------------


@pytest.fixture
def english(settings: Any, client: Client) -> Client:
    """The language switch's cookie: the interface in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_year_page_in_english_shows_english_day_labels(officer: Client, english: Client) -> None:
    html = officer.get(reverse("calendars:year", args=[2026])).content.decode()
    assert 'title="Lunar New Year (Tết)' in html
    assert "Monday 16/02" in html
    assert "Worked Saturday (in exchange for Monday 31/08/2026)" in html
    assert "Thứ Hai 16/02" not in html
    assert 'title="Tết Nguyên đán' not in html


@pytest.mark.parametrize(
    ("change", "english_message", "vietnamese_message"),
    [
        ({"received": ""}, "The receipt time is required.", "Hãy nhập thời điểm nhận hồ sơ."),
        ({"value": "-3"}, "The time allowed cannot be negative.", "Thời hạn không được âm."),
        ({"cutoff": "25:99"}, "Invalid cut-off", "Giờ chốt"),
        ({"received": "1990-01-01T10:00"}, "Outside the calendar", "Ngoài phạm vi lịch"),
    ],
)
def test_due_lookup_in_english_explains_and_errs_in_english(
    officer: Client,
    english: Client,
    change: dict[str, str],
    english_message: str,
    vietnamese_message: str,
) -> None:
    ok = officer.post(reverse("calendars:due"), LOOKUP, **HTMX).content.decode()
    assert "Tuesday 29/04/2025 at 17:00" in ok
    assert "Counted as a working day: Saturday 26/04/2025" in ok
    assert "Not counted: Sunday 27/04/2025" in ok
    assert "Thứ Ba" not in ok and "Có tính" not in ok
    bad = officer.post(reverse("calendars:due"), {**LOOKUP, **change}, **HTMX)
    assert bad.status_code == 400
    assert english_message in bad.content.decode()
    assert vietnamese_message not in bad.content.decode()


def test_admin_errors_in_english(admin: Client, settings: Any) -> None:
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    weekday = admin.post(
        reverse("calendars:edit"),
        {"action": "add", "day": "2026-11-25", "kind": "worked_weekend", "name_vi": "Làm bù"},
    )
    assert weekday.status_code == 400
    assert "A worked weekend day must be a Saturday or Sunday" in weekday.content.decode()
    duplicate = admin.post(
        reverse("calendars:edit"),
        {"action": "add", "day": "2026-09-02", "kind": "holiday", "name_vi": "Quốc khánh"},
    )
    assert duplicate.status_code == 409
    assert "02/09/2026 is already in the calendar" in duplicate.content.decode()
    unknown = admin.post(reverse("calendars:edit"), {"action": "explode"})
    assert "Unknown action." in unknown.content.decode()
    page = admin.get(reverse("calendars:edit")).content.decode()
    assert "National Day" in page  # the official days listed by their English names
