"""give_rating: one per dossier, finished dossiers only, the event, the leaders' warning."""

from __future__ import annotations

import pytest
import time_machine

from caicach.core import events
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.dossiers.tests.factories import act, receive, vn
from caicach.notifications.models import Notification, NotificationKind
from caicach.ratings.events import RatingGiven
from caicach.ratings.models import Rating
from caicach.ratings.services import AlreadyRatedError, NotRateableError, give_rating

KIOSK = Actor(label="kiosk")


def finished(tree, o, version):
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False) as traveller:
        d = receive(o.receiver, version, tree.dept_a)
        d = act(o.receiver, d, "assign", agency=tree.unit_a.code, assignee=o.processor.pk)
        d = act(o.processor, d, "accept")
        d = act(o.processor, d, "submit_for_approval")
        traveller.move_to(vn(2025, 6, 3, 10))
        d = act(o.leader, d, "approve")
        d = act(o.processor, d, "mark_result_ready")
    return d


@pytest.fixture
def seen():
    got: list[RatingGiven] = []
    events.subscribe(RatingGiven, got.append)
    yield got
    events.unsubscribe(RatingGiven, got.append)


def test_a_finished_dossier_is_rated_once(tree, officers, version, seen):
    d = finished(tree, officers, version)
    rating = give_rating(
        KIOSK, d, value="very_satisfied", source="kiosk", factors={"officer": 3}, comment="Tốt"
    )
    assert (rating.value, rating.factors, rating.agency, rating.source) == (
        "very_satisfied",
        {"officer": 3},
        tree.dept_a,
        "kiosk",
    )
    assert [(e.dossier_id, e.agency_id, e.value) for e in seen] == [
        (d.pk, tree.dept_a.pk, "very_satisfied")
    ]
    with pytest.raises(AlreadyRatedError) as caught:
        give_rating(KIOSK, d, value="not_satisfied", source="link")
    assert caught.value.status == 409 and "một lần" in caught.value.message_vi
    assert Rating.objects.count() == 1


def test_an_open_dossier_cannot_be_rated(tree, officers, version):
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False):
        d = receive(officers.receiver, version, tree.dept_a)
    with pytest.raises(NotRateableError) as caught:
        give_rating(KIOSK, d, value="satisfied", source="kiosk")
    assert caught.value.status == 409
    assert not Rating.objects.exists()


def test_a_bad_answer_is_a_bilingual_400(tree, officers, version):
    d = finished(tree, officers, version)
    with pytest.raises(BilingualError) as caught:
        give_rating(KIOSK, d, value="satisfied", source="kiosk", factors={"speed": 1})
    assert caught.value.status == 400
    assert caught.value.errors == {"factors.speed": [caught.value.message_en]}


def test_not_satisfied_warns_the_unit_leader(tree, officers, version, make_officer):
    unit_leader = make_officer(
        "unit_leader", tree.unit_a, username="truongphong_a", email="tp@example.vn"
    )
    make_officer("unit_leader", tree.dept_b, username="truongphong_b", email="b@example.vn")
    d = finished(tree, officers, version)
    give_rating(KIOSK, d, value="satisfied", source="kiosk")
    assert not Notification.objects.filter(kind=NotificationKind.RATING_COMPLAINT).exists()
    d2 = finished(tree, officers, version)
    give_rating(KIOSK, d2, value="not_satisfied", source="lookup")
    rows = list(Notification.objects.filter(kind=NotificationKind.RATING_COMPLAINT))
    assert [(r.officer, r.recipient, r.dossier) for r in rows] == [
        (unit_leader, "tp@example.vn", d2)
    ]
    assert "KHÔNG HÀI LÒNG" in rows[0].subject
