from __future__ import annotations

from datetime import date
from typing import Any

import django_filters

from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.core.text import folded_contains


class AgencyFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=AgencyLevel.choices, help_text="Level.")
    kind = django_filters.ChoiceFilter(choices=AgencyKind.choices, help_text="Kind.")
    valid_on = django_filters.DateFilter(
        method="filter_valid_on", help_text="Only agencies in force on this day (YYYY-MM-DD)."
    )
    parent = django_filters.CharFilter(
        field_name="parent__code", help_text="Children of the agency with this code."
    )
    q = django_filters.CharFilter(
        method="filter_q", help_text="Words in the name or code, diacritics ignored."
    )

    class Meta:
        model = Agency
        fields = ["level", "kind", "valid_on", "parent", "q"]

    def filter_valid_on(self, queryset: Any, name: str, value: date) -> Any:
        return queryset.valid_on(value)

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(folded_contains(value, "name", "short_name", "code"))
