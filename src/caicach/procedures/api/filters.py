"""Query filters of the procedure list: ``q`` (no diacritics needed), field, levels."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from caicach.procedures import services
from caicach.procedures.models import AuthorityLevel, OnlineLevel, Procedure


class ProcedureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        max_length=200,
        help_text="Words of the code, name or field, with or without diacritics.",
    )
    field = django_filters.CharFilter(field_name="field__code", help_text="Field code.")
    online_level = django_filters.ChoiceFilter(
        choices=OnlineLevel.choices,
        method="current_level",
        help_text="Online level of the version in force today.",
    )
    authority_level = django_filters.ChoiceFilter(
        choices=AuthorityLevel.choices,
        method="current_level",
        help_text="Authority level of the version in force today.",
    )

    class Meta:
        model = Procedure
        fields: list[str] = []

    def search(self, queryset: QuerySet[Procedure], name: str, value: str) -> QuerySet[Procedure]:
        return services.search_procedures(queryset, value)

    def current_level(
        self, queryset: QuerySet[Procedure], name: str, value: Any
    ) -> QuerySet[Procedure]:
        return services.filter_catalogue(queryset, **{name: value})
