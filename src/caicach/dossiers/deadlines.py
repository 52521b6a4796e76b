"""What "running", "overdue" and "due soon" mean: the one definition (pure, typed).

Every page, API filter and field, report, job and export asks these functions, or the
:class:`~caicach.dossiers.models.DossierQuerySet` methods built on them
(``running``, ``paused``, ``overdue``, ``due_soon``, ``finished_late``):

* **Running** (:data:`RUNNING_STATES`): a due date is promised and the clock runs: from receipt
  to approval. Not while waiting for a supplement (NĐ 61/2018 art. 19: the clock stops), not
  once the result is ready or the dossier has ended (TT 01/2018 art. 13).
* **Paused** (:data:`PAUSED_STATES`): waiting for the applicant's supplement.
* **Overdue at an instant** (:func:`is_overdue`): running and ``due < at``. At the due instant
  itself the dossier is still within time (the period ends *at* the end of the last day,
  Civil Code art. 148).
* **Due soon** (:func:`due_soon_until`): running, not overdue, and due no later than the end of
  the ``days``-th working day after today on the named calendar (``d`` itself not counted,
  Civil Code art. 147). ``days`` is the setting ``DOSSIER_WARNING_WORKING_DAYS``: the inbox tab,
  the badges and the officers' e-mail warning use the same window. The inbox names the
  official calendar (its rows come from many agencies); the warning job names each dossier's
  receiving agency's calendar (the one its due date was counted on).
* **At risk** is :func:`caicach.dossiers.clock.open_status` (remaining working time below the
  budgets of the steps still to do): it needs the steps, so it is judged per dossier.
* **The status of a running dossier on its page** (:func:`running_status`): overdue against
  the promise in force; past the statutory due (an apology's new date may lie beyond it);
  delayed once an apology was made (the first promise was missed: an apology never turns a
  dossier back to "within time", and never moves the statutory due); at risk; within time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Final, Literal

from caicach.calendars.rules import DEFAULT_CUTOFF, VN_TZ, WorkCalendar, remaining_working_time
from caicach.dossiers import clock
from caicach.dossiers.workflow import DossierState

__all__ = [
    "AS_OF_STATUSES",
    "PAUSED_STATES",
    "RUNNING_STATES",
    "AsOf",
    "Deadline",
    "RunningStatus",
    "TimelinessFacts",
    "Verdicts",
    "deadline_badge",
    "due_soon_until",
    "finish_verdicts",
    "is_overdue",
    "is_provisional",
    "is_running",
    "promise_as_of",
    "running_status",
    "status_as_of",
    "statutory_due_as_of",
    "statutory_ledger",
]

RUNNING_STATES: Final = frozenset(
    {
        DossierState.RECEIVED,
        DossierState.ASSIGNED,
        DossierState.PROCESSING,
        DossierState.CONSULTING,
        DossierState.TRANSFERRED,
        DossierState.AWAITING_APPROVAL,
        DossierState.APPROVED,
    }
)
PAUSED_STATES: Final = frozenset({DossierState.AWAITING_SUPPLEMENT})

Deadline = Literal["overdue", "soon", ""]


def is_running(state: str) -> bool:
    return state in RUNNING_STATES


def is_overdue(state: str, due: datetime, at: datetime) -> bool:
    """Running and past its due instant at ``at``."""
    return is_running(state) and due < at


def is_provisional(calendar: WorkCalendar, start: datetime, due: datetime) -> bool:
    """Whether a due date counted from ``start`` rests on a year whose official calendar is not
    announced yet (only the weekly rest days and the Labour Code art. 112 days are known;
    regulations §4.1, §4.4): shown "tạm tính" and recounted when the calendar is entered."""
    return calendar.is_provisional(start.astimezone(VN_TZ).date(), due.astimezone(VN_TZ).date())


def due_soon_until(at: datetime, calendar: WorkCalendar, days: int) -> datetime:
    """The exclusive upper bound of "due soon" at ``at``: midnight (Asia/Ho_Chi_Minh) after the
    ``days``-th working day following ``at``'s day on ``calendar`` (0: today, or the next
    working day when today is not one)."""
    today = at.astimezone(VN_TZ).date()
    last = calendar.add_working_days(today, max(0, days))
    return datetime.combine(last + timedelta(days=1), time(0), VN_TZ)


RunningStatusName = Literal["within_time", "at_risk", "delayed", "past_statutory", "overdue"]


@dataclass(frozen=True, slots=True)
class RunningStatus:
    """The status of a running dossier, with what it rests on (for the page to explain it).

    ``remaining`` is the working time left to the promise in force (negative when past it),
    ``needed`` the budgets of the workflow steps still to do: ``at_risk`` when less is left
    than they need, however many days remain."""

    status: RunningStatusName
    remaining: timedelta
    needed: timedelta
    apologised: bool

    @property
    def at_risk(self) -> bool:
        return timedelta(0) <= self.remaining < self.needed


def running_status(
    now: datetime,
    due: datetime,
    legal_due: datetime,
    apologies: int,
    remaining_step_budgets: Iterable[timedelta],
    calendar: WorkCalendar,
) -> RunningStatus:
    """The status of a running dossier at ``now`` (the one rule for its page):

    * ``overdue``: past the promise in force (:func:`clock.open_status`);
    * ``past_statutory``: within an apology's new date but past the statutory due, which an
      apology never moves (regulations §2.4): legally late;
    * ``delayed``: an apology was made (form 04): the dossier missed its first promise and
      stays marked so until it ends, never "within time" again;
    * ``at_risk``: less working time left than the remaining steps' budgets;
    * ``within_time`` otherwise.
    """
    budgets = list(remaining_step_budgets)
    needed = sum(budgets, timedelta(0))
    remaining = remaining_working_time(now, due, calendar)
    base = clock.open_status(now, due, budgets, calendar)
    status: RunningStatusName
    if base is clock.OpenStatus.OVERDUE:
        status = "overdue"
    elif now > legal_due:
        status = "past_statutory"
    elif apologies:
        status = "delayed"
    else:
        status = base.value  # type: ignore[assignment]
    return RunningStatus(status, remaining, needed, apologies > 0)


def deadline_badge(state: str, due: datetime, at: datetime, soon_until: datetime) -> Deadline:
    """``"overdue"``, ``"soon"`` or ``""``: the badge of one dossier in lists and on its page."""
    if not is_running(state):
        return ""
    if due < at:
        return "overdue"
    if due < soon_until:
        return "soon"
    return ""


# --------------------------------------------------------------------------------------------
# Timeliness facts: the promise, the statutory due, the verdicts, the status at a past instant
# --------------------------------------------------------------------------------------------

AsOfStatus = Literal["within_time", "at_risk", "overdue", "paused", "early", "on_time", "late"]
AS_OF_STATUSES: Final[tuple[AsOfStatus, ...]] = (
    "within_time",
    "at_risk",
    "overdue",
    "paused",
    "early",
    "on_time",
    "late",
)


@dataclass(frozen=True, slots=True)
class TimelinessFacts:
    """What the timeliness of one dossier is computed from (no I/O).

    ``promised`` is the procedure version's promised time (*thời hạn hẹn trả*), ``statutory`` its
    statutory time (*thời hạn giải quyết theo quy định*); ``events`` the dossier's clock ledger
    (:class:`~caicach.dossiers.clock.ClockEvent`, starting at the receipt or without the receipt
    event), ``calendar`` the calendar the due dates are counted on. ``first_due`` is the receipt's
    promise when known (the stored ``first_due_at``); else it is counted from the receipt.
    """

    received_at: datetime
    promised: clock.StatutoryTime
    statutory: clock.StatutoryTime
    events: Sequence[clock.ClockEvent]
    calendar: WorkCalendar
    cutoff: time | None = DEFAULT_CUTOFF
    first_due: datetime | None = None

    def upto(self, instant: datetime) -> list[clock.ClockEvent]:
        """The ledger as it stood at ``instant`` (events at the instant included)."""
        return [e for e in self.events if e.at <= instant]

    def first_promise(self) -> datetime:
        """The receipt's promise (*NgayHenTra* of the receipt slip): never moves."""
        if self.first_due is not None:
            return self.first_due
        return self.promised.due(self.received_at, self.calendar, self.cutoff).due


