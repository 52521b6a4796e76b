"""The dossier clock ledger: segments, the legal due date, Decision 766's view, timeliness.

Every dossier keeps an append-only list of :class:`ClockEvent` (received, step started/finished,
paused for a supplement, resumed, extended by an apology, finished). From it this module derives,
without I/O and on the working-day engine of :mod:`caicach.calendars.rules`:

* :func:`build_segments`: the ledger as running / paused / extended segments, each attributed to
  the workflow step and the agency holding the dossier (overall, per step, per agency);
* :func:`legal_due`: the due date of the law (NĐ 61/2018 art. 19): a supplement **restarts**
  the time limit from the start when the complete dossier arrives, an apology sets a new date;
* :func:`metric_766`: the on-time verdict of Decision 766 indicator 2.1 (regulations §1.3):
  supplement time **subtracted**, a second supplement request counts as late;
* :func:`timeliness` (early / on time / late, TT 01/2018 art. 13), :func:`open_status`
  (within time / at risk / overdue), :func:`step_lateness` (lateness attributed to the unit that
  held the step) and :func:`apology_allowed` (NĐ 61/2018 art. 19: once, one working day ahead).

Ledger rules (checked, :class:`ClockError` otherwise): events are in non-decreasing time order;
``received`` comes first and once; ``paused`` and ``resumed`` alternate; an apology
(``extended``, with ``new_due``) is recorded while the clock runs; after the first ``finished``
only further ``finished`` events may follow (e.g. *đã xử lý xong* then *đã trả kết quả*), each
with its terminal status (:class:`EndStatus`) as ``reason``. Every pause is a supplement request
(*yêu cầu bổ sung, hoàn thiện hồ sơ*), the only pause the one-stop rules know.

All instants must be aware datetimes; comparisons of dates use Vietnam time.

Size (~750 lines): one cohesive pure engine over one ledger (the legal clock, Decision 766's
clock, timeliness, open status, step lateness, the apology guard); its halves share the segment
walk, and splitting them would split one reading of the ledger in two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final, Literal

from caicach.calendars.rules import (
    DEFAULT_CUTOFF,
    VN_TZ,
    DueResult,
    EndOfDay,
    TimeUnit,
    WorkCalendar,
    compute_due,
    elapsed_working_time,
    remaining_working_time,
)

__all__ = [
    "ClockError",
    "ClockEvent",
    "EndStatus",
    "EventKind",
    "LegalDue",
    "Metric766Result",
    "OpenStatus",
    "Segment",
    "SegmentKind",
    "StatutoryTime",
    "StepLateness",
    "Timeliness",
    "apology_allowed",
    "budget_in_working_days",
    "build_segments",
    "legal_due",
    "legal_due_detail",
    "metric_766",
    "open_status",
    "segment_time",
    "step_lateness",
    "timeliness",
]


class ClockError(ValueError):
    """The ledger breaks one of the ledger rules (module docstring)."""


class EventKind(StrEnum):
    RECEIVED = "received"  # tiếp nhận: the clock starts (NĐ 61/2018 art. 17)
    STEP_STARTED = "step_started"  # a workflow step (and its agency) takes the dossier
    STEP_FINISHED = "step_finished"
    PAUSED = "paused"  # yêu cầu bổ sung: waiting for the applicant
    RESUMED = "resumed"  # hồ sơ bổ sung đầy đủ: the complete dossier arrived
    EXTENDED = "extended"  # xin lỗi và hẹn lại ngày trả (art. 19), carries ``new_due``
    FINISHED = "finished"  # a terminal status, named by ``reason`` (EndStatus)


class SegmentKind(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # waiting for a supplement: never counted against the agency
    EXTENDED = "extended"  # running after an apology set a new due date


class EndStatus(StrEnum):
    """Terminal statuses, in Decision 766's priority for the end of processing (regulations
    §1.3): *đã xử lý xong* > *đã trả kết quả* > *dừng xử lý / từ chối* (and *công dân rút hồ
    sơ*, which also ends processing)."""

    PROCESSED = "processed"  # đã xử lý xong (result ready)
    RETURNED = "returned"  # đã trả kết quả
    REFUSED = "refused"  # từ chối
    STOPPED = "stopped"  # dừng xử lý (TT 03/2025/TT-VPCP)
    WITHDRAWN = "withdrawn"  # công dân yêu cầu rút hồ sơ


_END_PRIORITY: Final = {
    EndStatus.PROCESSED: 0,
    EndStatus.RETURNED: 1,
    EndStatus.REFUSED: 2,
    EndStatus.STOPPED: 2,
    EndStatus.WITHDRAWN: 2,
}


class Timeliness(StrEnum):
    """TT 01/2018/TT-VPCP art. 13 (indicator 1): trước hạn / đúng hạn / trễ hạn."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class OpenStatus(StrEnum):
    """Status of a dossier that is still open: còn hạn / có nguy cơ trễ / quá hạn."""

    WITHIN_TIME = "within_time"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"


