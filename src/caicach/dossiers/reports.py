"""Workspace reports on dossiers: the register of a period and apologies and lateness per agency.

* :func:`parse_period` is pure: a reporting period ``[from, to]`` (both days included), at most
  :data:`MAX_PERIOD_DAYS` long; bad input is a :class:`PeriodError` (400), never a 500.
* The dossier register (*sổ theo dõi hồ sơ*, TT 01/2018/TT-VPCP form 06, TT 03/2025/TT-VPCP
  form 07; regulations §2.2): the dossiers an agency's one-stop desk received in the period, in
  the order of their numbers. :func:`register_pdf` renders it with
  :func:`caicach.dossiers.documents.render_register`; :func:`register_pdf_or_export` does so in
  the request up to :data:`PDF_SYNC_MAX_ROWS` rows and, beyond, hands it to a background job
  (:func:`request_register_pdf`, a :class:`RegisterExport` for its requester only), up to
  :data:`PDF_MAX_ROWS` rows since WeasyPrint lays out the whole document in memory;
  :func:`register_xlsx` writes any number of
  rows with openpyxl's write-only mode from a server-side cursor (``.iterator()``, only the
  needed columns), so memory stays bounded. Personal data (Decree 13/2023/NĐ-CP): the register is
  for officers with ``dossiers.view`` over the agency; the applicant is given by name only (no
  address, phone, e-mail or full citizen ID), as on the printed forms.
* :func:`apology_stats`: per agency of a subtree, dossiers finished and finished late in the
  period, apologies sent in the period (the ``apologise`` events, form 04), apologies sent less
  than one working day before the due date (NĐ 61/2018 art. 19 forbids them: the figure should
  be 0) and open dossiers overdue now without an apology. Grouped either by the deciding agency
  (*cơ quan có thẩm quyền giải quyết*) or by the holding unit (*đơn vị đang xử lý*: the unit
  that holds the dossier now, or held it when it finished; an apology counts for the unit that
  sent it), following "lateness of a step is attributed to the unit that held it". Two SQL
  aggregates and one agency query, whatever the number of agencies.

Scope: every function takes the user and checks through :mod:`caicach.accounts.access`; an
agency outside the user's scope is an :class:`AgencyNotInScopeError` (404 in the API: its
existence is not revealed; the same bilingual message on pages).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from caicach.accounts.access import agency_filter, can, scope_paths
from caicach.agencies.models import Agency
from caicach.calendars.rules import VN_TZ
from caicach.calendars.services import calendar_for_path
from caicach.core import audit
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.text import row_id
from caicach.dossiers import clock, documents
from caicach.dossiers.clock import Timeliness
from caicach.dossiers.models import (
    REGISTER_EXPORT_UNFINISHED,
    Dossier,
    DossierComponent,
    DossierEvent,
    RegisterExport,
    RegisterExportStatus,
    finished_q,
    overdue_q,
)
from caicach.dossiers.services import visible_dossiers
from caicach.dossiers.workflow import DossierAction, DossierState

__all__ = [
    "MAX_PERIOD_DAYS",
    "PDF_MAX_ROWS",
    "PDF_SYNC_MAX_ROWS",
    "AgencyNotInScopeError",
    "AgencyStats",
    "ApologyReport",
    "GroupBy",
    "Metric",
    "Period",
    "PeriodError",
    "TooManyRowsError",
    "apology_stats",
    "build_register_export",
    "default_period",
    "expire_register_exports",
    "metric_dossiers",
    "parse_day",
    "parse_period",
    "record_register_export",
    "register_agencies",
    "register_export",
    "register_exports",
    "register_pdf",
    "register_pdf_or_export",
    "register_queryset",
    "register_xlsx",
    "report_agencies",
    "request_register_pdf",
    "resolve_agency",
]

#: The longest period a report covers: one year (a leap year included).
MAX_PERIOD_DAYS = 366
#: Registers up to this many rows are rendered in the request; longer ones by a background job
#: (:func:`request_register_pdf`). WeasyPrint lays out the whole document in memory at about
#: ~11 ms and ~0.3 MB per row on the 2-core machine (bench/bench_register.py: 2,000 rows in
#: 20 s and 670 MB, 6,236 rows in 67 s and 1.8 GB): 1,000 rows are ~11 s in the request.
PDF_SYNC_MAX_ROWS = 1_000
#: The most rows of a register PDF at all, rendered by the job (~2 minutes and ~3 GB for
#: 10,000: a department's quarter); beyond, a shorter period or the XLSX file, which writes any
#: number of rows in constant memory.
PDF_MAX_ROWS = 10_000
#: A register file still unfinished after this long is given up (the longest, 10,000 rows,
#: takes about two minutes).
REGISTER_EXPORT_STALE = timedelta(minutes=30)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The most dossiers a drill-down list shows.
METRIC_LIST_LIMIT = 200


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class PeriodError(BilingualError):
    status = 400
    code = "invalid_period"


class AgencyNotInScopeError(BilingualError):
    status = 404
    code = "agency_not_found"

    def __init__(self, code: str) -> None:
        shown = str(code)[:40]
        super().__init__(
            f"Không tìm thấy cơ quan “{shown}” trong phạm vi bạn được xem.",
            f"No agency “{shown}” in the scope you may view.",
        )


class TooManyRowsError(BilingualError):
    status = 400
    code = "too_many_rows"


class RegisterExportNotFoundError(BilingualError):
    status = 404
    code = "register_export_not_found"

    def __init__(self) -> None:
        super().__init__(
            "Không tìm thấy tệp sổ theo dõi hồ sơ này trong các tệp bạn đã yêu cầu.",
            "No such register file among the ones you asked for.",
        )


class RegisterExportNotReadyError(BilingualError):
    status = 409
    code = "register_export_not_ready"


class RegisterExportExpiredError(BilingualError):
    status = 410
    code = "register_export_expired"

    def __init__(self) -> None:
        super().__init__(
            "Tệp PDF của sổ đã được xóa khi hết thời hạn lưu; hãy tạo lại từ trang Sổ theo dõi.",
            "The register PDF was deleted at the end of its retention period; make it again.",
        )


# --------------------------------------------------------------------------------------------
# The period (pure)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included (Vietnam time)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """``[start 00:00, the day after end 00:00)`` in Vietnam time, for instants."""
        return (
            datetime.combine(self.start, time.min, VN_TZ),
            datetime.combine(self.end + timedelta(days=1), time.min, VN_TZ),
        )


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_day(text: str) -> date | None:
    """``2025-06-30`` (ISO, as sent by ``<input type=date>``) or ``30/06/2025``; ``None`` when
    unreadable."""
    value = (text or "").strip()
    if not value or len(value) > 10:
        return None
    try:
        match = _DMY.match(value)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
    except ValueError:
        return None
    return None


def default_period(today: date) -> Period:
    """This month: from its first to its last day."""
    first = today.replace(day=1)
    next_first = (first + timedelta(days=32)).replace(day=1)
    return Period(first, next_first - timedelta(days=1))


def parse_period(start_text: str | None, end_text: str | None, today: date) -> Period:
    """The period from two texts; an empty one takes this month's first or last day.

    Raises :class:`PeriodError` (400) when a date is unreadable, the start is after the end or
    the period is longer than :data:`MAX_PERIOD_DAYS` days.
    """
    default = default_period(today)
    days: list[date] = []
    for text, fallback, vi, en in (
        (start_text, default.start, "Từ ngày", "The start date"),
        (end_text, default.end, "Đến ngày", "The end date"),
    ):
        if not (text or "").strip():
            days.append(fallback)
            continue
        parsed = parse_day(str(text))
        if parsed is None:
            shown = str(text).strip()[:20]
            raise PeriodError(
                f"{vi} “{shown}” không đúng định dạng ngày (dd/mm/yyyy hoặc yyyy-mm-dd).",
                f"{en} “{shown}” is not a date (dd/mm/yyyy or yyyy-mm-dd).",
            )
        days.append(parsed)
    period = Period(days[0], days[1])
    if period.start > period.end:
        raise PeriodError(
            "“Từ ngày” phải trước hoặc trùng “Đến ngày”.",
            "The start date must be on or before the end date.",
        )
    if period.days > MAX_PERIOD_DAYS:
        raise PeriodError(
            f"Khoảng thời gian dài {period.days} ngày; tối đa {MAX_PERIOD_DAYS} ngày.",
            f"The period is {period.days} days long; at most {MAX_PERIOD_DAYS} days.",
        )
    return period


# --------------------------------------------------------------------------------------------
# Agencies in scope
# --------------------------------------------------------------------------------------------


def _agencies(user: Any, action: str) -> QuerySet[Agency]:
    return (
        Agency.objects.valid_on(timezone.localdate())
        .filter(agency_filter(user, action))
        .only("id", "code", "name", "path", "depth")
        .order_by("path")
    )


def register_agencies(user: Any) -> QuerySet[Agency]:
    """Agencies whose register the user may print (``dossiers.view``), in tree order."""
    return _agencies(user, "dossiers.view")


def report_agencies(user: Any) -> QuerySet[Agency]:
    """Agencies whose figures the user may see (``reports.view``), in tree order."""
    return _agencies(user, "reports.view")


def resolve_agency(user: Any, code: str | None, action: str) -> Agency:
    """The agency ``code`` if ``user`` may ``action`` over it; no code: the top of the user's
    first scope (their own agency). Raises :class:`AgencyNotInScopeError`."""
    text = (code or "").strip()[:40]
    if not text:
        paths = scope_paths(user, action)
        agency = Agency.objects.filter(path=paths[0]).first() if paths else None
        if agency is None:
            raise AgencyNotInScopeError("?")
        return agency
    agency = Agency.objects.filter(code=text).select_related("parent").first()
    if agency is None or not can(user, action, agency):
        raise AgencyNotInScopeError(text)
    return agency


# --------------------------------------------------------------------------------------------
# The dossier register
# --------------------------------------------------------------------------------------------

_REGISTER_COLUMNS = (
    "id",
    "code",
    "received_on",
    "sequence",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "state",
    "timeliness",
    "procedure_version__name",
    "applicant__full_name",
    "deciding_agency__name",
)


def register_queryset(user: Any, agency: Agency, period: Period) -> QuerySet[Dossier]:
    """The dossiers ``agency`` received in ``period``, in register order (day, number), limited
    to the user's view (:meth:`Dossier.objects.visible_to`) and to the needed columns."""
    return (
        visible_dossiers(user)
        .filter(receiving_agency=agency, received_on__gte=period.start, received_on__lte=period.end)
        .select_related("procedure_version", "applicant", "deciding_agency")
        .only(*_REGISTER_COLUMNS)
        .order_by("received_on", "sequence")
    )