def promise_as_of(facts: TimelinessFacts, instant: datetime) -> datetime:
    """The promised date in force at ``instant`` (NĐ 61/2018 art. 19): the receipt's promise,
    recounted from the start with the promised time when a supplement completes the dossier,
    replaced by an apology's new date (form 04)."""
    due = facts.first_promise()
    for e in facts.upto(instant):
        if e.kind is clock.EventKind.FINISHED:
            break
        if e.kind is clock.EventKind.RESUMED:
            due = facts.promised.due(e.at, facts.calendar, facts.cutoff).due
        elif e.kind is clock.EventKind.EXTENDED:
            assert e.new_due is not None
            due = e.new_due
    return due


def statutory_due_as_of(facts: TimelinessFacts, instant: datetime) -> datetime:
    """The statutory due in force at ``instant``: counted from the receipt with the statutory
    time and recounted from the start after a supplement (NĐ 61/2018 art. 19). An apology moves
    the promise only, never the time the law allows (regulations §2.4)."""
    ledger = statutory_ledger(facts.upto(instant))
    return clock.legal_due(facts.received_at, facts.statutory, facts.cutoff, ledger, facts.calendar)


def statutory_ledger(events: Iterable[clock.ClockEvent]) -> list[clock.ClockEvent]:
    """The ledger the statutory due is counted on: without the apologies, which move the
    promise only, never the time the law allows (regulations §2.4)."""
    return [e for e in events if e.kind is not clock.EventKind.EXTENDED]


