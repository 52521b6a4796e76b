"""Background jobs of the dossiers (Procrastinate, found by its Django app's autodiscovery).

``warn_due_soon`` runs every 30 minutes. For each open dossier whose promised date falls within
``DOSSIER_WARNING_WORKING_DAYS`` working days (the receiving agency's calendar) and for which no
apology was sent yet, once per dossier and day, in one transaction with the dossier row locked:

* an audit entry (``dossier.due_soon_warning``, attributed to the agency holding the dossier, so
  its unit and leaders see it in their trail);
* a :class:`~caicach.dossiers.events.DossierDueSoonWarned` event (the notifications app
  subscribes its e-mail outbox) with the officers to warn: the processor assigned, else the processors of the holding unit, and the
  unit leaders (``dossiers.lead_unit``) and agency leaders (``dossiers.lead_agency``) over the
  holding agency (:func:`caicach.accounts.access.officers_with`).

While an apology is still allowed (at least one working day before the due date, and only once:
NĐ 61/2018 art. 19; regulations §2.1) the unit can still send form 04; the warning says until
when. A second run the same day, even concurrent, writes nothing more: the audit entry of the
day is checked under the dossier's row lock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from procrastinate.contrib.django import app

from caicach.accounts.access import officers_with
from caicach.agencies.models import Agency
from caicach.calendars.rules import VN_TZ, WorkCalendar
from caicach.calendars.services import calendar_for
from caicach.core import events, jobs
from caicach.core.audit import Actor, record
from caicach.core.models import AuditEntry
from caicach.dossiers import clock
from caicach.dossiers.deadlines import due_soon_until
from caicach.dossiers.events import DossierDueSoonWarned
from caicach.dossiers.models import Dossier, due_soon_window

ACTION = "dossier.due_soon_warning"
ACTOR_LABEL = "warn_due_soon"
# Coarse database bound before the calendar check (weekends and holidays included).
_HORIZON = timedelta(days=30)


@app.periodic(cron="*/30 * * * *", periodic_id="dossiers.warn_due_soon")
@app.task(name="dossiers.warn_due_soon", queue=jobs.BATCH, queueing_lock="dossiers.warn_due_soon")
def warn_due_soon(timestamp: int | None = None) -> int:
    """Record the warnings; return how many dossiers were warned (Procrastinate passes the
    scheduled ``timestamp``, unused: the job looks at the present)."""
    return warn(timezone.now())


class _Recipients:
    """Whom to warn about a dossier, with the officers per agency and role looked up once per
    run."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._cache: dict[tuple[str, int], list[Any]] = {}

    def _with(self, action: str, agency: Agency) -> list[Any]:
        key = (action, agency.pk)
        if key not in self._cache:
            self._cache[key] = list(officers_with(action, agency, self.today).order_by("id"))
        return self._cache[key]

    def of(self, dossier: Dossier) -> list[Any]:
        agency = dossier.current_agency
        assignee = dossier.assigned_to
        if assignee is not None and assignee.is_active:
            holders = [assignee]
        else:
            holders = self._with("dossiers.process", agency)
        officers: dict[int, Any] = {}
        for officer in [
            *holders,
            *self._with("dossiers.lead_unit", agency),
            *self._with("dossiers.lead_agency", agency),
        ]:
            officers.setdefault(officer.pk, officer)
        return list(officers.values())


def _open(qs: Any) -> Any:
    return qs.running().filter(apologies=0)


def warn(now: datetime) -> int:
    window = due_soon_window()
    today = now.astimezone(VN_TZ).date()
    day_start = datetime.combine(today, datetime.min.time(), VN_TZ)
    rows = (
        _open(Dossier.objects)
        .filter(due_at__gte=now, due_at__lte=now + _HORIZON)
        .select_related("receiving_agency")
        .order_by("due_at", "id")
    )
    warned_today = _warned_since(day_start)
    calendars: dict[int, WorkCalendar] = {}
    recipients = _Recipients(today)
    written = 0
    for dossier in rows.iterator(chunk_size=500):
        if str(dossier.pk) in warned_today:
            continue
        agency_id = dossier.receiving_agency_id
        if agency_id not in calendars:
            calendars[agency_id] = calendar_for(dossier.receiving_agency)
        calendar = calendars[agency_id]
        if dossier.due_at >= due_soon_until(now, calendar, window):  # not due soon there
            continue
        if _warn_one(dossier.pk, now, day_start, calendar, window, recipients):
            written += 1
    return written


