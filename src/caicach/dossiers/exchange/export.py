"""Writing the exchange format: one dossier a line, with its full history.

The applicant goes out whole (this is a migration format run by a system administrator, not a
reader's surface: :mod:`caicach.dossiers.exchange`); the received documents as metadata and
SHA-256, never the file content; and a ``portal`` object with the national portal's sync fields
(*MaHoSo*, *MaTTHC*, *KenhThucHien*, ...), which the import ignores (it is derived).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from caicach.agencies.models import Agency
from caicach.calendars.rules import VN_TZ
from caicach.dossiers.inputs import APPLICANT_FIELDS
from caicach.dossiers.models import Dossier
from caicach.dossiers.workflow import Channel, DossierState

__all__ = [
    "EXPORT_CHUNK",
    "PORTAL_CHANNEL",
    "PORTAL_STATE",
    "PORTAL_TIME",
    "dossier_line",
    "export_dossiers",
]

EXPORT_CHUNK = 500

#: KenhThucHien of the national sync (regulations §1.2, indicator 3.3).
PORTAL_CHANNEL: Mapping[str, int] = {
    Channel.COUNTER.value: 1,
    Channel.ONLINE.value: 2,
    Channel.POST.value: 3,
}
#: TrangThaiHoSo of the national sync (docs/formats/dossiers.md lists the codes and meanings).
PORTAL_STATE: Mapping[str, int] = {
    DossierState.RECEIVED.value: 2,
    DossierState.ASSIGNED.value: 4,
    DossierState.PROCESSING.value: 4,
    DossierState.CONSULTING.value: 4,
    DossierState.TRANSFERRED.value: 4,
    DossierState.AWAITING_APPROVAL.value: 4,
    DossierState.APPROVED.value: 4,
    DossierState.AWAITING_SUPPLEMENT.value: 5,
    DossierState.WITHDRAWN.value: 7,
    DossierState.STOPPED.value: 8,
    DossierState.REFUSED.value: 3,
    DossierState.RESULT_READY.value: 9,
    DossierState.RETURNED.value: 10,
}
#: The portal's date-time form: yyyyMMddHHmmss in Vietnam time.
PORTAL_TIME = "%Y%m%d%H%M%S"


def _moment(value: datetime | None) -> str | None:
    return value.astimezone(VN_TZ).isoformat() if value is not None else None


def _portal_time(value: datetime | None) -> str | None:
    return value.astimezone(VN_TZ).strftime(PORTAL_TIME) if value is not None else None


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _code(agency: Agency | None) -> str | None:
    return agency.code if agency is not None else None


def dossier_line(d: Dossier) -> dict[str, Any]:
    """One dossier in the exchange format (use with :func:`_export_queryset`'s prefetching)."""
    components = list(d.components.all())
    applicant = d.applicant
    return {
        "code": d.code,
        "procedure": d.procedure.code,
        "procedure_version": d.procedure_version.number,
        "channel": d.channel,
        "served_at": d.served_at.code,
        "receiving_agency": d.receiving_agency.code,
        "deciding_agency": d.deciding_agency.code,
        "current_agency": d.current_agency.code,
        "assigned_to": _username(d.assigned_to),
        "state": d.state,
        "received_at": _moment(d.received_at),
        "clock_started_at": _moment(d.clock_started_at),
        "due_basis": d.due_basis,
        "first_due_at": _moment(d.first_due_at),
        "due_at": _moment(d.due_at),
        "legal_due_at": _moment(d.legal_due_at),
        "calendar_version": d.calendar_version,
        "finished_at": _moment(d.finished_at),
        "returned_at": _moment(d.returned_at),
        "timeliness": d.timeliness,
        "legal_timeliness": d.legal_timeliness,
        "timeliness_766": d.timeliness_766,
        "processing_working_days": None
        if d.processing_working_days is None
        else str(d.processing_working_days),
        "supplement_requests": d.supplement_requests,
        "apologies": d.apologies,
        "current_step": d.current_step,
        "version": d.version,
        "lookup_token": d.lookup_token,
        "applicant": {name: getattr(applicant, name) for name in APPLICANT_FIELDS},
        "components": [
            {
                "order": c.order,
                "name": c.name,
                "component": c.component.name if c.component is not None else None,
                "file": c.file.name or None,
                "store_reference": c.store_reference,
                "reused": c.reused,
                "content_type": c.content_type,
                "size": c.size,
                "sha256": c.sha256,
            }
            for c in components
        ],
        "events": [
            {
                "at": _moment(e.at),
                "actor": _username(e.actor),
                "actor_label": e.actor_label,
                "ip_address": e.ip_address,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "step": e.step,
                "agency": _code(e.agency),
                "note": e.note,
                "payload": e.payload,
            }
            for e in d.events.all()
        ],
        "clock": [
            {
                "at": _moment(c.at),
                "kind": c.kind,
                "step_order": c.step_order,
                "agency": _code(c.agency),
                "new_due": _moment(c.new_due),
                "reason": c.reason,
            }
            for c in d.clock_entries.all()
        ],
        "portal": {
            "MaHoSo": d.code,
            "MaTTHC": d.procedure.code,
            "KenhThucHien": PORTAL_CHANNEL.get(d.channel, 1),
            "NgayTiepNhan": _portal_time(d.received_at),
            "NgayHenTra": _portal_time(portal_promise(d, d.clock_entries.all())),
            "NgayKetThucXuLy": _portal_time(d.finished_at),
            "NgayTraKetQua": _portal_time(d.returned_at),
            "TrangThaiHoSo": PORTAL_STATE[d.state],
            "DuocThanhToanTrucTuyen": 0,
            "HoSoCoThanhPhanSoHoa": int(any(c.reused or c.sha256 for c in components)),
            "DuocLayTuKhoDMQG": int(any(c.reused for c in components)),
        },
    }


def portal_promise(d: Dossier, entries: Any) -> Any:
    """The date the national portal's ``NgayHenTra`` carries (docs/formats/dossiers.md): the
    receipt's promise (``first_due_at``), never the date recounted after a supplement: the
    portal subtracts the supplement time itself (Decision 766 §1.3), so sending the restarted
    date would count the supplement twice. An apology's new date replaces it only where the
    setting ``METRICS_766_APOLOGY_COUNTS_LATE`` is off (the apology's date counts)."""
    promise = d.first_due_at or d.due_at
    if d.apologies and not settings.METRICS_766_APOLOGY_COUNTS_LATE:
        for e in entries:
            if e.kind == "extended" and e.new_due is not None:
                promise = e.new_due
    return promise


def _export_queryset(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return (
        queryset.select_related(
            "procedure",
            "procedure_version",
            "served_at",
            "receiving_agency",
            "deciding_agency",
            "current_agency",
            "assigned_to",
            "applicant",
        )
        .prefetch_related(
            "components__component",
            "events__actor",
            "events__agency",
            "clock_entries__agency",
        )
        .order_by("id")
    )


def export_dossiers(
    queryset: QuerySet[Dossier], *, chunk_size: int = EXPORT_CHUNK
) -> Iterator[str]:
    """The dossiers of ``queryset`` as JSON Lines (no trailing newline), oldest first, streamed
    ``chunk_size`` at a time with a constant number of queries per chunk."""
    for dossier in _export_queryset(queryset).iterator(chunk_size=chunk_size):
        yield json.dumps(dossier_line(dossier), ensure_ascii=False)
