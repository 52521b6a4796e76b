"""The dossier register (*sổ theo dõi hồ sơ*, TT 01/2018/TT-VPCP form 06, TT 03/2025/TT-VPCP
form 07; regulations §2.2): the dossiers an agency's one-stop desk received in the period, in
the order of their numbers.

:func:`register_pdf` renders it now with :func:`caicach.dossiers.documents.render_register`, up
to :data:`PDF_MAX_ROWS` rows since WeasyPrint lays out the whole document in memory (requests go
through :func:`caicach.dossiers.reports.register_jobs.register_pdf_or_export`, which hands
long ones to a background job); :func:`register_xlsx` writes any number of rows with openpyxl's
write-only mode from a server-side cursor (``.iterator()``, only the needed columns), so memory
stays bounded. Personal data (Decree 13/2023/NĐ-CP): the register is for officers with
``dossiers.view`` over the agency; the applicant is given by name only (no address, phone,
e-mail or full citizen ID), as on the printed forms, and each download is audited.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from caicach.agencies.models import Agency
from caicach.calendars.rules import VN_TZ
from caicach.core import audit, xlsx
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.dossiers import documents
from caicach.dossiers.models import Dossier, DossierComponent
from caicach.dossiers.reports.periods import Period
from caicach.dossiers.services import visible_dossiers
from caicach.dossiers.workflow import DossierState

__all__ = [
    "PDF_MAX_ROWS",
    "REGISTER_COLUMNS",
    "XLSX_TYPE",
    "TooManyRowsError",
    "check_pdf_rows",
    "record_register_export",
    "register_filename",
    "register_pdf",
    "register_queryset",
    "register_xlsx",
]

#: The most rows of a register PDF at all, rendered by the job (~2 minutes and ~3 GB for
#: 10,000: a department's quarter); beyond, a shorter period or the XLSX file, which writes any
#: number of rows in constant memory.
PDF_MAX_ROWS = 10_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TooManyRowsError(BilingualError):
    status = 400
    code = "too_many_rows"


#: The columns the register reads (and bench/bench_register.py with it).
REGISTER_COLUMNS = (
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
        .only(*REGISTER_COLUMNS)
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


def check_pdf_rows(count: int) -> None:
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
    check_pdf_rows(rows.count())
    components = Prefetch("components", DossierComponent.objects.only("id", "dossier_id"))
    dossiers = rows.prefetch_related(components).iterator(chunk_size=500)
    return documents.render_register(agency, period.start, period.end, dossiers)


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
    # The title, the period, a blank line, then the column headings: rows 1-4 stay in view.
    sheet.freeze_panes = "A5"
    widths = (5, 26, 48, 8, 28, 32, 17, 17, 17, 17, 18, 12)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    bold = Font(bold=True)

    def heading(text: str) -> WriteOnlyCell:
        cell = xlsx.text_cell(sheet, text)
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
        sheet.append(xlsx.safe_row(sheet, cells))
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (caller closes)
    workbook.save(out)
    out.seek(0)
    return out
