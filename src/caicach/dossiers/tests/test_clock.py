"""The clock ledger against the official calendar (table-driven, weekdays named).

Reference weeks (official calendar, regulations §4.4):
November 2025: Mon 24, Tue 25, Wed 26, Thu 27, Fri 28, Sat 29, Sun 30; Mon 1/12 ... Fri 5/12,
Mon 8/12. No holiday.
Tết Bính Ngọ 2026: Mon 16/2 - Fri 20/2 off (9 days off Sat 14 - Sun 22/2).
August 2026: Sat 22/8 worked in exchange for Mon 31/8.
Office hours 07:30-11:30, 13:30-17:00 (7.5 h a working day); cut-off 15:00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from caicach.calendars.rules import DEFAULT_CUTOFF, VN_TZ, TimeUnit, official_calendar
from caicach.dossiers.clock import (
    ClockError,
    ClockEvent,
    EndStatus,
    EventKind,
    OpenStatus,
    Segment,
    SegmentKind,
    StatutoryTime,
    StepLateness,
    Timeliness,
    apology_allowed,
    budget_in_working_days,
    build_segments,
    legal_due,
    legal_due_detail,
    metric_766,
    open_status,
    segment_time,
    step_lateness,
    timeliness,
)

CAL = official_calendar()
K = EventKind
H = timedelta(hours=1)
DAY = CAL.day_length  # 7 h 30 min of office time
FIVE_DAYS = StatutoryTime(5, TimeUnit.WORKING_DAYS)


def vn(y: int, mo: int, d: int, h: int = 10, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=VN_TZ)


def ev(at: datetime, kind: EventKind, **kw: object) -> ClockEvent:
    return ClockEvent(at, kind, **kw)  # type: ignore[arg-type]


def done(at: datetime, status: EndStatus = EndStatus.PROCESSED) -> ClockEvent:
    return ClockEvent(at, K.FINISHED, reason=status.value)


RECEIVED = vn(2025, 11, 24, 10)  # Monday 10:00
PROMISED = vn(2025, 12, 1, 17)  # 5 working days: Tue 25 .. Mon 1/12, 17:00


# --------------------------------------------------------------------------------------------
# Legal due date: NĐ 61/2018 art. 19
# --------------------------------------------------------------------------------------------

# fmt: off
LEGAL_DUE_CASES = [
    pytest.param(RECEIVED, FIVE_DAYS, [], vn(2025, 12, 1, 17), "receipt",
                 id="mon-24-11-5d-due-mon-1-12"),
    pytest.param(vn(2025, 11, 24, 15, 30), FIVE_DAYS, [], vn(2025, 12, 2, 17), "receipt",
                 id="mon-after-cutoff-counts-tue-due-tue-2-12"),
    # paused Wed 26/11, complete dossier Tue 2/12 10:00: recounted Wed 3 .. Tue 9/12
    pytest.param(RECEIVED, FIVE_DAYS,
                 [ev(vn(2025, 11, 26, 9), K.PAUSED), ev(vn(2025, 12, 2, 10), K.RESUMED)],
                 vn(2025, 12, 9, 17), "supplement", id="supplement-restarts-due-tue-9-12"),
    # the supplement arrives Tue 2/12 16:00, after the cut-off: counts Wed 3 -> Thu 4 .. Wed 10/12
    pytest.param(RECEIVED, FIVE_DAYS,
                 [ev(vn(2025, 11, 26, 9), K.PAUSED), ev(vn(2025, 12, 2, 16), K.RESUMED)],
                 vn(2025, 12, 10, 17), "supplement", id="supplement-after-cutoff-due-wed-10-12"),
    # apology on Thu 27/11 moves the date to Fri 5/12
    pytest.param(RECEIVED, FIVE_DAYS,
                 [ev(vn(2025, 11, 27), K.EXTENDED, new_due=vn(2025, 12, 5, 17))],
                 vn(2025, 12, 5, 17), "apology", id="apology-new-date-fri-5-12"),
    # an apology after a restart replaces the recounted due
    pytest.param(RECEIVED, FIVE_DAYS,
                 [ev(vn(2025, 11, 26, 9), K.PAUSED), ev(vn(2025, 12, 2, 10), K.RESUMED),
                  ev(vn(2025, 12, 5), K.EXTENDED, new_due=vn(2025, 12, 12, 17))],
                 vn(2025, 12, 12, 17), "apology", id="restart-then-apology"),
    # still waiting for the supplement: the due in force before the request
    pytest.param(RECEIVED, FIVE_DAYS, [ev(vn(2025, 11, 26, 9), K.PAUSED)],
                 vn(2025, 12, 1, 17), "receipt", id="pending-supplement-keeps-due"),
    # Thu 12/2/2026, 3 days: Fri 13/2, (Tết 16-20/2 skipped), Mon 23, Tue 24/2
    pytest.param(vn(2026, 2, 12), StatutoryTime(3, TimeUnit.WORKING_DAYS), [],
                 vn(2026, 2, 24, 17), "receipt", id="tet-2026-thu-12-2-3d"),
    # supplement delivered on Sat 14/2/2026 (Tết break): counts Mon 23/2; Tue 24, Wed 25, Thu 26
    pytest.param(vn(2026, 2, 10), StatutoryTime(3, TimeUnit.WORKING_DAYS),
                 [ev(vn(2026, 2, 11), K.PAUSED), ev(vn(2026, 2, 14, 9), K.RESUMED)],
                 vn(2026, 2, 26, 17), "supplement", id="tet-2026-supplement-on-saturday"),
    # 8 working hours from Mon 10:00: 5 h on Monday, 3 h on Tuesday -> Tue 25/11 10:30
    pytest.param(RECEIVED, StatutoryTime(8, TimeUnit.WORKING_HOURS), [],
                 vn(2025, 11, 25, 10, 30), "receipt", id="hours-8h-tue-10-30"),
    # events after the first finish are ignored
    pytest.param(RECEIVED, FIVE_DAYS, [done(vn(2025, 11, 28)), done(vn(2025, 12, 2), EndStatus.RETURNED)],
                 vn(2025, 12, 1, 17), "receipt", id="finished"),
]
# fmt: on


@pytest.mark.parametrize(("received", "statutory", "events", "expected", "basis"), LEGAL_DUE_CASES)
def test_legal_due(
    received: datetime,
    statutory: StatutoryTime,
    events: list[ClockEvent],
    expected: datetime,
    basis: str,
) -> None:
    assert legal_due(received, statutory, DEFAULT_CUTOFF, events, CAL) == expected
    detail = legal_due_detail(received, statutory, DEFAULT_CUTOFF, events, CAL)
    assert detail.basis == basis
    # the same ledger with its 'received' event gives the same answer
    full = [ev(received, K.RECEIVED), *events]
    assert legal_due(received, statutory, DEFAULT_CUTOFF, full, CAL) == expected


def test_legal_due_detail_counts_restarts_and_pending_pause() -> None:
    events = [
        ev(vn(2025, 11, 25), K.PAUSED),
        ev(vn(2025, 11, 26), K.RESUMED),
        ev(vn(2025, 11, 27), K.PAUSED),
    ]
    detail = legal_due_detail(RECEIVED, FIVE_DAYS, DEFAULT_CUTOFF, events, CAL)
    assert detail.restarts == 1
    assert detail.paused
    assert detail.counted_from == vn(2025, 11, 26)
    assert detail.due == vn(2025, 12, 3, 17)  # Wed 26 -> Thu 27 .. Wed 3/12
    assert detail.result is not None and detail.result.effective_received_on == date(2025, 11, 26)


def test_apology_must_move_the_date_later() -> None:
    events = [ev(vn(2025, 11, 27), K.EXTENDED, new_due=vn(2025, 12, 1, 17))]
    with pytest.raises(ClockError, match="not after"):
        legal_due(RECEIVED, FIVE_DAYS, DEFAULT_CUTOFF, events, CAL)


def test_cutoff_none_counts_a_late_receipt_the_same_day() -> None:
    late = vn(2025, 11, 24, 16)
    assert legal_due(late, FIVE_DAYS, None, [], CAL) == vn(2025, 12, 1, 17)


# --------------------------------------------------------------------------------------------
# Ledger rules
# --------------------------------------------------------------------------------------------

# fmt: off
BAD_LEDGERS = [
    pytest.param([], "start with", id="empty"),
    pytest.param([ev(RECEIVED, K.PAUSED)], "start with", id="no-received"),
    pytest.param([ev(RECEIVED, K.RECEIVED), ev(RECEIVED, K.RECEIVED)], "once", id="received-twice"),
    pytest.param([ev(RECEIVED, K.RECEIVED), ev(vn(2025, 11, 23), K.PAUSED)], "append-only", id="back-dated"),
    pytest.param([ev(RECEIVED, K.RECEIVED), ev(vn(2025, 11, 25), K.RESUMED)], "without a pause", id="resume-without-pause"),
    pytest.param([ev(RECEIVED, K.RECEIVED), ev(vn(2025, 11, 25), K.PAUSED), ev(vn(2025, 11, 26), K.PAUSED)],
                 "already paused", id="pause-twice"),
    pytest.param([ev(RECEIVED, K.RECEIVED), ev(vn(2025, 11, 25), K.PAUSED),
                  ev(vn(2025, 11, 26), K.EXTENDED, new_due=vn(2025, 12, 5, 17))], "while paused", id="apology-while-paused"),
    pytest.param([ev(RECEIVED, K.RECEIVED), done(vn(2025, 11, 25)), ev(vn(2025, 11, 26), K.PAUSED)],
                 "after the clock finished", id="pause-after-finish"),
    pytest.param([ev(RECEIVED, K.RECEIVED), ev(vn(2025, 11, 25), K.STEP_FINISHED, step_order=1)],
                 "open step", id="finish-step-never-started"),
    pytest.param([ev(RECEIVED, K.RECEIVED), ev(vn(2025, 11, 25), K.STEP_STARTED, step_order=1),
                  ev(vn(2025, 11, 26), K.STEP_FINISHED, step_order=2)], "open step", id="finish-other-step"),
]
# fmt: on


@pytest.mark.parametrize(("events", "fragment"), BAD_LEDGERS)
def test_bad_ledgers(events: list[ClockEvent], fragment: str) -> None:
    with pytest.raises(ClockError, match=fragment):
        build_segments(events)


def test_event_shape_is_checked() -> None:
    with pytest.raises(ClockError, match="needs new_due"):
        ClockEvent(RECEIVED, K.EXTENDED)
    with pytest.raises(ClockError, match="only an 'extended'"):
        ClockEvent(RECEIVED, K.PAUSED, new_due=PROMISED)
    with pytest.raises(ClockError, match="terminal status"):
        ClockEvent(RECEIVED, K.FINISHED)
    with pytest.raises(ClockError, match="step_order"):
        ClockEvent(RECEIVED, K.STEP_STARTED)
    with pytest.raises(ValueError, match="naive"):
        ClockEvent(datetime(2025, 11, 24, 10), K.RECEIVED)  # noqa: DTZ001 - the point of the test
    assert ClockEvent(RECEIVED, "finished", reason="returned").end_status is EndStatus.RETURNED  # type: ignore[arg-type]
    assert ClockEvent(RECEIVED, K.PAUSED).end_status is None


def test_received_event_must_match_the_receipt_instant() -> None:
    with pytest.raises(ClockError, match="differs"):
        legal_due(RECEIVED, FIVE_DAYS, DEFAULT_CUTOFF, [ev(vn(2025, 11, 24, 9), K.RECEIVED)], CAL)


# --------------------------------------------------------------------------------------------
# Segments and lateness per step (TT 01/2018 art. 13, indicator 2)
# --------------------------------------------------------------------------------------------

DESK, DEPT, UNIT = "000.00.05.H90", "000.00.07.H90", "000.01.07.H90"

LEDGER = [
    ev(vn(2025, 11, 24, 8), K.RECEIVED, agency=DESK),  # Mon 08:00 at the desk
    ev(vn(2025, 11, 24, 8), K.STEP_STARTED, step_order=1, agency=DESK),
    ev(vn(2025, 11, 24, 10), K.STEP_FINISHED, step_order=1),  # 2 h
    ev(vn(2025, 11, 24, 14), K.STEP_STARTED, step_order=2, agency=DEPT),  # 2 h in transit
    ev(vn(2025, 11, 25, 9), K.PAUSED, reason="thiếu bản sao giấy phép"),  # Mon 3 h + Tue 1.5 h
    ev(vn(2025, 11, 27, 9), K.RESUMED),  # Tue 09:00 - Thu 09:00 paused
    ev(vn(2025, 11, 28, 11, 30), K.STEP_FINISHED, step_order=2),  # Thu 6 h + Fri 4 h
    ev(vn(2025, 11, 28, 13, 30), K.STEP_STARTED, step_order=3, agency=UNIT),  # lunch: 0 h
    ev(vn(2025, 12, 1, 17), K.STEP_FINISHED, step_order=3),  # Fri 3.5 h + Mon 7.5 h
    done(vn(2025, 12, 1, 17)),
]


def test_segments_of_a_ledger() -> None:
    assert build_segments(LEDGER) == [
        Segment(SegmentKind.RUNNING, vn(2025, 11, 24, 8), vn(2025, 11, 24, 10), 1, DESK),
        Segment(SegmentKind.RUNNING, vn(2025, 11, 24, 10), vn(2025, 11, 24, 14), None, DESK),
        Segment(SegmentKind.RUNNING, vn(2025, 11, 24, 14), vn(2025, 11, 25, 9), 2, DEPT),
        Segment(SegmentKind.PAUSED, vn(2025, 11, 25, 9), vn(2025, 11, 27, 9), 2, DEPT),
        Segment(SegmentKind.RUNNING, vn(2025, 11, 27, 9), vn(2025, 11, 28, 11, 30), 2, DEPT),
        Segment(
            SegmentKind.RUNNING, vn(2025, 11, 28, 11, 30), vn(2025, 11, 28, 13, 30), None, DEPT
        ),
        Segment(SegmentKind.RUNNING, vn(2025, 11, 28, 13, 30), vn(2025, 12, 1, 17), 3, UNIT),
    ]


def test_segment_time_overall_per_step_per_agency() -> None:
    segments = build_segments(LEDGER)
    assert segment_time(segments, CAL) == 2 * H + 2 * H + 4.5 * H + 10 * H + 11 * H
    assert segment_time(segments, CAL, kinds=[SegmentKind.PAUSED]) == 2 * DAY  # Tue 9 - Thu 9
    assert segment_time(segments, CAL, step_order=2) == 14.5 * H
    assert segment_time(segments, CAL, agency=DESK) == 4 * H  # step 1 + transit
    assert segment_time(segments, CAL, agency=UNIT) == 11 * H


def test_step_lateness_is_attributed_to_the_unit_holding_the_step() -> None:
    budgets = {
        1: budget_in_working_days(0.5, CAL),  # 3 h 45 min
        2: budget_in_working_days(1, CAL),  # 7 h 30 min
        3: budget_in_working_days(2, CAL),  # 15 h
    }
    assert step_lateness(LEDGER, budgets, CAL) == [
        StepLateness(1, DESK, 2 * H, 3.75 * H, timedelta(0)),
        StepLateness(2, DEPT, 14.5 * H, 7.5 * H, 7 * H),  # paused Tue-Thu not counted
        StepLateness(3, UNIT, 11 * H, 15 * H, timedelta(0)),
    ]
    rows = step_lateness(LEDGER, {2: 7.5 * H}, CAL)
    assert [r.late for r in rows] == [False, True, False]
    assert rows[0].budget is None


def test_step_sent_back_adds_up() -> None:
    events = [
        ev(vn(2025, 11, 24, 8), K.RECEIVED),
        ev(vn(2025, 11, 24, 8), K.STEP_STARTED, step_order=2, agency=DEPT),
        ev(vn(2025, 11, 24, 10), K.STEP_STARTED, step_order=3, agency=UNIT),  # closes step 2
        ev(vn(2025, 11, 24, 11), K.STEP_STARTED, step_order=2, agency=DEPT),  # sent back
        ev(vn(2025, 11, 24, 14), K.STEP_FINISHED),
    ]
    rows = step_lateness(events, {2: 3 * H}, CAL)
    assert rows == [
        StepLateness(2, DEPT, 2 * H + 1 * H, 3 * H, timedelta(0)),  # 08-10 + 11-11:30 + 13:30-14
        StepLateness(3, UNIT, 1 * H, None, timedelta(0)),
    ]


def test_open_step_needs_now() -> None:
    events = [
        ev(vn(2025, 11, 24, 8), K.RECEIVED),
        ev(vn(2025, 11, 24, 8), K.STEP_STARTED, step_order=1, agency=DEPT),
    ]
    segments = build_segments(events)
    assert segments == [Segment(SegmentKind.RUNNING, vn(2025, 11, 24, 8), None, 1, DEPT)]
    with pytest.raises(ValueError, match="now"):
        step_lateness(events, {1: DAY}, CAL)
    # Mon 08:00 -> Tue 08:00: 7 h (Mon) + 0.5 h (Tue) = 7.5 h, exactly the budget
    [row] = step_lateness(events, {1: DAY}, CAL, now=vn(2025, 11, 25, 8))
    assert (row.used, row.late) == (DAY, False)


def test_apology_marks_following_segments_extended_until_a_restart() -> None:
    events = [
        ev(vn(2025, 11, 24, 8), K.RECEIVED),
        ev(vn(2025, 11, 27, 8), K.EXTENDED, new_due=vn(2025, 12, 5, 17)),
        ev(vn(2025, 12, 2, 8), K.PAUSED),
        ev(vn(2025, 12, 3, 8), K.RESUMED),
    ]
    kinds = [s.kind for s in build_segments(events)]
    assert kinds == [
        SegmentKind.RUNNING,
        SegmentKind.EXTENDED,
        SegmentKind.PAUSED,
        SegmentKind.RUNNING,
    ]


def test_budget_in_working_days() -> None:
    assert budget_in_working_days(0, CAL) == timedelta(0)
    assert budget_in_working_days(2, CAL) == 15 * H
    with pytest.raises(ValueError):
        budget_in_working_days(-1, CAL)


# --------------------------------------------------------------------------------------------
# Decision 766, indicator 2.1 (regulations §1.3)
# --------------------------------------------------------------------------------------------

PERIOD_END = vn(2025, 12, 31, 23, 59)
P1, R1 = vn(2025, 11, 26, 9), vn(2025, 12, 1, 9)  # paused Wed 26/11, resumed Mon 1/12: 5 days

# fmt: off
METRIC_CASES = [
    pytest.param([done(vn(2025, 11, 28, 16))], PERIOD_END,
                 True, vn(2025, 11, 28, 16), timedelta(0), None, "processed", id="processed-fri-before-due"),
    pytest.param([done(vn(2025, 12, 1, 17))], PERIOD_END,
                 True, vn(2025, 12, 1, 17), timedelta(0), None, "processed", id="processed-at-the-due-instant"),
    pytest.param([done(vn(2025, 12, 2, 9))], PERIOD_END,
                 False, vn(2025, 12, 2, 9), timedelta(0), "after_promised_due", "processed", id="processed-tue-2-12-late"),
    # result ready Thu 27/11, returned to the citizen only on Tue 2/12: processing ended Thu
    pytest.param([done(vn(2025, 11, 27)), done(vn(2025, 12, 2), EndStatus.RETURNED)], PERIOD_END,
                 True, vn(2025, 11, 27), timedelta(0), None, "processed", id="priority-processed-over-returned"),
    pytest.param([done(vn(2025, 12, 2), EndStatus.RETURNED)], PERIOD_END,
                 False, vn(2025, 12, 2), timedelta(0), "after_promised_due", "returned", id="returned-only"),
    pytest.param([done(vn(2025, 11, 25), EndStatus.REFUSED)], PERIOD_END,
                 True, vn(2025, 11, 25), timedelta(0), None, "refused", id="refused"),
    pytest.param([done(vn(2025, 11, 25), EndStatus.WITHDRAWN)], PERIOD_END,
                 True, vn(2025, 11, 25), timedelta(0), None, "withdrawn", id="withdrawn"),
    # supplement Wed 26/11 09:00 -> Mon 1/12 09:00 (5 days) subtracted: Thu 4/12 - 5 d = Sat 29/11
    pytest.param([ev(P1, K.PAUSED), ev(R1, K.RESUMED), done(vn(2025, 12, 4))], PERIOD_END,
                 True, vn(2025, 12, 4), timedelta(days=5), None, "processed", id="supplement-subtracted"),
    pytest.param([ev(P1, K.PAUSED), ev(R1, K.RESUMED), done(vn(2025, 12, 8))], PERIOD_END,
                 False, vn(2025, 12, 8), timedelta(days=5), "after_promised_due", "processed", id="late-even-after-subtraction"),
    # two requests: late whatever the times
    pytest.param([ev(P1, K.PAUSED), ev(vn(2025, 11, 26, 10), K.RESUMED),
                  ev(vn(2025, 11, 26, 11), K.PAUSED), ev(vn(2025, 11, 26, 14), K.RESUMED),
                  done(vn(2025, 11, 27))], PERIOD_END,
                 False, vn(2025, 11, 27), 4 * H, "multiple_supplement_requests", "processed", id="second-request-is-late"),
    # one pending request and nothing else: the request time is the end
    pytest.param([ev(P1, K.PAUSED)], PERIOD_END,
                 True, P1, timedelta(0), None, "pending_supplement", id="pending-request-before-due"),
    pytest.param([ev(vn(2025, 12, 2), K.PAUSED)], PERIOD_END,
                 False, vn(2025, 12, 2), timedelta(0), "after_promised_due", "pending_supplement", id="pending-request-after-due"),
    # stopped while waiting (TT 03/2025): the pending time is subtracted up to the stop
    pytest.param([ev(P1, K.PAUSED), done(vn(2025, 12, 12), EndStatus.STOPPED)], PERIOD_END,
                 True, vn(2025, 12, 12), vn(2025, 12, 12) - P1, None, "stopped", id="stopped-while-waiting"),
    # open at the period end
    pytest.param([], vn(2025, 11, 30, 23, 59), True, vn(2025, 11, 30, 23, 59), timedelta(0), None,
                 "period_end", id="open-within-time"),
    pytest.param([], PERIOD_END, False, PERIOD_END, timedelta(0), "after_promised_due",
                 "period_end", id="open-overdue"),
    # events after the period end are ignored: open at Sun 30/11
    pytest.param([done(vn(2025, 12, 5))], vn(2025, 11, 30, 23, 59), True, vn(2025, 11, 30, 23, 59),
                 timedelta(0), None, "period_end", id="finished-after-period"),
    # an apology's new date replaces the promised date (the desk updates it, art. 19)
    pytest.param([ev(vn(2025, 11, 27), K.EXTENDED, new_due=vn(2025, 12, 5, 17)), done(vn(2025, 12, 4))],
                 PERIOD_END, True, vn(2025, 12, 4), timedelta(0), None, "processed", id="apology-new-date"),
]
# fmt: on


@pytest.mark.parametrize(
    ("events", "period_end", "on_time", "end", "supplement", "reason", "source"), METRIC_CASES
)
def test_metric_766(
    events: list[ClockEvent],
    period_end: datetime,
    on_time: bool,
    end: datetime,
    supplement: timedelta,
    reason: str | None,
    source: str,
) -> None:
    result = metric_766(RECEIVED, PROMISED, events, FIVE_DAYS, CAL, period_end)
    assert result.on_time is on_time
    assert result.end_instant == end
    assert result.supplement_time == supplement
    assert result.counted_late_reason == reason
    assert result.end_source == source
    assert result.adjusted_end == end - supplement


def test_metric_766_status_words() -> None:
    def status(events: list[ClockEvent], period_end: datetime = PERIOD_END) -> str:
        return metric_766(RECEIVED, PROMISED, events, FIVE_DAYS, CAL, period_end).status

    assert status([done(vn(2025, 11, 28))]) == "on_time"
    assert status([done(vn(2025, 12, 3))]) == "late"
    assert status([], vn(2025, 11, 28)) == "within_time"
    assert status([]) == "overdue"


def test_metric_766_without_a_promised_date_uses_the_statutory_time() -> None:
    """No NgayHenTra: end - start - supplement <= the TTHC's maximum time (5 working days)."""
    ok = metric_766(RECEIVED, None, [done(vn(2025, 12, 1, 16))], FIVE_DAYS, CAL, PERIOD_END)
    assert ok.on_time and ok.promised_due == vn(2025, 12, 1, 17)
    late = metric_766(RECEIVED, None, [done(vn(2025, 12, 2, 8))], FIVE_DAYS, CAL, PERIOD_END)
    assert not late.on_time


