"""File responses that the officers' pages and the API both send: a received document's scan,
the dossier register (PDF, XLSX) and a register PDF made in the background. Each is private,
never cached, and each register download is written to the audit trail."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse

from caicach.core.audit import Actor
from caicach.dossiers import reports, services
from caicach.dossiers.models import DossierComponent, RegisterExport, RegisterExportStatus


def component_response(component: DossierComponent, code: str) -> FileResponse:
    """A received document's stored file, never cached, for the page and the API alike.

    Sent only with the type sniffed at intake and ``nosniff``, under a name the server makes
    (dossier code, order, the type's extension): a PDF or image is shown inline (a scan to read),
    anything else (a type that came from an import line) is an ``application/octet-stream``
    download, so no stored bytes can run as a page of this site (issue 17)."""
    try:
        handle = component.file.open("rb")
    except OSError:
        raise services.ComponentFileNotFoundError() from None
    content_type = component.content_type
    known = content_type in services.ALLOWED_CONTENT_TYPES
    response = FileResponse(
        handle,
        content_type=content_type if known else "application/octet-stream",
        as_attachment=not known,
        filename=f"{code}-{component.order}{services.EXTENSIONS.get(content_type, '.bin')}",
    )
    return private(response)


def file_response(row: Any, stem: str) -> FileResponse:
    """A stored file row (a result) with its sniffed type, ``nosniff`` and a server-made name,
    as :func:`component_response`."""
    try:
        handle = row.file.open("rb")
    except OSError:
        raise services.ComponentFileNotFoundError() from None
    content_type = row.content_type
    known = content_type in services.ALLOWED_CONTENT_TYPES
    response = FileResponse(
        handle,
        content_type=content_type if known else "application/octet-stream",
        as_attachment=not known,
        filename=f"{stem}{services.EXTENSIONS.get(content_type, '.bin')}",
    )
    return private(response)


def private(response: Any) -> Any:
    """A file of personal data: never stored by a browser or proxy, never content-sniffed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def register_download(request: HttpRequest, agency: Any, period: reports.Period, fmt: str) -> Any:
    """The register of ``agency`` for ``period`` as a ``pdf`` or ``xlsx`` attachment, the
    download written to the audit trail (Decree 13/2023): for the page and the API alike. A PDF
    longer than :data:`reports.PDF_SYNC_MAX_ROWS` rows is a :class:`RegisterExport` instead
    (rendered by a background job): the caller shows where to follow it."""
    user = request.user
    if fmt == "pdf":
        pdf = reports.register_pdf_or_export(user, Actor.from_request(request), agency, period)
        if isinstance(pdf, RegisterExport):
            return pdf  # a background job renders it; its audit entry is already written
        response: Any = HttpResponse(pdf, content_type="application/pdf")
        name = reports.register_filename(agency.code, period, "pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        response = FileResponse(
            reports.register_xlsx(user, agency, period),
            as_attachment=True,
            filename=reports.register_filename(agency.code, period, "xlsx"),
            content_type=reports.XLSX_TYPE,
        )
    reports.record_register_export(Actor.from_request(request), agency, period, fmt)
    return private(response)


def export_file_response(request: HttpRequest, export: RegisterExport) -> FileResponse:
    """The file of a finished :class:`RegisterExport` as an attachment, the download recorded
    (page and API); :class:`reports.RegisterExportNotReadyError` (409) while it is not."""
    if export.status == RegisterExportStatus.EXPIRED:
        raise reports.RegisterExportExpiredError()
    if export.status != RegisterExportStatus.DONE or not export.file:
        raise reports.RegisterExportNotReadyError(
            "Tệp PDF của sổ chưa sẵn sàng: hãy chờ đến khi trạng thái là “Đã xong”.",
            "The register PDF is not ready yet: wait until its status is “done”.",
        )
    period = reports.Period(export.date_from, export.date_to)
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=reports.register_filename(export.agency.code, period, "pdf"),
        content_type="application/pdf",
    )
    reports.record_register_export(
        Actor.from_request(request), export.agency, period, "pdf", export.pk
    )
    return private(response)
