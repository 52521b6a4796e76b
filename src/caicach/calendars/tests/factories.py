"""Test data for the calendar app: versions and days, and promises for the impact checks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import factory

from caicach.agencies.models import Agency
from caicach.calendars import rules, services
from caicach.calendars.models import CalendarDay, CalendarVersion, DayKind


class CalendarVersionFactory(factory.django.DjangoModelFactory):
    """A bare version row (tests of reads and constraints; changes go through the services)."""

    class Meta:
        model = CalendarVersion

    number = factory.Sequence(lambda n: 1000 + n)
    label = factory.LazyAttribute(lambda v: f"test-{v.number}")
    scope_agency = None
    is_current = False
    first_year = 2024
    last_year = 2026
    office_hours = factory.LazyFunction(lambda: [["07:30", "11:30"], ["13:30", "17:00"]])
    created_by_label = "test"


class CalendarDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarDay

    version = factory.SubFactory(CalendarVersionFactory)
    date = date(2026, 11, 24)
    kind = DayKind.HOLIDAY
    name_vi = "Ngày Văn hóa Việt Nam"
    name_en = "Vietnam Culture Day"


def promise(
    key: str,
    received: datetime,
    value: int | Decimal = 3,
    unit: str = "working_days",
    agency: Agency | None = None,
) -> services.OpenPromise:
    """A promise computed the way intake does: with the agency's current calendar."""
    calendar = services.calendar_for(agency)
    result = rules.compute_due(received, value, unit, calendar, rules.DEFAULT_CUTOFF)
    return services.OpenPromise(
        key=key,
        received=received,
        value=value,
        unit=unit,
        cutoff=rules.DEFAULT_CUTOFF,
        due=result.due,
        calendar_version=result.calendar_version,
        agency_id=agency.pk if agency is not None else None,
    )
