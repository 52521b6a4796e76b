from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from caicach.payments.models import Payment


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Read-only: payments are recorded by the services, corrected by a refund."""

    list_display = ["dossier", "kind", "amount", "channel", "portal_code", "paid_at", "agency"]
    list_filter = ["kind", "channel"]
    search_fields = ["dossier__code", "receipt_number", "reference"]
    list_select_related = ["dossier", "agency"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
