"""Report endpoints: the dossier register of a period (PDF, XLSX) and apologies and lateness per
agency (JSON). Thin: :mod:`caicach.dossiers.reports` does the work and the scoping."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from caicach.accounts.access import require_anywhere
from caicach.accounts.api.permissions import IsOfficer
from caicach.dossiers import reports
from caicach.dossiers.api.documents import BytesRenderer, PDFRenderer, error_response
from caicach.dossiers.models import Dossier, RegisterExport, RegisterExportStatus
from caicach.dossiers.reports import GroupBy
from caicach.dossiers.responses import export_file_response, register_download


class XLSXRenderer(BytesRenderer):
    media_type = reports.XLSX_TYPE
    format = "xlsx"


_PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        OpenApiParameter.QUERY,
        description="First day of the period (YYYY-MM-DD or DD/MM/YYYY); default: the first "
        "day of this month.",
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.DATE,
        OpenApiParameter.QUERY,
        description="Last day of the period, included; default: the last day of this month. "
        f"At most {reports.MAX_PERIOD_DAYS} days from `from`.",
    ),
]


class _BinaryReport(generics.GenericAPIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"
    queryset = Dossier.objects.none()

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON (detail, detail_vi, code) whatever the client accepted.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def _inputs(self, request: Request, agency_code: str) -> tuple[Any, reports.Period]:
        require_anywhere(request.user, "dossiers.view")
        agency = reports.resolve_agency(request.user, agency_code, "dossiers.view")
        period = reports.parse_period(
            request.query_params.get("from"),
            request.query_params.get("to"),
            timezone.localdate(),
        )
        return agency, period


_REGISTER_DESCRIPTION = (
    "The dossier register (sổ theo dõi hồ sơ, TT 01/2018/TT-VPCP form 06, TT 03/2025/TT-VPCP "
    "form 07) of an agency's one-stop desk: the dossiers it received in the period, in the "
    "order of their numbers, limited to what the caller may view (`dossiers.view`). The "
    "applicant is given by name only (Decree 13/2023); each download is written to the audit "
    "trail. 404 when the agency is unknown or outside the caller's scope; 400 for a bad period "
    "(unreadable, `from` after `to`, longer than "
    f"{reports.MAX_PERIOD_DAYS} days)."
)


_REGISTER_PARAMETERS = [
    OpenApiParameter(
        "agency_code",
        str,
        OpenApiParameter.PATH,
        description="Receiving agency code, e.g. 000.00.01.H97.",
    ),
    *_PERIOD_PARAMETERS,
]


class ReportAgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RegisterExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = ReportAgencyRefSerializer()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    status = serializers.ChoiceField(
        choices=RegisterExportStatus.values,
        help_text="`pending` (queued), `running`, `done` (the file is ready) or `failed`.",
    )
    rows = serializers.IntegerField(help_text="Dossiers in the register when it was asked for.")
    error = serializers.CharField(help_text="Why it failed (Vietnamese), else empty.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    file = serializers.CharField(
        allow_null=True, help_text="Where to download the PDF once `done`, else null."
    )


def _export_data(request: Any, export: RegisterExport) -> dict[str, Any]:
    done = export.status == RegisterExportStatus.DONE
    return RegisterExportSerializer(
        {
            "id": export.pk,
            "agency": {"code": export.agency.code, "name": export.agency.name},
            "date_from": export.date_from,
            "date_to": export.date_to,
            "status": export.status,
            "rows": export.rows,
            "error": export.error,
            "created_at": export.created_at,
            "finished_at": export.finished_at,
            "file": request.build_absolute_uri(
                reverse("api-register-export-file", args=[export.pk])
            )
            if done
            else None,
        }
    ).data


class RegisterPDF(_BinaryReport):
    renderer_classes = [PDFRenderer]

    @extend_schema(
        operation_id="registers_pdf",
        summary="The dossier register of a period (PDF)",
        description=_REGISTER_DESCRIPTION
        + f" A4 landscape. Up to {reports.PDF_SYNC_MAX_ROWS} dossiers the PDF is the answer "
        "(200); a longer register is rendered by a background job: 202 with the job's "
        "`Location` (`GET /api/v1/register-exports/{id}/`) to poll until `status` is `done`, "
        "then download its `file`. Asking again while it is being made returns the same job. "
        f"At most {reports.PDF_MAX_ROWS} dossiers (400 `too_many_rows` beyond: use the XLSX).",
        parameters=_REGISTER_PARAMETERS,
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (202, "application/json"): RegisterExportSerializer,
            (400, "application/json"): error_response(
                "Bad period, or too many dossiers for a PDF."
            ),
            (404, "application/json"): error_response(
                "Unknown agency, or outside the caller's scope."
            ),
        },
    )
    def get(self, request: Request, agency_code: str) -> HttpResponse:
        agency, period = self._inputs(request, agency_code)
        result = register_download(request, agency, period, "pdf")
        if isinstance(result, RegisterExport):
            response = JsonResponse(_export_data(request, result), status=202)
            response["Location"] = request.build_absolute_uri(
                reverse("api-register-export", args=[result.pk])
            )
            response["Cache-Control"] = "private, no-store"
            return response
        return result


class RegisterExportDetail(_BinaryReport):
    renderer_classes = [JSONRenderer]
    serializer_class = RegisterExportSerializer

    @extend_schema(
        operation_id="register_exports_retrieve",
        summary="A register PDF being made by a background job",
        description="The status of a long register PDF asked for with "
        "`GET /api/v1/registers/{agency_code}.pdf` (202). Only the officer who asked sees it, "
        "while the agency is in their `dossiers.view` scope (404 otherwise).",
        responses={
            200: RegisterExportSerializer,
            404: error_response("No such file among the caller's."),
        },
    )
    def get(self, request: Request, pk: str) -> Response:
        require_anywhere(request.user, "dossiers.view")
        export = reports.register_export(request.user, pk)
        response = Response(_export_data(request, export))
        response["Cache-Control"] = "private, no-store"
        return response


class RegisterExportFile(_BinaryReport):
    renderer_classes = [PDFRenderer]

    @extend_schema(
        operation_id="register_exports_file",
        summary="Download a register PDF made by a background job",
        description="The PDF once the job's `status` is `done` (409 `register_export_not_ready` "
        "before, 410 `register_export_expired` once deleted after the retention period); its "
        "owner only (404 otherwise). Each download is written to the audit trail "
        "(Decree 13/2023).",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (404, "application/json"): error_response("No such file among the caller's."),
            (409, "application/json"): error_response("The file is not ready yet."),
            (410, "application/json"): error_response(
                "The file was deleted at the end of its retention period "
                "(REGISTER_EXPORT_RETENTION_DAYS)."
            ),
        },
    )
    def get(self, request: Request, pk: str) -> FileResponse:
        require_anywhere(request.user, "dossiers.view")
        return export_file_response(request, reports.register_export(request.user, pk))


class RegisterXLSX(_BinaryReport):
    renderer_classes = [XLSXRenderer]

    @extend_schema(
        operation_id="registers_xlsx",
        summary="The dossier register of a period (XLSX)",
        description=_REGISTER_DESCRIPTION
        + " One sheet, the same columns as the PDF, dates as Excel dates (Vietnam time); "
        "written in write-only mode from a server-side cursor, so any number of rows.",
        parameters=_REGISTER_PARAMETERS,
        responses={
            (200, reports.XLSX_TYPE): OpenApiTypes.BINARY,
            (400, "application/json"): error_response("Bad period."),
            (404, "application/json"): error_response(
                "Unknown agency, or outside the caller's scope."
            ),
        },
    )
    def get(self, request: Request, agency_code: str) -> FileResponse:
        agency, period = self._inputs(request, agency_code)
        return register_download(request, agency, period, "xlsx")


# -- apologies and lateness ----------------------------------------------------------------------


class ApologyRowSerializer(serializers.Serializer):
    agency = ReportAgencyRefSerializer()
    finished = serializers.IntegerField(help_text="Dossiers finished in the period.")
    late = serializers.IntegerField(
        help_text="Of those, finished after the due instant (TT 01/2018 art. 13)."
    )
    apologies = serializers.IntegerField(help_text="Apologies (form 04) sent in the period.")
    late_apologies = serializers.IntegerField(
        help_text="Apologies sent less than one working day before the due date they moved "
        "(NĐ 61/2018 art. 19 forbids them: should be 0)."
    )
    overdue_unapologised = serializers.IntegerField(
        help_text="Open dossiers overdue now without an apology."
    )


class ApologyReportSerializer(serializers.Serializer):
    agency = ReportAgencyRefSerializer(help_text="The top of the subtree reported on.")
    by = serializers.ChoiceField(choices=[g.value for g in GroupBy])
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    computed_at = serializers.DateTimeField(help_text="“Now” for the overdue figure.")
    rows = ApologyRowSerializer(many=True)
    totals = serializers.DictField(child=serializers.IntegerField())


class ApologyReportView(generics.GenericAPIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"
    serializer_class = ApologyReportSerializer
    queryset = Dossier.objects.none()
    pagination_class = None

    @extend_schema(
        operation_id="reports_apologies",
        summary="Apologies and lateness per agency",
        description="For a period and an agency subtree in the caller's `reports.view` "
        "scope (leaders, reform office, inspectors, administrators): one row per agency with "
        "figures, in tree order, bounded by the size of the subtree (not paginated). `by` "
        "chooses the agency a dossier counts for: `deciding` (the competent authority) or "
        "`holding` (the unit holding the dossier now, or when it finished; an apology counts "
        "for the unit that sent it). 404 when the agency is unknown or out of scope; 400 for a "
        "bad period or `by`.",
        parameters=[
            OpenApiParameter(
                "agency",
                str,
                OpenApiParameter.QUERY,
                description="Top of the subtree (agency code); default: the caller's own.",
            ),
            *_PERIOD_PARAMETERS,
            OpenApiParameter(
                "by",
                str,
                OpenApiParameter.QUERY,
                enum=[g.value for g in GroupBy],
                description="Count by the deciding agency (default) or the holding unit.",
            ),
        ],
        responses={
            200: ApologyReportSerializer,
            400: error_response("Bad period or grouping."),
            403: error_response("The caller's roles do not include the figures (`reports.view`)."),
            404: error_response("Unknown agency, or outside the caller's scope."),
        },
    )
    def get(self, request: Request) -> Response:
        require_anywhere(request.user, "reports.view")
        by_text = request.query_params.get("by") or GroupBy.DECIDING.value
        if by_text not in {g.value for g in GroupBy}:
            raise reports.PeriodError(
                "Cách tính “by” phải là “deciding” hoặc “holding”.",
                "“by” must be “deciding” or “holding”.",
                code="invalid_group",
            )
        root = reports.resolve_agency(
            request.user, request.query_params.get("agency"), "reports.view"
        )
        period = reports.parse_period(
            request.query_params.get("from"), request.query_params.get("to"), timezone.localdate()
        )
        report = reports.apology_stats(request.user, root, period, GroupBy(by_text))
        data = {
            "agency": {"code": root.code, "name": root.name},
            "by": report.by.value,
            "date_from": period.start,
            "date_to": period.end,
            "computed_at": report.now,
            "rows": [row.as_dict() for row in report.rows],
            "totals": report.totals,
        }
        return Response(ApologyReportSerializer(data).data)
