"""``core.text.row_id``: what a URL or a client may send as a row id, before it reaches
PostgreSQL (a bigint overflow or a non-digit would be a 500 there)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.core.text import row_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (42, 42),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),  # beyond bigint
        ("0", None),
        ("-3", None),
        ("3.0", None),
        ("", None),
        ("١٢", None),  # Arabic-Indic digits: isdigit() but not ASCII
        ("9" * 20, None),
        ("1\x00", None),
    ],
)
def test_row_id_table(value, expected):
    assert row_id(value) == expected


@given(st.integers(min_value=1, max_value=2**63 - 1))
def test_every_bigint_id_reads_back(number):
    assert row_id(str(number)) == number


@given(st.text(max_size=25))
def test_anything_else_is_none_or_a_valid_bigint(text):
    got = row_id(text)
    assert got is None or 0 < got < 2**63
