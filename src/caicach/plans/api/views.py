"""The read-only plans API (issue 15): ``/api/v1/plans/`` (the plans the caller may read) and
``/api/v1/plans/{id}/targets/`` (every target with its stages and status today). Scope: the
caller needs ``plans.view`` (403 otherwise, bilingual); a plan outside it is a 404 that does not
say it exists. Not open to machine tokens (no ``token_scope``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caicach.accounts.access import require_anywhere
from caicach.accounts.api.permissions import IsOfficer
from caicach.core.errors import BilingualError
from caicach.dossiers.api.documents import error_response
from caicach.plans.api.serializers import PlanSerializer, TargetSerializer, target_data
from caicach.plans.models import Plan
from caicach.plans.queries import plan_targets, visible_plans

_ERRORS = {
    403: error_response("The caller's roles do not include the plans (`plans.view`)."),
    404: error_response("No such plan in the caller's scope."),
}


class PlanListView(generics.ListAPIView[Plan]):
    permission_classes = [IsOfficer]
    serializer_class = PlanSerializer
    queryset = Plan.objects.none()  # for the schema; the scoped one comes from get_queryset

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        require_anywhere(self.request.user, "plans.view")
        return visible_plans(self.request.user)

    @extend_schema(
        operation_id="plans_list",
        summary="Reform plans",
        description="The resolutions, programmes and plans the caller may read (`plans.view` "
        "over the plan's agency, or under it).",
        responses={200: PlanSerializer(many=True), 403: _ERRORS[403]},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PlanTargetsView(APIView):
    permission_classes = [IsOfficer]

    @extend_schema(
        operation_id="plans_targets",
        summary="A plan's targets with their status today",
        description="Each target: comparison, threshold, unit, due date, what measures it (a "
        "live KPI with its formula version, or a reported indicator), its scope, its "
        "trajectory rule, and each stage with its status (achieved, on_track, at_risk, "
        "off_track, no_data), the projection method, latest and projected values.",
        responses={200: TargetSerializer(many=True), **_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        require_anywhere(request.user, "plans.view")
        plan = visible_plans(request.user).filter(pk=pk).first()
        if plan is None:
            raise BilingualError(
                "Không có kế hoạch này trong phạm vi của bạn.",
                "No such plan in your scope.",
                code="not_found",
                status=404,
            )
        rows = [target_data(r) for r in plan_targets(plan, timezone.localdate())]
        return Response(TargetSerializer(rows, many=True).data)
