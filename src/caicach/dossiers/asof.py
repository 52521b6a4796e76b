"""The status of one dossier at a past instant ("as of"), for its page and the API (issue 13).

The rule is the pure :func:`caicach.dossiers.deadlines.status_as_of` over the dossier's clock
ledger (:class:`~caicach.dossiers.models.ClockEntry`): within time / at risk / overdue / paused
for a dossier open at the instant, early / on time / late for one finished by then (TT 01/2018
art. 13; NĐ 61/2018 art. 19: a paused dossier's clock stops). Period ends are past instants.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Final

from django.conf import settings

from caicach.calendars.rules import VN_TZ, TimeUnit
from caicach.calendars.services import calendar_for
from caicach.core.errors import BilingualError
from caicach.dossiers import clock, deadlines
from caicach.dossiers.models import ClockEntry, Dossier

__all__ = ["AS_OF_LABELS", "as_of_data", "dossier_as_of", "parse_as_of", "verdict_label"]

#: Vietnamese labels of :data:`deadlines.AS_OF_STATUSES`.
AS_OF_LABELS: Final[dict[str, str]] = {
    "within_time": "Còn hạn",
    "at_risk": "Có nguy cơ trễ hạn",
    "overdue": "Quá hạn",
    "paused": "Tạm dừng (chờ bổ sung)",
    "early": "Trước hạn",
    "on_time": "Đúng hạn",
    "late": "Trễ hạn",
}


def verdict_label(value: str) -> str:
    """The Vietnamese label of a stored verdict (``""`` while open)."""
    return AS_OF_LABELS.get(value, "") if value else ""


def parse_as_of(value: str) -> datetime:
    """``YYYY-MM-DD`` (the end of that day, 23:59:59 Vietnam time: a period end) or
    ``YYYY-MM-DDTHH:MM`` (Vietnam time); anything else is a bilingual 400."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time(23, 59, 59), VN_TZ)
        if len(text) == 16 and text[10] == "T":
            return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)
    except ValueError:
        pass
    raise BilingualError(
        f"Thời điểm 'as_of' không hợp lệ: {text[:40]!r}. Dạng đúng: YYYY-MM-DD hoặc "
        "YYYY-MM-DDTHH:MM (giờ Việt Nam).",
        f"Invalid 'as_of' instant: {text[:40]!r}. Use YYYY-MM-DD or YYYY-MM-DDTHH:MM "
        "(Vietnam time).",
        code="invalid_as_of",
        status=400,
    )


def dossier_as_of(dossier: Dossier, instant: datetime) -> deadlines.AsOf | None:
    """The status of ``dossier`` at ``instant`` (``None`` before its receipt). One query (the
    ledger); the calendar is the receiving agency's, on which the due dates were counted."""
    if instant < dossier.received_at:
        return None
    version = dossier.procedure_version
    ledger = [
        clock.ClockEvent(
            at=e.at,
            kind=clock.EventKind(e.kind),
            step_order=e.step_order,
            agency=str(e.agency_id) if e.agency_id else None,
            new_due=e.new_due,
            reason=e.reason,
        )
        for e in ClockEntry.objects.filter(dossier=dossier).order_by("id")
    ]
    facts = deadlines.TimelinessFacts(
        received_at=dossier.received_at,
        promised=clock.StatutoryTime(version.promised_value, TimeUnit(version.statutory_unit)),
        statutory=clock.StatutoryTime(version.statutory_value, TimeUnit(version.statutory_unit)),
        events=ledger,
        calendar=calendar_for(dossier.receiving_agency),
        cutoff=version.cutoff,
        first_due=dossier.first_due_at,
    )
    return deadlines.status_as_of(
        facts, instant, apology_counts_late=settings.METRICS_766_APOLOGY_COUNTS_LATE
    )


def as_of_data(dossier: Dossier, instant: datetime) -> dict[str, Any]:
    """The API's ``as_of`` block."""
    at = dossier_as_of(dossier, instant)
    if at is None:
        return {
            "instant": instant.isoformat(),
            "received": False,
            "status": None,
            "status_label": "Chưa tiếp nhận",
            "legal_status": None,
            "legal_status_label": "Chưa tiếp nhận",
            "due_at": None,
            "legal_due_at": None,
            "finished_at": None,
            "paused": False,
        }
    return {
        "instant": instant.isoformat(),
        "received": True,
        "status": at.status,
        "status_label": AS_OF_LABELS[at.status],
        "legal_status": at.legal_status,
        "legal_status_label": AS_OF_LABELS[at.legal_status],
        "due_at": at.due.isoformat(),
        "legal_due_at": at.legal_due.isoformat(),
        "finished_at": at.finished_at.isoformat() if at.finished_at else None,
        "paused": at.paused,
    }
