"""The calendar's events and questions on the seam (:mod:`caicach.core.events`, ADR 0006).

* :class:`CalendarAmended`: a new calendar version was written (official or one agency's), in
  the transaction that writes it. Its impact job is deferred by the calendar itself.
* :class:`OpenPromisesWanted`: the question the impact job asks (regulations §4.4, a holiday
  announced late moves due dates already promised). Every app that stores promised due dates
  subscribes with a function returning its :class:`~caicach.calendars.impact.OpenPromise`
  rows for the scope; the dossier app does.
"""

from __future__ import annotations

from dataclasses import dataclass

from caicach.agencies.models import Agency
from caicach.core.events import DomainEvent, Query

__all__ = ["CalendarAmended", "OpenPromisesWanted"]


@dataclass(frozen=True)
class CalendarAmended(DomainEvent):
    version_id: int
    label: str
    scope_agency_id: int | None


@dataclass(frozen=True)
class OpenPromisesWanted(Query):
    """Promised due dates a change of ``scope_agency`` may move (``None``: the official
    calendar, so all of them; a subscriber may narrow an agency scope to its subtree)."""

    scope_agency: Agency | None
