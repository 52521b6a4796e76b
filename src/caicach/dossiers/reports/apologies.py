"""Apologies and lateness per agency (NĐ 61/2018 art. 19; TT 01/2018 art. 13).

:func:`apology_stats`: per agency of a subtree, dossiers finished and finished late in the
period, apologies sent in the period (the ``apologise`` events, form 04), apologies sent less
than one working day before the due date (NĐ 61/2018 art. 19 forbids them: the figure should
be 0) and open dossiers overdue now without an apology. Grouped either by the deciding agency
(*cơ quan có thẩm quyền giải quyết*) or by the holding unit (*đơn vị đang xử lý*: the unit
that holds the dossier now, or held it when it finished; an apology counts for the unit that
sent it), following "lateness of a step is attributed to the unit that held it". Two SQL
aggregates and one agency query, whatever the number of agencies. :func:`metric_dossiers` lists
the dossiers behind one figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from caicach.accounts.access import can
from caicach.agencies.models import Agency
from caicach.calendars.services import calendar_for_path
from caicach.dossiers import clock
from caicach.dossiers.clock import Timeliness
from caicach.dossiers.models import Dossier, DossierEvent, finished_q, overdue_q
from caicach.dossiers.reports.agencies import AgencyNotInScopeError
from caicach.dossiers.reports.periods import Period
from caicach.dossiers.services import visible_dossiers
from caicach.dossiers.workflow import DossierAction

__all__ = [
    "METRICS",
    "METRIC_LIST_LIMIT",
    "SORT_KEYS",
    "AgencyStats",
    "ApologyReport",
    "GroupBy",
    "Metric",
    "apology_stats",
    "metric_dossiers",
]

#: The most dossiers a drill-down list shows.
METRIC_LIST_LIMIT = 200


class GroupBy(StrEnum):
    DECIDING = "deciding"  # cơ quan có thẩm quyền giải quyết
    HOLDING = "holding"  # đơn vị đang (đã) giữ hồ sơ


class Metric(StrEnum):
    FINISHED = "finished"
    LATE = "late"
    APOLOGIES = "apologies"
    LATE_APOLOGIES = "late_apologies"
    OVERDUE_UNAPOLOGISED = "overdue_unapologised"


#: The dossier field of each grouping.
_DOSSIER_FIELD = {GroupBy.DECIDING: "deciding_agency", GroupBy.HOLDING: "current_agency"}
#: The event field of each grouping (an apology counts for the unit that sent it).
_EVENT_FIELD = {GroupBy.DECIDING: "dossier__deciding_agency", GroupBy.HOLDING: "agency"}


@dataclass
class AgencyStats:
    agency_id: int
    code: str = ""
    name: str = ""
    path: str = ""
    depth: int = 0
    finished: int = 0
    late: int = 0
    apologies: int = 0
    late_apologies: int = 0
    overdue_unapologised: int = 0

    @property
    def late_share(self) -> float | None:
        """Late among finished, 0..1; ``None`` when nothing finished."""
        return self.late / self.finished if self.finished else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": {"code": self.code, "name": self.name},
            "finished": self.finished,
            "late": self.late,
            "apologies": self.apologies,
            "late_apologies": self.late_apologies,
            "overdue_unapologised": self.overdue_unapologised,
        }


METRICS = (
    Metric.FINISHED,
    Metric.LATE,
    Metric.APOLOGIES,
    Metric.LATE_APOLOGIES,
    Metric.OVERDUE_UNAPOLOGISED,
)
SORT_KEYS = ("name", *(m.value for m in METRICS))


@dataclass
class ApologyReport:
    root: Agency
    period: Period
    by: GroupBy
    now: datetime
    rows: list[AgencyStats] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return {m.value: sum(getattr(r, m.value) for r in self.rows) for m in METRICS}

    def sorted_rows(self, key: str, descending: bool) -> list[AgencyStats]:
        if key not in SORT_KEYS or key == "name":
            rows = sorted(self.rows, key=lambda r: r.path)
            return rows[::-1] if descending else rows
        sign = -1 if descending else 1  # ties stay in tree order either way
        return sorted(self.rows, key=lambda r: (sign * getattr(r, key), r.path))


def _subtree(by: GroupBy, root: Agency, kind: str) -> Q:
    column = _DOSSIER_FIELD[by] if kind == "dossier" else _EVENT_FIELD[by]
    return Q(**{f"{column}__path__startswith": root.path})


def _dossier_filter(metric: Metric, period: Period, now: datetime) -> Q:
    start, end = period.bounds()
    finished = finished_q(start, end)
    if metric is Metric.FINISHED:
        return finished
    if metric is Metric.LATE:
        return finished & Q(timeliness=Timeliness.LATE.value)
    if metric is Metric.OVERDUE_UNAPOLOGISED:
        return overdue_q(now) & Q(apologies=0)
    raise ValueError(metric)


#: The calendar an apology is judged on: the receiving agency's, as the guard of
#: ``perform_action`` judges it (one rule for the figure and the list behind it).
_CALENDAR_PATH = "dossier__receiving_agency__path"


class _Calendars(dict[str, Any]):
    """The calendars of the agencies met in one report, by path, each built once."""

    def __missing__(self, path: str) -> Any:
        self[path] = found = calendar_for_path(path)
        return found


def _apology_late(event_at: datetime, payload: dict[str, Any], calendar: Any) -> bool:
    """Sent less than one working day before the due date it moved (NĐ 61/2018 art. 19), by
    the rule the apology guard applies (:func:`clock.apology_allowed`)."""
    previous = payload.get("previous_due_at") if isinstance(payload, dict) else None
    try:
        due = datetime.fromisoformat(str(previous)) if previous else None
    except ValueError:
        due = None
    if due is None or due.tzinfo is None:
        return False
    allowed, _vi, _en = clock.apology_allowed(event_at, due, calendar, 0)
    return not allowed


def apology_stats(
    user: Any,
    root: Agency,
    period: Period,
    by: GroupBy = GroupBy.DECIDING,
    *,
    now: datetime | None = None,
) -> ApologyReport:
    """Figures per agency of ``root``'s subtree (see the module docstring). ``root`` must be in
    the user's ``reports.view`` scope (:class:`AgencyNotInScopeError`). Three queries and the
    calendars (cached): the dossier aggregate, the apology events, the agencies.

    "Late" is TT 01/2018 art. 13: finished after the due instant (``timeliness``). An apology
    is late when the guard of NĐ 61/2018 art. 19 would have refused it, judged on the calendar
    the guard uses, the dossier's receiving agency's (:func:`_apology_late`), here and in the
    list behind the figure alike.
    """
    if not can(user, "reports.view", root):
        raise AgencyNotInScopeError(root.code)
    now = now or timezone.now()
    column = _DOSSIER_FIELD[by]
    finished_q = _dossier_filter(Metric.FINISHED, period, now)
    late_q = _dossier_filter(Metric.LATE, period, now)
    overdue_q = _dossier_filter(Metric.OVERDUE_UNAPOLOGISED, period, now)
    stats: dict[int, AgencyStats] = {}

    aggregate = (
        Dossier.objects.filter(_subtree(by, root, "dossier"))
        .filter(finished_q | overdue_q)
        .order_by()
        .values(column)
        .annotate(
            finished=Count("id", filter=finished_q),
            late=Count("id", filter=late_q),
            overdue_unapologised=Count("id", filter=overdue_q),
        )
    )
    for values in aggregate:
        row = stats.setdefault(values[column], AgencyStats(values[column]))
        row.finished = values["finished"]
        row.late = values["late"]
        row.overdue_unapologised = values["overdue_unapologised"]

    start, end = period.bounds()
    events = (
        DossierEvent.objects.filter(_subtree(by, root, "event"))
        .filter(action=DossierAction.APOLOGISE.value, at__gte=start, at__lt=end)
        .order_by()
        .values_list(_EVENT_FIELD[by], "at", "payload", _CALENDAR_PATH)
    )
    calendars = _Calendars()
    for agency_id, at, payload, path in events.iterator(chunk_size=2000):
        if agency_id is None:
            continue
        row = stats.setdefault(agency_id, AgencyStats(agency_id))
        row.apologies += 1
        if _apology_late(at, payload, calendars[path]):
            row.late_apologies += 1

    if stats:
        for agency in Agency.objects.filter(pk__in=list(stats)).only(
            "id", "code", "name", "path", "depth"
        ):
            row = stats[agency.pk]
            row.code, row.name, row.path, row.depth = (
                agency.code,
                agency.name,
                agency.path,
                agency.depth,
            )
    rows = sorted(stats.values(), key=lambda r: r.path)
    return ApologyReport(root=root, period=period, by=by, now=now, rows=rows)


def metric_dossiers(
    user: Any,
    agency: Agency,
    period: Period,
    by: GroupBy,
    metric: Metric,
    *,
    now: datetime | None = None,
) -> QuerySet[Dossier]:
    """The dossiers behind one figure of :func:`apology_stats` for exactly ``agency`` (not its
    subtree), within the user's view; the caller slices (:data:`METRIC_LIST_LIMIT`)."""
    if not can(user, "reports.view", agency):
        raise AgencyNotInScopeError(agency.code)
    now = now or timezone.now()
    base = visible_dossiers(user)
    if metric in (Metric.APOLOGIES, Metric.LATE_APOLOGIES):
        start, end = period.bounds()
        events = DossierEvent.objects.filter(
            action=DossierAction.APOLOGISE.value,
            at__gte=start,
            at__lt=end,
            **{f"{_EVENT_FIELD[by]}": agency},
        )
        if metric is Metric.LATE_APOLOGIES:
            rows = events.values_list("dossier_id", "at", "payload", _CALENDAR_PATH)
            calendars = _Calendars()
            ids = [
                dossier_id
                for dossier_id, at, payload, path in rows
                if _apology_late(at, payload, calendars[path])
            ]
            base = base.filter(pk__in=ids)
        else:
            base = base.filter(pk__in=events.values("dossier_id"))
    else:
        base = base.filter(**{_DOSSIER_FIELD[by]: agency}).filter(
            _dossier_filter(metric, period, now)
        )
    return base.select_related("procedure_version", "applicant").order_by("due_at", "id")
