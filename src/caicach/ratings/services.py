"""Giving a rating (one per dossier, regulations §1.2 group 5 and §5.2): the kiosk at the
counter desk, the link on the receipt, the public look-up and the officers' API all call
:func:`give_rating`.

One transaction: the dossier row is locked (two answers at once cannot both win), the rating
is written with the deciding agency of the moment, :class:`~caicach.ratings.events.RatingGiven`
is emitted (the notifications app warns the unit's leaders of a "not satisfied" answer; the
metrics rollups count it) and the audit entry is recorded last. Errors are bilingual: 400 bad
answer, 404 no such dossier, 409 not finished yet or already rated.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from caicach.core import events
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError, ConflictError
from caicach.dossiers.history import counted_change
from caicach.dossiers.models import Dossier
from caicach.ratings import rules
from caicach.ratings.events import RatingGiven
from caicach.ratings.models import Rating, RatingSource


class RatingInputError(BilingualError):
    """A refused answer (400), with the field it concerns in ``errors``."""


class AlreadyRatedError(ConflictError):
    code = "already_rated"

    def __init__(self) -> None:
        super().__init__(
            "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ được đánh giá một lần.",
            "This dossier has already been rated. A dossier is rated once only.",
        )


class NotRateableError(ConflictError):
    code = "not_finished"

    def __init__(self) -> None:
        super().__init__(
            "Hồ sơ chưa giải quyết xong: chỉ đánh giá được khi đã có kết quả hoặc đã trả kết quả.",
            "The dossier is not finished: it can be rated once processing has ended or the "
            "result was returned.",
        )


def _problem(problem: rules.RatingProblemError) -> RatingInputError:
    return RatingInputError(
        problem.message_vi,
        problem.message_en,
        code=problem.code,
        errors={problem.field: [problem.message_en]},
    )


def give_rating(
    actor: Actor,
    dossier: Dossier | int,
    *,
    value: Any,
    source: str,
    factors: Any = None,
    comment: Any = "",
) -> Rating:
    """Record the applicant's answer about ``dossier`` (the caller has already checked who may
    answer: the kiosk's desk, the look-up token, the officer's scope) and return it.

    ``value``: ``very_satisfied`` | ``satisfied`` | ``not_satisfied``; ``factors``: optional
    SIPAS factor -> score 1-3 (:mod:`caicach.ratings.rules`); ``source``: ``kiosk`` | ``link``
    | ``lookup`` | ``api``. A second answer is :class:`AlreadyRatedError` (409); a dossier not
    finished, :class:`NotRateableError` (409)."""
    try:
        cleaned_value = rules.clean_value(value)
        cleaned_factors = rules.clean_factors(factors)
        cleaned_comment = rules.clean_comment(comment)
    except rules.RatingProblemError as problem:
        raise _problem(problem) from None
    if source not in RatingSource.values:
        raise ValueError(f"unknown rating source {source!r}")
    dossier_id = dossier.pk if isinstance(dossier, Dossier) else int(dossier)
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
        if locked is None:
            raise BilingualError(
                "Không tìm thấy hồ sơ.", "Dossier not found.", code="not_found", status=404
            )
        if not rules.rateable(locked.state, locked.finished_at is not None):
            raise NotRateableError()
        if Rating.objects.filter(dossier_id=locked.pk).exists():
            raise AlreadyRatedError()
        now = timezone.now()
        try:
            with transaction.atomic(), counted_change(locked.pk):
                rating = Rating.objects.create(
                    dossier=locked,
                    value=cleaned_value,
                    factors=cleaned_factors,
                    comment=cleaned_comment,
                    source=source,
                    rated_at=now,
                    agency_id=locked.deciding_agency_id,
                )
        except IntegrityError:  # pragma: no cover - the row lock above serialises answers
            raise AlreadyRatedError() from None
        events.emit(
            RatingGiven(
                dossier_id=locked.pk,
                agency_id=locked.deciding_agency_id,
                value=cleaned_value,
                at=now,
            )
        )
        # No comment text in the trail (it may hold personal data and the trail is permanent).
        record(
            actor,
            "dossier.rated",
            locked,
            agency=locked.deciding_agency,
            changes={"value": cleaned_value, "source": source, "factors": cleaned_factors},
        )
    return rating


def rating_of(dossier: Dossier) -> Rating | None:
    return Rating.objects.filter(dossier=dossier).first()


class NotAtDeskError(BilingualError):
    status = 404
    code = "not_found"

    def __init__(self) -> None:
        super().__init__(
            "Không tìm thấy hồ sơ này tại quầy. Vui lòng kiểm tra lại mã hồ sơ.",
            "No such dossier at this desk. Please check the dossier code.",
        )


def desk_dossier(agency_id: int, code: str) -> Dossier:
    """The dossier the counter desk of agency ``agency_id`` may have rated on its tablet:
    received at that agency, finished or returned, not rated yet. Raises
    :class:`NotAtDeskError` (404: unknown, or another agency's, not told apart),
    :class:`NotRateableError` or :class:`AlreadyRatedError` (409), the same answers as
    :func:`give_rating`, which checks again under the row lock."""
    key = str(code or "").strip().upper()[:40]
    dossier = (
        Dossier.objects.select_related("procedure_version")
        .filter(code=key, receiving_agency_id=agency_id)
        .first()
        if key
        else None
    )
    if dossier is None:
        raise NotAtDeskError()
    if not rules.rateable(dossier.state, dossier.finished_at is not None):
        raise NotRateableError()
    if Rating.objects.filter(dossier_id=dossier.pk).exists():
        raise AlreadyRatedError()
    return dossier


#: The kiosk's "just handed back" buttons look at dossiers received this many days back at most
#: (a range of the (receiving agency, received on) index, not the agency's whole history); an
#: older dossier is still rated by typing or scanning its code.
WAITING_RECEIVED_WITHIN_DAYS = 366


def waiting_at_desk(agency_id: int, since: datetime, limit: int = 6) -> list[Dossier]:
    """Dossiers whose result the desk of ``agency_id`` handed back since ``since`` and that are
    not rated yet, latest first (the kiosk's "just handed back" buttons)."""
    oldest = timezone.localtime(since).date() - timedelta(days=WAITING_RECEIVED_WITHIN_DAYS)
    return list(
        Dossier.objects.select_related("procedure_version")
        .filter(
            receiving_agency_id=agency_id,
            received_on__gte=oldest,
            returned_at__gte=since,
            rating__isnull=True,
        )
        .order_by("-returned_at", "-id")[:limit]
    )