def _warned_since(day_start: datetime, dossier_id: int | None = None) -> set[str]:
    qs = AuditEntry.objects.filter(
        action=ACTION, object_type=Dossier._meta.label_lower, at__gte=day_start
    )
    if dossier_id is not None:
        qs = qs.filter(object_id=str(dossier_id))
    return set(qs.values_list("object_id", flat=True))


def _warn_one(
    dossier_id: int,
    now: datetime,
    day_start: datetime,
    calendar: WorkCalendar,
    window: int,
    recipients: _Recipients,
) -> bool:
    """Warn about one dossier in its own transaction; ``False`` when another run already did
    today, an officer is changing it right now (the next run will see it), or it no longer
    qualifies (an apology was just sent, it finished)."""
    with transaction.atomic():
        locked = (
            _open(Dossier.objects.select_for_update(skip_locked=True))
            .filter(pk=dossier_id, due_at__gte=now)
            .values_list("pk", flat=True)
        )
        if not list(locked) or _warned_since(day_start, dossier_id):
            return False
        dossier = Dossier.objects.select_related(
            "current_agency", "assigned_to", "procedure_version"
        ).get(pk=dossier_id)
        allowed, reason_vi, _en = clock.apology_allowed(
            now, dossier.due_at, calendar, dossier.apologies
        )
        latest = calendar.add_working_days(dossier.due_at.astimezone(VN_TZ).date(), -1)
        officers = recipients.of(dossier)
        if not officers:
            # Nobody to warn: nothing happened, nothing is recorded (issue 16: the trail was
            # flooded with warnings sent to no one). A later run warns once someone holds it.
            return False
        record(
            Actor.system(ACTOR_LABEL),
            ACTION,
            dossier,
            agency=dossier.current_agency,
            changes={
                "due_at": dossier.due_at.astimezone(VN_TZ).isoformat(),
                "state": dossier.state,
                "window_working_days": window,
                "apology_still_allowed": allowed,
                "latest_apology_day": latest.isoformat(),
                "officers": [o.pk for o in officers],
            },
        )
        # The notifications app subscribes (its outbox rows commit with this warning).
        events.emit(
            DossierDueSoonWarned(
                dossier,
                officers,
                apology_allowed=allowed,
                apology_reason_vi=reason_vi,
                latest_apology_day=latest,
            )
        )
    return True


@app.periodic(cron="20 2 * * *", periodic_id="dossiers.expire_register_exports")
@app.task(
    name="dossiers.expire_register_exports",
    queue=jobs.BATCH,
    queueing_lock="dossiers.expire_register_exports",
)
def expire_register_exports(timestamp: int | None = None) -> int:
    """Every night: delete register PDFs kept longer than ``REGISTER_EXPORT_RETENTION_DAYS``
    (:func:`caicach.dossiers.reports.expire_register_exports`); returns how many."""
    from caicach.dossiers.reports import expire_register_exports as expire

    return expire()


@app.task(name="dossiers.recompute_provisional_dues", queue=jobs.BATCH, retry=3)
def recompute_provisional_dues(version_id: int) -> int:
    """Recount the provisional due dates a new calendar version may move (issue 16,
    :mod:`caicach.dossiers.provisional`); deferred in the calendar change's transaction."""
    from caicach.dossiers.provisional import recompute_provisional

    return recompute_provisional(version_id)


@app.task(name="dossiers.render_register", queue=jobs.BATCH)
def render_register(export_id: int) -> None:
    """Render a long dossier register PDF (TT 01/2018 form 06) asked for by an officer and store
    it (:func:`caicach.dossiers.reports.build_register_export`). Not retried: a failure is
    recorded on the row, and the officer asks again or takes the XLSX."""
    from caicach.dossiers.reports import build_register_export

    build_register_export(export_id)