@dataclass(frozen=True, slots=True)
class Verdicts:
    """The verdicts stored on a dossier at the end of processing."""

    timeliness: clock.Timeliness
    legal_timeliness: clock.Timeliness
    timeliness_766: Literal["on_time", "late"]
    processing_working_days: Decimal
    due: datetime
    legal_due: datetime


def _finished_at(events: Iterable[clock.ClockEvent]) -> datetime | None:
    return next((e.at for e in events if e.kind is clock.EventKind.FINISHED), None)


def processing_working_days(
    events: Sequence[clock.ClockEvent], calendar: WorkCalendar, at: datetime
) -> Decimal:
    """Working days the agencies held the dossier up to ``at`` (TT 01/2018 art. 13): running and
    extended segments on ``calendar``, paused time (waiting for the applicant's supplement)
    excluded; office time divided by the working day's length, to two decimals."""
    used = clock.segment_time(clock.build_segments(events), calendar, now=at)
    days = Decimal(used // timedelta(microseconds=1)) / Decimal(
        calendar.day_length // timedelta(microseconds=1)
    )
    return days.quantize(Decimal("0.01"))


def finish_verdicts(
    facts: TimelinessFacts,
    finished_at: datetime,
    *,
    apology_counts_late: bool = True,
    processing_calendar: WorkCalendar | None = None,
) -> Verdicts:
    """The three verdicts of a dossier that finished at ``finished_at``:

    * ``timeliness``: against the promise in force (:func:`promise_as_of`), TT 01/2018 art. 13
      (early / on time / late by :func:`~caicach.dossiers.clock.timeliness`);
    * ``legal_timeliness``: against the statutory due (:func:`statutory_due_as_of`): with a
      promise of 3 working days and a statutory time of 5, a finish on day 4 is late against the
      promise and on time legally;
    * ``timeliness_766``: Decision 766 indicator 2.1 (regulations §1.3) by
      :func:`~caicach.dossiers.clock.metric_766` from the **first** promise, supplement time
      subtracted, a second supplement request late. ``apology_counts_late`` (setting
      ``METRICS_766_APOLOGY_COUNTS_LATE``, default True): the apology admits the delay, so its
      new date is not used and a finish after the first promise is late; False: the apology's
      date replaces the promise.
    * ``processing_working_days`` (:func:`processing_working_days`) on ``processing_calendar``
      (the deciding agency's; ``facts.calendar`` when not given).
    """
    ledger = facts.upto(finished_at)
    if _finished_at(ledger) is None:
        ledger = [
            *ledger,
            clock.ClockEvent(finished_at, clock.EventKind.FINISHED, reason="processed"),
        ]
    due = promise_as_of(facts, finished_at)
    legal = statutory_due_as_of(facts, finished_at)
    ledger_766 = (
        [e for e in ledger if e.kind is not clock.EventKind.EXTENDED]
        if apology_counts_late
        else ledger
    )
    m = clock.metric_766(
        facts.received_at,
        facts.first_promise(),
        ledger_766,
        facts.statutory,
        facts.calendar,
        finished_at,
        cutoff=facts.cutoff,
    )
    return Verdicts(
        timeliness=clock.timeliness(finished_at, due),
        legal_timeliness=clock.timeliness(finished_at, legal),
        timeliness_766="on_time" if m.on_time else "late",
        processing_working_days=processing_working_days(
            ledger, processing_calendar or facts.calendar, finished_at
        ),
        due=due,
        legal_due=legal,
    )


