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
    """A received document's stored file, shown inline (its type was checked by content at
    intake), never cached by the browser: for the page and the API alike."""
    try:
        handle = component.file.open("rb")
    except OSError:
        raise services.ComponentFileNotFoundError() from None
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
    response = FileResponse(
        handle,
        content_type=component.content_type or "application/octet-stream",
        filename=f"{code}-{component.order}{extension.get(component.content_type, '')}",
    )
    response["Cache-Control"] = "private, no-store"
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
    response["Cache-Control"] = "private, no-store"
    return response


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
    response["Cache-Control"] = "private, no-store"
    return response
