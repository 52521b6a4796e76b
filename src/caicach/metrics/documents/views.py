"""The page of the official reports (``/bao-cao-cchc/``): choose an agency in your
``reports.view`` scope, the report (monthly Decision 766, quarterly one-stop) and its period,
download it as Word or PDF. A small one comes back at once; the province's is made in the
background and listed below, the list polled with htmx until it is ready. Bad input re-shows the
page with the message and a 4xx status (never a 500). Scope and rules in :mod:`.jobs`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from caicach.accounts.access import require_anywhere
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized
from caicach.dossiers.reports.agencies import report_agencies
from caicach.metrics.documents import jobs
from caicach.metrics.models import REPORT_FILE_UNFINISHED, ReportFileStatus
from caicach.metrics.periods import Period

KIND_LABELS = {
    "766": gettext_lazy("Báo cáo tháng theo Quyết định 766/QĐ-TTg"),
    "one_stop": gettext_lazy("Báo cáo quý tình hình, kết quả giải quyết TTHC"),
}
#: Short names in the list of files (narrow screens).
SHORT_LABELS = {
    "766": gettext_lazy("QĐ 766, tháng"),
    "one_stop": gettext_lazy("Giải quyết TTHC, quý"),
}
#: The most recent files listed on the page.
FILES_LISTED = 10


def _defaults() -> dict[str, str]:
    """Last month and last quarter (the reports are made after the period closes)."""
    today = timezone.localdate()
    month = Period.month(today.year, today.month)
    last = month.first - timedelta(days=1)
    q = (today.month - 1) // 3  # quarters before this one in the year
    quarter = f"{today.year}-Q{q}" if q else f"{today.year - 1}-Q4"
    return {"766": f"{last.year}-{last.month:02d}", "one_stop": quarter}


def _files_context(user: Any) -> dict[str, Any]:
    rows = list(jobs.report_files(user)[:FILES_LISTED])
    return {
        "files": rows,
        "files_waiting": any(r.status in REPORT_FILE_UNFINISHED for r in rows),
        "kind_labels": SHORT_LABELS,
        "sync_max": jobs.SYNC_MAX_AGENCIES,
    }


@login_required
@require_GET
def reports_page(request: HttpRequest) -> HttpResponse:
    """The form; ``?tai=docx|pdf`` produces the chosen report."""
    require_anywhere(request.user, jobs.PERMISSION)
    kind = request.GET.get("loai", "766")
    kind = kind if kind in KIND_LABELS else "766"
    defaults = _defaults()
    period_text = request.GET.get("ky", "").strip()[:40] or defaults[kind]
    agency_code = request.GET.get("agency", "").strip()[:40]
    fmt = request.GET.get("tai", "")
    error, status = "", 200
    if fmt:
        try:
            result = jobs.produce_or_queue(
                request.user, Actor.from_request(request), kind, agency_code, period_text, fmt
            )
        except BilingualError as exc:
            error = localized(exc)
            status = exc.status if exc.status in (400, 403, 404) else 400
        else:
            if isinstance(result, jobs.Rendered):
                response = HttpResponse(result.data, content_type=result.content_type)
                response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
                response["Cache-Control"] = "private, no-store"
                return response
            query = urlencode({"loai": kind, "ky": period_text, "agency": agency_code})
            return redirect(reverse("metrics_documents:page") + "?" + query + "#report-files")
    context = {
        "agencies": list(report_agencies(request.user)),
        "agency_code": agency_code,
        "kind": kind,
        "kinds": list(KIND_LABELS.items()),
        "period_text": period_text,
        "defaults": defaults,
        "error": error,
        **_files_context(request.user),
    }
    return render(request, "metrics/documents/page.html", context, status=status)


@login_required
@require_GET
def files(request: HttpRequest) -> HttpResponse:
    """The requester's files being made or ready (polled with htmx while one is being made)."""
    require_anywhere(request.user, jobs.PERMISSION)
    return render(request, "metrics/documents/_files.html", _files_context(request.user))


@login_required
@require_GET
def download(request: HttpRequest, pk: str) -> HttpResponse | FileResponse:
    """A finished file: its owner only, while the agency is in their scope."""
    require_anywhere(request.user, jobs.PERMISSION)
    try:
        row = jobs.report_file(request.user, pk)
        if row.status != ReportFileStatus.DONE or not row.file:
            raise jobs.ReportFileNotFoundError()
    except BilingualError as exc:
        context = {"files_error": localized(exc), **_files_context(request.user)}
        return render(request, "metrics/documents/_files.html", context, status=exc.status)
    name = str(row.file.name).rsplit("/", 1)[-1]
    content_type = jobs.FORMATS[row.fmt][0]
    response = FileResponse(
        row.file.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