def test_metric_766_needs_the_dossier_in_the_period() -> None:
    with pytest.raises(ValueError, match="period_end"):
        metric_766(RECEIVED, PROMISED, [], FIVE_DAYS, CAL, vn(2025, 11, 23))


# --------------------------------------------------------------------------------------------
# Timeliness: TT 01/2018 art. 13 (early / on time / late)
# --------------------------------------------------------------------------------------------

DUE = vn(2025, 12, 1, 17)  # Monday 17:00

# fmt: off
TIMELINESS_CASES = [
    pytest.param(vn(2025, 11, 28, 16), Timeliness.EARLY, id="fri-before-mon-due-early"),
    pytest.param(vn(2025, 11, 30, 9), Timeliness.EARLY, id="sun-before-mon-due-early"),
    pytest.param(vn(2025, 12, 1, 7, 30), Timeliness.ON_TIME, id="mon-morning-on-time"),
    pytest.param(vn(2025, 12, 1, 16, 59), Timeliness.ON_TIME, id="mon-1659-on-time"),
    pytest.param(vn(2025, 12, 1, 17), Timeliness.ON_TIME, id="mon-1700-exactly-on-time"),
    pytest.param(vn(2025, 12, 1, 17, 0, 1), Timeliness.LATE, id="mon-170001-late"),
    pytest.param(vn(2025, 12, 2, 8), Timeliness.LATE, id="tue-late"),
    # instants in UTC are judged by the date in Vietnam
    pytest.param(datetime(2025, 12, 1, 9, 59, tzinfo=UTC), Timeliness.ON_TIME, id="utc-0959-is-1659-vn"),
    pytest.param(datetime(2025, 11, 30, 18, tzinfo=UTC), Timeliness.ON_TIME, id="utc-sun-18h-is-mon-01h-vn"),
    pytest.param(datetime(2025, 11, 30, 16, 59, tzinfo=UTC), Timeliness.EARLY, id="utc-sun-1659-is-sun-2359-vn"),
]
# fmt: on