def _aware(dt: datetime, what: str) -> datetime:
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise ValueError(f"{what}: naive datetime {dt.isoformat()}; pass an aware datetime")
    return dt.astimezone(VN_TZ)


@dataclass(frozen=True, slots=True)
class StatutoryTime:
    """The statutory processing time of a procedure (*thời hạn giải quyết*): value + unit."""

    value: int | float | Decimal
    unit: TimeUnit

    def __post_init__(self) -> None:
        if not isinstance(self.unit, TimeUnit):
            object.__setattr__(self, "unit", TimeUnit(self.unit))
        if self.value < 0:
            raise ValueError("a statutory time cannot be negative")

    def due(
        self,
        received: datetime,
        calendar: WorkCalendar,
        cutoff: time | None = DEFAULT_CUTOFF,
        *,
        end_of_day: EndOfDay = "office_close",
    ) -> DueResult:
        """The due date counted from ``received`` (:func:`caicach.calendars.rules.compute_due`)."""
        return compute_due(received, self.value, self.unit, calendar, cutoff, end_of_day=end_of_day)


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """One entry of the append-only clock ledger of a dossier."""

    at: datetime
    kind: EventKind
    step_order: int | None = None
    agency: str | None = None
    new_due: datetime | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, EventKind):
            object.__setattr__(self, "kind", EventKind(self.kind))
        _aware(self.at, "ClockEvent.at")
        if self.kind is EventKind.EXTENDED:
            if self.new_due is None:
                raise ClockError("an 'extended' event (apology) needs new_due")
            _aware(self.new_due, "ClockEvent.new_due")
        elif self.new_due is not None:
            raise ClockError(f"only an 'extended' event carries new_due, not {self.kind.value!r}")
        if self.kind is EventKind.STEP_STARTED and self.step_order is None:
            raise ClockError("a 'step_started' event needs step_order")
        if self.kind is EventKind.FINISHED and self.reason not in _END_VALUES:
            raise ClockError(
                f"a 'finished' event needs its terminal status as reason, one of "
                f"{sorted(_END_VALUES)}, not {self.reason!r}"
            )

    @property
    def end_status(self) -> EndStatus | None:
        """The terminal status of a ``finished`` event."""
        return EndStatus(self.reason) if self.kind is EventKind.FINISHED else None


