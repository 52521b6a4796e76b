"""Calendar services: versions, validation, permissions, inheritance, jobs and impact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st
from procrastinate.contrib.django.models import ProcrastinateJob

from caicach.calendars import building, rules, services
from caicach.calendars.events import OpenPromisesWanted
from caicach.calendars.models import CalendarDay, CalendarImpact, CalendarVersion, DayKind
from caicach.calendars.tasks import report_calendar_impact
from caicach.calendars.tests.factories import CalendarVersionFactory, promise
from caicach.core import events
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError, ConflictError
from caicach.core.models import AuditEntry

pytestmark = pytest.mark.django_db

VN = rules.VN_TZ
SYSTEM = Actor.system("test")
JOB = "calendars.report_calendar_impact"


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN)


def add_culture_day(actor: Actor = SYSTEM) -> CalendarVersion:
    return services.add_day(
        actor, date(2026, 11, 24), "holiday", "Ngày Văn hóa Việt Nam", "Vietnam Culture Day"
    )


@pytest.fixture
def sources() -> Iterator[list[services.OpenPromise]]:
    """A fake promise source standing in for the dossier app."""
    promises: list[services.OpenPromise] = []

    def source(query: Any) -> list[services.OpenPromise]:
        return list(promises)

    events.subscribe(OpenPromisesWanted, source)
    yield promises
    events.unsubscribe(OpenPromisesWanted, source)


# -- loading and building ---------------------------------------------------------------------


def test_load_official_calendar_creates_version_one_once() -> None:
    data = rules.load_official_data()
    version = services.load_official_calendar(SYSTEM)
    assert version.number == 1
    assert version.label == data.version
    assert version.is_current and version.scope_agency is None and version.parent is None
    assert (version.first_year, version.last_year) == (2024, 2026)
    assert version.days.count() == len(data.entries)
    assert version.office_hours == [["07:30", "11:30"], ["13:30", "17:00"]]
    entry = AuditEntry.objects.get(action="calendar.loaded")
    assert entry.changes["days"] == len(data.entries)

    assert services.load_official_calendar(SYSTEM).pk == version.pk
    assert services.load_official_calendar(SYSTEM, force=True).pk == version.pk  # same data
    assert CalendarVersion.objects.count() == 1
    assert AuditEntry.objects.filter(action="calendar.loaded").count() == 1
    assert not ProcrastinateJob.objects.filter(task_name=JOB).exists()


def test_calendar_for_loads_the_official_calendar_the_first_time() -> None:
    calendar = services.calendar_for()
    assert calendar.version == "official-2026.1"
    due = rules.compute_due(at(2025, 4, 25), 3, "working_days", calendar).due
    assert due == at(2025, 4, 29, 17)  # Saturday 26/04/2025 is worked


def test_calendar_for_is_cached_and_costs_one_small_query(
    tree: Any, django_assert_num_queries: Any
) -> None:
    first = services.calendar_for(tree.unit_a)
    with django_assert_num_queries(1):
        again = services.calendar_for(tree.unit_a)
    assert again is first
    add_culture_day()
    changed = services.calendar_for(tree.unit_a)
    assert changed is not first
    assert not changed.is_working_day(date(2026, 11, 24))
    assert first.is_working_day(date(2026, 11, 24))  # old versions are still exact


def test_calendar_for_outside_a_transaction_reuses_the_current_lookup(
    monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    services.calendar_for()
    monkeypatch.setattr(building, "connection", SimpleNamespace(in_atomic_block=False))
    services.clear_cache()
    services.calendar_for()
    with django_assert_num_queries(0):
        services.calendar_for()
    services.clear_cache()


def test_calendar_as_of_an_instant_and_from_a_label(tree: Any) -> None:
    old = services.calendar_for()
    before = datetime.now(tz=VN)
    add_culture_day()
    assert services.calendar_for(on=before).version == old.version
    new = services.calendar_for()
    assert services.calendar_from_label(new.version) is new
    assert services.calendar_from_label(old.version) is old
    with pytest.raises(services.CalendarNotFoundError):
        services.calendar_from_label("official-1999.9")


def test_only_one_current_official_version() -> None:
    services.load_official_calendar(SYSTEM)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarVersionFactory(is_current=True)


def test_model_day_kinds_match_the_engine() -> None:
    assert {k.value for k in DayKind} == {k.value for k in rules.DayKind}


# -- changes ----------------------------------------------------------------------------------


def test_add_day_makes_a_new_audited_version(tree: Any, make_officer: Any) -> None:
    admin = make_officer("admin", tree.province)
    v1 = services.load_official_calendar(SYSTEM)
    v2 = add_culture_day(Actor(user=admin, ip_address="10.0.0.1"))
    v1.refresh_from_db()
    assert (v2.number, v2.parent_id, v2.is_current, v1.is_current) == (2, v1.pk, True, False)
    assert v2.label.startswith("official-") and v2.label.endswith(".2")
    assert v2.created_by == admin
    assert v2.days.count() == v1.days.count() + 1
    assert v1.days.filter(date=date(2026, 11, 24)).count() == 0  # the old snapshot is intact
    entry = AuditEntry.objects.get(action="calendar.day_added")
    assert entry.actor == admin and entry.agency == tree.province
    assert entry.changes["date"] == "2026-11-24"
    assert entry.changes["added"]["kind"] == "holiday"
    assert (entry.changes["version"], entry.changes["parent"]) == (v2.label, v1.label)


def test_update_and_remove_day() -> None:
    services.load_official_calendar(SYSTEM)
    add_culture_day()
    v3 = services.update_day(
        SYSTEM, date(2026, 11, 24), "holiday", "Ngày Văn hóa", "Culture Day", note="NQ 80"
    )
    day = v3.days.get(date=date(2026, 11, 24))
    assert (day.name_vi, day.note) == ("Ngày Văn hóa", "NQ 80")
    v4 = services.remove_day(SYSTEM, date(2026, 11, 24))
    assert not v4.days.filter(date=date(2026, 11, 24)).exists()
    assert services.calendar_for().is_working_day(date(2026, 11, 24))
    assert AuditEntry.objects.filter(action="calendar.day_changed").count() == 1
    removed = AuditEntry.objects.get(action="calendar.day_removed")
    assert removed.changes["removed"]["name_vi"] == "Ngày Văn hóa"
    with pytest.raises(BilingualError) as missing:
        services.remove_day(SYSTEM, date(2026, 11, 24))
    assert missing.value.status == 404


@pytest.mark.parametrize(
    ("day", "kind", "field", "words"),
    [
        (date(2026, 11, 25), "worked_weekend", "date", "thứ Bảy hoặc Chủ nhật"),
        (date(2026, 11, 29), "in_lieu", "date", "ngày trong tuần"),
        (date(2026, 11, 30), "agency_off", "kind", "Loại ngày"),
        (date(2026, 11, 30), "bogus", "kind", "Loại ngày"),
        (date(2060, 1, 2), "holiday", "date", "ngoài phạm vi"),
    ],
)
def test_add_day_rejects_bad_days_in_both_languages(
    day: date, kind: str, field: str, words: str
) -> None:
    with pytest.raises(services.CalendarInputError) as error:
        services.add_day(SYSTEM, day, kind, "Ngày thử", "Test day")
    assert words in error.value.errors_vi[field]
    assert error.value.errors_en[field]
    assert error.value.status == 400


def test_add_day_requires_a_name_and_refuses_duplicates() -> None:
    with pytest.raises(services.CalendarInputError) as error:
        services.add_day(SYSTEM, date(2026, 11, 24), "holiday", "  ")
    assert "name_vi" in error.value.errors_vi
    with pytest.raises(ConflictError) as duplicate:
        services.add_day(SYSTEM, date(2026, 9, 2), "holiday", "Quốc khánh")
    assert "đã có trong lịch" in duplicate.value.message_vi
    assert duplicate.value.status == 409


def test_a_holiday_on_a_weekend_is_allowed_as_information() -> None:
    version = services.add_day(SYSTEM, date(2026, 11, 22), "holiday", "Ngày thử (Chủ nhật)")
    assert version.days.filter(date=date(2026, 11, 22)).exists()
    assert services.calendar_for().is_working_day(date(2026, 11, 23))  # no automatic day in lieu


def test_rolled_back_change_leaves_nothing() -> None:
    services.load_official_calendar(SYSTEM)
    versions, audits = CalendarVersion.objects.count(), AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        add_culture_day()
        raise RuntimeError("the caller failed after the change")
    assert CalendarVersion.objects.count() == versions
    assert AuditEntry.objects.count() == audits
    assert not ProcrastinateJob.objects.filter(task_name=JOB).exists()
    assert services.calendar_for().is_working_day(date(2026, 11, 24))


def test_committed_change_enqueues_exactly_one_job() -> None:
    services.load_official_calendar(SYSTEM)
    version = add_culture_day()
    jobs = list(ProcrastinateJob.objects.filter(task_name=JOB))
    assert len(jobs) == 1
    assert jobs[0].args == {"version_id": version.pk}
    assert jobs[0].status == "todo"


# -- permissions ------------------------------------------------------------------------------


def test_permissions(tree: Any, make_officer: Any) -> None:
    root_admin = Actor(user=make_officer("admin", tree.province))
    dept_admin = Actor(user=make_officer("admin", tree.dept_a))
    receiver = Actor(user=make_officer("receiver", tree.province))
    services.load_official_calendar(SYSTEM)
    with pytest.raises(PermissionDenied):
        add_culture_day(receiver)
    with pytest.raises(PermissionDenied):
        add_culture_day(dept_admin)  # only an admin over a root changes the official calendar
    with pytest.raises(PermissionDenied):
        services.add_day(dept_admin, date(2025, 5, 5), "agency_off", "Nghỉ", agency=tree.dept_b)
    services.add_day(dept_admin, date(2025, 5, 5), "agency_off", "Nghỉ", agency=tree.unit_a)
    add_culture_day(root_admin)
    assert services.may_change_official(root_admin.user)
    assert not services.may_change_official(dept_admin.user)


# -- agency overrides and office hours --------------------------------------------------------


def test_agency_overrides_are_inherited_and_the_nearest_wins(tree: Any) -> None:
    monday = date(2025, 5, 5)
    saturday = date(2025, 5, 10)
    services.add_day(SYSTEM, monday, "agency_off", "Nghỉ của tỉnh", agency=tree.province)
    services.add_day(SYSTEM, monday, "agency_worked", "Sở vẫn làm", agency=tree.dept_a)
    services.add_day(SYSTEM, saturday, "agency_worked", "Trực thứ Bảy", agency=tree.dept_b)
    assert services.calendar_for().is_working_day(monday)
    assert not services.calendar_for(tree.province).is_working_day(monday)
    assert not services.calendar_for(tree.commune).is_working_day(monday)
    assert services.calendar_for(tree.dept_a).is_working_day(monday)
    assert services.calendar_for(tree.unit_a).is_working_day(monday)  # nearest: dept A
    assert services.calendar_for(tree.dept_b).is_working_day(saturday)
    assert not services.calendar_for(tree.dept_a).is_working_day(saturday)
    label = services.calendar_for(tree.unit_a).version
    assert label.count("+") == 2 and tree.dept_a.code in label


def test_agency_days_must_change_something(tree: Any) -> None:
    with pytest.raises(services.CalendarInputError) as off:
        services.add_day(SYSTEM, date(2025, 9, 2), "agency_off", "Nghỉ", agency=tree.dept_a)
    assert "đã là ngày nghỉ" in off.value.errors_vi["date"]
    with pytest.raises(services.CalendarInputError) as worked:
        services.add_day(SYSTEM, date(2025, 9, 3), "agency_worked", "Làm", agency=tree.dept_a)
    assert "đã là ngày làm việc" in worked.value.errors_vi["date"]
    with pytest.raises(services.CalendarInputError):
        services.add_day(SYSTEM, date(2025, 9, 3), "holiday", "Lễ", agency=tree.dept_a)


def test_office_hours_are_versioned_and_inherited(tree: Any) -> None:
    version = services.set_office_hours(SYSTEM, tree.dept_a, "08:00-12:00, 13:00-17:30")
    assert version.office_hours == [["08:00", "12:00"], ["13:00", "17:30"]]
    unit = services.calendar_for(tree.unit_a).office_hours
    assert unit.to_strings() == [["08:00", "12:00"], ["13:00", "17:30"]]
    assert services.calendar_for(tree.dept_b).office_hours.to_strings() == (
        services.DEFAULT_OFFICE_HOURS
    )
    due = rules.compute_due(at(2025, 4, 25), 3, "working_days", services.calendar_for(tree.unit_a))
    assert due.due == at(2025, 4, 29, 17, 30)
    entry = AuditEntry.objects.get(action="calendar.office_hours_changed")
    assert entry.changes["office_hours"] == [None, version.office_hours]
    cleared = services.set_office_hours(SYSTEM, tree.dept_a, "")
    assert cleared.office_hours is None
    assert services.calendar_for(tree.unit_a).office_hours.to_strings() == (
        services.DEFAULT_OFFICE_HOURS
    )
    official = services.set_office_hours(SYSTEM, None, [["07:00", "11:00"], ["13:00", "16:30"]])
    assert services.calendar_for(tree.dept_b).office_hours.closing == time(16, 30)
    assert official.days.count() == CalendarDay.objects.filter(version=official.parent).count()


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("11:30-07:30", "phải sau giờ bắt đầu"),
        ("07:30-11:30, 11:00-17:00", "không chồng lên nhau"),
        ("13:30-17:00, 07:30-11:30", "không chồng lên nhau"),
        ("sáng", "không hợp lệ"),
        ("25:00-26:00", "không hợp lệ"),
        ([["07:30"]], "không hợp lệ"),
    ],
)
def test_office_hours_validation(tree: Any, value: Any, words: str) -> None:
    with pytest.raises(services.CalendarInputError) as error:
        services.set_office_hours(SYSTEM, tree.dept_a, value)
    assert words in error.value.errors_vi["office_hours"]
    assert error.value.errors_en["office_hours"]


def test_unchanged_office_hours_make_no_version(tree: Any) -> None:
    services.set_office_hours(SYSTEM, tree.dept_a, "08:00-12:00")
    count = CalendarVersion.objects.count()
    with pytest.raises(BilingualError, match="Nothing changed"):
        services.set_office_hours(SYSTEM, tree.dept_a, [["08:00", "12:00"]])
    assert CalendarVersion.objects.count() == count


def test_official_years_make_a_year_official() -> None:
    services.add_day(SYSTEM, date(2027, 1, 1), "holiday", "Tết Dương lịch")
    assert services.calendar_for().last_year == 2026
    result = services.compute_due(
        services.parse_due_query(received="2027-03-01T09:00", value=1, unit="working_days")
    )
    assert result.provisional
    services.set_official_years(SYSTEM, 2024, 2027)
    assert services.calendar_for().last_year == 2027
    with pytest.raises(services.CalendarInputError):
        services.set_official_years(SYSTEM, 2027, 2024)


# -- due-date input ---------------------------------------------------------------------------


def test_parse_due_query_reads_vietnam_time_and_reports_every_bad_field() -> None:
    query = services.parse_due_query(received="2025-04-25T10:00", value="3", unit="working_days")
    assert query.received == at(2025, 4, 25)
    assert query.cutoff == time(15, 0)
    utc = services.parse_due_query(received="2025-04-25T03:00Z", value="3", unit="working_days")
    assert utc.received == at(2025, 4, 25)
    slash = services.parse_received("25/04/2025 10:00")
    assert slash == at(2025, 4, 25)
    assert services.parse_cutoff("none") is None
    with pytest.raises(services.CalendarInputError) as error:
        services.parse_due_query(received="", value="-1", unit="fortnights", cutoff="3pm")
    assert set(error.value.errors_vi) == {"received", "value", "unit", "cutoff"}
    assert "không được âm" in error.value.errors_vi["value"]
    with pytest.raises(services.CalendarInputError) as fraction:
        services.parse_due_query(received="2025-04-25T10:00", value="1.5", unit="working_days")
    assert "số nguyên" in fraction.value.errors_vi["value"]
    hours = services.parse_due_query(received="2025-04-25T10:00", value="1.5", unit="working_hours")
    assert services.compute_due(hours).due == at(2025, 4, 25, 11, 30)


def test_format_instant_vi() -> None:
    assert services.format_instant_vi(at(2025, 4, 29, 17)) == "Thứ Ba, 29/04/2025 lúc 17:00"


# -- impact of a late holiday (regulations §4.4) ----------------------------------------------


def test_culture_day_moves_promises_that_span_it(sources: list[services.OpenPromise]) -> None:
    friday = promise("H97-261120-0001", at(2026, 11, 20))  # due Wednesday 25/11
    after = promise("H97-261125-0002", at(2026, 11, 25))
    assert friday.due == at(2026, 11, 25, 17)
    sources.extend([friday, after])
    version = add_culture_day()
    changes = services.impact_of(version)
    assert [(c.key, c.old_due, c.new_due) for c in changes] == [
        ("H97-261120-0001", at(2026, 11, 25, 17), at(2026, 11, 26, 17))
    ]
    assert changes[0].result.calendar_version == version.label

    report_calendar_impact(version.pk)  # what the worker runs after the commit
    impact = CalendarImpact.objects.get(version=version)
    assert (impact.count, impact.checked) == (1, 2)
    assert impact.changes[0]["key"] == "H97-261120-0001"
    assert impact.changes[0]["new_due"] == "2026-11-26T17:00:00+07:00"
    assert impact.changes[0]["old_calendar_version"] == "official-2026.1"
    report_calendar_impact(version.pk)  # a retry replaces, never duplicates
    assert CalendarImpact.objects.filter(version=version).count() == 1


def test_agency_override_impact_stays_in_its_subtree(
    tree: Any, sources: list[services.OpenPromise]
) -> None:
    sources.extend(
        [
            promise("A", at(2025, 5, 2), agency=tree.unit_a),
            promise("B", at(2025, 5, 2), agency=tree.dept_b),
            promise("O", at(2025, 5, 2)),
        ]
    )
    version = services.add_day(SYSTEM, date(2025, 5, 6), "agency_off", "Nghỉ", agency=tree.dept_a)
    impact = services.record_impact(version.pk)
    assert [c["key"] for c in impact.changes] == ["A"]
    assert impact.changes[0]["agency_id"] == tree.unit_a.pk
    assert impact.checked == 1


def test_office_hours_change_recomputes_hour_promises(
    tree: Any, sources: list[services.OpenPromise]
) -> None:
    sources.append(promise("H", at(2025, 6, 2, 8), 4, "working_hours", agency=tree.dept_a))
    version = services.set_office_hours(SYSTEM, tree.dept_a, "08:00-12:00, 13:00-17:00")
    [change] = services.impact_of(version)
    assert change.old_due == at(2025, 6, 2, 14, 0)
    assert change.new_due == at(2025, 6, 2, 12, 0)


# -- properties of the input parsers ----------------------------------------------------------

_minutes = st.integers(min_value=0, max_value=24 * 60 - 1)


@given(st.lists(_minutes, min_size=2, max_size=8, unique=True).map(sorted))
def test_any_ordered_disjoint_hours_round_trip(points: list[int]) -> None:
    if len(points) % 2:
        points = points[:-1]
    pairs = [
        [f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"]
        for a, b in zip(points[::2], points[1::2], strict=True)
    ]
    text = ", ".join(f"{s}-{e}" for s, e in pairs)
    assert services.parse_office_hours(text) == pairs
    assert services.parse_office_hours(pairs) == pairs
    if len(pairs) > 1:
        with pytest.raises(services.CalendarInputError):
            services.parse_office_hours(list(reversed(pairs)))


# Naive bounds on purpose: the input under test is a wall-clock time without an offset.
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31)))  # noqa: DTZ001
def test_a_naive_receipt_time_is_vietnam_time(moment: datetime) -> None:
    moment = moment.replace(second=0, microsecond=0)
    parsed = services.parse_received(moment.strftime("%Y-%m-%dT%H:%M"))
    assert parsed == moment.replace(tzinfo=VN)
    assert parsed.utcoffset() == timedelta(hours=7)