def record_register_export(
    actor: Actor, agency: Agency, period: Period, fmt: str, export_id: int | None = None
) -> None:
    """The register lists applicants by name: each download is written to the audit trail
    (Decree 13/2023/NĐ-CP: who processed which personal data, and when); ``export_id`` names
    the :class:`RegisterExport` whose file was downloaded."""
    changes: dict[str, Any] = {"from": period.start, "to": period.end, "format": fmt}
    if export_id is not None:
        changes["export"] = export_id
    audit.record(actor, "dossier.register_export", agency, agency=agency, changes=changes)


def register_filename(agency_code: str, period: Period, extension: str) -> str:
    """The download name of a register: ``so-theo-doi-<agency>-<from>-<to>.<extension>``."""
    return f"so-theo-doi-{agency_code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{extension}"


def _check_pdf_rows(count: int) -> None:
    if count > PDF_MAX_ROWS:
        raise TooManyRowsError(
            f"Sổ có {count} hồ sơ, quá {PDF_MAX_ROWS} hồ sơ để in PDF: hãy chọn khoảng thời "
            "gian ngắn hơn hoặc tải tệp Excel (XLSX).",
            f"The register has {count} dossiers, more than {PDF_MAX_ROWS} for a PDF: choose a "
            "shorter period or download the Excel (XLSX) file.",
        )


