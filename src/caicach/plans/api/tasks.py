"""``/api/v1/plans/tasks/``: an agency's task inbox, read-only (issue 15, "the inbox of each
agency"). The same query as the page (``plans.work.queries.inbox``) with the same filters and
the same overdue rule (``overdue_q``, computed by the database). Scope: ``plans.view`` over the
agency (403 without the permission at all, 404 for an agency outside the scope); a bad filter
is a bilingual 400 naming the field."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caicach.accounts.access import require_anywhere
from caicach.accounts.api.permissions import IsOfficer
from caicach.dossiers.api.documents import error_response
from caicach.dossiers.reports.agencies import resolve_agency
from caicach.plans.work import queries

LIMIT = 500


class TaskSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    plan_title = serializers.CharField(source="plan.title")
    title = serializers.CharField()
    lead_agency = serializers.CharField(source="lead_agency.code", allow_null=True, default=None)
    lead_label = serializers.CharField()
    supporting_agencies = serializers.SerializerMethodField()
    deadline = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    progress = serializers.IntegerField()
    output = serializers.CharField()
    overdue = serializers.BooleanField(source="is_overdue")

    def get_supporting_agencies(self, task: Any) -> list[str]:
        return [a.code for a in task.supporting_agencies.all()]


class AgencyTasksView(APIView):
    permission_classes = [IsOfficer]

    @extend_schema(
        operation_id="plans_tasks",
        summary="An agency's reform tasks (its inbox)",
        description="The tasks the agency leads or supports, the earliest deadline first (at "
        f"most {LIMIT}). `overdue`: the deadline is before today and the task is neither done "
        "nor cancelled.",
        parameters=[
            OpenApiParameter(
                "agency",
                OpenApiTypes.STR,
                description="Agency code; default: the top of the caller's scope",
            ),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=["not_started", "in_progress", "done", "cancelled"]
            ),
            OpenApiParameter("plan", OpenApiTypes.INT),
            OpenApiParameter("overdue", OpenApiTypes.BOOL),
            OpenApiParameter(
                "days", OpenApiTypes.INT, description="Open tasks due within this many days (0-366)"
            ),
            OpenApiParameter("role", OpenApiTypes.STR, enum=["lead", "support"]),
        ],
        responses={
            200: TaskSerializer(many=True),
            400: error_response("A filter is not valid."),
            403: error_response("The caller's roles do not include the plans (`plans.view`)."),
            404: error_response("No such agency in the caller's scope."),
        },
    )
    def get(self, request: Request) -> Response:
        require_anywhere(request.user, "plans.view")
        agency = resolve_agency(request.user, request.query_params.get("agency"), "plans.view")
        filters = queries.parse_filters(request.query_params)
        tasks = queries.inbox(agency, filters, timezone.localdate())[:LIMIT]
        return Response(TaskSerializer(tasks, many=True).data)
