"""Payment API shapes."""

from __future__ import annotations

from rest_framework import serializers

from caicach.payments.models import Payment, PaymentChannel


class PaymentSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.code", read_only=True)
    refund_of = serializers.IntegerField(source="refund_of_id", read_only=True, allow_null=True)
    recorded_by = serializers.CharField(
        source="recorded_by.username", read_only=True, allow_null=True, default=None
    )
    online = serializers.BooleanField(read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "kind",
            "amount",
            "channel",
            "online",
            "portal_code",
            "paid_at",
            "receipt_number",
            "reference",
            "refund_of",
            "agency",
            "recorded_by",
            "note",
        ]
        extra_kwargs = {
            "portal_code": {"help_text": "The national portal's `DuocThanhToanTrucTuyen`."}
        }


class PaymentStatementSerializer(serializers.Serializer):
    owed = serializers.IntegerField(help_text="Fees of the dossier's procedure version (VND).")
    paid = serializers.IntegerField(help_text="Payments minus refunds (VND).")
    balance = serializers.IntegerField(help_text="Still owed (VND); negative: overpaid.")
    paid_online = serializers.BooleanField(
        help_text="Decision 766, 3.5: net online amount > 0 (refunds deducted)."
    )
    payments = PaymentSerializer(many=True)


class PaymentCreateSerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="VND, > 0, at most the balance still owed.")
    channel = serializers.ChoiceField(choices=PaymentChannel.choices)
    paid_at = serializers.DateTimeField(required=False, help_text="Default: now.")
    reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Transaction id; required for bank_transfer, gateway, national_platform.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class RefundCreateSerializer(serializers.Serializer):
    amount = serializers.IntegerField(help_text="VND, > 0, at most what is left of the payment.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
