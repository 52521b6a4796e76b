"""``/api/v1/dossiers/{code}/rating/``: the rating of a dossier for officers' systems (a kiosk
or a survey tool of the agency): GET reads it, POST records the applicant's answer once
(regulations §1.2 group 5, §5.2). Scoped like the dossier (404 outside the caller's scope);
errors are bilingual (``detail`` English, ``detail_vi``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caicach.accounts.access import require_anywhere
from caicach.accounts.api.permissions import IsOfficer
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.dossiers import services as dossiers
from caicach.dossiers.api.serializers import DossierErrorSerializer
from caicach.dossiers.models import Dossier
from caicach.ratings import rules
from caicach.ratings.models import Rating, RatingSource, RatingValue
from caicach.ratings.services import give_rating

_CODE = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description="Dossier code, e.g. 000.00.01.H97-250425-0001."
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(DossierErrorSerializer, description=description)


class RatingSerializer(serializers.ModelSerializer):
    dossier = serializers.CharField(source="dossier.code", read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    factors = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=3),
        read_only=True,
        help_text="SIPAS factor -> score (1 not satisfied, 2 satisfied, 3 very satisfied); "
        f"factors: {', '.join(rules.FACTORS)}.",
    )

    class Meta:
        model = Rating
        fields = ["dossier", "value", "factors", "comment", "source", "rated_at", "agency"]
        read_only_fields = fields


class RatingInputSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=RatingValue.choices)
    factors = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=3),
        required=False,
        help_text=f"Optional SIPAS factors ({', '.join(rules.FACTORS)}) -> score 1-3.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


def _dossier(request: Request, code: str) -> Dossier:
    require_anywhere(request.user, "dossiers.view")
    key = dossiers.clean_key(code, upper=True)
    found = dossiers.visible_dossiers(request.user).filter(code=key).first() if key else None
    if found is None:
        raise dossiers.DossierNotFoundError(code)
    return found


class DossierRatingView(APIView):
    permission_classes = [IsOfficer]
    token_scope = "dossiers"

    @extend_schema(
        operation_id="dossiers_rating_retrieve",
        summary="The rating of a dossier",
        parameters=[_CODE],
        responses={
            200: RatingSerializer,
            404: _error("Unknown dossier, out of scope, or not rated yet."),
        },
        tags=["ratings"],
    )
    def get(self, request: Request, code: str) -> Response:
        dossier = _dossier(request, code)
        rating = Rating.objects.select_related("agency").filter(dossier=dossier).first()
        if rating is None:
            raise BilingualError(
                "Hồ sơ chưa được đánh giá.",
                "The dossier has not been rated yet.",
                code="not_rated",
                status=404,
            )
        rating.dossier = dossier
        return Response(RatingSerializer(rating).data)

    @extend_schema(
        operation_id="dossiers_rating_create",
        summary="Record the applicant's rating of a dossier (once)",
        description="Only a finished or returned dossier can be rated, once: a second answer "
        "is 409 `already_rated`, an open dossier 409 `not_finished`.",
        parameters=[_CODE],
        request=RatingInputSerializer,
        responses={
            201: RatingSerializer,
            400: _error("Bad answer."),
            404: _error("Unknown or out of scope."),
            409: _error("Already rated, or not finished."),
        },
        tags=["ratings"],
    )
    def post(self, request: Request, code: str) -> Response:
        dossier = _dossier(request, code)
        body = request.data if isinstance(request.data, dict) else {}
        rating = give_rating(
            Actor.from_request(request),
            dossier,
            value=body.get("value"),
            factors=body.get("factors"),
            comment=body.get("comment", ""),
            source=RatingSource.API,
        )
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)
