from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from caicach.accounts.access import PERMISSIONS, scope_paths
from caicach.accounts.models import RoleAssignment
from caicach.agencies.models import Agency


class RoleSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display")
    agency = serializers.CharField(source="agency.code", help_text="National code of the agency.")
    agency_name = serializers.CharField(source="agency.name")
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = RoleAssignment
        fields = [
            "role",
            "role_label",
            "agency",
            "agency_name",
            "valid_from",
            "valid_to",
            "in_force",
        ]

    def get_in_force(self, obj: RoleAssignment) -> bool:
        today = timezone.localdate()
        return (obj.valid_from is None or obj.valid_from <= today) and (
            obj.valid_to is None or obj.valid_to >= today
        )


class MeSerializer(serializers.Serializer):
    """The signed-in officer: who, which roles over which agencies, and what they may do."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    kind = serializers.CharField()
    otp_verified = serializers.BooleanField()
    roles = RoleSerializer(many=True)
    permissions = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each action the officer may do, with the codes of the agencies whose "
        "subtrees it covers. Actions not listed are not allowed anywhere.",
    )

    @staticmethod
    def for_user(user: Any) -> dict[str, Any]:
        assignments = list(
            RoleAssignment.objects.filter(user=user)
            .select_related("agency")
            .order_by("agency__path", "role")
        )
        by_action = {action: scope_paths(user, action) for action in PERMISSIONS}
        paths = {p for ps in by_action.values() for p in ps}
        codes = dict(Agency.objects.filter(path__in=paths).values_list("path", "code"))
        return {
            "id": user.pk,
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "kind": user.kind,
            "otp_verified": bool(getattr(user, "is_verified", lambda: False)()),
            "roles": assignments,
            "permissions": {
                action: [codes[p] for p in ps] for action, ps in by_action.items() if ps
            },
        }
