"""Background jobs of the dossiers (Procrastinate, found by its Django app's autodiscovery).

``warn_due_soon`` runs every 30 minutes and writes one audit entry
(``dossier.due_soon_warning``, attributed to the agency holding the dossier, so its unit and
leaders see it in their trail) per open dossier and day when the promised date is near and no
apology was sent yet: while an apology is still allowed (at least one working day before the
due date, NĐ 61/2018 art. 19; regulations §2.1) the unit can still send form 04.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from procrastinate.contrib.django import app

from caicach.calendars.rules import VN_TZ, WorkCalendar
from caicach.calendars.services import calendar_for
from caicach.core.audit import Actor, record
from caicach.core.models import AuditEntry
from caicach.dossiers import clock
from caicach.dossiers.models import Dossier
from caicach.dossiers.services import RUNNING_STATES

#: The warning window, in working days of the receiving agency's calendar: a dossier due on
#: or before the end of the N-th working day after today is warned about. A module constant
#: for now (not a setting).
WARN_WORKING_DAYS = 2
ACTION = "dossier.due_soon_warning"
ACTOR_LABEL = "warn_due_soon"
# Coarse database bound before the calendar check (weekends and holidays included).
_HORIZON = timedelta(days=30)


@app.periodic(cron="*/30 * * * *", periodic_id="dossiers.warn_due_soon")
@app.task(name="dossiers.warn_due_soon", queueing_lock="dossiers.warn_due_soon")
def warn_due_soon(timestamp: int | None = None) -> int:
    """Record the warnings; return how many were written (Procrastinate passes the scheduled
    ``timestamp``, unused: the job looks at the present)."""
    return warn(timezone.now())


def warn(now: datetime) -> int:
    today = now.astimezone(VN_TZ).date()
    day_start = datetime.combine(today, datetime.min.time(), VN_TZ)
    rows = (
        Dossier.objects.filter(
            state__in=[s.value for s in RUNNING_STATES],
            apologies=0,
            finished_at__isnull=True,
            due_at__gte=now,
            due_at__lte=now + _HORIZON,
        )
        .select_related("receiving_agency", "current_agency")
        .order_by("due_at", "id")
    )
    warned_today = set(
        AuditEntry.objects.filter(
            action=ACTION, object_type=Dossier._meta.label_lower, at__gte=day_start
        ).values_list("object_id", flat=True)
    )
    calendars: dict[int, WorkCalendar] = {}
    written = 0
    for dossier in rows.iterator(chunk_size=500):
        if str(dossier.pk) in warned_today:
            continue
        agency_id = dossier.receiving_agency_id
        if agency_id not in calendars:
            calendars[agency_id] = calendar_for(dossier.receiving_agency)
        calendar = calendars[agency_id]
        limit = calendar.add_working_days(today, WARN_WORKING_DAYS)
        if dossier.due_at.astimezone(VN_TZ).date() > limit:
            continue
        allowed, _vi, _en = clock.apology_allowed(now, dossier.due_at, calendar, dossier.apologies)
        record(
            Actor.system(ACTOR_LABEL),
            ACTION,
            dossier,
            agency=dossier.current_agency,
            changes={
                "due_at": dossier.due_at.astimezone(VN_TZ).isoformat(),
                "state": dossier.state,
                "window_working_days": WARN_WORKING_DAYS,
                "apology_still_allowed": allowed,
            },
        )
        written += 1
    return written
