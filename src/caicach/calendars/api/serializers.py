"""Shapes of the calendar API (responses are built by the services; these document them)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caicach.calendars.models import WORKED_KINDS, CalendarVersion, DayKind


class SkippedDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    reason = serializers.ChoiceField(
        choices=["weekend", "tet", "holiday", "in_lieu", "swapped_off", "agency_off"]
    )
    label = serializers.CharField(help_text="Why the day is not counted, in Vietnamese.")
    label_en = serializers.CharField()


class WorkedDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=sorted(k.value for k in WORKED_KINDS))
    label = serializers.CharField()
    label_en = serializers.CharField()


class DueSerializer(serializers.Serializer):
    due = serializers.DateTimeField(help_text="Due instant, ISO 8601 with +07:00.")
    skipped = SkippedDaySerializer(many=True)
    calendar_version = serializers.CharField(
        help_text="Label of the calendar version used; store it with the due date."
    )
    explanation_vi = serializers.ListField(child=serializers.CharField())
    explanation_en = serializers.ListField(child=serializers.CharField())
    received = serializers.DateTimeField()
    effective_received_on = serializers.DateField(
        help_text="The day the receipt counts on (after the cut-off or on a day off: the next working day)."
    )
    counting_starts_at = serializers.DateTimeField()
    value = serializers.CharField(help_text="The time allowed, as given.")
    unit = serializers.ChoiceField(choices=["working_days", "working_hours", "calendar_days"])
    cutoff = serializers.CharField(allow_null=True)
    cutoff_applied = serializers.BooleanField()
    received_on_non_working_day = serializers.BooleanField()
    end_of_day = serializers.CharField()
    provisional = serializers.BooleanField(
        help_text="True beyond the official years: only weekends were skipped."
    )
    worked_weekend_days = WorkedDaySerializer(many=True)


class YearDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    weekday = serializers.CharField()
    kind = serializers.CharField(help_text="A day kind, or 'weekend' for a plain weekly rest day.")
    label = serializers.CharField()
    label_en = serializers.CharField()
    note = serializers.CharField()


class EntrySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=DayKind.choices)
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    note = serializers.CharField()
    is_working = serializers.BooleanField()


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    calendar_version = serializers.CharField()
    provisional = serializers.BooleanField()
    working_days = serializers.IntegerField()
    office_hours = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(), min_length=2, max_length=2)
    )
    days = EntrySerializer(many=True, help_text="Every dated entry of the year.")
    days_off = YearDaySerializer(many=True, help_text="Non-working weekdays.")
    worked_weekend_days = YearDaySerializer(many=True)
    weekend_holidays = YearDaySerializer(many=True)


class VersionSerializer(serializers.ModelSerializer):
    scope = serializers.SerializerMethodField(help_text="Agency code, or null for official.")
    parent = serializers.SlugRelatedField(slug_field="label", read_only=True)
    impact_count = serializers.SerializerMethodField()

    class Meta:
        model = CalendarVersion
        fields = [
            "number",
            "label",
            "scope",
            "parent",
            "is_current",
            "created_at",
            "created_by_label",
            "note",
            "office_hours",
            "first_year",
            "last_year",
            "impact_count",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_scope(self, obj: CalendarVersion) -> str | None:
        return obj.scope_agency.code if obj.scope_agency else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_impact_count(self, obj: CalendarVersion) -> Any:
        impact = getattr(obj, "impact", None)  # the reverse one-to-one may be missing
        return impact.count if impact is not None else None


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    detail_vi = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    errors_vi = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
