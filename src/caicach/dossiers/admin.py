"""Read-only admin for superusers: dossiers change only through the services (history, clock
ledger and audit written together), never by editing rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from caicach.dossiers.models import ClockEntry, Dossier, DossierComponent, DossierEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ComponentInline(admin.TabularInline):
    model = DossierComponent
    extra = 0
    can_delete = False
    fields = ["name", "component", "file", "store_reference", "reused", "size", "sha256"]
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = DossierEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor_label", "ip_address", "action", "from_state", "to_state", "note"]
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdmin):
    list_display = ["code", "state", "procedure", "receiving_agency", "received_at", "due_at"]
    list_filter = ["state", "channel", "timeliness"]
    search_fields = ["code"]
    list_select_related = ["procedure", "receiving_agency"]
    raw_id_fields = ["applicant", "procedure", "procedure_version"]
    inlines = [ComponentInline, EventInline]


@admin.register(ClockEntry)
class ClockEntryAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "at", "kind", "step_order", "agency", "new_due", "reason"]
    list_filter = ["kind"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier", "agency"]


@admin.register(DossierEvent)
class DossierEventAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "at", "actor_label", "action", "from_state", "to_state"]
    list_filter = ["action"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]
