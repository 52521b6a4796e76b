"""The version in force: one rule (procedures.rules) for pages, API, intake, import and the
generator; the SQL twin (ProcedureVersionQuerySet.in_force) agrees with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.procedures.models import ProcedureVersion
from caicach.procedures.rules import current_version, in_force_on, version_in_force
from caicach.procedures.tests.factories import ProcedureFactory, ProcedureVersionFactory


@dataclass(frozen=True)
class V:
    number: int
    effective_from: date
    effective_to: date | None = None


# Version 1 from 1/1/2025, closed on 30/6 when version 2 took effect on 1/7; version 3 is
# announced for 1/1/2026.
V1 = V(1, date(2025, 1, 1), date(2025, 6, 30))
V2 = V(2, date(2025, 7, 1), date(2025, 12, 31))
V3 = V(3, date(2026, 1, 1))
CHAIN = [V1, V2, V3]


@pytest.mark.parametrize(
    ("day", "in_force", "current"),
    [
        (date(2024, 12, 31), None, V1),  # announced, not yet in force: the first to come
        (date(2025, 1, 1), V1, V1),  # from effective_from inclusive
        (date(2025, 6, 30), V1, V1),  # to effective_to inclusive
        (date(2025, 7, 1), V2, V2),
        (date(2026, 1, 1), V3, V3),
        (date(2030, 5, 1), V3, V3),  # open-ended
    ],
)
def test_in_force_table(day, in_force, current):
    assert version_in_force(CHAIN, day) == in_force
    assert current_version(CHAIN, day) == current


def test_an_abolished_procedure_shows_its_last_version():
    ended = [V1, V(2, date(2025, 7, 1), date(2025, 9, 30))]
    assert version_in_force(ended, date(2025, 10, 1)) is None
    assert current_version(ended, date(2025, 10, 1)) == ended[1]
    assert current_version([], date(2025, 10, 1)) is None


def test_overlapping_imported_history_takes_the_latest_then_the_highest_number():
    a, b, c = V(1, date(2025, 1, 1)), V(2, date(2025, 3, 1)), V(3, date(2025, 3, 1))
    assert version_in_force([c, a, b], date(2025, 4, 1)) == c


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


@given(start=days, length=st.one_of(st.none(), st.integers(0, 400)), day=days)
def test_in_force_is_the_closed_interval(start, length, day):
    end = None if length is None else start + timedelta(days=length)
    v = V(1, start, end)
    assert in_force_on(v, day) == (start <= day and (end is None or day <= end))
    assert (version_in_force([v], day) is v) == in_force_on(v, day)


@pytest.mark.django_db
def test_the_queryset_and_the_model_agree_with_the_rule():
    procedure = ProcedureFactory()
    rows = [
        ProcedureVersionFactory(procedure=procedure, number=v.number, effective_from=v.effective_from,
                                effective_to=v.effective_to)
        for v in CHAIN
    ]  # fmt: skip
    for day in (date(2024, 12, 31), date(2025, 6, 30), date(2025, 7, 1), date(2026, 3, 1)):
        expected = version_in_force(rows, day)
        in_sql = list(ProcedureVersion.objects.filter(procedure=procedure).in_force(day))
        assert in_sql == ([expected] if expected else [])
        assert procedure.version_on(day) == expected