@pytest.mark.parametrize(("finished", "expected"), TIMELINESS_CASES)
def test_timeliness(finished: datetime, expected: Timeliness) -> None:
    assert timeliness(finished, DUE) is expected


# --------------------------------------------------------------------------------------------
# Open status: within time / at risk / overdue
# --------------------------------------------------------------------------------------------

# Thu 27/11 10:00 -> Mon 1/12 17:00: Thu 5 h + Fri 7.5 h + Mon 7.5 h = 20 h of office time
NOW = vn(2025, 11, 27, 10)

# fmt: off
OPEN_CASES = [
    pytest.param(NOW, [], OpenStatus.WITHIN_TIME, id="no-steps-left"),
    pytest.param(NOW, [2 * DAY], OpenStatus.WITHIN_TIME, id="15h-needed-20h-left"),
    pytest.param(NOW, [2 * DAY, 5 * H], OpenStatus.WITHIN_TIME, id="20h-needed-20h-left-equal"),
    pytest.param(NOW, [2 * DAY, DAY], OpenStatus.AT_RISK, id="22h30-needed-20h-left"),
    # Sat 29/11: only Monday is left (7.5 h)
    pytest.param(vn(2025, 11, 29, 10), [DAY], OpenStatus.WITHIN_TIME, id="sat-one-day-left"),
    pytest.param(vn(2025, 11, 29, 10), [DAY, H], OpenStatus.AT_RISK, id="sat-one-day-left-8h30-needed"),
    pytest.param(DUE, [], OpenStatus.WITHIN_TIME, id="at-the-due-instant"),
    pytest.param(DUE, [H], OpenStatus.AT_RISK, id="at-the-due-instant-with-work-left"),
    pytest.param(vn(2025, 12, 1, 17, 0, 1), [], OpenStatus.OVERDUE, id="one-second-late"),
    pytest.param(vn(2025, 12, 2, 8), [], OpenStatus.OVERDUE, id="tue-overdue"),
]
# fmt: on


