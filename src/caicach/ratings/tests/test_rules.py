"""The pure rules of a rating, worked by hand, and a property over every factor map."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.ratings import rules


@pytest.mark.parametrize(
    ("state", "finished", "expected"),
    [
        ("processing", False, False),  # still open
        ("awaiting_supplement", False, False),
        ("result_ready", True, True),  # processing ended
        ("refused", True, True),
        ("returned", False, True),  # returned (imported without a finish time)
        ("returned", True, True),
    ],
)
def test_rateable(state, finished, expected):
    assert rules.rateable(state, finished) is expected


@pytest.mark.parametrize(
    ("factors", "expected"),
    [
        (None, {}),
        ({}, {}),
        ({"officer": 3, "access": "2"}, {"access": 2, "officer": 3}),  # survey order
        ({"result": "", "procedure": None}, {}),  # unanswered factors dropped
    ],
)
def test_factors_cleaned(factors, expected):
    assert rules.clean_factors(factors) == expected


@pytest.mark.parametrize(
    ("factors", "field"),
    [
        ({"speed": 2}, "factors.speed"),
        ({"officer": 4}, "factors.officer"),
        ({"officer": 0}, "factors.officer"),
        ({"officer": True}, "factors.officer"),
        ({"officer": "x"}, "factors.officer"),
        ([1, 2], "factors"),
    ],
)
def test_bad_factors_refused(factors, field):
    with pytest.raises(rules.RatingProblemError) as caught:
        rules.clean_factors(factors)
    assert caught.value.field == field
    assert caught.value.message_vi and caught.value.message_en


def test_values_and_comment():
    assert rules.clean_value(" satisfied ") == "satisfied"
    with pytest.raises(rules.RatingProblemError):
        rules.clean_value("meh")
    assert rules.clean_comment("  Cán bộ nhiệt tình.\n") == "Cán bộ nhiệt tình."
    with pytest.raises(rules.RatingProblemError):
        rules.clean_comment("x" * 2001)
    with pytest.raises(rules.RatingProblemError):
        rules.clean_comment("a\x00b")


@given(
    st.dictionaries(
        st.sampled_from(list(rules.FACTORS)),
        st.one_of(st.integers(-5, 8), st.none(), st.just("")),
    )
)
def test_factor_maps_are_kept_or_refused_never_altered(factors):
    """Every answered factor with a score 1-3 is kept as given; anything else refuses the
    whole answer (never silently clamped)."""
    valid = all(v in (None, "") or v in rules.SCORES for v in factors.values())
    if valid:
        cleaned = rules.clean_factors(factors)
        assert cleaned == {k: v for k, v in factors.items() if v not in (None, "")}
        assert list(cleaned) == [k for k in rules.FACTORS if k in cleaned]
    else:
        with pytest.raises(rules.RatingProblemError):
            rules.clean_factors(factors)
