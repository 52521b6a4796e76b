"""Query filters of the dossier list: state, ``q`` (code, name without diacritics, CCCD,
phone), overdue."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from caicach.dossiers.models import CHANNEL_CHOICES, STATE_CHOICES, Dossier, overdue_q
from caicach.dossiers.search import search


class DossierFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(
        choices=STATE_CHOICES, help_text="One or more states (repeat the parameter)."
    )
    channel = django_filters.ChoiceFilter(choices=CHANNEL_CHOICES)
    procedure = django_filters.CharFilter(
        field_name="procedure__code", max_length=30, help_text="National procedure code."
    )
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=200,
        help_text="Words of the dossier code, the applicant's name (with or without "
        "diacritics), citizen ID, tax code or phone.",
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        help_text="true: open dossiers whose clock runs and whose promised date has passed; "
        "false: all the others.",
    )

    class Meta:
        model = Dossier
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Dossier], name: str, value: str) -> QuerySet[Dossier]:
        return search(queryset, value) if value.strip() else queryset

    def filter_overdue(
        self, queryset: QuerySet[Dossier], name: str, value: bool | None
    ) -> QuerySet[Dossier]:
        if value is None:
            return queryset
        late = overdue_q(timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)
