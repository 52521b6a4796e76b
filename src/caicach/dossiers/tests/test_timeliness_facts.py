"""Timeliness facts (issue 13): the promise in force, the statutory due, the three verdicts at
finish and the status at a past instant (:mod:`caicach.dossiers.deadlines`), worked by hand.

Reference weeks (official calendar, regulations §4.4): November 2025: Mon 24, Tue 25, Wed 26,
Thu 27, Fri 28, Sat 29, Sun 30; Mon 1/12 ... Fri 5/12. No holiday. Office hours 07:30-11:30,
13:30-17:00 (7.5 h a working day), cut-off 15:00. Counting in working days starts the next
working day (Civil Code art. 147), so a receipt on Mon 24/11 10:00 gives: 3 wd -> Thu 27/11
17:00, 5 wd -> Mon 1/12 17:00.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caicach.calendars.rules import VN_TZ, TimeUnit, official_calendar
from caicach.dossiers.clock import ClockEvent, EndStatus, EventKind, StatutoryTime
from caicach.dossiers.deadlines import (
    TimelinessFacts,
    finish_verdicts,
    promise_as_of,
    status_as_of,
    statutory_due_as_of,
)

CAL = official_calendar()
K = EventKind
THREE = StatutoryTime(3, TimeUnit.WORKING_DAYS)
FIVE = StatutoryTime(5, TimeUnit.WORKING_DAYS)


def vn(y: int, mo: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=VN_TZ)


RECEIVED = vn(2025, 11, 24, 10)  # Monday 10:00


def facts(events: list[ClockEvent], promised: StatutoryTime = FIVE) -> TimelinessFacts:
    ledger = [ClockEvent(RECEIVED, K.RECEIVED), *events]
    return TimelinessFacts(RECEIVED, promised, FIVE, ledger, CAL)


def done(at: datetime) -> ClockEvent:
    return ClockEvent(at, K.FINISHED, reason=EndStatus.PROCESSED.value)


PAUSED_TWICE = [
    ClockEvent(vn(2025, 11, 25), K.PAUSED),
    ClockEvent(vn(2025, 11, 26), K.RESUMED),
    ClockEvent(vn(2025, 11, 27), K.PAUSED),
    ClockEvent(vn(2025, 11, 28), K.RESUMED),
]


def test_promise_three_statutory_five_finished_day_four():
    """Issue 13: promise 3 wd (Thu 27/11 17:00), statutory 5 wd (Mon 1/12 17:00), finished on
    day 4 (Fri 28/11 10:00): late against the promise (TT 01/2018 art. 13), within the
    statutory time ("early": an earlier date than the legal due), late by 766 (after the
    promise, no supplement: regulations §1.3)."""
    f = facts([done(vn(2025, 11, 28))], promised=THREE)
    v = finish_verdicts(f, vn(2025, 11, 28))
    assert (v.due, v.legal_due) == (vn(2025, 11, 27, 17), vn(2025, 12, 1, 17))
    assert (v.timeliness, v.legal_timeliness, v.timeliness_766) == ("late", "early", "late")
    # Mon 24 10:00 -> Fri 28 10:00 = 4 working days of office time.
    assert v.processing_working_days == Decimal("4.00")


def test_paused_twice():
    """Two supplements (NĐ 61/2018 art. 19): the promise restarts from the last resumption
    (Fri 28/11 10:00 + 5 wd = Fri 5/12 17:00); 766 counts a second request late whatever the
    times (§1.3); processing time excludes the two paused days: Mon 10:00-Tue 10:00, Wed
    10:00-Thu 10:00, Fri 10:00-Mon 10:00 = 3 working days."""
    f = facts([*PAUSED_TWICE, done(vn(2025, 12, 1))])
    v = finish_verdicts(f, vn(2025, 12, 1))
    assert v.due == v.legal_due == vn(2025, 12, 5, 17)
    assert f.first_promise() == vn(2025, 12, 1, 17)
    assert (v.timeliness, v.legal_timeliness, v.timeliness_766) == ("early", "early", "late")
    assert v.processing_working_days == Decimal("3.00")


def test_supplement_then_finish_first_promise_versus_restarted():
    """Promise 3 wd: first Thu 27/11 17:00. Paused Tue 25 10:00, resumed Wed 26 10:00: the
    promise restarts to Mon 1/12 17:00 (art. 19). Finished Mon 1/12 10:00: on time against the
    restarted promise; by 766 the first promise is compared with the finish less the 24 h of
    supplement: Sun 30/11 10:00 > Thu 27/11 17:00, late. (Feeding the restarted date to 766
    would count the supplement twice and say on time.)"""
    events = [ClockEvent(vn(2025, 11, 25), K.PAUSED), ClockEvent(vn(2025, 11, 26), K.RESUMED)]
    f = facts([*events, done(vn(2025, 12, 1))], promised=THREE)
    v = finish_verdicts(f, vn(2025, 12, 1))
    assert f.first_promise() == vn(2025, 11, 27, 17)
    assert v.due == vn(2025, 12, 1, 17)
    assert (v.timeliness, v.timeliness_766) == ("on_time", "late")
    # Finished Fri 28/11 16:00: less 24 h = Thu 27 16:00 <= Thu 27 17:00: on time by 766.
    f2 = facts([*events, done(vn(2025, 11, 28, 16))], promised=THREE)
    assert finish_verdicts(f2, vn(2025, 11, 28, 16)).timeliness_766 == "on_time"


@pytest.mark.parametrize(
    ("apology_counts_late", "expected_766"), [(True, "late"), (False, "on_time")]
)
def test_apology_under_both_settings(apology_counts_late, expected_766):
    """Promise 3 wd (Thu 27/11 17:00); apology on Tue 25/11 with a new date Tue 2/12 17:00
    (form 04); finished Mon 1/12 10:00: early against the current promise, on time legally
    (statutory 5 wd = Mon 1/12 17:00, the apology never moves it); by 766 late when the apology
    admits the delay (METRICS_766_APOLOGY_COUNTS_LATE, default), on time when its date counts."""
    apology = ClockEvent(vn(2025, 11, 25), K.EXTENDED, new_due=vn(2025, 12, 2, 17))
    f = facts([apology, done(vn(2025, 12, 1))], promised=THREE)
    v = finish_verdicts(f, vn(2025, 12, 1), apology_counts_late=apology_counts_late)
    assert v.due == vn(2025, 12, 2, 17)
    assert v.legal_due == vn(2025, 12, 1, 17)
    assert (v.timeliness, v.legal_timeliness) == ("early", "on_time")
    assert v.timeliness_766 == expected_766


STATUS_CASES = [
    # instant, remaining budgets, status, legal status
    (vn(2025, 11, 24, 15), [], "within_time", "within_time"),
    (vn(2025, 11, 25, 15), [], "paused", "paused"),  # waiting for the first supplement
    (vn(2025, 11, 26, 15), [], "within_time", "within_time"),  # restarted: due Wed 3/12
    (vn(2025, 11, 26, 15), [timedelta(days=10)], "at_risk", "at_risk"),
    (vn(2025, 11, 27, 10), [], "paused", "paused"),  # the pause instant itself
    (vn(2025, 11, 28, 9), [], "paused", "paused"),
    (vn(2025, 12, 1, 10), [], "early", "early"),  # finished that instant (due Fri 5/12)
    (vn(2026, 1, 1), [], "early", "early"),
]


@pytest.mark.parametrize(("instant", "budgets", "status", "legal"), STATUS_CASES)
def test_status_as_of_a_dossier_paused_twice(instant, budgets, status, legal):
    f = facts([*PAUSED_TWICE, done(vn(2025, 12, 1))])
    got = status_as_of(f, instant, budgets)
    assert (got.status, got.legal_status) == (status, legal)
    assert got.paused == (status == "paused")


def test_status_as_of_overdue_then_late():
    """Promise 3 wd (Thu 27/11 17:00), statutory 5 wd: on Fri 28/11 overdue against the
    promise, within the statutory time; finished Tue 2/12: late on both."""
    f = facts([done(vn(2025, 12, 2))], promised=THREE)
    at = status_as_of(f, vn(2025, 11, 28, 9))
    assert (at.status, at.legal_status, at.finished_at) == ("overdue", "within_time", None)
    assert promise_as_of(f, vn(2025, 11, 28, 9)) == vn(2025, 11, 27, 17)
    assert statutory_due_as_of(f, vn(2025, 11, 28, 9)) == vn(2025, 12, 1, 17)
    later = status_as_of(f, vn(2025, 12, 3))
    assert (later.status, later.legal_status) == ("late", "late")


def test_status_before_the_receipt_is_refused():
    with pytest.raises(ValueError, match="before the receipt"):
        status_as_of(facts([]), vn(2025, 11, 20))


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[ClockEvent], datetime, bool]:
    at = RECEIVED
    events: list[ClockEvent] = []
    apology = draw(st.booleans())
    if apology:
        at += timedelta(hours=draw(st.integers(1, 20)))
        events.append(ClockEvent(at, K.EXTENDED, new_due=vn(2025, 12, 10, 17)))
    for _ in range(draw(st.integers(0, 2))):
        at += timedelta(hours=draw(st.integers(1, 60)))
        events.append(ClockEvent(at, K.PAUSED))
        at += timedelta(hours=draw(st.integers(1, 60)))
        events.append(ClockEvent(at, K.RESUMED))
    at += timedelta(hours=draw(st.integers(0, 200)))
    events.append(done(at))
    return events, at, apology


@settings(max_examples=60, deadline=None)
@given(ledgers())
def test_properties(drawn):
    """Whatever the history: the statutory due ignores apologies; the apology setting can only
    make 766 stricter; the status at the finish instant is the stored verdict; the working days
    used never exceed those between receipt and finish."""
    events, finished, apology = drawn
    f = facts(events, promised=THREE)
    strict = finish_verdicts(f, finished, apology_counts_late=True)
    lenient = finish_verdicts(f, finished, apology_counts_late=False)
    without = facts([e for e in events if e.kind is not K.EXTENDED], promised=THREE)
    assert strict.legal_due == statutory_due_as_of(without, finished)
    assert strict.legal_timeliness == lenient.legal_timeliness
    if strict.timeliness_766 == "on_time":
        assert lenient.timeliness_766 == "on_time"
    if not apology:
        assert strict == lenient
    at = status_as_of(f, finished)
    assert (at.status, at.legal_status) == (strict.timeliness, strict.legal_timeliness)
    total = finish_verdicts(facts([done(finished)]), finished).processing_working_days
    assert Decimal(0) <= strict.processing_working_days <= total
