"""Django admin for staff: read-mostly, because versions are published through the services
(which check the rules, lock, number and audit). Fields may be renamed here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from caicach.procedures.models import (
    Component,
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    WorkflowStep,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FeeInline(ReadOnlyInline):
    model = Fee


class ComponentInline(ReadOnlyInline):
    model = Component


class StepInline(ReadOnlyInline):
    model = WorkflowStep


class VersionInline(ReadOnlyInline):
    model = ProcedureVersion
    fields = ["number", "effective_from", "effective_to", "name", "online_level"]
    show_change_link = True


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "field", "owner_agency", "is_active"]
    list_filter = ["field", "is_active"]
    search_fields = ["code", "name", "search_text"]
    list_select_related = ["field", "owner_agency"]
    inlines = [VersionInline]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(ReadOnlyAdmin):
    list_display = [
        "procedure",
        "number",
        "effective_from",
        "effective_to",
        "online_level",
        "full_online_eligible",
        "national_portal_integrated",
        "payable_online",
        "served_at_centre",
    ]
    list_filter = [
        "online_level",
        "authority_level",
        "statutory_unit",
        "full_online_eligible",
        "national_portal_integrated",
        "payable_online",
        "served_at_centre",
    ]
    search_fields = ["procedure__code", "name"]
    list_select_related = ["procedure"]
    inlines = [ComponentInline, FeeInline, StepInline]
