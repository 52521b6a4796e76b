"""Catalogue facts (issue 13): legacy online levels, fee-bearing derived, dated facts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.procedures import rules
from caicach.procedures.models import ProcedureVersion


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mức độ 4", "full"),
        ("Mức độ 3", "partial"),
        ("mức độ 2", "none"),
        ("1", "none"),
        (4, "full"),
        (3, "partial"),
        ("level 4", "full"),
        ("full", "full"),
        ("partial", "partial"),
        ("none", "none"),
    ],
)
def test_online_level_from_legacy(value: object, expected: str) -> None:
    assert rules.online_level_from_legacy(value) == expected


@pytest.mark.parametrize("value", ["mức độ 5", "", "toàn trình?", True, 0])
def test_online_level_from_legacy_refuses_unknown(value: object) -> None:
    with pytest.raises(ValueError):
        rules.online_level_from_legacy(value)


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [([], False), ([0], False), ([0, 0], False), ([0, 50_000], True), ([1], True)],
)
def test_fee_bearing_rule(amounts: list[int], expected: bool) -> None:
    assert rules.fee_bearing(amounts) is expected


@given(st.lists(st.integers(min_value=0, max_value=10**9)))
def test_fee_bearing_is_any_positive(amounts: list[int]) -> None:
    assert rules.fee_bearing(amounts) == (sum(amounts) > 0)


@given(st.integers(min_value=1, max_value=4))
def test_legacy_levels_are_ordered(level: int) -> None:
    order = ["none", "partial", "full"]
    mapped = [rules.online_level_from_legacy(n) for n in range(1, level + 1)]
    assert [order.index(m) for m in mapped] == sorted(order.index(m) for m in mapped)


@pytest.mark.django_db
def test_fee_bearing_queryset_and_property() -> None:
    from caicach.procedures.tests.factories import ProcedureVersionFactory

    paid = ProcedureVersionFactory()
    free = ProcedureVersionFactory()
    free.fees.all().delete()
    zero = ProcedureVersionFactory()
    zero.fees.update(amount=0)
    assert set(ProcedureVersion.objects.fee_bearing()) == {paid}
    assert ProcedureVersion.objects.get(pk=paid.pk).fee_bearing is True
    assert ProcedureVersion.objects.get(pk=free.pk).fee_bearing is False
    assert ProcedureVersion.objects.get(pk=zero.pk).fee_bearing is False
    fresh = ProcedureVersion.objects.get(pk=free.pk)
    assert fresh.served_at_centre is True
    assert fresh.payable_online is False
    assert fresh.full_online_eligible is False
    assert fresh.national_portal_integrated is False