@pytest.mark.parametrize(("now", "budgets", "expected"), OPEN_CASES)
def test_open_status(now: datetime, budgets: list[timedelta], expected: OpenStatus) -> None:
    assert open_status(now, DUE, budgets, CAL) is expected


# --------------------------------------------------------------------------------------------
# Apology: NĐ 61/2018 art. 19 (once, at least one working day before the due date)
# --------------------------------------------------------------------------------------------

# fmt: off
APOLOGY_CASES = [
    pytest.param(vn(2025, 11, 27), vn(2025, 12, 1, 17), 0, True, id="thu-before-mon-due"),
    pytest.param(vn(2025, 11, 28, 16, 59), vn(2025, 12, 1, 17), 0, True, id="fri-last-working-day-before"),
    pytest.param(vn(2025, 11, 29, 9), vn(2025, 12, 1, 17), 0, False, id="sat-too-late"),
    pytest.param(vn(2025, 12, 1, 8), vn(2025, 12, 1, 17), 0, False, id="due-day-too-late"),
    pytest.param(vn(2025, 12, 2, 8), vn(2025, 12, 1, 17), 0, False, id="overdue"),
    pytest.param(vn(2025, 11, 25), vn(2025, 12, 1, 17), 1, False, id="second-apology"),
    # due Mon 23/2/2026 after Tết: the last working day before it is Fri 13/2
    pytest.param(vn(2026, 2, 13, 16), vn(2026, 2, 23, 17), 0, True, id="tet-fri-13-2"),
    pytest.param(vn(2026, 2, 17, 9), vn(2026, 2, 23, 17), 0, False, id="tet-tue-17-2-too-late"),
    # due Mon 24/8/2026: Sat 22/8 is a worked Saturday, so it is the day before
    pytest.param(vn(2026, 8, 22, 10), vn(2026, 8, 24, 17), 0, True, id="worked-sat-22-8"),
    pytest.param(vn(2026, 8, 23, 10), vn(2026, 8, 24, 17), 0, False, id="sun-23-8-too-late"),
]
# fmt: on


@pytest.mark.parametrize(("now", "due", "so_far", "allowed"), APOLOGY_CASES)
def test_apology_allowed(now: datetime, due: datetime, so_far: int, allowed: bool) -> None:
    ok, vi, en = apology_allowed(now, due, CAL, so_far)
    assert ok is allowed
    assert vi and en


def test_apology_reasons() -> None:
    _, vi, en = apology_allowed(vn(2025, 11, 29), vn(2025, 12, 1, 17), CAL, 0)
    assert "28/11/2025" in vi and "28/11/2025" in en
    _, vi, _ = apology_allowed(vn(2025, 11, 25), vn(2025, 12, 1, 17), CAL, 1)
    assert "một lần" in vi
    ok, _, _ = apology_allowed(
        vn(2025, 11, 25), vn(2025, 12, 1, 17), CAL, 0, new_due=vn(2025, 12, 1, 17)
    )
    assert not ok
    with pytest.raises(ValueError):
        apology_allowed(vn(2025, 11, 25), vn(2025, 12, 1, 17), CAL, -1)


def test_statutory_time_checks() -> None:
    assert StatutoryTime(5, "working_days").unit is TimeUnit.WORKING_DAYS  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        StatutoryTime(-1, TimeUnit.WORKING_DAYS)