_OPEN: Final[dict[clock.OpenStatus, AsOfStatus]] = {
    clock.OpenStatus.WITHIN_TIME: "within_time",
    clock.OpenStatus.AT_RISK: "at_risk",
    clock.OpenStatus.OVERDUE: "overdue",
}


@dataclass(frozen=True, slots=True)
class AsOf:
    """The status of a dossier at a past instant (:func:`status_as_of`)."""

    instant: datetime
    status: AsOfStatus
    legal_status: AsOfStatus
    due: datetime
    legal_due: datetime
    finished_at: datetime | None
    paused: bool


def status_as_of(
    facts: TimelinessFacts,
    instant: datetime,
    remaining_step_budgets: Iterable[timedelta] = (),
    *,
    apology_counts_late: bool = True,
) -> AsOf:
    """The status of a dossier at ``instant``, from its clock ledger only (period ends are past
    instants; TT 01/2018 art. 13, NĐ 61/2018 art. 19):

    * finished by ``instant``: ``early`` / ``on_time`` / ``late`` (:func:`finish_verdicts`,
      against the promise and, in ``legal_status``, the statutory due);
    * waiting for a supplement at ``instant``: ``paused`` (the clock stops, art. 19);
    * otherwise open and running: ``overdue`` after the due instant, ``at_risk`` when the
      remaining working time is below ``remaining_step_budgets``, else ``within_time``
      (:func:`~caicach.dossiers.clock.open_status`).

    ``ValueError`` for an instant before the receipt (the dossier did not exist).
    """
    if instant.tzinfo is None:
        raise ValueError("instant must be an aware datetime")
    if instant < facts.received_at:
        raise ValueError("the instant is before the receipt")
    ledger = facts.upto(instant)
    finished = _finished_at(ledger)
    if finished is not None:
        v = finish_verdicts(facts, finished, apology_counts_late=apology_counts_late)
        return AsOf(
            instant,
            v.timeliness.value,
            v.legal_timeliness.value,
            v.due,
            v.legal_due,
            finished,
            False,
        )
    due = promise_as_of(facts, instant)
    legal = statutory_due_as_of(facts, instant)
    paused = False
    for e in ledger:
        if e.kind is clock.EventKind.PAUSED:
            paused = True
        elif e.kind is clock.EventKind.RESUMED:
            paused = False
    if paused:
        return AsOf(instant, "paused", "paused", due, legal, None, True)
    budgets = list(remaining_step_budgets)
    status = _OPEN[clock.open_status(instant, due, budgets, facts.calendar)]
    legal_status = _OPEN[clock.open_status(instant, legal, budgets, facts.calendar)]
    return AsOf(instant, status, legal_status, due, legal, None, False)
