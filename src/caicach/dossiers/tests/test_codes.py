"""Dossier codes ``<agency code>-YYMMDD-XXXX`` (TT 01/2018/TT-VPCP art. 19)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.dossiers.codes import (
    MAX_SEQUENCE,
    DossierCode,
    DossierCodeError,
    format_dossier_code,
    parse_dossier_code,
)

# fmt: off
FORMAT_CASES = [
    pytest.param("000.00.05.H90", date(2025, 11, 24), 1, "000.00.05.H90-251124-0001", id="first-of-mon-24-11-2025"),
    pytest.param("000.00.00.H90", date(2026, 2, 13), 42, "000.00.00.H90-260213-0042", id="province-level"),
    pytest.param("001.03.05.H90", date(2024, 12, 31), 9999, "001.03.05.H90-241231-9999", id="last-4-digit"),
    pytest.param("000.00.05.H90", date(2025, 11, 24), 10000, "000.00.05.H90-251124-10000", id="widened-to-5"),
    pytest.param("000.00.05.H90", date(2025, 11, 24), MAX_SEQUENCE, "000.00.05.H90-251124-99999", id="max"),
    pytest.param(" 000.00.05.h90 ", date(2000, 1, 1), 7, "000.00.05.H90-000101-0007", id="agency-normalised"),
]
# fmt: on


@pytest.mark.parametrize(("agency", "day", "seq", "expected"), FORMAT_CASES)
def test_format(agency: str, day: date, seq: int, expected: str) -> None:
    assert format_dossier_code(agency, day, seq) == expected
    parsed = parse_dossier_code(expected)
    assert parsed == DossierCode(agency.strip().upper(), day, seq)
    assert str(parsed) == expected


# fmt: off
FORMAT_ERRORS = [
    pytest.param("000.00.05.H90", date(2025, 11, 24), 0, id="sequence-0"),
    pytest.param("000.00.05.H90", date(2025, 11, 24), -1, id="sequence-negative"),
    pytest.param("000.00.05.H90", date(2025, 11, 24), MAX_SEQUENCE + 1, id="sequence-100000"),
    pytest.param("000.00.05.H90", date(2025, 11, 24), True, id="sequence-bool"),
    pytest.param("000.00.05.H90", date(1999, 12, 31), 1, id="before-2000"),
    pytest.param("000.00.05.H90", date(2100, 1, 1), 1, id="after-2099"),
    pytest.param("H90", date(2025, 11, 24), 1, id="agency-short"),
    pytest.param("000.05.00.H90", date(2025, 11, 24), 1, id="agency-level3-without-level2"),
]
# fmt: on


@pytest.mark.parametrize(("agency", "day", "seq"), FORMAT_ERRORS)
def test_format_errors(agency: str, day: date, seq: int) -> None:
    with pytest.raises(DossierCodeError) as info:
        format_dossier_code(agency, day, seq)
    assert info.value.message_vi and info.value.message_en


# fmt: off
PARSE_ERRORS = [
    pytest.param("", "định dạng", id="empty"),
    pytest.param("000.00.05.H90-251124", "định dạng", id="no-sequence"),
    pytest.param("000.00.05.H90-2511240001", "định dạng", id="no-second-hyphen"),
    pytest.param("000.00.05.H90-25112-0001", "định dạng", id="5-digit-date"),
    pytest.param("000.00.05.H90-251124-001", "số thứ tự", id="3-digit-sequence"),
    pytest.param("000.00.05.H90-251124-0000", "số thứ tự", id="sequence-0000"),
    pytest.param("000.00.05.H90-251124-01234", "số thứ tự", id="5-digit-with-leading-zero"),
    pytest.param("000.00.05.H90-251124-100000", "số thứ tự", id="6-digit-sequence"),
    pytest.param("000.00.05.H90-251332-0001", "ngày", id="month-13"),
    pytest.param("000.00.05.H90-250229-0001", "ngày", id="29-feb-2025-not-leap"),
    pytest.param("XYZ-251124-0001", "cơ quan", id="bad-agency"),
]
# fmt: on


@pytest.mark.parametrize(("code", "fragment"), PARSE_ERRORS)
def test_parse_errors(code: str, fragment: str) -> None:
    with pytest.raises(DossierCodeError, match=fragment):
        parse_dossier_code(code)


def test_parse_accepts_29_feb_of_a_leap_year_and_lowercase() -> None:
    assert parse_dossier_code(" 000.00.05.h90-240229-0003\n") == DossierCode(
        "000.00.05.H90", date(2024, 2, 29), 3
    )


def test_order_is_by_agency_day_then_sequence() -> None:
    """String order puts 10000 before 9999; the parsed codes sort correctly."""
    texts = [
        "000.00.05.H90-251124-10000",
        "000.00.05.H90-251124-9999",
        "000.00.05.H90-251123-0002",
        "000.00.04.H90-251125-0001",
    ]
    assert sorted(texts) != sorted(texts, key=parse_dossier_code)
    assert [str(c) for c in sorted(map(parse_dossier_code, texts))] == [
        "000.00.04.H90-251125-0001",
        "000.00.05.H90-251123-0002",
        "000.00.05.H90-251124-9999",
        "000.00.05.H90-251124-10000",
    ]


def _agency_code(level1: str, l2: int, l3: int, l4: int) -> str:
    # TT 10/2016: a level is filled only when the one above it is
    if l2 == 0:
        l3 = l4 = 0
    if l3 == 0:
        l4 = 0
    return f"{l4:03d}.{l3:02d}.{l2:02d}.{level1}"


agency_codes = st.builds(
    _agency_code,
    st.from_regex(r"\A[A-Z][0-9]{2}\Z"),
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 999),
)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
sequences = st.integers(1, MAX_SEQUENCE)


@given(agency_codes, days, sequences)
def test_parse_format_round_trip(agency: str, day: date, seq: int) -> None:
    text = format_dossier_code(agency, day, seq)
    assert parse_dossier_code(text) == DossierCode(agency, day, seq)
    assert format_dossier_code(agency, day, seq) == str(parse_dossier_code(text))


@given(agency_codes, days, sequences, sequences)
def test_codes_are_unique_per_agency_and_day(agency: str, day: date, a: int, b: int) -> None:
    same_text = format_dossier_code(agency, day, a) == format_dossier_code(agency, day, b)
    assert same_text == (a == b)
