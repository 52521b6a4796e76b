"""The agency API: scoped reads for every officer, changes for admins through the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from caicach.accounts.access import require_anywhere, scope
from caicach.accounts.api.permissions import IsOfficer
from caicach.agencies import services
from caicach.agencies.api.filters import AgencyFilter
from caicach.agencies.api.serializers import AgencySerializer, MergeSerializer
from caicach.agencies.models import Agency
from caicach.core.api.pagination import CursorPagination
from caicach.core.audit import Actor


class PathPagination(CursorPagination):
    ordering = "path"  # tree order, and unique: a stable cursor


_CODE = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description="National code, e.g. 000.00.05.H90."
)


@extend_schema(tags=["agencies"])
@extend_schema_view(
    list=extend_schema(
        summary="Agencies in the caller's scope",
        description="Agencies the caller may see (their roles' subtrees), in tree order.",
    ),
    retrieve=extend_schema(
        summary="One agency",
        description="404 when the agency does not exist or lies outside the caller's scope.",
        parameters=[_CODE],
    ),
    create=extend_schema(
        summary="Create an agency",
        description="Admins, under a parent in their scope. The code must extend the "
        "parent's code by one level.",
    ),
    partial_update=extend_schema(
        summary="Change an agency",
        description="Admins in scope. Changing `parent` moves the agency; a new code "
        "re-codes its descendants.",
        parameters=[_CODE],
    ),
)
class AgencyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AgencySerializer
    permission_classes = [IsOfficer]
    token_scope = "catalogue"
    pagination_class = PathPagination
    filterset_class = AgencyFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Agency.objects.none()  # for the schema; real rows come from get_queryset

    def get_queryset(self) -> QuerySet[Agency]:
        return scope(
            Agency.objects.select_related("parent", "successor"),
            self.request.user,
            "agencies.view",
        )

    def perform_create(self, serializer: Any) -> None:
        require_anywhere(self.request.user, "agencies.change")
        data = dict(serializer.validated_data)
        parent = data.pop("parent", None)
        serializer.instance = services.create_agency(
            Actor.from_request(self.request), parent=parent, **data
        )

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.update_agency(
            Actor.from_request(self.request), serializer.instance, **serializer.validated_data
        )

    @extend_schema(
        summary="Merge agencies",
        description="The predecessors end the day before `effective_on` and point to the "
        "successor; their history rolls up to it.",
        request=MergeSerializer,
        responses={200: AgencySerializer(many=True)},
    )
    @action(detail=False, methods=["post"], filterset_class=None, pagination_class=None)
    def merge(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require_anywhere(request.user, "agencies.change")
        serializer = MergeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        merged = services.merge_agencies(
            Actor.from_request(request),
            data["predecessors"],
            data["successor"],
            data["effective_on"],
        )
        body = AgencySerializer(merged, many=True, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_200_OK)
