"""Shapes of the KPI API: the registry entries and the rows behind a number.

A dossier row shows the applicant as :mod:`caicach.dossiers.privacy` lets a reader of the
figures see it: the figures are read by officers who *view* the dossiers (leaders, the reform
office, inspectors), so the level is :attr:`~caicach.dossiers.privacy.Disclosure.MASKED`, and a
list shows the name only (as the dossier API's list and the register do).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caicach.dossiers import privacy
from caicach.dossiers.models import CHANNEL_CHOICES, STATE_CHOICES, TIMELINESS_CHOICES, Dossier
from caicach.metrics.registry import KPI

#: The level at which a reader of the figures sees an applicant (see the module docstring).
DISCLOSURE = privacy.Disclosure.MASKED


class KPIDefinitionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    numerator = serializers.CharField(help_text="The numerator's measure name.")
    numerator_vi = serializers.CharField(help_text="What the numerator counts, in Vietnamese.")
    denominator = serializers.CharField(help_text="The denominator's measure name.")
    denominator_vi = serializers.CharField(help_text="What the denominator counts, in Vietnamese.")
    unit = serializers.CharField(help_text="`%`, `working_days` or `per_dossier`.")
    factor = serializers.IntegerField(help_text="value = numerator / denominator × factor.")
    rule = serializers.CharField(help_text="The rule cited (regulations.md, plans).")
    version = serializers.IntegerField(help_text="The KPI's own definition version.")
    target = serializers.CharField(help_text="The plans' threshold, for reading only.")
    # Plain text (not an enum): one "source" enum component is the ratings app's.
    source = serializers.CharField(  # type: ignore[assignment]  # the key, not Field.source
        help_text="rollup: flows over the period's days; snapshot: the stock at the period's "
        "end; catalogue: the procedure versions in force on its last day.",
    )
    additive = serializers.BooleanField(
        help_text="Numerator and denominator are sums over agencies and days (a breakdown's "
        "rows then add up to the total)."
    )
    count_measures = serializers.BooleanField(
        help_text="Both measures count rows (dossiers or procedure versions): the list behind "
        "each has exactly that many entries."
    )


def definition(k: KPI) -> dict[str, Any]:
    from caicach.metrics import facts

    return {
        "code": k.code,
        "name_vi": k.name_vi,
        "name_en": k.name_en,
        "numerator": k.numerator,
        "numerator_vi": k.numerator_vi,
        "denominator": k.denominator,
        "denominator_vi": k.denominator_vi,
        "unit": k.unit,
        "factor": k.factor,
        "rule": k.rule,
        "version": k.version,
        "target": k.target,
        "source": k.source,
        "additive": k.additive,
        "count_measures": not ({k.numerator, k.denominator} & set(facts.VALUED)),
    }


class RegistrySerializer(serializers.Serializer):
    formula_version = serializers.CharField()
    kpis = KPIDefinitionSerializer(many=True)


class DossierBehindSerializer(serializers.ModelSerializer):
    """One dossier counted by the number (the applicant's name only, see the module)."""

    state = serializers.ChoiceField(choices=STATE_CHOICES, read_only=True)
    channel = serializers.ChoiceField(choices=CHANNEL_CHOICES, read_only=True)
    timeliness = serializers.ChoiceField(choices=TIMELINESS_CHOICES, read_only=True)
    procedure_code = serializers.CharField(source="procedure.code", read_only=True)
    procedure_name = serializers.CharField(source="procedure_version.name", read_only=True)
    receiving_agency = serializers.CharField(source="receiving_agency.code", read_only=True)
    deciding_agency = serializers.CharField(source="deciding_agency.code", read_only=True)
    applicant_name = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "code",
            "state",
            "channel",
            "procedure_code",
            "procedure_name",
            "receiving_agency",
            "deciding_agency",
            "applicant_name",
            "received_at",
            "due_at",
            "legal_due_at",
            "finished_at",
            "timeliness",
            "legal_timeliness",
            "timeliness_766",
            "processing_working_days",
            "supplement_requests",
            "url",
        ]

    def get_applicant_name(self, obj: Dossier) -> str:
        return privacy.applicant_view(obj.applicant, DISCLOSURE).full_name

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Dossier) -> str:
        path = reverse("api-dossier-detail", args=[obj.code])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class VersionBehindSerializer(serializers.Serializer):
    """One procedure version counted by a catalogue KPI (in force on the period's last day)."""

    procedure_code = serializers.CharField(source="procedure.code")
    name = serializers.CharField()
    number = serializers.IntegerField()
    online_level = serializers.CharField()
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True)
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Any) -> str:
        path = reverse("api-procedure-version", args=[obj.procedure.code, obj.number])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
