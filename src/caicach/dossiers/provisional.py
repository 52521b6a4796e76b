"""Due dates counted over a year whose official calendar is not announced yet (issue 16).

Before the Prime Minister and the ministry announce a year's days off (Labour Code 2019 art.
112(3), regulations §4.4), the calendar knows only the weekly rest days and the holidays the law
fixes in advance (art. 112(1), art. 111(3); :func:`caicach.calendars.seed.art112_year`). A due
date counted over such a year is *provisional* (:func:`caicach.dossiers.deadlines.is_provisional`):
``Dossier.due_provisional`` / ``legal_due_provisional``, set wherever the dates are counted
(receipt, supplement received, apology, import) and shown "tạm tính" on the page, in the API and
on the receipt (form 01).

When an administrator then enters or changes the official calendar (any new version,
:class:`~caicach.calendars.events.CalendarAmended`), the job :func:`recompute_provisional` is
deferred in that same transaction; it recounts the running dossiers whose dates were provisional,
with the amended calendar of their receiving agency, from their clock ledger as at a supplement
(NĐ 61/2018 art. 19: from the receipt, or from the last supplement; an apology's date is kept,
the statutory due recounted), clears the flags that no longer apply and writes, per dossier that
changed, an audit entry ``dossier.due_recomputed`` with the old and new dates. The receipt's
promise (``first_due_at``) follows while the date still rests on the receipt: the slip said the
date was provisional. Dossiers waiting for a supplement are recounted when it arrives.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from caicach.calendars.events import CalendarAmended
from caicach.calendars.models import CalendarVersion
from caicach.calendars.rules import VN_TZ, TimeUnit
from caicach.calendars.services import calendar_for
from caicach.core.audit import Actor, record
from caicach.dossiers import clock, deadlines
from caicach.dossiers.models import ClockEntry, Dossier, DueBasis

__all__ = [
    "ACTION",
    "defer_recompute",
    "provisional_dossiers",
    "recompute_one",
    "recompute_provisional",
]

ACTION: Final = "dossier.due_recomputed"
ACTOR_LABEL: Final = "caicach (lịch chính thức mới)"


def provisional_dossiers(version: CalendarVersion) -> Any:
    """The running dossiers with a provisional date that ``version`` may move (an agency's
    version: the dossiers received in its subtree)."""
    rows = Dossier.objects.running().filter(Q(due_provisional=True) | Q(legal_due_provisional=True))
    scope = version.scope_agency
    if scope is not None:
        rows = rows.filter(receiving_agency__path__startswith=scope.path)
    return rows


def _ledger(d: Dossier) -> list[clock.ClockEvent]:
    return [
        clock.ClockEvent(
            at=e.at,
            kind=clock.EventKind(e.kind),
            step_order=e.step_order,
            agency=str(e.agency_id) if e.agency_id else None,
            new_due=e.new_due,
            reason=e.reason,
        )
        for e in ClockEntry.objects.filter(dossier=d).order_by("id")
    ]


def recompute_one(d: Dossier, actor: Actor, version_label: str) -> bool:
    """Recount one dossier's due dates with its receiving agency's current calendar (the caller
    holds its row lock). ``True`` when something changed (then saved and audited)."""
    version = d.procedure_version
    unit = TimeUnit(version.statutory_unit)
    calendar = calendar_for(d.receiving_agency)
    ledger = _ledger(d)
    facts = deadlines.TimelinessFacts(
        received_at=d.received_at,
        promised=clock.StatutoryTime(version.promised_value, unit),
        statutory=clock.StatutoryTime(version.statutory_value, unit),
        events=ledger,
        calendar=calendar,
        cutoff=version.cutoff,
    )
    instant: datetime = max([timezone.now(), d.received_at, *(e.at for e in ledger)])
    due = d.due_at if d.due_basis == DueBasis.APOLOGY else deadlines.promise_as_of(facts, instant)
    legal = deadlines.statutory_due_as_of(facts, instant)
    due_prov = deadlines.is_provisional(calendar, d.clock_started_at, due)
    legal_prov = deadlines.is_provisional(calendar, d.clock_started_at, legal)
    before = {
        "due_at": d.due_at,
        "legal_due_at": d.legal_due_at,
        "due_provisional": d.due_provisional,
        "legal_due_provisional": d.legal_due_provisional,
    }
    after = {
        "due_at": due,
        "legal_due_at": legal,
        "due_provisional": due_prov,
        "legal_due_provisional": legal_prov,
    }
    if before == after:
        return False
    fields = [*after, "calendar_version"]
    if d.due_basis == DueBasis.RECEIPT and d.first_due_at == d.due_at:
        d.first_due_at = due
        fields.append("first_due_at")
    for name, value in after.items():
        setattr(d, name, value)
    d.calendar_version = calendar.version
    d.save(update_fields=fields)
    record(
        actor,
        ACTION,
        d,
        agency=d.receiving_agency,
        changes={
            **{k: [_json(before[k]), _json(after[k])] for k in after if before[k] != after[k]},
            "calendar_version": calendar.version,
            "cause": version_label,
        },
    )
    return True


def _json(value: Any) -> Any:
    return value.astimezone(VN_TZ).isoformat() if isinstance(value, datetime) else value


def recompute_provisional(version_id: int) -> int:
    """Recount the provisional due dates a new calendar version may move (module docstring);
    each dossier in its own short transaction under its row lock. Returns how many changed."""
    version = CalendarVersion.objects.select_related("scope_agency").get(pk=version_id)
    actor = Actor.system(ACTOR_LABEL)
    ids = list(provisional_dossiers(version).order_by("id").values_list("id", flat=True))
    changed = 0
    for pk in ids:
        with transaction.atomic():
            d = (
                provisional_dossiers(version)
                .select_for_update(of=("self",))
                .select_related("procedure_version", "receiving_agency")
                .filter(pk=pk)
                .first()
            )
            if d is not None and recompute_one(d, actor, version.label):
                changed += 1
    return changed


def defer_recompute(event: CalendarAmended) -> None:
    """Subscribed to :class:`CalendarAmended` (in its transaction): the job commits or rolls
    back with the calendar change."""
    from caicach.dossiers.tasks import recompute_provisional_dues

    recompute_provisional_dues.defer(version_id=event.version_id)
