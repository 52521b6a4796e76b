from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from caicach.accounts.access import scope
from caicach.agencies.models import Agency
from caicach.core.api.fields import SlugRelatedField


@extend_schema_field(OpenApiTypes.STR)
class ScopedAgencyField(SlugRelatedField):
    """An agency given by its code, looked up only among those the caller may see, so an
    unknown and an out-of-scope code get the same answer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", **kwargs)

    def get_queryset(self) -> Any:
        request = self.context["request"]
        return scope(Agency.objects.all(), request.user, "agencies.view")


class AgencySerializer(serializers.ModelSerializer):
    parent = ScopedAgencyField(
        allow_null=True, required=False, help_text="Code of the parent agency."
    )
    successor = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        help_text="Code of the unit this one was merged into (set by a merger).",
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "kind_label",
            "level",
            "level_label",
            "parent",
            "successor",
            "depth",
            "valid_from",
            "valid_to",
            "address",
            "phone",
            "email",
        ]
        read_only_fields = ["depth"]
        # Uniqueness and code rules are the services' job (one message, both languages).
        extra_kwargs = {"code": {"validators": []}}


class MergeSerializer(serializers.Serializer):
    predecessors = serializers.ListField(
        child=ScopedAgencyField(queryset=None),
        min_length=1,
        help_text="Codes of the units merged.",
    )
    successor = ScopedAgencyField(queryset=None, help_text="Code of the unit that carries on.")
    effective_on = serializers.DateField(
        help_text="First day of the merged unit; the predecessors end the day before."
    )