_END_VALUES: Final = frozenset(s.value for s in EndStatus)


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the ledger with one clock state, step and agency; ``end is None`` while
    open."""

    kind: SegmentKind
    start: datetime
    end: datetime | None
    step_order: int | None
    agency: str | None

    def working_time(self, calendar: WorkCalendar, now: datetime | None = None) -> timedelta:
        """Office time of working days in the segment; an open segment is measured to ``now``."""
        end = self.end if self.end is not None else now
        if end is None:
            raise ValueError("an open segment is measured up to 'now': pass now")
        if end < self.start:
            return timedelta(0)
        return elapsed_working_time(self.start, end, calendar)


# --------------------------------------------------------------------------------------------
# Ledger validation and segments
# --------------------------------------------------------------------------------------------


def _validate(events: Sequence[ClockEvent], received: datetime | None = None) -> None:
    """Check the ledger rules; ``received`` given: the ledger may omit its ``received`` event,
    and if present it must be at ``received``."""
    if received is None and (not events or events[0].kind is not EventKind.RECEIVED):
        raise ClockError("the ledger must start with a 'received' event")
    paused = finished = False
    open_step: int | None = None
    previous: datetime | None = received
    for i, e in enumerate(events):
        if e.kind is EventKind.RECEIVED:
            if i != 0:
                raise ClockError("'received' must be the first event and occur once")
            if received is not None and e.at != received:
                raise ClockError(
                    f"the 'received' event ({e.at.isoformat()}) differs from the receipt "
                    f"instant ({received.isoformat()})"
                )
            previous = e.at
            continue
        if previous is not None and e.at < previous:
            raise ClockError(
                f"event {i} ({e.kind.value}) at {e.at.isoformat()} is earlier than the event "
                f"before it ({previous.isoformat()}); the ledger is append-only"
            )
        previous = e.at
        if finished:
            if e.kind is not EventKind.FINISHED:
                raise ClockError(f"'{e.kind.value}' after the clock finished (event {i})")
            continue
        if e.kind is EventKind.PAUSED:
            if paused:
                raise ClockError(f"'paused' while already paused (event {i})")
            paused = True
        elif e.kind is EventKind.RESUMED:
            if not paused:
                raise ClockError(f"'resumed' without a pause (event {i})")
            paused = False
        elif e.kind is EventKind.EXTENDED:
            if paused:
                raise ClockError(f"an apology cannot extend the due while paused (event {i})")
        elif e.kind is EventKind.STEP_STARTED:
            open_step = e.step_order  # a step still open is implicitly finished here
        elif e.kind is EventKind.STEP_FINISHED:
            if open_step is None or (e.step_order is not None and e.step_order != open_step):
                raise ClockError(
                    f"'step_finished' for step {e.step_order} but the open step is {open_step} "
                    f"(event {i})"
                )
            open_step = None
        elif e.kind is EventKind.FINISHED:
            finished = True


def build_segments(events: Sequence[ClockEvent]) -> list[Segment]:
    """The ledger as consecutive segments from the receipt to the first ``finished`` event.

    * Kind: ``paused`` between a pause and its resumption; ``extended`` while running after an
      apology (until a supplement restarts the legal clock); otherwise ``running``.
    * Attribution: a segment inside a step carries that step's order and agency (lateness is
      attributed to the unit that held the step). Outside any step (at the desk before the first
      step, in transit between steps) ``step_order`` is ``None`` and ``agency`` is the last agency
      named by ``received`` or a started step.
    * Empty segments are dropped; the last segment of an unfinished dossier has ``end=None``.
    """
    _validate(events)
    segments: list[Segment] = []
    start = events[0].at
    last_agency = events[0].agency
    step: int | None = None
    step_agency: str | None = None
    paused = extended = False

    def current_kind() -> SegmentKind:
        if paused:
            return SegmentKind.PAUSED
        return SegmentKind.EXTENDED if extended else SegmentKind.RUNNING

    for e in events[1:]:
        if e.at > start:
            agency = step_agency if step is not None else last_agency
            segments.append(Segment(current_kind(), start, e.at, step, agency))
            start = e.at
        if e.kind is EventKind.FINISHED:
            return segments
        if e.kind is EventKind.STEP_STARTED:
            step = e.step_order
            step_agency = e.agency if e.agency is not None else last_agency
            last_agency = step_agency
        elif e.kind is EventKind.STEP_FINISHED:
            step, step_agency = None, None
        elif e.kind is EventKind.PAUSED:
            paused = True
        elif e.kind is EventKind.RESUMED:
            paused = extended = False  # the legal clock restarts (NĐ 61/2018 art. 19)
        elif e.kind is EventKind.EXTENDED:
            extended = True
    agency = step_agency if step is not None else last_agency
    segments.append(Segment(current_kind(), start, None, step, agency))
    return segments


def segment_time(
    segments: Iterable[Segment],
    calendar: WorkCalendar,
    *,
    kinds: Iterable[SegmentKind] = (SegmentKind.RUNNING, SegmentKind.EXTENDED),
    step_order: int | None = None,
    agency: str | None = None,
    now: datetime | None = None,
) -> timedelta:
    """Working time of the segments of the given kinds (running + extended by default, i.e. the
    time counted against the agencies), optionally only one step's or one agency's."""
    wanted = frozenset(kinds)
    total = timedelta(0)
    for s in segments:
        if s.kind not in wanted:
            continue
        if step_order is not None and s.step_order != step_order:
            continue
        if agency is not None and s.agency != agency:
            continue
        total += s.working_time(calendar, now)
    return total


def budget_in_working_days(days: int | float | Decimal, calendar: WorkCalendar) -> timedelta:
    """A step budget given in working days as office time (7.5 h a day by default)."""
    if days < 0:
        raise ValueError("a budget cannot be negative")
    us = Decimal(days) * Decimal(calendar.day_length // timedelta(microseconds=1))
    return timedelta(microseconds=int(us.to_integral_value()))


# --------------------------------------------------------------------------------------------
# The legal due date
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LegalDue:
    """The legal due date and how it was obtained.

    ``basis``: ``receipt`` (counted from the receipt), ``supplement`` (recounted from the start
    when the complete dossier arrived) or ``apology`` (new date set by an apology). ``paused``:
    the dossier waits for a supplement now, so ``due`` (the one in force before the request) will
    be recounted when the supplement arrives. ``result`` is the computation behind ``due``
    (``None`` when an apology set it).
    """

    due: datetime
    basis: Literal["receipt", "supplement", "apology"]
    counted_from: datetime
    restarts: int
    extensions: int
    paused: bool
    result: DueResult | None


def legal_due_detail(
    received: datetime,
    statutory: StatutoryTime,
    cutoff: time | None,
    events: Sequence[ClockEvent],
    calendar: WorkCalendar,
    *,
    end_of_day: EndOfDay = "office_close",
) -> LegalDue:
    """The legal due date under NĐ 61/2018 art. 19, with its basis (see :func:`legal_due`)."""
    received = _aware(received, "received")
    _validate(events, received)
    result = statutory.due(received, calendar, cutoff, end_of_day=end_of_day)
    current = LegalDue(result.due, "receipt", received, 0, 0, False, result)
    restarts = extensions = 0
    for e in events:
        if e.kind is EventKind.FINISHED:
            break
        if e.kind is EventKind.PAUSED:
            current = LegalDue(
                current.due,
                current.basis,
                current.counted_from,
                restarts,
                extensions,
                True,
                current.result,
            )
        elif e.kind is EventKind.RESUMED:
            # "Thời hạn giải quyết được tính lại từ đầu sau khi nhận đủ hồ sơ": the resumption is
            # the new receipt instant (the cut-off applies to it as to any receipt).
            restarts += 1
            result = statutory.due(e.at, calendar, cutoff, end_of_day=end_of_day)
            current = LegalDue(
                result.due, "supplement", _aware(e.at, "at"), restarts, extensions, False, result
            )
        elif e.kind is EventKind.EXTENDED:
            assert e.new_due is not None  # checked by ClockEvent
            new_due = _aware(e.new_due, "new_due")
            if new_due <= current.due:
                raise ClockError(
                    f"the apology's new date {new_due.isoformat()} is not after the due date "
                    f"{current.due.isoformat()}"
                )
            extensions += 1
            current = LegalDue(
                new_due, "apology", current.counted_from, restarts, extensions, False, None
            )
    return current


def legal_due(
    received: datetime,
    statutory: StatutoryTime,
    cutoff: time | None,
    events: Sequence[ClockEvent],
    calendar: WorkCalendar,
    *,
    end_of_day: EndOfDay = "office_close",
) -> datetime:
    """The legal due date of a dossier (NĐ 61/2018 art. 19, regulations §2.1 and §2.4).

    * Counted from the receipt with the statutory time (Civil Code art. 147, the cut-off of
      NĐ 61/2018 art. 18: :func:`caicach.calendars.rules.compute_due`).
    * After a supplement, *the time limit is recounted from the start once the complete dossier
      arrives*: the ``resumed`` instant is the new receipt instant (cut-off included).
    * An apology (``extended``) replaces the due with its ``new_due``, which must be later.
    * Events are applied in ledger order, so the latest of these wins; while a supplement is
      pending the due in force before the request is returned (it will be recounted).
    """
    return legal_due_detail(
        received, statutory, cutoff, events, calendar, end_of_day=end_of_day
    ).due


# --------------------------------------------------------------------------------------------
# Decision 766
# --------------------------------------------------------------------------------------------

EndSource = Literal[
    "processed", "returned", "refused", "stopped", "withdrawn", "pending_supplement", "period_end"
]


_END_SOURCE: Final[Mapping[EndStatus, EndSource]] = {
    EndStatus.PROCESSED: "processed",
    EndStatus.RETURNED: "returned",
    EndStatus.REFUSED: "refused",
    EndStatus.STOPPED: "stopped",
    EndStatus.WITHDRAWN: "withdrawn",
}


@dataclass(frozen=True, slots=True)
class Metric766Result:
    """Decision 766 indicator 2.1 for one dossier (regulations §1.3).

    ``on_time`` is the verdict: ``end_instant - supplement_time <= promised_due`` and at most one
    supplement request. ``counted_late_reason`` is ``None`` when on time, otherwise
    ``"multiple_supplement_requests"`` or ``"after_promised_due"``. ``end_source`` says what the
    end of processing is; with ``"period_end"`` the dossier was open at the end of the period and
    the verdict reads "still within time" / "overdue" (:attr:`status`).
    """

    on_time: bool
    end_instant: datetime
    supplement_time: timedelta
    counted_late_reason: Literal["multiple_supplement_requests", "after_promised_due"] | None
    promised_due: datetime
    end_source: EndSource
    supplement_requests: int

    @property
    def adjusted_end(self) -> datetime:
        """The end of processing less the supplement time, compared with the promised date."""
        return self.end_instant - self.supplement_time

    @property
    def open_at_period_end(self) -> bool:
        return self.end_source == "period_end"

    @property
    def status(self) -> Literal["on_time", "late", "within_time", "overdue"]:
        if self.open_at_period_end:
            return "within_time" if self.on_time else "overdue"
        return "on_time" if self.on_time else "late"


def metric_766(
    received: datetime,
    promised_due: datetime | None,
    events: Sequence[ClockEvent],
    statutory: StatutoryTime,
    calendar: WorkCalendar,
    period_end: datetime,
    *,
    cutoff: time | None = DEFAULT_CUTOFF,
) -> Metric766Result:
    """Decision 766's on-time verdict for one dossier as of ``period_end`` (regulations §1.3).

    * Only events up to ``period_end`` count (a report can be reproduced as of its period).
    * **End of processing**: the time of the terminal status with the priority *đã xử lý xong*
      > *đã trả kết quả* > *dừng xử lý / từ chối / rút* (the earliest among equals); no terminal
      status: if the only status is **one pending supplement request**, the request time; else
      the end of the period (open dossiers: still within time, or overdue).
    * **Supplement time** (*hoàn thành bổ sung - yêu cầu bổ sung*) is subtracted, as a plain
      duration, as the operator formula does on timestamps. Decision: a request still pending
      when a terminal status arrives (stopped or withdrawn while waiting) is closed at that
      instant and subtracted too, which is the same as judging it at the request time, as for a
      pending request.
    * **More than one supplement request** counts as late, whatever the times.
    * **Promised date**: ``promised_due`` (*NgayHenTra*), replaced by the new date of an apology
      in the ledger (the desk updates the promised date, NĐ 61/2018 art. 19); when there is no
      promised date, the statutory due counted from the receipt (``end - start - supplement <=
      the maximum processing time``, counted in working time by
      :func:`caicach.calendars.rules.compute_due`).
    """
    received = _aware(received, "received")
    period_end = _aware(period_end, "period_end")
    if period_end < received:
        raise ValueError("period_end is before the receipt: the dossier is not in the period")
    _validate(events, received)
    ledger = [e for e in events if e.at <= period_end]
    if promised_due is not None:
        due = _aware(promised_due, "promised_due")
    else:
        due = statutory.due(received, calendar, cutoff).due
    requests = 0
    supplement = timedelta(0)
    pending: ClockEvent | None = None
    first_finish: ClockEvent | None = None
    terminal: ClockEvent | None = None
    for e in ledger:
        if e.kind is EventKind.EXTENDED:
            assert e.new_due is not None
            due = _aware(e.new_due, "new_due")
        elif e.kind is EventKind.PAUSED:
            requests += 1
            pending = e
        elif e.kind is EventKind.RESUMED:
            assert pending is not None  # checked by _validate
            supplement += e.at - pending.at
            pending = None
        elif e.kind is EventKind.FINISHED:
            if first_finish is None:
                first_finish = e
            if (
                terminal is None
                or _END_PRIORITY[EndStatus(e.reason)] < _END_PRIORITY[EndStatus(terminal.reason)]
            ):
                terminal = e
    end_source: EndSource
    if terminal is not None:
        assert first_finish is not None
        end = terminal.at
        end_source = _END_SOURCE[EndStatus(terminal.reason)]
        if pending is not None:
            supplement += first_finish.at - pending.at
    elif pending is not None and requests == 1:
        end, end_source = pending.at, "pending_supplement"
    else:
        end, end_source = period_end, "period_end"
    end = _aware(end, "end")
    reason: Literal["multiple_supplement_requests", "after_promised_due"] | None = None
    if requests > 1:
        reason = "multiple_supplement_requests"
    elif end - supplement > due:
        reason = "after_promised_due"
    return Metric766Result(
        on_time=reason is None,
        end_instant=end,
        supplement_time=supplement,
        counted_late_reason=reason,
        promised_due=due,
        end_source=end_source,
        supplement_requests=requests,
    )


# --------------------------------------------------------------------------------------------
# Timeliness, open status, lateness per step
# --------------------------------------------------------------------------------------------


def timeliness(finished_at: datetime, due: datetime) -> Timeliness:
    """Early, on time or late for a finished dossier (TT 01/2018/TT-VPCP art. 13, indicator 1:
    shorter than allowed = early, equal = on time, longer = late).

    For deadlines in working days "equal" is a day, not an instant:

    * ``late``: finished after the due instant;
    * ``on_time``: finished on the due date (same calendar date in Vietnam time), not after the
      due instant;
    * ``early``: finished on an earlier date (in practice an earlier working day).

    The same date rule is applied to procedures counted in hours (same day = on time).
    """
    f = _aware(finished_at, "finished_at")
    d = _aware(due, "due")
    if f > d:
        return Timeliness.LATE
    if f.date() == d.date():
        return Timeliness.ON_TIME
    return Timeliness.EARLY


def open_status(
    now: datetime,
    due: datetime,
    remaining_step_budgets: Iterable[timedelta],
    calendar: WorkCalendar,
) -> OpenStatus:
    """Status of an open dossier: ``overdue`` after the due instant; ``at_risk`` when the
    remaining working time (:func:`caicach.calendars.rules.remaining_working_time`) is less than
    the sum of the budgets of the steps still to do; else ``within_time`` (equal is enough)."""
    n = _aware(now, "now")
    d = _aware(due, "due")
    if n > d:
        return OpenStatus.OVERDUE
    needed = sum(remaining_step_budgets, timedelta(0))
    if remaining_working_time(n, d, calendar) < needed:
        return OpenStatus.AT_RISK
    return OpenStatus.WITHIN_TIME


@dataclass(frozen=True, slots=True)
class StepLateness:
    """Working time a step used at one agency against its budget (TT 01/2018 art. 13,
    indicator 2: each unit's time against the time allotted to it)."""

    step_order: int
    agency: str | None
    used: timedelta
    budget: timedelta | None
    late_by: timedelta

    @property
    def late(self) -> bool:
        return self.late_by > timedelta(0)


def step_lateness(
    events: Sequence[ClockEvent],
    step_budgets: Mapping[int, timedelta],
    calendar: WorkCalendar,
    *,
    now: datetime | None = None,
) -> list[StepLateness]:
    """Lateness per step, attributed to the unit that held it.

    ``used`` is the working time of the step's running and extended segments (paused time, i.e.
    waiting for the applicant, is excluded; a step visited twice, e.g. sent back, adds up);
    ``late_by = max(0, used - budget)``; steps without a budget have ``budget=None`` and are
    never late. One row per (step, agency) in order of first appearance. An unfinished step is
    measured up to ``now`` (required then).
    """
    rows: dict[tuple[int, str | None], timedelta] = {}
    for s in build_segments(events):
        if s.kind is SegmentKind.PAUSED or s.step_order is None:
            continue
        key = (s.step_order, s.agency)
        rows[key] = rows.get(key, timedelta(0)) + s.working_time(calendar, now)
    out: list[StepLateness] = []
    for (order, agency), used in rows.items():
        budget = step_budgets.get(order)
        late_by = max(used - budget, timedelta(0)) if budget is not None else timedelta(0)
        out.append(StepLateness(order, agency, used, budget, late_by))
    return out


# --------------------------------------------------------------------------------------------
# Apology
# --------------------------------------------------------------------------------------------


def apology_allowed(
    now: datetime,
    due: datetime,
    calendar: WorkCalendar,
    apologies_so_far: int,
    *,
    new_due: datetime | None = None,
) -> tuple[bool, str, str]:
    """Whether an apology with a new return date may be sent now (NĐ 61/2018 art. 19; form 04).

    * Only once: *việc hẹn lại ngày trả kết quả được thực hiện không quá một lần*.
    * At least one working day before the due date: allowed up to the end of the last working day
      before the due date's day (a Saturday before a Monday due is too late: Friday was the last
      day). After the due instant it is too late in any case.
    * ``new_due``, when given, must be after ``due``.

    Returns ``(allowed, reason_vi, reason_en)``; the reasons also explain a ``True``.
    """
    if apologies_so_far < 0:
        raise ValueError("apologies_so_far cannot be negative")
    n = _aware(now, "now")
    d = _aware(due, "due")
    if apologies_so_far >= 1:
        return (
            False,
            "Chỉ được xin lỗi và hẹn lại ngày trả kết quả một lần (NĐ 61/2018, Điều 19).",
            "The return date may be rescheduled with an apology only once (Decree 61/2018, "
            "art. 19).",
        )
    latest = calendar.add_working_days(d.date(), -1)
    if n > d:
        return (
            False,
            f"Hồ sơ đã quá hạn ({d:%H:%M %d/%m/%Y}); văn bản xin lỗi phải gửi chậm nhất ngày "
            f"{latest:%d/%m/%Y}, 01 ngày làm việc trước hạn (NĐ 61/2018, Điều 19).",
            f"The dossier is already overdue ({d:%H:%M %d/%m/%Y}); the apology had to be sent by "
            f"{latest:%d/%m/%Y}, one working day before the due date (Decree 61/2018, art. 19).",
        )
    if n.date() > latest:
        return (
            False,
            f"Đã quá thời điểm gửi văn bản xin lỗi: phải gửi chậm nhất ngày {latest:%d/%m/%Y}, "
            f"01 ngày làm việc trước hạn trả {d:%d/%m/%Y} (NĐ 61/2018, Điều 19).",
            f"Too late for an apology: it had to be sent by {latest:%d/%m/%Y}, one working day "
            f"before the due date {d:%d/%m/%Y} (Decree 61/2018, art. 19).",
        )
    if new_due is not None and _aware(new_due, "new_due") <= d:
        return (
            False,
            "Ngày hẹn trả mới phải sau hạn trả hiện tại.",
            "The new return date must be after the current due date.",
        )
    return (
        True,
        f"Có thể gửi văn bản xin lỗi và hẹn lại ngày trả kết quả (chậm nhất ngày "
        f"{latest:%d/%m/%Y}; chỉ một lần).",
        f"An apology with a new return date may be sent (by {latest:%d/%m/%Y}; once only).",
    )
