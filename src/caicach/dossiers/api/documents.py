"""The printable forms of a dossier as PDF (:mod:`caicach.dossiers.documents`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from caicach.accounts.access import require_anywhere
from caicach.accounts.api.permissions import IsOfficer
from caicach.dossiers import access_log, documents, services
from caicach.dossiers.api.serializers import DossierErrorSerializer
from caicach.dossiers.models import Dossier
from caicach.dossiers.responses import component_response


class BytesRenderer(BaseRenderer):
    """Lets clients ask for a file's media type; the view returns the bytes itself."""

    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        return data if isinstance(data, bytes) else b""


class PDFRenderer(BytesRenderer):
    media_type = "application/pdf"
    format = "pdf"


def error_response(description: str) -> OpenApiResponse:
    return OpenApiResponse(DossierErrorSerializer, description=description)


class JPEGRenderer(BytesRenderer):
    media_type = "image/jpeg"
    format = "jpg"


class PNGRenderer(BytesRenderer):
    media_type = "image/png"
    format = "png"


class _FileView(generics.GenericAPIView):
    """A view answering a file; its errors are JSON (detail, detail_vi, code) whatever the
    client accepted."""

    permission_classes = [IsOfficer]
    token_scope = "dossiers"
    queryset = Dossier.objects.none()

    def handle_exception(self, exc: Exception) -> Response:
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class DossierFormPDF(_FileView):
    renderer_classes = [PDFRenderer]

    @extend_schema(
        operation_id="dossiers_form_pdf",
        summary="A printable form of a dossier (PDF)",
        description="The one-stop forms of TT 01/2018/TT-VPCP and TT 03/2025/TT-VPCP, A5: "
        "`receipt` (01, giấy tiếp nhận hồ sơ và hẹn trả kết quả), `supplement` (02), "
        "`refusal` (03), `apology` (04), `stop` (thông báo dừng giải quyết hồ sơ) and "
        "`control_sheet` (phiếu kiểm soát quá trình giải quyết hồ sơ). Each carries a QR code "
        "of the public look-up address. The applicant is printed by name, with only the last "
        "four digits of the citizen ID. 404 when the dossier is unknown or out of scope, or the "
        "form unknown; 409 when the dossier's history does not support the form (e.g. a "
        "refusal for a dossier that was not refused).",
        parameters=[
            OpenApiParameter(
                "code",
                str,
                OpenApiParameter.PATH,
                description="Dossier code, e.g. 000.00.01.H97-250425-0001.",
            ),
            OpenApiParameter(
                "form",
                str,
                OpenApiParameter.PATH,
                enum=list(documents.FORMS),
                description="Which form.",
            ),
        ],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (404, "application/json"): error_response("Unknown dossier or form, or out of scope."),
            (409, "application/json"): error_response(
                "The dossier's history does not support the form."
            ),
        },
    )
    def get(self, request: Request, code: str, form: str) -> HttpResponse:
        require_anywhere(request.user, "dossiers.view")
        text = services.clean_key(code, upper=True)
        dossier = (
            services.visible_dossiers(request.user)
            .select_related(
                "procedure",
                "procedure_version",
                "receiving_agency__parent",
                "deciding_agency__parent",
                "applicant",
            )
            .filter(code=text)
            .first()
            if text
            else None
        )
        if dossier is None:
            raise services.DossierNotFoundError(code)
        if form not in documents.FORMS:
            raise documents.UnknownFormError(form)
        pdf = documents.render_form(dossier, form, base_url=documents.public_base(request))
        access_log.form_printed(request, dossier, form)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{dossier.code}-{form}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


class DossierComponentFile(_FileView):
    renderer_classes = [PDFRenderer, JPEGRenderer, PNGRenderer]

    @extend_schema(
        operation_id="dossiers_component_file",
        summary="A document received with a dossier (its stored file)",
        description="The scan or upload of one received document (`components[].id` of the "
        "dossier, where `has_file` is true): PDF, JPEG or PNG as checked by content at intake, "
        "inline, not cached. Officers whose scope covers the dossier only (Decree 13/2023). "
        "404 when the dossier is unknown or out of scope, or the document has no stored file "
        "(a reference to the digitised store).",
        parameters=[
            OpenApiParameter("code", str, OpenApiParameter.PATH, description="Dossier code."),
            OpenApiParameter(
                "component", str, OpenApiParameter.PATH, description="`components[].id`."
            ),
        ],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (404, "application/json"): error_response(
                "Unknown dossier, out of scope, or no stored file for that document."
            ),
        },
    )
    def get(self, request: Request, code: str, component: str) -> HttpResponse:
        require_anywhere(request.user, "dossiers.view")
        found = services.component_file(request.user, code, component)
        response = component_response(found, services.clean_key(code, upper=True))
        access_log.scan_viewed(request, found)
        return response
