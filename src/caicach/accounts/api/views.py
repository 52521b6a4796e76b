from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caicach.accounts.api.permissions import IsOfficer
from caicach.accounts.api.serializers import MeSerializer


class MeView(APIView):
    permission_classes = [IsOfficer]
    token_scope = "catalogue"

    @extend_schema(
        summary="The signed-in officer",
        description="User, roles in force (with agency codes) and the actions allowed, each "
        "with the agencies whose subtrees it covers.",
        responses=MeSerializer,
        tags=["accounts"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(MeSerializer(MeSerializer.for_user(request.user)).data)
