"""Read-only admin views of calendar versions: changes go through the audited services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from caicach.calendars.models import CalendarDay, CalendarImpact, CalendarVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    fields = ["date", "kind", "name_vi", "name_en", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(CalendarVersion)
class CalendarVersionAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "label",
        "scope_agency",
        "is_current",
        "created_at",
        "created_by_label",
        "note",
    ]
    list_filter = ["is_current"]
    list_select_related = ["scope_agency"]
    search_fields = ["label", "note", "scope_agency__code", "scope_agency__name"]
    inlines = [CalendarDayInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ["date", "kind", "name_vi", "version"]
    list_filter = ["kind"]
    list_select_related = ["version"]
    date_hierarchy = "date"


@admin.register(CalendarImpact)
class CalendarImpactAdmin(ReadOnlyAdmin):
    list_display = ["version", "computed_at", "count", "checked"]
    list_select_related = ["version"]