def register_pdf(user: Any, agency: Agency, period: Period) -> bytes:
    """The register as a PDF, A4 landscape (TT 01/2018 form 06), rendered now. At most
    :data:`PDF_MAX_ROWS` dossiers, else :class:`TooManyRowsError` (400) pointing to a shorter
    period or the XLSX. Requests go through :func:`register_pdf_or_export`."""
    rows = register_queryset(user, agency, period)
    _check_pdf_rows(rows.count())
    components = Prefetch("components", DossierComponent.objects.only("id", "dossier_id"))
    dossiers = rows.prefetch_related(components).iterator(chunk_size=500)
    return documents.render_register(agency, period.start, period.end, dossiers)


def register_pdf_or_export(
    user: Any, actor: Actor, agency: Agency, period: Period
) -> bytes | RegisterExport:
    """The register PDF (TT 01/2018 form 06; TT 03/2025 form 07) for a request: the bytes when
    it has at most :data:`PDF_SYNC_MAX_ROWS` dossiers (the caller records the download), else
    a :class:`RegisterExport` rendered by a background job (:func:`request_register_pdf`,
    download recorded there). More than :data:`PDF_MAX_ROWS`: :class:`TooManyRowsError`."""
    count = register_queryset(user, agency, period).count()
    _check_pdf_rows(count)
    if count > PDF_SYNC_MAX_ROWS:
        return request_register_pdf(user, actor, agency, period, count)
    return register_pdf(user, agency, period)


