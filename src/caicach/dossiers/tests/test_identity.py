"""Citizen ID (TT 07/2016/TT-BCA, TT 59/2021/TT-BCA), tax code (TT 105/2020/TT-BTC,
TT 86/2024/TT-BTC) and phone numbers (national numbering plan)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.dossiers.identity import (
    PROVINCE_CODES,
    IdentityError,
    PhoneKind,
    Sex,
    citizen_id_birth_year_and_sex,
    citizen_id_province,
    phone_kind,
    tax_check_digit,
    validate_citizen_id,
    validate_phone,
    validate_tax_code,
)

AS_OF = date(2026, 6, 1)

# --------------------------------------------------------------------------------------------
# Citizen ID
# --------------------------------------------------------------------------------------------


def test_the_national_list_has_the_63_provinces() -> None:
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["002"] == "Hà Giang"
    assert PROVINCE_CODES["004"] == "Cao Bằng"
    assert PROVINCE_CODES["079"] == "Hồ Chí Minh"
    assert PROVINCE_CODES["096"] == "Cà Mau"
    assert all(1 <= int(code) <= 96 for code in PROVINCE_CODES)
    # codes left unused by the administrative-unit list
    assert not {"000", "003", "005", "007", "009", "097"} & set(PROVINCE_CODES)


# fmt: off
VALID_CITIZEN_IDS = [
    pytest.param("001099012345", "001099012345", 1999, Sex.MALE, "Hà Nội", id="hanoi-1999-male"),
    pytest.param("001199012345", "001199012345", 1999, Sex.FEMALE, "Hà Nội", id="hanoi-1999-female"),
    pytest.param("079 303 012345", "079303012345", 2003, Sex.FEMALE, "Hồ Chí Minh", id="hcmc-2003-female-spaces"),
    pytest.param(" 096225000001 ", "096225000001", 2025, Sex.MALE, "Cà Mau", id="camau-2025-male-padded"),
    pytest.param("048000000000", "048000000000", 1900, Sex.MALE, "Đà Nẵng", id="danang-1900"),
    pytest.param("002326999999", "002326999999", 2026, Sex.FEMALE, "Hà Giang", id="born-this-year"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "normalised", "year", "sex", "province"), VALID_CITIZEN_IDS)
def test_valid_citizen_ids(raw: str, normalised: str, year: int, sex: Sex, province: str) -> None:
    assert validate_citizen_id(raw, as_of=AS_OF) == normalised
    assert citizen_id_birth_year_and_sex(raw, as_of=AS_OF) == (year, sex)
    assert citizen_id_province(raw, as_of=AS_OF) == province


# fmt: off
INVALID_CITIZEN_IDS = [
    pytest.param("", "empty", id="empty"),
    pytest.param("00109901234", "length", id="11-digits"),
    pytest.param("0010990123456", "length", id="13-digits"),
    pytest.param("012345678", "old_id_card", id="old-9-digit-cmnd"),
    pytest.param("00109901234A", "not_digits", id="letter"),
    pytest.param("001-099-012345", "not_digits", id="hyphens"),
    pytest.param("００１０９９０１２３４５", "not_digits", id="fullwidth-digits"),
    pytest.param("003099012345", "province", id="unused-code-003"),
    pytest.param("000099012345", "province", id="code-000"),
    pytest.param("097099012345", "province", id="code-097-beyond-ca-mau"),
    pytest.param("001227012345", "birth_year", id="2027-after-as-of"),
    pytest.param("001400012345", "birth_year", id="century-code-4-is-2100s"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "code"), INVALID_CITIZEN_IDS)
def test_invalid_citizen_ids(raw: str, code: str) -> None:
    with pytest.raises(IdentityError) as info:
        validate_citizen_id(raw, as_of=AS_OF)
    assert info.value.code == code
    assert info.value.message_vi and info.value.message_en
    assert str(info.value) == info.value.message_vi


def test_citizen_id_messages_name_the_reason() -> None:
    with pytest.raises(IdentityError, match="đúng 12 chữ số") as info:
        validate_citizen_id("12345", as_of=AS_OF)
    assert "got 5" in info.value.message_en
    with pytest.raises(IdentityError, match="“003”"):
        validate_citizen_id("003099012345", as_of=AS_OF)
    with pytest.raises(IdentityError, match="2100"):
        validate_citizen_id("001400012345", as_of=AS_OF)


def test_citizen_id_default_as_of_is_today() -> None:
    # someone born in 1999 is valid whatever today is; 2300s never
    assert validate_citizen_id("001099012345") == "001099012345"
    with pytest.raises(IdentityError):
        validate_citizen_id("001899012345")


def test_citizen_id_rejects_non_strings() -> None:
    with pytest.raises(IdentityError):
        validate_citizen_id(1099012345)  # type: ignore[arg-type]


citizen_ids = st.builds(
    lambda province, century_sex, yy, serial: f"{province}{century_sex}{yy:02d}{serial:06d}",
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(0, 3),
    st.integers(0, 99),
    st.integers(0, 999_999),
).filter(lambda v: 1900 + 100 * (int(v[3]) // 2) + int(v[4:6]) <= AS_OF.year)


@given(citizen_ids)
def test_every_generated_citizen_id_validates(value: str) -> None:
    assert validate_citizen_id(value, as_of=AS_OF) == value
    year, sex = citizen_id_birth_year_and_sex(value, as_of=AS_OF)
    assert year % 100 == int(value[4:6])
    assert (sex is Sex.MALE) == (int(value[3]) % 2 == 0)
    # spaces anywhere are ignored
    spaced = " ".join([value[:3], value[3:6], value[6:]])
    assert validate_citizen_id(spaced, as_of=AS_OF) == value


# --------------------------------------------------------------------------------------------
# Tax code
# --------------------------------------------------------------------------------------------

# fmt: off
VALID_TAX_CODES = [
    pytest.param("0100109106", "0100109106", id="viettel"),  # sum 114, 114 mod 11 = 4, 10 - 4 = 6
    pytest.param("0100686209", "0100686209", id="0100686209"),  # sum 287, mod 11 = 1 -> 9
    pytest.param("0100233488", "0100233488", id="0100233488"),  # sum 167, mod 11 = 2 -> 8
    pytest.param("0314409058-002", "0314409058-002", id="branch-with-hyphen"),
    pytest.param("0100109106001", "0100109106-001", id="branch-13-digits"),
    pytest.param(" 0100 109 106 - 999 ", "0100109106-999", id="branch-999-spaces"),
    pytest.param("01.00.109.106", "0100109106", id="dots"),
    pytest.param("001099012345", "001099012345", id="personal-12-digit-cccd-tt86-2024"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "normalised"), VALID_TAX_CODES)
def test_valid_tax_codes(raw: str, normalised: str) -> None:
    assert validate_tax_code(raw, as_of=AS_OF) == normalised


# fmt: off
INVALID_TAX_CODES = [
    pytest.param("", "empty", id="empty"),
    pytest.param("0100109107", "tax_checksum", id="viettel-last-digit-wrong"),
    pytest.param("0100109160", "tax_checksum", id="transposed"),
    pytest.param("0100000050", "tax_checksum", id="body-without-check-digit"),  # sum 55 = 5 x 11
    pytest.param("0100000003", "tax_sequence", id="sequence-0000000"),
    pytest.param("0100109106-000", "tax_branch", id="branch-000"),
    pytest.param("0100109107-001", "tax_checksum", id="branch-of-bad-code"),
    pytest.param("010010910", "format", id="9-digits"),
    pytest.param("01001091061", "format", id="11-digits"),
    pytest.param("0100109106-01", "format", id="2-digit-branch"),
    pytest.param("010010-9106", "format", id="hyphen-misplaced"),
    pytest.param("01001O9106", "format", id="letter-o"),
    pytest.param("003099012345", "province", id="12-digits-not-a-cccd"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "code"), INVALID_TAX_CODES)
def test_invalid_tax_codes(raw: str, code: str) -> None:
    with pytest.raises(IdentityError) as info:
        validate_tax_code(raw, as_of=AS_OF)
    assert info.value.code == code


def test_checksum_message_gives_the_expected_digit() -> None:
    with pytest.raises(IdentityError, match="phải là 6") as info:
        validate_tax_code("0100109107")
    assert "should be 6" in info.value.message_en


def test_tax_check_digit() -> None:
    assert tax_check_digit("010010910") == 6
    assert tax_check_digit("010000005") is None  # 10 - 0 = 10: no digit
    with pytest.raises(ValueError):
        tax_check_digit("01001091")


def _with_check(body: str) -> str | None:
    check = tax_check_digit(body)
    return None if check is None else body + str(check)


tax_bodies = st.from_regex(r"\A[0-9]{9}\Z").filter(lambda b: b[2:9] != "0000000")


@given(tax_bodies)
def test_generated_tax_codes_validate(body: str) -> None:
    code = _with_check(body)
    if code is None:
        with pytest.raises(IdentityError):
            validate_tax_code(body + "0")
        return
    assert validate_tax_code(code) == code
    assert validate_tax_code(code + "-001") == code + "-001"


@given(tax_bodies, st.integers(0, 9), st.integers(1, 9))
def test_every_single_digit_mutation_fails(body: str, position: int, delta: int) -> None:
    """Weights 31..3 are all prime to 11 and a digit changes by 1..9, so the weighted sum
    changes modulo 11: a single typo is always caught."""
    code = _with_check(body)
    if code is None:
        return
    digits = list(code)
    digits[position] = str((int(digits[position]) + delta) % 10)
    mutated = "".join(digits)
    with pytest.raises(IdentityError):
        validate_tax_code(mutated)


# --------------------------------------------------------------------------------------------
# Phone
# --------------------------------------------------------------------------------------------

# fmt: off
VALID_PHONES = [
    pytest.param("0912345678", "0912345678", PhoneKind.MOBILE, id="mobile"),
    pytest.param("+84 912 345 678", "0912345678", PhoneKind.MOBILE, id="plus84"),
    pytest.param("84912345678", "0912345678", PhoneKind.MOBILE, id="84-no-plus"),
    pytest.param("0084912345678", "0912345678", PhoneKind.MOBILE, id="0084"),
    pytest.param("091.234.5678", "0912345678", PhoneKind.MOBILE, id="dots"),
    pytest.param("0386-123-456", "0386123456", PhoneKind.MOBILE, id="viettel-03x"),
    pytest.param("0523456789", "0523456789", PhoneKind.MOBILE, id="05x"),
    pytest.param("0701234567", "0701234567", PhoneKind.MOBILE, id="07x"),
    pytest.param("0812345678", "0812345678", PhoneKind.MOBILE, id="08x"),
    pytest.param("(024) 3825 3535", "02438253535", PhoneKind.LANDLINE, id="hanoi-landline"),
    pytest.param("+84 28 3829 6052", "02838296052", PhoneKind.LANDLINE, id="hcmc-landline-plus84"),
    pytest.param("0236 3821 111", "02363821111", PhoneKind.LANDLINE, id="danang-landline"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "normalised", "kind"), VALID_PHONES)
def test_valid_phones(raw: str, normalised: str, kind: PhoneKind) -> None:
    assert validate_phone(raw) == normalised
    assert phone_kind(raw) is kind


# fmt: off
INVALID_PHONES = [
    pytest.param("", "empty", id="empty"),
    pytest.param("+1 415 555 0100", "phone_country", id="foreign"),
    pytest.param("01234567890", "phone_old_mobile", id="old-11-digit-mobile"),
    pytest.param("0412345678", "phone", id="04x-not-mobile"),
    pytest.param("0612345678", "phone", id="06x-not-mobile"),
    pytest.param("091234567", "phone", id="9-digits"),
    pytest.param("09123456789", "phone", id="11-digit-mobile"),
    pytest.param("0243825353", "phone", id="10-digit-landline"),
    pytest.param("1900 1234", "phone", id="service-number"),
    pytest.param("09l2345678", "not_digits", id="letter-l"),
]
# fmt: on


@pytest.mark.parametrize(("raw", "code"), INVALID_PHONES)
def test_invalid_phones(raw: str, code: str) -> None:
    with pytest.raises(IdentityError) as info:
        validate_phone(raw)
    assert info.value.code == code


@given(st.sampled_from("35789"), st.from_regex(r"\A[0-9]{8}\Z"))
def test_mobile_numbers_round_trip_through_plus84(network: str, rest: str) -> None:
    national = f"0{network}{rest}"
    assert validate_phone(national) == national
    assert validate_phone("+84" + national[1:]) == national
    assert validate_phone(validate_phone(national)) == national
