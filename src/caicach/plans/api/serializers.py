"""Serializers of the read-only plans API (issue 15)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from caicach.plans.models import Plan
from caicach.plans.values import TargetStatus


class PlanSerializer(serializers.ModelSerializer[Plan]):
    agency = serializers.CharField(source="agency.code", read_only=True)
    implements = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "kind",
            "title",
            "number",
            "issued_on",
            "issuer",
            "agency",
            "period_start",
            "period_end",
            "orientation_end",
            "legal_basis",
            "implements",
        ]

    def get_implements(self, plan: Plan) -> str | None:
        return plan.implements.code if plan.implements else None


class EvaluationSerializer(serializers.Serializer[Any]):
    status = serializers.CharField()
    method = serializers.CharField()
    method_vi = serializers.CharField()
    method_en = serializers.CharField()
    latest = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    latest_on = serializers.DateField(allow_null=True)
    projected = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    points = serializers.IntegerField()


class StageSerializer(serializers.Serializer[Any]):
    due = serializers.DateField()
    threshold = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    step = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    from_rule = serializers.BooleanField()
    status = serializers.CharField()
    evaluation = EvaluationSerializer(allow_null=True)


class TargetSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    domain = serializers.CharField()
    label_vi = serializers.CharField()
    label_en = serializers.CharField()
    comparison = serializers.CharField()
    threshold = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    unit = serializers.CharField()
    due = serializers.DateField()
    kpi_code = serializers.CharField()
    kpi_formula_version = serializers.CharField()
    indicator = serializers.CharField(allow_null=True)
    scope = serializers.DictField()
    trajectory = serializers.DictField(allow_null=True)
    status = serializers.CharField()
    current_stage = serializers.IntegerField()
    stages = StageSerializer(many=True)
    agencies = serializers.ListField(child=serializers.DictField())


def target_data(result: TargetStatus) -> dict[str, Any]:
    t = result.target
    stages = []
    for s in result.stages:
        ev = s.evaluation
        stages.append(
            {
                "due": s.stage.due,
                "threshold": s.threshold,
                "step": s.stage.step,
                "from_rule": s.stage.from_rule,
                "status": s.status,
                "evaluation": None
                if ev is None
                else {
                    "status": ev.status,
                    "method": ev.method,
                    "method_vi": ev.method_vi,
                    "method_en": ev.method_en,
                    "latest": ev.latest.value if ev.latest else None,
                    "latest_on": ev.latest.day if ev.latest else None,
                    "projected": ev.projected,
                    "points": ev.points,
                },
            }
        )
    return {
        "id": t.pk,
        "code": t.code,
        "domain": t.domain.code,
        "label_vi": t.label_vi,
        "label_en": t.label_en,
        "comparison": t.comparison,
        "threshold": t.threshold,
        "unit": t.unit,
        "due": t.due,
        "kpi_code": t.kpi_code,
        "kpi_formula_version": t.kpi_formula_version,
        "indicator": t.indicator.code if t.indicator else None,
        "scope": {
            "kind": t.scope_kind,
            "agency": t.scope_agency.code if t.scope_agency else None,
            "tier": t.scope_tier or None,
            "fields": [f for f in t.scope_field.split(",") if f],
            "share_required": str(t.share_required),
        },
        "trajectory": t.trajectory,
        "status": result.status,
        "current_stage": result.current,
        "stages": stages,
        "agencies": [{"agency": a.code, "status": s} for a, s in result.agencies],
    }