def register_exports(user: Any) -> QuerySet[RegisterExport]:
    """The register files ``user`` asked for (only theirs: they list applicants by name,
    Decree 13/2023/NĐ-CP), newest first, with their agency."""
    if not getattr(user, "is_authenticated", False):
        return RegisterExport.objects.none()
    return RegisterExport.objects.filter(owner=user).select_related("agency")


def register_export(user: Any, pk: Any) -> RegisterExport:
    """One of ``user``'s register files, while its agency is still in their ``dossiers.view``
    scope; else :class:`RegisterExportNotFoundError` (404: another officer's file is not
    revealed)."""
    number = row_id(pk)
    if number is None:
        raise RegisterExportNotFoundError()
    export = register_exports(user).filter(pk=number).first()
    if export is None or not can(user, "dossiers.view", export.agency):
        raise RegisterExportNotFoundError()
    return export


def request_register_pdf(
    user: Any, actor: Actor, agency: Agency, period: Period, count: int
) -> RegisterExport:
    """Hand a long register PDF to the ``dossiers.render_register`` job. In one transaction:
    the :class:`RegisterExport` row of the requester, the audit entry of the export (Decree
    13/2023/NĐ-CP: who processed which personal data, and when) and the job, so a rollback
    leaves none of them. The same officer asking again for the same agency and period while
    the file is being made gets the same row (no second job)."""
    from caicach.dossiers.tasks import render_register

    with transaction.atomic():
        unfinished = RegisterExport.objects.filter(
            owner=user,
            agency=agency,
            date_from=period.start,
            date_to=period.end,
            status__in=REGISTER_EXPORT_UNFINISHED,
        )
        _give_up_stale(unfinished, timezone.now())  # the request then starts a new one
        waiting = unfinished.select_for_update().first()
        if waiting is not None:
            return waiting
        export = RegisterExport.objects.create(
            owner=user, agency=agency, date_from=period.start, date_to=period.end, rows=count
        )
        audit.record(
            actor,
            "dossier.register_export",
            agency,
            agency=agency,
            changes={
                "from": period.start,
                "to": period.end,
                "format": "pdf",
                "export": export.pk,
                "rows": count,
            },
        )
        render_register.defer(export_id=export.pk)
    return export


def _give_up_stale(unfinished: QuerySet[RegisterExport], now: datetime) -> None:
    """Mark failed the files among ``unfinished`` asked for more than
    :data:`REGISTER_EXPORT_STALE` ago: long after the longest render (its worker was killed,
    say), they will not come."""
    unfinished.filter(created_at__lt=now - REGISTER_EXPORT_STALE).update(
        status=RegisterExportStatus.FAILED,
        error="Quá thời gian tạo tệp; hãy yêu cầu lại.",
        finished_at=now,
    )


def expire_register_exports(now: datetime | None = None) -> int:
    """Delete the files of register PDFs finished more than ``REGISTER_EXPORT_RETENTION_DAYS``
    ago (they list applicants by name: Decree 13/2023/NĐ-CP art. 3, personal data kept no
    longer than its purpose needs) and mark them expired; give up files still unfinished after
    :data:`REGISTER_EXPORT_STALE`. Each row under its lock (``SKIP LOCKED``: a download in
    progress or another run keeps it this time). Returns how many files were deleted."""
    now = now or timezone.now()
    _give_up_stale(RegisterExport.objects.filter(status__in=REGISTER_EXPORT_UNFINISHED), now)
    cutoff = now - timedelta(days=max(0, int(settings.REGISTER_EXPORT_RETENTION_DAYS)))
    old = RegisterExport.objects.filter(
        status=RegisterExportStatus.DONE, finished_at__lt=cutoff
    ).values_list("pk", flat=True)
    deleted = 0
    for pk in list(old):
        with transaction.atomic():
            export = (
                RegisterExport.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=RegisterExportStatus.DONE)
                .first()
            )
            if export is None:
                continue
            name = export.file.name
            export.file = ""
            export.status = RegisterExportStatus.EXPIRED
            export.save(update_fields=["file", "status"])
            if name:
                # After the commit: a rollback must not leave a row pointing at no file.
                storage = export.file.storage
                transaction.on_commit(lambda s=storage, n=name: s.delete(n))
                deleted += 1
    return deleted


