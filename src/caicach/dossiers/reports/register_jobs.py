"""Register PDFs too long for a request, made by a background job for their requester only.

:func:`register_pdf_or_export` renders the register in the request up to
:data:`PDF_SYNC_MAX_ROWS` rows and, beyond, hands it to the ``dossiers.render_register`` job
(:func:`request_register_pdf`, a :class:`RegisterExport` for its requester only, who alone sees
and downloads it); :func:`build_register_export` is the job's work, and
:func:`expire_register_exports` deletes the files at the end of their retention (they list
applicants by name: Decree 13/2023/NĐ-CP).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
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
from caicach.dossiers.inputs import stored_name
from caicach.dossiers.models import (
    REGISTER_EXPORT_UNFINISHED,
    RegisterExport,
    RegisterExportStatus,
)
from caicach.dossiers.reports.agencies import AgencyNotInScopeError
from caicach.dossiers.reports.periods import Period
from caicach.dossiers.reports.register import (
    check_pdf_rows,
    register_pdf,
    register_queryset,
)

__all__ = [
    "PDF_SYNC_MAX_ROWS",
    "REGISTER_EXPORT_STALE",
    "RegisterExportExpiredError",
    "RegisterExportNotFoundError",
    "RegisterExportNotReadyError",
    "build_register_export",
    "expire_register_exports",
    "register_export",
    "register_exports",
    "register_pdf_or_export",
    "request_register_pdf",
]

#: Registers up to this many rows are rendered in the request; longer ones by a background job
#: (:func:`request_register_pdf`). WeasyPrint lays out the whole document in memory at about
#: ~11 ms and ~0.3 MB per row on the 2-core machine (bench/bench_register.py: 2,000 rows in
#: 20 s and 670 MB, 6,236 rows in 67 s and 1.8 GB): 1,000 rows are ~11 s in the request.
PDF_SYNC_MAX_ROWS = 1_000
#: A register file still unfinished after this long is given up (the longest, 10,000 rows,
#: takes about two minutes).
REGISTER_EXPORT_STALE = timedelta(minutes=30)


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


def register_pdf_or_export(
    user: Any, actor: Actor, agency: Agency, period: Period
) -> bytes | RegisterExport:
    """The register PDF (TT 01/2018 form 06; TT 03/2025 form 07) for a request: the bytes when
    it has at most :data:`PDF_SYNC_MAX_ROWS` dossiers (the caller records the download), else
    a :class:`RegisterExport` rendered by a background job (:func:`request_register_pdf`,
    download recorded there). More than :data:`PDF_MAX_ROWS`: :class:`TooManyRowsError`."""
    count = register_queryset(user, agency, period).count()
    check_pdf_rows(count)
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
    # Stored under a server-chosen name; the download names it (register_filename).
    export.file.save(stored_name(pdf, "application/pdf"), ContentFile(pdf), save=False)
    export.status = RegisterExportStatus.DONE
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "status", "finished_at"])
