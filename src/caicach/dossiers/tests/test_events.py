"""Every writer of dossiers reaches the event seam: intake, the actions and the JSON Lines import
(the demo generator: caicach/demo/tests/test_generator.py). ADR 0006."""

from __future__ import annotations

import pytest

from caicach.core import events
from caicach.core.audit import Actor
from caicach.dossiers import events as dossier_events
from caicach.dossiers.events import (
    DossierChanged,
    DossierFinished,
    DossierPaused,
    DossierReceived,
    DossierReferred,
    DossierResumed,
    DossierReturned,
    DossierTransitioned,
    event_class,
)
from caicach.dossiers.exchange import export_dossiers, import_dossiers
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import act
from caicach.dossiers.tests.projection import projecting, table_states
from caicach.dossiers.tests.test_exchange import make_dossiers, wipe_dossiers
from caicach.dossiers.workflow import TRANSITIONS, ClockEffect, DossierAction

pytestmark = pytest.mark.django_db

A, E = DossierAction, ClockEffect


@pytest.mark.parametrize(
    ("action", "effect", "expected"),
    [
        (A.RECEIVE, E.START, DossierReceived),
        (A.ASSIGN, E.NONE, DossierTransitioned),
        (A.REQUEST_SUPPLEMENT, E.PAUSE, DossierPaused),  # NĐ 61/2018 art. 19: the clock stops
        (A.SUPPLEMENT_RECEIVED, E.RESTART, DossierResumed),  # ... and restarts from zero
        (A.CONSULT, E.NONE, DossierReferred),
        (A.TRANSFER_AGENCY, E.NONE, DossierReferred),
        (A.MARK_RESULT_READY, E.STOP, DossierFinished),  # TT 01/2018 art. 13
        (A.REFUSE, E.STOP, DossierFinished),
        (A.WITHDRAW, E.STOP, DossierFinished),
        (A.RETURN_RESULT, E.NONE, DossierReturned),
        (A.APOLOGISE, E.EXTEND, DossierTransitioned),
    ],
)
def test_event_class_of_each_action(action, effect, expected):
    assert event_class(action, effect) is expected


def test_every_transition_has_an_event_that_reaches_dossier_changed_subscribers():
    for (_state, action), transition in TRANSITIONS.items():
        assert issubclass(event_class(action, transition.clock_effect), DossierChanged)


def test_received_acted_and_imported_dossiers_reach_a_subscriber_alike(tree, officers, version):
    with projecting() as projection:
        made = make_dossiers(tree, officers, version)
        assert projection.states == table_states()
        assert projection.states[made[1].pk] == "awaiting_supplement"
        lines = list(export_dossiers(Dossier.objects.order_by("id")))

    wipe_dossiers()
    with projecting() as imported:
        import_dossiers(Actor.system("test-import"), lines)
        again = import_dossiers(Actor.system("test-import"), lines)  # nothing new: no event
    assert again.created == 0
    assert imported.loaded == [("import", 3)]
    assert imported.states == table_states()
    # the same states, dossier by dossier (codes are kept by the import, ids are new)
    by_code = {d.code: d.state for d in made}
    assert {d.code: imported.states[d.pk] for d in Dossier.objects.all()} == by_code


def test_a_change_rolled_back_by_a_subscriber_notifies_nobody(tree, officers, version):
    """Subscribers run in the writer's transaction: when one fails after the notifications
    wrote their outbox rows, the action, its history line and those rows all roll back."""
    from caicach.notifications.models import Notification
    from caicach.notifications.services import on_dossier_changed

    assert on_dossier_changed in events.subscribers(DossierReceived)
    made = make_dossiers(tree, officers, version)
    before = (Notification.objects.count(), made[2].events.count())
    assert before[0] > 0

    class ProjectionFailedError(Exception):
        pass

    def failing(event):
        raise ProjectionFailedError

    events.subscribe(DossierTransitioned, failing)
    try:
        with pytest.raises(ProjectionFailedError):
            act(officers.receiver, made[2], "withdraw", reason="Người nộp rút hồ sơ.")
    finally:
        events.unsubscribe(DossierTransitioned, failing)
    made[2].refresh_from_db()
    assert made[2].state == "received"
    assert (Notification.objects.count(), made[2].events.count()) == before


def test_the_module_lists_what_it_exports():
    assert set(dossier_events.__all__) <= set(dir(dossier_events))
