"""``caicach calendar``: due, show, versions, impact, load."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caicach.calendars import rules, services
from caicach.calendars.events import OpenPromisesWanted
from caicach.calendars.tests.factories import promise
from caicach.core import events
from caicach.core.audit import Actor

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    call_command("calendar", *args)
    return capsys.readouterr().out


def test_due_json_over_a_worked_saturday(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "due", "--received", "2025-04-25T10:00", "--working-days", "3", "--json")
    data = json.loads(out)
    assert data["due"] == "2025-04-29T17:00:00+07:00"
    assert data["calendar_version"] == "official-2026.1"
    assert [s["date"] for s in data["skipped"]] == ["2025-04-27"]
    assert data["worked_weekend_days"][0]["date"] == "2025-04-26"
    assert data["explanation_vi"][-1] == "Phiên bản lịch: official-2026.1."


def test_due_text_prints_the_instant_then_the_explanation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run(capsys, "due", "--received", "2025-04-25T10:00", "--working-days", "3")
    lines = out.splitlines()
    assert lines[0] == "2025-04-29T17:00:00+07:00"
    assert any("thứ Bảy 26/04/2025 (ngày làm bù)" in line for line in lines)
    english = run(
        capsys, "due", "--received", "2025-04-25T10:00", "--working-days", "3", "--lang", "en"
    )
    assert "Counted as a working day: Saturday 26/04/2025" in english


def test_due_cutoff_offset_hours_and_calendar_days(capsys: pytest.CaptureFixture[str]) -> None:
    late = run(capsys, "due", "--received", "2025-04-24 15:30", "--working-days", "1", "--json")
    assert json.loads(late)["due"] == "2025-04-26T17:00:00+07:00"  # next day is Sat 26/4, worked
    assert json.loads(late)["cutoff_applied"] is True
    no_cutoff = run(
        capsys, "due", "--received", "2025-04-24 15:30", "--working-days", "1",
        "--cutoff", "none", "--json",
    )  # fmt: skip
    assert json.loads(no_cutoff)["due"] == "2025-04-25T17:00:00+07:00"
    utc = run(capsys, "due", "--received", "2025-04-25T03:00:00Z", "--working-days", "3")
    assert utc.splitlines()[0] == "2025-04-29T17:00:00+07:00"
    hours = run(capsys, "due", "--received", "2025-04-25T10:00", "--working-hours", "4", "--json")
    assert json.loads(hours)["due"] == "2025-04-25T16:00:00+07:00"
    days = run(capsys, "due", "--received", "2026-04-24T08:00", "--calendar-days", "2", "--json")
    assert json.loads(days)["due"] == "2026-04-28T17:00:00+07:00"  # Sun 26, Mon 27 in lieu


def test_due_uses_the_agency_calendar(tree: Any, capsys: pytest.CaptureFixture[str]) -> None:
    services.add_day(
        Actor.system("test"), date(2025, 4, 28), "agency_off", "Nghỉ riêng", agency=tree.dept_a
    )
    out = run(
        capsys, "due", "--received", "2025-04-25T10:00", "--working-days", "3",
        "--agency", tree.unit_a.code, "--json",
    )  # fmt: skip
    data = json.loads(out)
    assert data["due"] == "2025-05-05T17:00:00+07:00"  # 26/4, 29/4, then 30/4-4/5 off
    assert tree.dept_a.code in data["calendar_version"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--received", "hôm qua", "--working-days", "3"], "không hợp lệ"),
        (["--received", "2025-04-25T10:00", "--working-days", "-2"], "không được âm"),
        (["--received", "2025-04-25T10:00", "--working-days", "1.5"], "số nguyên"),
        (["--received", "2025-04-25T10:00", "--working-days", "3", "--cutoff", "3h"], "Giờ chốt"),
        (["--received", "2025-04-25T10:00", "--working-days", "3", "--agency", "X"], "mã X"),
        (["--received", "1990-01-01T10:00", "--working-days", "3"], "phạm vi"),
    ],
)
def test_bad_input_is_a_clear_message_with_status_2(args: list[str], words: str) -> None:
    with pytest.raises(CommandError) as error:
        call_command("calendar", "due", *args)
    assert words in str(error.value)
    assert error.value.returncode == 2


def test_bad_input_in_english() -> None:
    with pytest.raises(CommandError, match="cannot be negative"):
        call_command(
            "calendar", "due", "--received", "2025-04-25T10:00", "--working-days", "-1",
            "--lang", "en",
        )  # fmt: skip


def test_missing_amount_is_a_usage_error() -> None:
    with pytest.raises(CommandError, match="one of the arguments"):
        call_command("calendar", "due", "--received", "2025-04-25T10:00")


def test_show_lists_weekdays_off_and_worked_weekend_days(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = run(capsys, "show", "2026")
    assert "Lịch làm việc năm 2026 (official-2026.1)" in out
    assert "Thứ Hai   16/02/2026  Tết Nguyên đán" in out
    assert "Thứ Hai   27/04/2026  Nghỉ bù Giỗ Tổ Hùng Vương" in out
    assert "Thứ Bảy   22/08/2026  Làm bù cho thứ Hai 31/08/2026" in out
    assert "14/02/2026" not in out  # a Saturday inside Tết is not a weekday off
    data = json.loads(run(capsys, "show", "2026", "--json"))
    assert [d["date"] for d in data["worked_weekend_days"]] == ["2026-08-22"]
    assert len(data["days_off"]) == len(
        rules.year_summary(rules.official_calendar(), 2026).days_off
    )
    assert "Weekend days worked:" in run(capsys, "show", "2026", "--lang", "en")
    provisional = run(capsys, "show", "2027")
    assert "Chưa có lịch chính thức" in provisional


def test_show_out_of_range_year() -> None:
    with pytest.raises(CommandError) as error:
        call_command("calendar", "show", "1900")
    assert error.value.returncode == 2


def test_versions_and_impact(capsys: pytest.CaptureFixture[str]) -> None:
    promises = [promise("H97-261120-0001", datetime(2026, 11, 20, 10, tzinfo=rules.VN_TZ))]

    def source(query: Any) -> list[services.OpenPromise]:
        return promises

    events.subscribe(OpenPromisesWanted, source)
    try:
        version = services.add_day(
            Actor.system("test"), date(2026, 11, 24), "holiday", "Ngày Văn hóa Việt Nam"
        )
        out = run(capsys, "versions")
        assert f"* {version.number:>4}  {version.label}" in out
        assert "official-2026.1" in out
        text = run(capsys, "impact", "--version", str(version.number))
        assert "1 hạn trả thay đổi" in text
        assert "H97-261120-0001: 2026-11-25T17:00:00+07:00 -> 2026-11-26T17:00:00+07:00" in text
        data = json.loads(run(capsys, "impact", "--version", version.label, "--json"))
        assert data["count"] == 1
    finally:
        events.unsubscribe(OpenPromisesWanted, source)
    with pytest.raises(CommandError):
        call_command("calendar", "impact", "--version", "999")


def test_load_is_idempotent(capsys: pytest.CaptureFixture[str]) -> None:
    assert "loaded: official-2026.1" in run(capsys, "load")
    assert "unchanged: official-2026.1" in run(capsys, "load")
    assert "unchanged" in run(capsys, "load", "--force")
