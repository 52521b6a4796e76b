"""Read-only representations of the catalogue for the API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caicach.accounts.models import Role
from caicach.procedures.models import (
    AuthorityLevel,
    Component,
    CopyKind,
    Fee,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    TimeUnit,
    WorkflowStep,
)


class CatalogueFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["code", "name"]


class ProcedureAgencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProcedureTimeSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=7, decimal_places=3, normalize_output=True)
    unit = serializers.CharField(help_text="`working_days`, `working_hours` or `calendar_days`.")


class ProcedureFeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fee
        fields = ["name", "kind", "amount", "note"]


class DossierComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Component
        fields = ["name", "copy_kind", "quantity", "required", "reusable"]


class WorkflowStepSerializer(serializers.ModelSerializer):
    budget = serializers.DecimalField(max_digits=7, decimal_places=3, normalize_output=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    # Plain strings: an enum here would give the agency kinds a second schema name.
    unit_kind = serializers.CharField(help_text="Agency kind doing the step, e.g. `commune`.")

    class Meta:
        model = WorkflowStep
        fields = ["order", "name", "role", "unit_kind", "agency", "budget"]


class ProcedureVersionSummarySerializer(serializers.ModelSerializer):
    statutory_time = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureVersion
        fields = [
            "number",
            "effective_from",
            "effective_to",
            "name",
            "online_level",
            "full_online_eligible",
            "national_portal_integrated",
            "payable_online",
            "served_at_centre",
            "statutory_time",
        ]

    @extend_schema_field(ProcedureTimeSerializer)
    def get_statutory_time(self, version: ProcedureVersion) -> dict[str, Any]:
        return ProcedureTimeSerializer(
            {"value": version.statutory_value, "unit": version.statutory_unit}
        ).data


class ProcedureVersionSerializer(ProcedureVersionSummarySerializer):
    """A version with everything a dossier is received under."""

    field = CatalogueFieldSerializer()
    promised_time = serializers.SerializerMethodField()
    cutoff = serializers.TimeField(format="%H:%M")
    result = serializers.SerializerMethodField()
    fees = ProcedureFeeSerializer(many=True)
    components = DossierComponentSerializer(many=True)
    workflow = WorkflowStepSerializer(many=True, source="steps")
    fee_bearing = serializers.BooleanField(
        read_only=True, help_text="At least one fee with a positive amount (derived)."
    )

    class Meta(ProcedureVersionSummarySerializer.Meta):
        fields = [
            *ProcedureVersionSummarySerializer.Meta.fields,
            "fee_bearing",
            "field",
            "authority_level",
            "partial_reason",
            "promised_time",
            "cutoff",
            "result",
            "legal_basis",
            "fees",
            "components",
            "workflow",
        ]

    @extend_schema_field(ProcedureTimeSerializer)
    def get_promised_time(self, version: ProcedureVersion) -> dict[str, Any]:
        return ProcedureTimeSerializer(
            {"value": version.promised_value, "unit": version.statutory_unit}
        ).data

    @extend_schema_field(
        serializers.DictField(help_text='{"name": str, "paper": bool, "electronic": bool}')
    )
    def get_result(self, version: ProcedureVersion) -> dict[str, Any]:
        return {
            "name": version.result_name,
            "paper": version.result_paper,
            "electronic": version.result_electronic,
        }


class ProcedureListSerializer(serializers.ModelSerializer):
    field = CatalogueFieldSerializer()
    current_version = serializers.SerializerMethodField()

    class Meta:
        model = Procedure
        fields = ["code", "name", "field", "current_version"]

    @extend_schema_field(ProcedureVersionSummarySerializer(allow_null=True))
    def get_current_version(self, procedure: Procedure) -> dict[str, Any] | None:
        version = procedure.current_version
        return ProcedureVersionSummarySerializer(version).data if version else None


class ProcedureDetailSerializer(serializers.ModelSerializer):
    field = CatalogueFieldSerializer()
    owner_agency = ProcedureAgencySerializer()
    handling_agencies = ProcedureAgencySerializer(many=True)
    current_version = serializers.SerializerMethodField()
    versions = ProcedureVersionSummarySerializer(many=True, source="all_versions")

    class Meta:
        model = Procedure
        fields = [
            "code",
            "name",
            "field",
            "owner_agency",
            "handling_agency_kinds",
            "handling_agencies",
            "current_version",
            "versions",
        ]

    @extend_schema_field(ProcedureVersionSerializer(allow_null=True))
    def get_current_version(self, procedure: Procedure) -> dict[str, Any] | None:
        version = self.context.get("current_version")
        return ProcedureVersionSerializer(version).data if version else None


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    new_versions = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    updated = serializers.IntegerField()


class ImportErrorItemSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    message_vi = serializers.CharField()
    message_en = serializers.CharField()


class ImportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    detail_vi = serializers.CharField()
    code = serializers.CharField()
    errors = ImportErrorItemSerializer(many=True)


# -- the exchange format, for the import's schema (the service reads and checks the rows) ----


class CatalogueCodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(required=False)


class CatalogueTimeSerializer(serializers.Serializer):
    value = serializers.CharField(help_text='A number, or a string such as "4.5".')
    unit = serializers.ChoiceField(choices=TimeUnit.choices)


class CatalogueFeeSerializer(serializers.Serializer):
    name = serializers.CharField()
    amount = serializers.IntegerField(min_value=0, help_text="In đồng.")
    # Not an enum: a second component with this "kind" would clash in the schema's names.
    kind = serializers.CharField(required=False, help_text="`fee` (default) or `charge`.")
    note = serializers.CharField(required=False, allow_blank=True)


class CatalogueComponentSerializer(serializers.Serializer):
    name = serializers.CharField()
    copy_kind = serializers.ChoiceField(choices=CopyKind.choices, required=False)
    quantity = serializers.IntegerField(min_value=1, required=False)
    required = serializers.BooleanField(required=False)
    reusable = serializers.BooleanField(
        required=False, help_text="May be taken from digitised data instead of supplied again."
    )


class CatalogueResultSerializer(serializers.Serializer):
    name = serializers.CharField()
    paper = serializers.BooleanField(required=False)
    electronic = serializers.BooleanField(required=False)


class CatalogueStepSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1)
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    unit_kind = serializers.CharField(required=False, help_text="An agency kind, e.g. `commune`.")
    budget = serializers.CharField(
        help_text="In the statutory time's unit; the budgets add up "
        "to no more than the statutory time."
    )
    agency = serializers.CharField(required=False, help_text="Agency code.")


class CatalogueRowSerializer(serializers.Serializer):
    """One procedure version in the exchange format (export and import)."""

    code = serializers.CharField(help_text="National code, e.g. 1.004227.")
    name = serializers.CharField()
    field = CatalogueCodeNameSerializer()
    authority_level = serializers.ChoiceField(choices=AuthorityLevel.choices)
    handling_agency_kinds = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Agency kinds: every agency of the kind valid today handles the procedure.",
    )
    handling_agencies = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Agency codes."
    )
    owner_agency = serializers.CharField(
        required=False, help_text="Agency code; default: the provincial People's Committee."
    )
    online_level = serializers.ChoiceField(choices=OnlineLevel.choices)
    partial_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Required when `online_level` is partial."
    )
    statutory_time = CatalogueTimeSerializer()
    promised_time = CatalogueTimeSerializer(
        required=False, help_text="Same unit; default: the statutory time."
    )
    cutoff = serializers.CharField(required=False, help_text='"HH:MM", default "15:00".')
    fees = CatalogueFeeSerializer(many=True, required=False)
    components = CatalogueComponentSerializer(many=True, required=False)
    result = CatalogueResultSerializer()
    workflow = CatalogueStepSerializer(many=True)
    legal_basis = serializers.CharField(required=False, allow_blank=True)
    full_online_eligible = serializers.BooleanField(required=False, default=False)
    national_portal_integrated = serializers.BooleanField(required=False, default=False)
    payable_online = serializers.BooleanField(required=False, default=False)
    served_at_centre = serializers.BooleanField(required=False, default=True)
    effective_from = serializers.DateField(required=False, help_text="Default: today.")


class CatalogueDocumentSerializer(serializers.Serializer):
    procedures = CatalogueRowSerializer(many=True)
    previous_versions = CatalogueRowSerializer(
        many=True, required=False, help_text="Earlier versions, imported first."
    )
