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
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Final, Literal

from caicach.calendars.rules import VN_TZ, WorkCalendar
from caicach.dossiers.workflow import DossierState

__all__ = [
    "PAUSED_STATES",
    "RUNNING_STATES",
    "Deadline",
    "deadline_badge",
    "due_soon_until",
    "is_overdue",
    "is_running",
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


def due_soon_until(at: datetime, calendar: WorkCalendar, days: int) -> datetime:
    """The exclusive upper bound of "due soon" at ``at``: midnight (Asia/Ho_Chi_Minh) after the
    ``days``-th working day following ``at``'s day on ``calendar`` (0: today, or the next
    working day when today is not one)."""
    today = at.astimezone(VN_TZ).date()
    last = calendar.add_working_days(today, max(0, days))
    return datetime.combine(last + timedelta(days=1), time(0), VN_TZ)


def deadline_badge(state: str, due: datetime, at: datetime, soon_until: datetime) -> Deadline:
    """``"overdue"``, ``"soon"`` or ``""``: the badge of one dossier in lists and on its page."""
    if not is_running(state):
        return ""
    if due < at:
        return "overdue"
    if due < soon_until:
        return "soon"
    return ""
