"""An imported dossier's timeliness: its history checked for consistency, then its due dates
and verdicts recomputed from its clock ledger with the product's rules (issue 13).

What the file states about them (due dates, verdicts, working days) is not trusted: it is kept
in ``Dossier.source_figures`` for reconciliation, and the stored fields are those of
:mod:`caicach.dossiers.deadlines` (NĐ 61/2018 art. 19; TT 01/2018 art. 13; Decision 766
§1.3). A history that contradicts itself is refused with the line and the reason (the whole
file is then refused, like any other line error):

* a statutory due before the receipt;
* a result (ready or returned) without the end of processing;
* a ``resumed`` entry without a pause before it;
* ``supplement_requests`` / ``apologies`` that disagree with the ledger's pauses / apologies;
* an agency (receiving, deciding, holding, served at) not yet in operation (``valid_from``) or
  no longer in operation (``valid_to``) on the receipt date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from django.conf import settings

from caicach.calendars.rules import CalendarRangeError, TimeUnit
from caicach.calendars.services import calendar_for
from caicach.dossiers import clock, deadlines
from caicach.dossiers.exchange.reader import Reader
from caicach.dossiers.models import ClockEntry, Dossier, DossierEvent

__all__ = ["FIGURE_KEYS", "recompute"]

#: What the source system's own figures are, kept as stated.
FIGURE_KEYS: Final = (
    "first_due_at",
    "due_at",
    "legal_due_at",
    "timeliness",
    "legal_timeliness",
    "timeliness_766",
    "processing_working_days",
)

_RESULT_STATES: Final = frozenset({"result_ready", "returned"})
_AGENCIES: Final = (
    ("served_at", "served_at"),
    ("receiving_agency", "receiving_agency"),
    ("deciding_agency", "deciding_agency"),
    ("current_agency", "current_agency"),
)


def _consistent(
    r: Reader, d: Dossier, events: Sequence[DossierEvent], entries: Sequence[ClockEntry]
) -> bool:
    before = len(r.errors)
    if d.legal_due_at < d.received_at:
        r.error(
            "legal_due_at",
            "Hạn giải quyết theo quy định trước thời điểm tiếp nhận.",
            "The statutory due date is before the receipt.",
        )
    has_result = (
        d.state in _RESULT_STATES
        or d.returned_at is not None
        or any(e.action in ("mark_result_ready", "return_result") for e in events)
    )
    if has_result and d.finished_at is None:
        r.error(
            "finished_at",
            "Hồ sơ đã có kết quả nhưng thiếu thời điểm kết thúc xử lý.",
            "The dossier has a result but no end of processing (finished_at).",
        )
    paused = False
    pauses = apologies = 0
    for i, e in enumerate(entries):
        if e.kind == clock.EventKind.PAUSED:
            paused, pauses = True, pauses + 1
        elif e.kind == clock.EventKind.RESUMED:
            if not paused:
                r.error(
                    f"clock[{i}].kind",
                    "Tiếp tục tính thời hạn (resumed) khi hồ sơ không tạm dừng.",
                    "A resume (resumed) without a pause before it.",
                )
            paused = False
        elif e.kind == clock.EventKind.EXTENDED:
            apologies += 1
    if pauses != d.supplement_requests:
        r.error(
            "supplement_requests",
            f"Số lần yêu cầu bổ sung ({d.supplement_requests}) khác số lần tạm dừng trong sổ "
            f"thời hạn ({pauses}).",
            f"supplement_requests ({d.supplement_requests}) disagrees with the pauses in the "
            f"clock ledger ({pauses}).",
        )
    if apologies != d.apologies:
        r.error(
            "apologies",
            f"Số lần xin lỗi, hẹn lại ({d.apologies}) khác số lần gia hạn trong sổ thời hạn "
            f"({apologies}).",
            f"apologies ({d.apologies}) disagrees with the apologies in the clock ledger "
            f"({apologies}).",
        )
    for attribute, field in _AGENCIES:
        agency = getattr(d, attribute)
        if not agency.is_valid_on(d.received_on):
            r.error(
                field,
                f"Cơ quan {agency.code} không hoạt động vào ngày tiếp nhận "
                f"{d.received_on:%d/%m/%Y} (hiệu lực từ {agency.valid_from:%d/%m/%Y}).",
                f"Agency {agency.code} is not in operation on the receipt date "
                f"{d.received_on.isoformat()} (in operation from "
                f"{agency.valid_from.isoformat()}).",
            )
    return len(r.errors) == before


def recompute(
    r: Reader,
    raw: Mapping[str, Any],
    d: Dossier,
    events: Sequence[DossierEvent],
    entries: Sequence[ClockEntry],
) -> bool:
    """Check the history, then set ``d``'s due dates and verdicts from its ledger and keep the
    file's own figures in ``source_figures``. ``False`` (with the line's errors) when refused."""
    d.source_figures = {k: raw[k] for k in FIGURE_KEYS if raw.get(k) not in (None, "")}
    if not _consistent(r, d, events, entries):
        return False
    version = d.procedure_version
    try:
        ledger = [
            clock.ClockEvent(
                at=e.at,
                kind=clock.EventKind(e.kind),
                step_order=e.step_order,
                agency=str(e.agency.pk) if e.agency is not None else None,
                new_due=e.new_due,
                reason=e.reason,
            )
            for e in entries
        ]
        cal = calendar_for(d.receiving_agency)
        facts = deadlines.TimelinessFacts(
            received_at=d.received_at,
            promised=clock.StatutoryTime(version.promised_value, TimeUnit(version.statutory_unit)),
            statutory=clock.StatutoryTime(
                version.statutory_value, TimeUnit(version.statutory_unit)
            ),
            events=ledger,
            calendar=cal,
            cutoff=version.cutoff,
        )
        last = max([d.received_at, *(e.at for e in ledger)])
        d.first_due_at = facts.first_promise()
        d.due_at = deadlines.promise_as_of(facts, last)
        d.legal_due_at = deadlines.statutory_due_as_of(facts, last)
        open_ = d.finished_at is None  # issue 16: a finished dossier's dates are history
        started = d.clock_started_at or d.received_at
        d.due_provisional = open_ and deadlines.is_provisional(cal, started, d.due_at)
        d.legal_due_provisional = open_ and deadlines.is_provisional(cal, started, d.legal_due_at)
        d.calendar_version = cal.version
        if d.finished_at is not None:
            v = deadlines.finish_verdicts(
                facts,
                d.finished_at,
                apology_counts_late=settings.METRICS_766_APOLOGY_COUNTS_LATE,
                processing_calendar=calendar_for(d.deciding_agency),
            )
            d.timeliness = v.timeliness.value
            d.legal_timeliness = v.legal_timeliness.value
            d.timeliness_766 = v.timeliness_766
            d.processing_working_days = v.processing_working_days
        else:
            d.timeliness = d.legal_timeliness = d.timeliness_766 = ""
            d.processing_working_days = None
    except (clock.ClockError, CalendarRangeError, ValueError) as error:
        r.error(
            "clock",
            f"Sổ thời hạn không nhất quán, không tính lại được thời hạn: {error}",
            f"The clock ledger is inconsistent; the due dates cannot be recomputed: {error}",
        )
        return False
    return True
