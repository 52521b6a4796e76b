"""Producing a report: in the request when small, by a background job when long.

:func:`produce_or_queue` checks the request (kind, period, format: a bad one is a
:class:`~caicach.metrics.documents.content.ReportInputError`, 400; an agency outside the caller's
``reports.view`` scope is ``AgencyNotInScopeError``, 404) and renders a report whose agency has
at most :data:`SYNC_MAX_AGENCIES` agencies directly under it now, recording the audit entry.
A longer one (the province: every department and commune) becomes a :class:`ReportFile`, its
audit entry and the ``metrics.render_report`` job in one transaction (:func:`request_report`,
like ``dossiers.reports.register_jobs``); the job renders it in the owner's scope
(:func:`build_report_file`) and only the owner lists and downloads it (:func:`report_file`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from caicach.accounts.access import can
from caicach.agencies.models import Agency
from caicach.core import audit
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.text import row_id
from caicach.dossiers.reports.agencies import AgencyNotInScopeError, resolve_agency
from caicach.metrics.documents import content
from caicach.metrics.documents.model import Document
from caicach.metrics.models import REPORT_FILE_UNFINISHED, ReportFile, ReportFileStatus
from caicach.metrics.periods import Period, PeriodError, parse_period

__all__ = [
    "ACTION",
    "FORMATS",
    "PERMISSION",
    "SYNC_MAX_AGENCIES",
    "Rendered",
    "ReportFileNotFoundError",
    "build_report_file",
    "check_request",
    "produce_or_queue",
    "render",
    "report_file",
    "report_files",
    "request_report",
]

PERMISSION = "reports.view"
ACTION = "metrics.report"
#: Reports of an agency with at most this many agencies directly under it are made in the
#: request (a department: a few units, well under a second); the province's (every department
#: and commune, hundreds of rows and 24 index reads) by the background job.
SYNC_MAX_AGENCIES = 30
#: A file still unfinished after this long is given up (the province report takes seconds).
STALE = timedelta(minutes=30)


def _docx(d: Document) -> bytes:
    from caicach.metrics.documents.docx_writer import render_docx

    return render_docx(d)


def _pdf(d: Document) -> bytes:
    from caicach.metrics.documents.pdf_writer import render_pdf

    return render_pdf(d)


FORMATS: dict[str, tuple[str, Callable[[Document], bytes]]] = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _docx),
    "pdf": ("application/pdf", _pdf),
}


@dataclass(frozen=True)
class Rendered:
    data: bytes
    filename: str
    content_type: str


class ReportFileNotFoundError(BilingualError):
    status = 404
    code = "report_file_not_found"

    def __init__(self) -> None:
        super().__init__(
            "Không tìm thấy tệp báo cáo này trong các tệp bạn đã yêu cầu.",
            "No such report file among the ones you asked for.",
        )


def check_request(
    user: Any, kind: str, agency_code: str | None, period_text: str, fmt: str
) -> tuple[Agency, Period]:
    """The agency (in ``user``'s ``reports.view`` scope) and the period of a request; a bad
    kind, period or format is a 400 with the reason in Vietnamese and English."""
    if fmt not in FORMATS:
        raise content.ReportInputError(
            "Định dạng không hợp lệ: chọn Word (DOCX) hoặc PDF.",
            "Unknown format: choose Word (DOCX) or PDF.",
        )
    try:
        period = parse_period(period_text.strip()[:40])
    except PeriodError as exc:
        raise content.ReportInputError(exc.vi, exc.en) from None
    content.check_period(kind, period)
    agency = resolve_agency(user, agency_code, PERMISSION)
    return agency, period


def render(kind: str, agency: Agency, period: Period, fmt: str) -> Rendered:
    doc = content.build(kind, agency, period)
    content_type, write = FORMATS[fmt]
    return Rendered(write(doc), f"{doc.filename}.{fmt}", content_type)


def _children(agency: Agency, period: Period) -> int:
    return (
        Agency.objects.filter(parent=agency, valid_from__lte=period.last)
        .exclude(valid_to__lt=period.first)
        .count()
    )


def _record(actor: Actor, agency: Agency, kind: str, period: Period, fmt: str,
            file_id: int | None = None) -> None:  # fmt: skip
    changes: dict[str, Any] = {"kind": kind, "period": period.label, "format": fmt}
    if file_id is not None:
        changes["file"] = file_id
    audit.record(actor, ACTION, agency, agency=agency, changes=changes)


def produce_or_queue(
    user: Any, actor: Actor, kind: str, agency_code: str | None, period_text: str, fmt: str
) -> Rendered | ReportFile:
    """The report now (small) or a :class:`ReportFile` made by the job (long)."""
    agency, period = check_request(user, kind, agency_code, period_text, fmt)
    count = _children(agency, period)
    if count > SYNC_MAX_AGENCIES:
        return request_report(user, actor, kind, agency, period, fmt, count)
    rendered = render(kind, agency, period, fmt)
    with transaction.atomic():
        _record(actor, agency, kind, period, fmt)
    return rendered


def report_files(user: Any) -> QuerySet[ReportFile]:
    """The report files ``user`` asked for, newest first, with their agency."""
    if not getattr(user, "is_authenticated", False):
        return ReportFile.objects.none()
    return ReportFile.objects.filter(owner=user).select_related("agency")


def report_file(user: Any, pk: Any) -> ReportFile:
    """One of ``user``'s files while its agency is in their ``reports.view`` scope; else 404
    (another officer's file is not revealed)."""
    number = row_id(pk)
    if number is None:
        raise ReportFileNotFoundError()
    found = report_files(user).filter(pk=number).first()
    if found is None or not can(user, PERMISSION, found.agency):
        raise ReportFileNotFoundError()
    return found


def request_report(user: Any, actor: Actor, kind: str, agency: Agency, period: Period, fmt: str,
                   count: int) -> ReportFile:  # fmt: skip
    """In one transaction: the requester's :class:`ReportFile`, the audit entry and the job (a
    rollback leaves none of them). Asking again for the same report while it is being made
    returns the same row (no second job)."""
    from caicach.metrics.tasks import render_report

    with transaction.atomic():
        unfinished = ReportFile.objects.filter(
            owner=user, agency=agency, kind=kind, period=period.label, fmt=fmt,
            status__in=REPORT_FILE_UNFINISHED,
        )  # fmt: skip
        now = timezone.now()
        unfinished.filter(created_at__lt=now - STALE).update(
            status=ReportFileStatus.FAILED,
            error="Quá thời gian tạo tệp; hãy yêu cầu lại.",
            finished_at=now,
        )
        waiting = unfinished.select_for_update().first()
        if waiting is not None:
            return waiting
        row = ReportFile.objects.create(
            owner=user, agency=agency, kind=kind, period=period.label, fmt=fmt, agencies=count
        )
        _record(actor, agency, kind, period, fmt, row.pk)
        render_report.defer(file_id=row.pk)
    return row


def _fail(row: ReportFile, message: str) -> None:
    row.status = ReportFileStatus.FAILED
    row.error = message[:300]
    row.finished_at = timezone.now()
    row.save(update_fields=["status", "error", "finished_at"])


def build_report_file(file_id: int) -> None:
    """The job's work: render the report in its owner's scope, store it, mark it done; an
    agency no longer in scope or a bad request marks it failed with the reason. A second run
    (retry) does nothing."""
    with transaction.atomic():
        row = (
            ReportFile.objects.select_for_update(of=("self",))
            .select_related("owner", "agency__parent")
            .filter(pk=file_id)
            .first()
        )
        if row is None or row.status != ReportFileStatus.PENDING:
            return
        row.status = ReportFileStatus.RUNNING
        row.save(update_fields=["status"])
    try:
        if not can(row.owner, PERMISSION, row.agency):
            raise AgencyNotInScopeError(row.agency.code)
        period = parse_period(row.period)
        content.check_period(row.kind, period)
        rendered = render(row.kind, row.agency, period, row.fmt)
    except BilingualError as exc:
        _fail(row, exc.message_vi)
        return
    except Exception:
        _fail(row, "Lỗi khi tạo tệp báo cáo; hãy thử lại.")
        raise
    row.file.save(rendered.filename, ContentFile(rendered.data), save=False)
    row.status = ReportFileStatus.DONE
    row.finished_at = timezone.now()
    row.save(update_fields=["file", "status", "finished_at"])
