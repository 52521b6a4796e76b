from django.contrib import admin

from caicach.payments.models import Payment


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["dossier", "kind", "amount", "channel", "portal_code", "paid_at", "agency"]
    list_filter = ["kind", "channel"]
    search_fields = ["dossier__code", "receipt_number", "reference"]
    list_select_related = ["dossier", "agency"]
    readonly_fields = [f.name for f in Payment._meta.fields]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
