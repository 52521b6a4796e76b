"""Identity numbers of applicants: citizen ID (CCCD), tax code (MST), phone number.

Pure functions; each ``validate_*`` returns the normalised value or raises :class:`IdentityError`
with a precise reason in Vietnamese and English (the API shows ``message_vi``).

Citizen ID (*số định danh cá nhân*, printed on the CCCD / căn cước card), 12 digits
(Nghị định 137/2015/NĐ-CP art. 13; Thông tư 07/2016/TT-BCA art. 7 as amended by
Thông tư 59/2021/TT-BCA):

* digits 1-3: code of the province where the birth was registered, from the national list of the
  63 provinces (``001`` Hà Nội ... ``096`` Cà Mau, :data:`PROVINCE_CODES`; the codes follow the
  administrative-unit list, so some numbers such as ``003`` are unused);
* digit 4: century and sex: ``0``/``1`` male/female born 1900-1999, ``2``/``3`` 2000-2099,
  ``4``/``5`` 2100-2199, ``6``/``7`` 2200-2299, ``8``/``9`` 2300-2399;
* digits 5-6: the last two digits of the year of birth;
* digits 7-12: a random number.

The number carries no check digit, so a typo inside digits 7-12 cannot be detected. The 2025
merger of provinces does not change numbers already issued (the number is for life); the 63 codes
stay the list that issued numbers are checked against.

Tax code (*mã số thuế*, Thông tư 105/2020/TT-BTC art. 5, kept by Thông tư 86/2024/TT-BTC):
``N1N2N3N4N5N6N7N8N9N10`` for a taxpayer and ``N1...N10-N11N12N13`` for a dependent unit
(branch), where ``N3..N9`` run from ``0000001`` to ``9999999``, ``N10`` is a check digit and
``N11N12N13`` run from ``001`` to ``999``. Check digit (modulo 11, the General Department of
Taxation's published algorithm, as implemented e.g. by python-stdnum ``stdnum.vn.mst``):
``N10 = 10 - (31*N1 + 29*N2 + 23*N3 + 19*N4 + 17*N5 + 13*N6 + 7*N7 + 5*N8 + 3*N9) mod 11``;
when that gives 10 (the sum is a multiple of 11) no digit fits and the body is never issued, so
such a code is invalid. Checked against real codes: ``0100109106`` (Viettel), ``0100686209``,
``0100233488``. Since 01/7/2025 the 12-digit personal identification number is the tax code of
individuals, household businesses and dependants (Thông tư 86/2024/TT-BTC), so a 12-digit value
is validated as a citizen ID.

Phone numbers: the national numbering plan (Thông tư 22/2014/TT-BTTTT, *quy hoạch kho số viễn
thông*, as amended): mobile numbers have 10 digits, ``0`` + a network prefix in the ``3x``, ``5x``,
``7x``, ``8x``, ``9x`` ranges (the 11-digit ``01x`` numbers were converted in 2018); fixed lines
have 11 digits, ``02`` + a two-digit area code + 7 digits (area codes changed in 2017). ``+84``,
``0084`` and ``84`` are replaced by ``0``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

__all__ = [
    "PROVINCE_CODES",
    "TAX_CODE_WEIGHTS",
    "IdentityError",
    "PhoneKind",
    "Sex",
    "citizen_id_birth_year_and_sex",
    "citizen_id_province",
    "phone_kind",
    "tax_check_digit",
    "validate_citizen_id",
    "validate_phone",
    "validate_tax_code",
]

_VN_TZ: Final = ZoneInfo("Asia/Ho_Chi_Minh")

#: Province codes of the citizen ID (Thông tư 07/2016/TT-BCA, Thông tư 59/2021/TT-BCA): the
#: 63 provinces and centrally-run cities before the 2025 merger.
PROVINCE_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "001": "Hà Nội",
        "002": "Hà Giang",
        "004": "Cao Bằng",
        "006": "Bắc Kạn",
        "008": "Tuyên Quang",
        "010": "Lào Cai",
        "011": "Điện Biên",
        "012": "Lai Châu",
        "014": "Sơn La",
        "015": "Yên Bái",
        "017": "Hòa Bình",
        "019": "Thái Nguyên",
        "020": "Lạng Sơn",
        "022": "Quảng Ninh",
        "024": "Bắc Giang",
        "025": "Phú Thọ",
        "026": "Vĩnh Phúc",
        "027": "Bắc Ninh",
        "030": "Hải Dương",
        "031": "Hải Phòng",
        "033": "Hưng Yên",
        "034": "Thái Bình",
        "035": "Hà Nam",
        "036": "Nam Định",
        "037": "Ninh Bình",
        "038": "Thanh Hóa",
        "040": "Nghệ An",
        "042": "Hà Tĩnh",
        "044": "Quảng Bình",
        "045": "Quảng Trị",
        "046": "Thừa Thiên Huế",
        "048": "Đà Nẵng",
        "049": "Quảng Nam",
        "051": "Quảng Ngãi",
        "052": "Bình Định",
        "054": "Phú Yên",
        "056": "Khánh Hòa",
        "058": "Ninh Thuận",
        "060": "Bình Thuận",
        "062": "Kon Tum",
        "064": "Gia Lai",
        "066": "Đắk Lắk",
        "067": "Đắk Nông",
        "068": "Lâm Đồng",
        "070": "Bình Phước",
        "072": "Tây Ninh",
        "074": "Bình Dương",
        "075": "Đồng Nai",
        "077": "Bà Rịa - Vũng Tàu",
        "079": "Hồ Chí Minh",
        "080": "Long An",
        "082": "Tiền Giang",
        "083": "Bến Tre",
        "084": "Trà Vinh",
        "086": "Vĩnh Long",
        "087": "Đồng Tháp",
        "089": "An Giang",
        "091": "Kiên Giang",
        "092": "Cần Thơ",
        "093": "Hậu Giang",
        "094": "Sóc Trăng",
        "095": "Bạc Liêu",
        "096": "Cà Mau",
    }
)

#: Weights of the MST check digit over ``N1..N9``.
TAX_CODE_WEIGHTS: Final = (31, 29, 23, 19, 17, 13, 7, 5, 3)


class IdentityError(ValueError):
    """An identity number is invalid. ``code`` is a stable machine-readable reason."""

    def __init__(self, message_vi: str, message_en: str, code: str = "invalid") -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.message_en = message_en
        self.code = code

    def __str__(self) -> str:
        return self.message_vi


class Sex(StrEnum):
    """Sex encoded in digit 4 of the citizen ID (even = male, odd = female)."""

    MALE = "male"
    FEMALE = "female"


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"


# --------------------------------------------------------------------------------------------
# Citizen ID
# --------------------------------------------------------------------------------------------


def _strip_spaces(value: str) -> str:
    if not isinstance(value, str):
        raise IdentityError(
            "Giá trị phải là một chuỗi ký tự.", "The value must be a string.", "type"
        )
    return re.sub(r"\s+", "", value)


def _check_citizen_id(digits: str, as_of: date | None) -> tuple[int, Sex]:
    if not digits:
        raise IdentityError(
            "Chưa nhập số định danh cá nhân (CCCD).", "The citizen ID is empty.", "empty"
        )
    if not digits.isascii() or not digits.isdigit():
        raise IdentityError(
            "Số định danh cá nhân (CCCD) chỉ gồm chữ số.",
            "The citizen ID may contain digits only.",
            "not_digits",
        )
    if len(digits) != 12:
        if len(digits) == 9:
            raise IdentityError(
                "Số CMND 9 chữ số không còn được dùng; hãy nhập số định danh cá nhân 12 chữ số "
                "in trên thẻ căn cước.",
                "The old 9-digit ID card number is not accepted; enter the 12-digit personal "
                "identification number printed on the citizen ID card.",
                "old_id_card",
            )
        raise IdentityError(
            f"Số định danh cá nhân (CCCD) phải có đúng 12 chữ số (đang có {len(digits)}).",
            f"The citizen ID must have exactly 12 digits (got {len(digits)}).",
            "length",
        )
    province = digits[:3]
    if province not in PROVINCE_CODES:
        raise IdentityError(
            f"Ba chữ số đầu “{province}” không phải mã tỉnh, thành phố nơi đăng ký khai sinh "
            "(001-096 theo Thông tư 07/2016/TT-BCA).",
            f"The first three digits “{province}” are not a province code of the place of "
            "birth registration (001-096, Circular 07/2016/TT-BCA).",
            "province",
        )
    century_sex = int(digits[3])
    year = 1900 + 100 * (century_sex // 2) + int(digits[4:6])
    sex = Sex.MALE if century_sex % 2 == 0 else Sex.FEMALE
    today = as_of if as_of is not None else datetime.now(_VN_TZ).date()
    if year > today.year:
        raise IdentityError(
            f"Chữ số thứ 4 và 5-6 cho năm sinh {year}, sau năm hiện tại {today.year}.",
            f"Digits 4 and 5-6 give the birth year {year}, after the current year {today.year}.",
            "birth_year",
        )
    return year, sex


def validate_citizen_id(value: str, *, as_of: date | None = None) -> str:
    """Validate a citizen ID (CCCD / personal identification number); return its 12 digits.

    Spaces are removed first. Checks (Thông tư 07/2016/TT-BCA art. 7, Thông tư 59/2021/TT-BCA):
    exactly 12 digits; digits 1-3 a province code of :data:`PROVINCE_CODES`; digits 4-6 a birth
    year (century/sex code and two year digits) that is not after ``as_of`` (default: today in
    Vietnam). Raises :class:`IdentityError`.
    """
    digits = _strip_spaces(value)
    _check_citizen_id(digits, as_of)
    return digits


def citizen_id_birth_year_and_sex(value: str, *, as_of: date | None = None) -> tuple[int, Sex]:
    """Year of birth and sex encoded in a citizen ID (digit 4: century and sex; 5-6: year).

    ``0``/``1``: 1900s male/female, ``2``/``3``: 2000s, ``4``/``5``: 2100s, and so on.
    Validates first (:func:`validate_citizen_id`).
    """
    return _check_citizen_id(_strip_spaces(value), as_of)


def citizen_id_province(value: str, *, as_of: date | None = None) -> str:
    """Name of the province of birth registration encoded in a citizen ID (digits 1-3)."""
    digits = validate_citizen_id(value, as_of=as_of)
    return PROVINCE_CODES[digits[:3]]


# --------------------------------------------------------------------------------------------
# Tax code
# --------------------------------------------------------------------------------------------


def tax_check_digit(body: str) -> int | None:
    """The check digit ``N10`` for the first nine digits of a tax code, or ``None`` when no
    digit fits (``10 - sum mod 11 == 10``: such bodies are never issued)."""
    if len(body) != 9 or not body.isascii() or not body.isdigit():
        raise ValueError("the body of a tax code is exactly 9 digits")
    total = sum(w * int(d) for w, d in zip(TAX_CODE_WEIGHTS, body, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


_TAX_SHAPE = re.compile(r"^(\d{10})(?:-?(\d{3}))?$")


def _check_tax_body(code10: str) -> None:
    if code10[2:9] == "0000000":
        raise IdentityError(
            f"Mã số thuế “{code10}”: chữ số thứ 3 đến 9 phải từ 0000001 đến 9999999 "
            "(Thông tư 105/2020/TT-BTC, Điều 5).",
            f"Tax code “{code10}”: digits 3 to 9 must run from 0000001 to 9999999 "
            "(Circular 105/2020/TT-BTC, art. 5).",
            "tax_sequence",
        )
    expected = tax_check_digit(code10[:9])
    if expected is None:
        raise IdentityError(
            f"Mã số thuế “{code10}” không hợp lệ: 9 chữ số đầu không có chữ số kiểm tra nào phù "
            "hợp (mã không được cấp).",
            f"Tax code “{code10}” is invalid: no check digit fits its first nine digits "
            "(such codes are never issued).",
            "tax_checksum",
        )
    if int(code10[9]) != expected:
        raise IdentityError(
            f"Mã số thuế “{code10}” sai chữ số kiểm tra: chữ số cuối phải là {expected}, "
            f"không phải {code10[9]}. Hãy kiểm tra lỗi gõ nhầm.",
            f"Tax code “{code10}” has a wrong check digit: the last digit should be {expected}, "
            f"not {code10[9]}. Check for a typo.",
            "tax_checksum",
        )


def validate_tax_code(value: str, *, as_of: date | None = None) -> str:
    """Validate a tax code (MST); return it normalised.

    * 10 digits: a taxpayer's code, with the modulo-11 check digit (module docstring);
      returned as the 10 digits.
    * 13 digits, as ``NNNNNNNNNN-NNN`` or ``NNNNNNNNNNNNN``: a dependent unit (branch); the first
      ten digits are checked as above and ``N11N12N13`` must be ``001``-``999``; returned as
      ``NNNNNNNNNN-NNN`` (Thông tư 105/2020/TT-BTC art. 5).
    * 12 digits: a personal identification number used as the personal tax code since
      01/7/2025 (Thông tư 86/2024/TT-BTC), checked by :func:`validate_citizen_id`.

    Spaces and dots are ignored; a hyphen is accepted only before the branch number.
    """
    compact = _strip_spaces(value).replace(".", "")
    if not compact:
        raise IdentityError("Chưa nhập mã số thuế.", "The tax code is empty.", "empty")
    if compact.isascii() and compact.isdigit() and len(compact) == 12:
        return validate_citizen_id(compact, as_of=as_of)
    match = _TAX_SHAPE.match(compact) if compact.isascii() else None
    if match is None:
        raise IdentityError(
            f"Mã số thuế “{value.strip()}” không đúng định dạng: cần 10 chữ số, 13 chữ số "
            "(NNNNNNNNNN-NNN cho đơn vị phụ thuộc) hoặc số định danh cá nhân 12 chữ số.",
            f"Tax code “{value.strip()}” is malformed: expected 10 digits, 13 digits "
            "(NNNNNNNNNN-NNN for a dependent unit) or a 12-digit personal identification number.",
            "format",
        )
    code10, branch = match.group(1), match.group(2)
    _check_tax_body(code10)
    if branch is None:
        return code10
    if branch == "000":
        raise IdentityError(
            f"Mã số thuế “{code10}-{branch}”: số thứ tự đơn vị phụ thuộc phải từ 001 đến 999.",
            f"Tax code “{code10}-{branch}”: the dependent-unit number must be 001 to 999.",
            "tax_branch",
        )
    return f"{code10}-{branch}"


# --------------------------------------------------------------------------------------------
# Phone
# --------------------------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"^0[35789]\d{8}$")
_LANDLINE = re.compile(r"^02\d{9}$")


def _national_number(value: str) -> str:
    raw = _PHONE_SEPARATORS.sub("", _strip_spaces(value))
    if raw.startswith("+"):
        if not raw.startswith("+84"):
            raise IdentityError(
                "Chỉ nhận số điện thoại Việt Nam (mã quốc gia +84).",
                "Only Vietnamese phone numbers (country code +84) are accepted.",
                "phone_country",
            )
        return "0" + raw[3:]
    if raw.startswith("0084"):
        return "0" + raw[4:]
    if raw.startswith("84") and len(raw) in (11, 12):
        return "0" + raw[2:]
    return raw


def validate_phone(value: str) -> str:
    """Normalise a Vietnamese phone number to its national form (``0xxxxxxxxx``).

    Mobile: 10 digits ``0[35789]xxxxxxxx``; fixed line: 11 digits ``02xxxxxxxxx`` (national
    numbering plan, Thông tư 22/2014/TT-BTTTT as amended). Spaces, dots, hyphens and parentheses
    are ignored; ``+84``, ``0084`` and ``84`` become ``0``. An old 11-digit mobile number
    (``01x``, converted to 10 digits in 2018) is refused with a hint.
    """
    national = _national_number(value)
    if not national:
        raise IdentityError("Chưa nhập số điện thoại.", "The phone number is empty.", "empty")
    if not national.isascii() or not national.isdigit():
        raise IdentityError(
            f"Số điện thoại “{value.strip()}” chỉ được gồm chữ số (có thể bắt đầu bằng +84).",
            f"Phone number “{value.strip()}” may contain digits only (optionally +84 first).",
            "not_digits",
        )
    if _MOBILE.match(national) or _LANDLINE.match(national):
        return national
    if re.match(r"^01\d{9}$", national):
        raise IdentityError(
            f"Số “{national}” là đầu số di động 11 chữ số cũ (01x), đã chuyển sang 10 chữ số từ "
            "năm 2018; hãy nhập số mới.",
            f"“{national}” is an old 11-digit mobile number (01x), converted to 10 digits in "
            "2018; enter the new number.",
            "phone_old_mobile",
        )
    raise IdentityError(
        f"Số điện thoại “{value.strip()}” không hợp lệ: số di động có 10 chữ số (03, 05, 07, "
        "08, 09), số cố định có 11 chữ số bắt đầu bằng 02.",
        f"Phone number “{value.strip()}” is invalid: mobile numbers have 10 digits (03, 05, "
        "07, 08, 09), fixed lines 11 digits starting with 02.",
        "phone",
    )


def phone_kind(value: str) -> PhoneKind:
    """Whether a (valid) phone number is a mobile or a fixed line."""
    national = validate_phone(value)
    return PhoneKind.LANDLINE if national.startswith("02") else PhoneKind.MOBILE
