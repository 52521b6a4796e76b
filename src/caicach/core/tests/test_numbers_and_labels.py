"""In English the dossier states, actions and numbers are English (issue 16, "Small ones")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from caicach.core.i18n import bilingual, number
from caicach.dossiers.models import Dossier, DossierEvent
from caicach.dossiers.public_access import _label
from caicach.dossiers.workflow import DossierAction, DossierState


@pytest.mark.parametrize(
    ("lang", "value", "places", "text"),
    [
        ("vi", 1234567, 0, "1.234.567"),
        ("en", 1234567, 0, "1,234,567"),
        ("vi", Decimal("97.456"), 2, "97,46"),
        ("en", Decimal("97.456"), 2, "97.46"),
        ("vi", 3.5, 1, "3,5"),
        ("en", 1000.25, 1, "1,000.2"),  # 1000.25 is stored as 1000.2499…: rounds down
        ("vi", -2500, 0, "-2.500"),
    ],
)
def test_numbers_use_the_readers_separators(lang, value, places, text):
    with translation.override(lang):
        assert number(value, places) == text


def test_state_and_action_labels_follow_the_language():
    dossier = Dossier(state=DossierState.RECEIVED.value)
    event = DossierEvent(action=DossierAction.ASSIGN.value)
    with translation.override("en"):
        assert dossier.get_state_display() == DossierState.RECEIVED.label_en
        assert event.get_action_display() == DossierAction.ASSIGN.label_en
        assert _label(DossierState.RECEIVED.value) == DossierState.RECEIVED.label_en
        assert str(bilingual("Có", "Yes")) == "Yes"
    with translation.override("vi"):
        assert dossier.get_state_display() == DossierState.RECEIVED.label_vi
        assert event.get_action_display() == DossierAction.ASSIGN.label_vi
        assert _label(DossierState.RECEIVED.value) == DossierState.RECEIVED.label_vi
    assert DossierState.RECEIVED.label_en != DossierState.RECEIVED.label_vi
