"""Properties of the clock ledger and of the lifecycle table (hypothesis).

Receipts fall in 2024-01-01 .. 2026-06-30 and every other instant at most ~90 days later, so
that all due dates stay inside the official calendar years 2024-2026.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from caicach.calendars.rules import (
    DEFAULT_CUTOFF,
    VN_TZ,
    TimeUnit,
    elapsed_working_time,
    official_calendar,
)
from caicach.dossiers.clock import (
    ClockEvent,
    EndStatus,
    EventKind,
    OpenStatus,
    SegmentKind,
    StatutoryTime,
    Timeliness,
    apology_allowed,
    build_segments,
    legal_due,
    metric_766,
    open_status,
    segment_time,
    step_lateness,
    timeliness,
)
from caicach.dossiers.workflow import (
    TERMINAL_STATES,
    TRANSITIONS,
    ClockEffect,
    DossierState,
    Role,
    allowed_actions,
    transition,
)

CAL = official_calendar()
K = EventKind

received_st = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - bounds are naive by hypothesis' API
    max_value=datetime(2026, 6, 30, 23, 59),  # noqa: DTZ001
    timezones=st.just(VN_TZ),
)
minutes = st.integers(min_value=0, max_value=30 * 24 * 60)
statutory_st = st.one_of(
    st.builds(StatutoryTime, st.integers(0, 30), st.just(TimeUnit.WORKING_DAYS)),
    st.builds(StatutoryTime, st.integers(0, 80), st.just(TimeUnit.WORKING_HOURS)),
    st.builds(StatutoryTime, st.integers(0, 30), st.just(TimeUnit.CALENDAR_DAYS)),
)
end_status_st = st.sampled_from(list(EndStatus))


def m(n: int) -> timedelta:
    return timedelta(minutes=n)


def done(at: datetime, status: EndStatus = EndStatus.PROCESSED) -> ClockEvent:
    return ClockEvent(at, K.FINISHED, reason=status.value)


# --------------------------------------------------------------------------------------------
# Decision 766
# --------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(received_st, statutory_st, minutes, minutes, minutes, minutes, end_status_st)
def test_a_pause_never_makes_the_766_result_later(
    received: datetime,
    statutory: StatutoryTime,
    a: int,
    b: int,
    c: int,
    promise_delay: int,
    status: EndStatus,
) -> None:
    """One supplement request inside the processing time never turns on-time into late."""
    pause, resume, finish = sorted([received + m(a), received + m(a + b), received + m(a + b + c)])
    promised = received + m(promise_delay)
    period_end = finish + timedelta(days=1)
    plain = metric_766(received, promised, [done(finish, status)], statutory, CAL, period_end)
    paused = metric_766(
        received,
        promised,
        [ClockEvent(pause, K.PAUSED), ClockEvent(resume, K.RESUMED), done(finish, status)],
        statutory,
        CAL,
        period_end,
    )
    assert paused.adjusted_end <= plain.adjusted_end
    assert paused.on_time >= plain.on_time


@settings(max_examples=150, deadline=None)
@given(received_st, minutes, minutes, minutes, minutes)
def test_a_pending_request_never_makes_the_766_result_later(
    received: datetime, a: int, b: int, c: int, promise_delay: int
) -> None:
    """An open dossier with one pending request is judged at the request time."""
    pause, period_end = received + m(a), received + m(a + b + c)
    promised = received + m(promise_delay)
    plain = metric_766(received, promised, [], StatutoryTime(5, "working_days"), CAL, period_end)  # type: ignore[arg-type]
    pending = metric_766(
        received,
        promised,
        [ClockEvent(pause, K.PAUSED)],
        StatutoryTime(5, TimeUnit.WORKING_DAYS),
        CAL,
        period_end,
    )
    assert pending.end_instant == pause <= plain.end_instant
    assert pending.on_time >= plain.on_time


@settings(max_examples=150, deadline=None)
@given(received_st, minutes, minutes, minutes, minutes, minutes)
def test_more_supplement_time_never_turns_on_time_late(
    received: datetime, a: int, b: int, extra: int, c: int, promise_delay: int
) -> None:
    """Same request and end; the later the complete dossier arrives, the more is subtracted."""
    pause = received + m(a)
    resume_early = pause + m(b)
    resume_late = resume_early + m(extra)
    finish = resume_late + m(c)
    promised = received + m(promise_delay)
    stat = StatutoryTime(5, TimeUnit.WORKING_DAYS)

    def run(resume: datetime) -> bool:
        events = [ClockEvent(pause, K.PAUSED), ClockEvent(resume, K.RESUMED), done(finish)]
        return metric_766(received, promised, events, stat, CAL, finish).on_time

    if run(resume_early):
        assert run(resume_late)


@settings(max_examples=100, deadline=None)
@given(received_st, st.lists(minutes, min_size=4, max_size=4))
def test_a_second_request_is_always_late(received: datetime, gaps: list[int]) -> None:
    t = [received]
    for g in gaps:
        t.append(t[-1] + m(g))
    events = [
        ClockEvent(t[1], K.PAUSED),
        ClockEvent(t[2], K.RESUMED),
        ClockEvent(t[3], K.PAUSED),
        ClockEvent(t[4], K.RESUMED),
        done(t[4]),
    ]
    far_future = received + timedelta(days=400)
    result = metric_766(
        received, far_future, events, StatutoryTime(1, TimeUnit.WORKING_DAYS), CAL, t[4]
    )
    assert not result.on_time
    assert result.counted_late_reason == "multiple_supplement_requests"


# --------------------------------------------------------------------------------------------
# The legal due date
# --------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(received_st, statutory_st, minutes, minutes, minutes)
def test_legal_due_after_a_supplement_is_never_earlier(
    received: datetime, statutory: StatutoryTime, a: int, b: int, extra: int
) -> None:
    """NĐ 61/2018 art. 19 recounts from the start: never before the original due, and a later
    complete dossier never gives an earlier due."""
    original = legal_due(received, statutory, DEFAULT_CUTOFF, [], CAL)
    pause = received + m(a)

    def due(resume: datetime) -> datetime:
        events = [ClockEvent(pause, K.PAUSED), ClockEvent(resume, K.RESUMED)]
        return legal_due(received, statutory, DEFAULT_CUTOFF, events, CAL)

    early = due(pause + m(b))
    assert early >= original
    assert due(pause + m(b + extra)) >= early


# --------------------------------------------------------------------------------------------
# Segments
# --------------------------------------------------------------------------------------------

ops = st.lists(
    st.tuples(
        st.sampled_from(["step", "pause", "finish_step", "apology"]), minutes, st.integers(1, 4)
    ),
    max_size=12,
)


def _ledger(received: datetime, plan: list[tuple[str, int, int]], end_gap: int) -> list[ClockEvent]:
    """A valid ledger built from a plan; toggles pause/resume, opens and closes steps."""
    events = [ClockEvent(received, K.RECEIVED, agency="desk")]
    at = received
    paused = False
    step_open = False
    due = received + timedelta(days=400)
    for op, gap, order in plan:
        at = at + m(gap)
        if op == "pause":
            events.append(ClockEvent(at, K.RESUMED if paused else K.PAUSED))
            paused = not paused
        elif op == "step":
            events.append(ClockEvent(at, K.STEP_STARTED, step_order=order, agency=f"a{order}"))
            step_open = True
        elif op == "finish_step" and step_open:
            events.append(ClockEvent(at, K.STEP_FINISHED))
            step_open = False
        elif op == "apology" and not paused:
            due = due + timedelta(days=1)
            events.append(ClockEvent(at, K.EXTENDED, new_due=due))
    events.append(done(at + m(end_gap)))
    return events


@settings(max_examples=150, deadline=None)
@given(received_st, ops, minutes)
def test_segments_partition_the_processing_time(
    received: datetime, plan: list[tuple[str, int, int]], end_gap: int
) -> None:
    events = _ledger(received, plan, end_gap)
    finish = events[-1].at
    segments = build_segments(events)
    # contiguous, non-empty, from the receipt to the finish
    assert segments[0].start == received if segments else finish == received
    for s, nxt in itertools.pairwise(segments):
        assert s.end == nxt.start
    for s in segments:
        assert s.end is not None and s.start < s.end
    if segments:
        assert segments[-1].end == finish
    # running + extended + paused working time is all of the working time
    total = elapsed_working_time(received, finish, CAL)
    kinds = list(SegmentKind)
    assert segment_time(segments, CAL, kinds=kinds) == total
    # per-step lateness accounts for the counted time spent inside steps
    counted = segment_time(segments, CAL)
    outside = sum(
        (
            s.working_time(CAL)
            for s in segments
            if s.step_order is None and s.kind is not SegmentKind.PAUSED
        ),
        timedelta(0),
    )
    in_steps = sum((r.used for r in step_lateness(events, {}, CAL)), timedelta(0))
    assert in_steps + outside == counted


# --------------------------------------------------------------------------------------------
# Timeliness, open status, apology
# --------------------------------------------------------------------------------------------

_RANK = {Timeliness.EARLY: 0, Timeliness.ON_TIME: 1, Timeliness.LATE: 2}
_OPEN_RANK = {OpenStatus.WITHIN_TIME: 0, OpenStatus.AT_RISK: 1, OpenStatus.OVERDUE: 2}


@given(received_st, minutes, minutes, minutes)
def test_timeliness_never_improves_with_a_later_finish(
    due_base: datetime, a: int, b: int, c: int
) -> None:
    due = due_base + m(a)
    first, second = due_base + m(b), due_base + m(b + c)
    assert _RANK[timeliness(first, due)] <= _RANK[timeliness(second, due)]
    assert (timeliness(first, due) is Timeliness.LATE) == (first > due)


@settings(max_examples=100, deadline=None)
@given(
    received_st,
    minutes,
    minutes,
    st.lists(st.integers(0, 40 * 60), max_size=5),
    st.integers(0, 600),
)
def test_open_status_never_improves_with_more_work_or_time(
    base: datetime, a: int, b: int, budgets_min: list[int], extra: int
) -> None:
    due = base + m(a)
    now = base + m(b)
    budgets = [m(x) for x in budgets_min]
    status = open_status(now, due, budgets, CAL)
    assert _OPEN_RANK[status] <= _OPEN_RANK[open_status(now, due, [*budgets, m(extra)], CAL)]
    assert _OPEN_RANK[status] <= _OPEN_RANK[open_status(now + m(extra), due, budgets, CAL)]
    assert (status is OpenStatus.OVERDUE) == (now > due)


@settings(max_examples=100, deadline=None)
@given(received_st, minutes, minutes)
def test_an_apology_possible_later_was_possible_earlier(base: datetime, a: int, b: int) -> None:
    due = base + m(a + b)
    earlier, later = base + m(a), due - m(min(b, a + b) // 2)
    if apology_allowed(later, due, CAL, 0)[0]:
        assert apology_allowed(earlier, due, CAL, 0)[0]
    assert not apology_allowed(due, due, CAL, 0)[0]  # never on the due day itself
    assert not apology_allowed(earlier, due, CAL, 1)[0]  # never twice


# --------------------------------------------------------------------------------------------
# The workflow drives a valid ledger
# --------------------------------------------------------------------------------------------

_END_BY_TARGET = {
    DossierState.RESULT_READY: EndStatus.PROCESSED,
    DossierState.RETURNED: EndStatus.RETURNED,
    DossierState.REFUSED: EndStatus.REFUSED,
    DossierState.STOPPED: EndStatus.STOPPED,
    DossierState.WITHDRAWN: EndStatus.WITHDRAWN,
}
ALL_ROLES = [r.value for r in Role]


@settings(max_examples=150, deadline=None)
@given(received_st, st.lists(st.tuples(st.integers(0, 50), minutes), max_size=25))
def test_random_walks_through_the_table_give_valid_ledgers(
    received: datetime, choices: list[tuple[int, int]]
) -> None:
    """Follow allowed actions at random, write the clock effects into a ledger: the ledger is
    always valid, the walk never leaves a terminal state, and the clock stops exactly when the
    dossier reaches a result or a terminal state."""
    first = transition(None, "receive", "receiver")
    assert first.clock_effect is ClockEffect.START
    state = first.target
    at = received
    events = [ClockEvent(at, K.RECEIVED)]
    due = received + timedelta(days=400)
    stopped = False
    for pick, gap in choices:
        actions = allowed_actions(state, ALL_ROLES)
        if not actions:
            assert state in TERMINAL_STATES
            break
        action = actions[pick % len(actions)]
        roles = sorted(TRANSITIONS[(state, action)].roles)
        t = transition(state, action, roles[pick % len(roles)])
        at = at + m(gap)
        effect = t.clock_effect
        if effect is ClockEffect.PAUSE:
            events.append(ClockEvent(at, K.PAUSED))
        elif effect in (ClockEffect.RESTART, ClockEffect.RESUME):
            events.append(ClockEvent(at, K.RESUMED))
        elif effect is ClockEffect.EXTEND:
            due = due + timedelta(days=1)
            events.append(ClockEvent(at, K.EXTENDED, new_due=due))
        if t.target in _END_BY_TARGET and t.target is not state:
            assert (effect is ClockEffect.STOP) != stopped
            stopped = True
            events.append(done(at, _END_BY_TARGET[t.target]))
        state = t.target
    segments = build_segments(events)  # raises ClockError on an invalid ledger
    if stopped:
        assert all(s.end is not None for s in segments)
    else:
        assert segments[-1].end is None
