"""The payment API under ``/api/v1/dossiers/{code}/payments/``: thin views over
:mod:`caicach.payments.services`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from caicach.accounts.access import require_anywhere
from caicach.accounts.api.permissions import IsOfficer
from caicach.core.audit import Actor
from caicach.core.input_guard import JSONParser
from caicach.dossiers.api.serializers import DossierErrorSerializer
from caicach.payments import services
from caicach.payments.api.serializers import (
    PaymentCreateSerializer,
    PaymentSerializer,
    PaymentStatementSerializer,
    RefundCreateSerializer,
)
from caicach.payments.models import Payment

_CODE = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description="Dossier code, e.g. 000.00.01.H97-250425-0001."
)
_PAYMENT = OpenApiParameter("payment_id", int, OpenApiParameter.PATH, description="Payment id.")


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(DossierErrorSerializer, description=description)


def _bilingual(response: Response, exc: Exception) -> Response:
    if isinstance(exc, services.PaymentError) and isinstance(response.data, dict):
        response.data["errors_vi"] = exc.errors_vi
    return response


def _statement(request: Request, code: str) -> dict[str, object]:
    _, statement = services.payments_of(request.user, code)
    return PaymentStatementSerializer(statement).data


class PaymentListCreate(generics.GenericAPIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"
    parser_classes = [JSONParser]
    serializer_class = PaymentCreateSerializer
    queryset = Payment.objects.none()

    def handle_exception(self, exc: Exception) -> Response:
        return _bilingual(super().handle_exception(exc), exc)

    @extend_schema(
        operation_id="dossiers_payments_list",
        summary="Fees owed and payments of a dossier",
        description="The fees of the dossier's procedure version, payments and refunds, the "
        "balance and whether it counts as paid online (Decision 766, 3.5). 404 outside the "
        "caller's scope.",
        parameters=[_CODE],
        responses={200: PaymentStatementSerializer, 404: _error("Unknown or out of scope.")},
    )
    def get(self, request: Request, code: str) -> Response:
        require_anywhere(request.user, "dossiers.view")
        return Response(_statement(request, code))

    @extend_schema(
        operation_id="dossiers_payments_create",
        summary="Record a payment",
        description="Cash at the counter (a receiving officer of the receiving agency), a bank "
        "transfer, or an online payment through a gateway or the national platform (with its "
        "`reference`). Numbers the receipt per agency and year. The amount may not exceed the "
        "balance still owed.",
        parameters=[_CODE],
        request=PaymentCreateSerializer,
        responses={
            201: PaymentSerializer,
            400: _error("Invalid amount, channel, time or missing reference."),
            403: _error("The caller may not record money for the collecting agency."),
            404: _error("Unknown or out of scope."),
            409: _error("The reference is already recorded for this dossier."),
        },
        examples=[
            OpenApiExample(
                "Online payment",
                request_only=True,
                value={"amount": 50000, "channel": "national_platform", "reference": "DVCQG-1"},
            )
        ],
    )
    def post(self, request: Request, code: str) -> Response:
        require_anywhere(request.user, "dossiers.view")
        data = PaymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        payment = services.record_payment(
            Actor.from_request(request),
            code,
            services.PaymentInput(
                amount=v["amount"],
                channel=v["channel"],
                paid_at=v.get("paid_at"),
                reference=v.get("reference", ""),
                note=v.get("note", ""),
            ),
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class PaymentRefund(generics.GenericAPIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"
    parser_classes = [JSONParser]
    serializer_class = RefundCreateSerializer
    queryset = Payment.objects.none()

    def handle_exception(self, exc: Exception) -> Response:
        return _bilingual(super().handle_exception(exc), exc)

    @extend_schema(
        operation_id="dossiers_payments_refund",
        summary="Refund all or part of a payment",
        description="Never more than what is left of the payment. The refund keeps the "
        "payment's channel: a fully refunded online payment no longer counts as paid online.",
        parameters=[_CODE, _PAYMENT],
        request=RefundCreateSerializer,
        responses={
            201: PaymentSerializer,
            400: _error("Amount not positive, or more than is left to refund."),
            403: _error("The caller may not refund for the collecting agency."),
            404: _error("Unknown dossier or payment, or out of scope."),
        },
    )
    def post(self, request: Request, code: str, payment_id: int) -> Response:
        require_anywhere(request.user, "dossiers.view")
        data = RefundCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refund = services.refund_payment(
            Actor.from_request(request),
            code,
            payment_id,
            data.validated_data["amount"],
            note=data.validated_data.get("note", ""),
        )
        return Response(PaymentSerializer(refund).data, status=status.HTTP_201_CREATED)
