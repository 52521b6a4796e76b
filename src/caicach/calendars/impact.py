"""The impact of a calendar amendment on due dates already promised (regulations §4.4: a
holiday announced late moves them).

The promises come from the apps that store them, asked
:class:`~caicach.calendars.events.OpenPromisesWanted` on the event seam; each is recounted with
the calendar it was computed with and with the amended one, and the ones that move are listed
(:func:`impact_of`) and stored by the job (:func:`record_impact`, ``CalendarImpact``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from caicach.agencies.models import Agency
from caicach.calendars import rules
from caicach.calendars.building import build, calendar_key, ids_as_of, key_from_label
from caicach.calendars.events import OpenPromisesWanted
from caicach.calendars.models import CalendarImpact, CalendarVersion
from caicach.core import events


@dataclass(frozen=True)
class OpenPromise:
    """A due date promised and not yet met, as another app stores it.

    ``calendar_version`` is the label it was computed with (``WorkCalendar.version``); empty
    means "with the version before the one being checked". ``agency_id`` picks the agency's
    calendar (``None``: the official one).
    """

    key: str
    received: datetime
    value: int | float | Decimal
    unit: str
    cutoff: time | None
    due: datetime
    calendar_version: str = ""
    agency_id: int | None = None
    end_of_day: rules.EndOfDay = "office_close"

    def as_rule_promise(self) -> rules.Promise:
        return rules.Promise(
            self.key, self.received, self.value, self.unit, self.cutoff, self.due, self.end_of_day
        )


@dataclass(frozen=True)
class ImpactItem:
    promise: OpenPromise
    change: rules.DueChange
    old_version: str

    def as_json_dict(self) -> dict[str, Any]:
        return {
            "key": self.change.key,
            "agency_id": self.promise.agency_id,
            "received": self.change.received.isoformat(),
            "old_due": self.change.old_due.isoformat(),
            "new_due": self.change.new_due.isoformat(),
            "delta_seconds": int(self.change.delta / timedelta(seconds=1)),
            "old_calendar_version": self.old_version,
            "new_calendar_version": self.change.result.calendar_version,
        }


def _impact(version: CalendarVersion) -> tuple[list[ImpactItem], int]:
    scope = version.scope_agency
    promises = [p for answer in events.ask(OpenPromisesWanted(scope)) for p in answer]
    agency_ids = {p.agency_id for p in promises if p.agency_id is not None}
    paths = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "path"))
    new_ids = ids_as_of(upto_number=version.number)
    old_ids = dict(new_ids)
    scope_id = scope.pk if scope is not None else None
    if version.parent_id is not None:
        old_ids[scope_id] = version.parent_id
    else:
        old_ids.pop(scope_id, None)
    groups: dict[tuple[tuple[int, ...], tuple[int, ...]], list[OpenPromise]] = defaultdict(list)
    label_keys: dict[str, tuple[int, ...] | None] = {}
    checked = 0
    for promise in promises:
        path = paths.get(promise.agency_id, "") if promise.agency_id is not None else ""
        if scope is not None and not path.startswith(scope.path):
            continue
        checked += 1
        new_key = calendar_key(path, new_ids)
        old_key: tuple[int, ...] | None = None
        if promise.calendar_version:
            if promise.calendar_version not in label_keys:
                label_keys[promise.calendar_version] = key_from_label(promise.calendar_version)
            old_key = label_keys[promise.calendar_version]
        if old_key is None:
            old_key = calendar_key(path, old_ids) if None in old_ids else new_key
        groups[(old_key, new_key)].append(promise)
    items: list[ImpactItem] = []
    for (old_key, new_key), group in groups.items():
        if old_key == new_key:
            continue
        old, new = build(old_key), build(new_key)
        by_key = {p.key: p for p in group}
        changes = rules.changed_due_dates(old, new, [p.as_rule_promise() for p in group])
        items.extend(ImpactItem(by_key[c.key], c, old.version) for c in changes)
    items.sort(key=lambda item: (item.change.old_due, item.change.key))
    return items, checked


def impact_of(version: CalendarVersion) -> list[rules.DueChange]:
    """The promised due dates that ``version`` moves, and to what (regulations §4.4)."""
    return [item.change for item in _impact(version)[0]]


def record_impact(version_id: int) -> CalendarImpact:
    """Compute and store the impact of a version (run by the job; safe to run again)."""
    version = CalendarVersion.objects.select_related("scope_agency").get(pk=version_id)
    items, checked = _impact(version)
    impact, _ = CalendarImpact.objects.update_or_create(
        version=version,
        defaults={
            "computed_at": timezone.now(),
            "count": len(items),
            "checked": checked,
            "changes": [item.as_json_dict() for item in items],
        },
    )
    return impact
