"""The generator's hot-path shortcuts draw and compute exactly what the plain versions did.

``_person`` calls ``random()`` / ``_randbelow`` directly instead of ``choices`` / ``choice`` /
``randint`` / ``randrange``, and ``_Clock.snap`` has a fast path for instants already in office
hours: a seed must keep giving the same rows (determinism per seed), so both are compared with
the straightforward implementation over many seeds, days and instants.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caicach.calendars.rules import VN_TZ
from caicach.demo import generator as g


def _person_reference(rng: random.Random, day: date) -> tuple[str, str, str, str]:
    female = rng.random() < 0.52
    name = " ".join(
        (
            rng.choices(g._SURNAME_NAMES, cum_weights=g._SURNAME_CUM)[0],
            rng.choice(g._MIDDLE_F if female else g._MIDDLE_M),
            rng.choice(g._GIVEN_F if female else g._GIVEN_M),
        )
    )
    year = rng.randint(1945, min(day.year - 16, 2008))
    century = (0 if year < 2000 else 2) + (1 if female else 0)
    cccd = f"{rng.choice(g._PROVINCES)}{century}{year % 100:02d}{rng.randrange(1_000_000):06d}"
    phone = f"{rng.choice(g._MOBILE_PREFIXES)}{rng.randrange(10_000_000):07d}"
    address = f"Số {rng.randint(1, 300)} đường {rng.choice(g._STREETS)}"
    return name, cccd, phone, address


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32), day=st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_person_draws_as_the_public_random_api(seed: int, day: date) -> None:
    fast, plain = random.Random(seed), random.Random(seed)
    for _ in range(5):
        assert g._person(fast, day) == _person_reference(plain, day)
    assert fast.random() == plain.random()  # the streams stay in step


class _Calendar:
    """Weekends off, plus one holiday (enough for ``_Clock``)."""

    version = "test"

    def covers(self, d: date) -> bool:
        return True

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d != date(2025, 9, 2)


def _snap_reference(clock: g._Clock, dt: datetime) -> datetime:
    local = dt.astimezone(VN_TZ)
    d = local.date()
    minute = local.hour * 60 + local.minute
    for _ in range(60):
        if clock.is_working(d):
            for a, b in g._OFFICE_MINUTES:
                if minute < b:
                    m = max(minute, a)
                    if m == minute:
                        return local
                    return datetime(d.year, d.month, d.day, m // 60, m % 60, tzinfo=VN_TZ)
        d += timedelta(days=1)
        minute = 0
    return local


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
@settings(max_examples=300, deadline=None)
@given(seconds=st.integers(0, 30 * 86_400), micro=st.integers(0, 999_999))
def test_snap_fast_path_matches_the_loop(warm: bool, seconds: int, micro: int) -> None:
    clock = g._Clock(_Calendar())  # type: ignore[arg-type]
    dt = datetime(2025, 8, 25, tzinfo=VN_TZ) + timedelta(seconds=seconds, microseconds=micro)
    if warm:  # the working-day memo filled: the fast path is taken when in office hours
        for k in range(40):
            clock.is_working(date(2025, 8, 20) + timedelta(days=k))
    assert clock.snap(dt) == _snap_reference(clock, dt)
    assert clock.snap(dt.astimezone(UTC)) == clock.snap(dt)  # any zone in, Vietnam time out


@pytest.mark.parametrize(
    ("boundary", "expected"),
    [
        ((7, 29), (7, 30)),  # before opening: the opening
        ((7, 30), (7, 30)),
        ((11, 29), (11, 29)),
        ((11, 30), (13, 30)),  # lunch: the afternoon opening
        ((13, 29), (13, 30)),
        ((16, 59), (16, 59)),
        ((17, 0), (7, 30)),  # closed: next working day (Tuesday 2 September is a holiday)
    ],
)
def test_snap_boundaries(boundary: tuple[int, int], expected: tuple[int, int]) -> None:
    clock = g._Clock(_Calendar())  # type: ignore[arg-type]
    clock.is_working(date(2025, 9, 1))
    got = clock.snap(datetime(2025, 9, 1, *boundary, tzinfo=VN_TZ))
    day = date(2025, 9, 3) if boundary == (17, 0) else date(2025, 9, 1)
    assert (got.date(), got.hour, got.minute) == (day, *expected)


def test_iso_memo_formats_like_isoformat() -> None:
    iso = g._Iso()
    dt = datetime(2025, 9, 1, 8, 0, 5, 120, tzinfo=VN_TZ)
    assert iso[dt] == dt.isoformat() == "2025-09-01T08:00:05.000120+07:00"
    assert iso[dt] is iso[dt]