def build_register_export(export_id: int) -> None:
    """The job's work: render the register of a :class:`RegisterExport` in its owner's scope
    (what they may view now), store the file and mark it done; a register that became too long,
    or an agency no longer in the owner's scope, marks it failed with the reason. A job run
    twice (retry) does nothing the second time."""
    with transaction.atomic():
        export = (
            RegisterExport.objects.select_for_update(of=("self",))
            .select_related("owner", "agency__parent")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status != RegisterExportStatus.PENDING:
            return
        export.status = RegisterExportStatus.RUNNING
        export.save(update_fields=["status"])
    period = Period(export.date_from, export.date_to)
    try:
        if not can(export.owner, "dossiers.view", export.agency):
            raise AgencyNotInScopeError(export.agency.code)
        pdf = register_pdf(export.owner, export.agency, period)
    except BilingualError as exc:
        export.status = RegisterExportStatus.FAILED
        export.error = exc.message_vi[:300]
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        return
    except Exception:
        export.status = RegisterExportStatus.FAILED
        export.error = "Lỗi khi tạo tệp PDF; hãy thử lại hoặc tải tệp Excel (XLSX)."
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "error", "finished_at"])
        raise
    export.file.save(
        register_filename(export.agency.code, period, "pdf"), ContentFile(pdf), save=False
    )
    export.status = RegisterExportStatus.DONE
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "status", "finished_at"])


_XLSX_HEADERS = (
    "TT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số giấy tờ",
    "Tên cá nhân, tổ chức",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Kết thúc xử lý",
    "Trả kết quả",
    "Tình trạng",
    "Tiến độ",
)
_TIMELINESS_TEXT = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


def _naive_local(value: datetime | None) -> datetime | None:
    """Excel has no time zones: the Vietnam wall-clock time."""
    if value is None:
        return None
    return timezone.localtime(value, VN_TZ).replace(tzinfo=None)


def _xlsx_rows(queryset: QuerySet[Dossier]) -> Iterator[list[Any]]:
    count = (
        DossierComponent.objects.filter(dossier=OuterRef("pk"))
        .order_by()
        .values("dossier")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = queryset.annotate(n_components=Coalesce(Subquery(count), 0))
    for number, d in enumerate(rows.iterator(chunk_size=2000), start=1):
        yield [
            number,
            d.code,
            d.procedure_version.name,
            d.n_components,
            d.applicant.full_name,
            d.deciding_agency.name,
            _naive_local(d.received_at),
            _naive_local(d.due_at),
            _naive_local(d.finished_at),
            _naive_local(d.returned_at),
            DossierState(d.state).label_vi if d.state else "",
            _TIMELINESS_TEXT.get(d.timeliness, ""),
        ]


def register_xlsx(user: Any, agency: Agency, period: Period) -> IO[bytes]:
    """The register as an XLSX workbook in a temporary file (rewound, the caller streams and
    closes it). Write-only mode and a server-side cursor: memory does not grow with the rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("So theo doi ho so")
    widths = (5, 26, 48, 8, 28, 32, 17, 17, 17, 17, 18, 12)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    bold = Font(bold=True)

    def heading(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        return cell

    sheet.append([heading(f"SỔ THEO DÕI HỒ SƠ – {agency.name.upper()}")])
    sheet.append(
        [
            f"Từ ngày {documents.short_date(period.start)} đến ngày {documents.short_date(period.end)}"
        ]
    )
    sheet.append([])
    sheet.append([heading(h) for h in _XLSX_HEADERS])
    for values in _xlsx_rows(register_queryset(user, agency, period)):
        cells: list[Any] = []
        for value in values:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "HH:MM DD/MM/YYYY"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (caller closes)
    workbook.save(out)
    out.seek(0)
    return out


# --------------------------------------------------------------------------------------------
# Apologies and lateness per agency
# --------------------------------------------------------------------------------------------


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
