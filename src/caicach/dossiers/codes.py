"""The dossier code (*mã số hồ sơ*), TT 01/2018/TT-VPCP art. 19.

Format ``<agency code>-YYMMDD-XXXX``, e.g. ``000.00.05.H90-251124-0001``:

* ``<agency code>``: the receiving agency's identifier ``V1V2V3.Z1Z2.Y1Y2.MX1X2`` under
  Thông tư 10/2016/TT-BTTTT (validated by :func:`caicach.agencies.codes.parse_agency_code`);
* ``YYMMDD``: the receipt date (NĐ 61/2018 art. 26: receiving agency + date + daily sequence);
* ``XXXX``: the sequence number of the dossier among those the agency received that day, from
  ``0001``.

Decisions:

* **Receipt date.** The calendar date of the receipt instant in Vietnam time, not the day the
  15:00 cut-off moves the counting to: the code says when the desk took the dossier.
  ``YY`` is read as 20YY (codes exist only since 2019), so dates run from 2000 to 2099.
* **Above 9999 dossiers a day** (TT 01/2018 has only four digits) the sequence is **widened to
  five digits** (``10000`` to ``99999``) rather than wrapping or failing: the code stays unique
  (a 5-digit sequence never starts with ``0``, so every number has exactly one spelling) and the
  first 9999 codes of a day keep the official four-digit form. More than 99 999 dossiers at one
  desk in one day is treated as a bug (a sequence that was not reset) and refused.
* **Sorting.** :class:`DossierCode` orders by (agency code, date, sequence), which is also the
  order of the strings as long as sequences have four digits. Plain string order puts ``10000``
  before ``9999``, so lists and the database must sort by the parsed fields (the columns the
  model will store), never by the code text.
* **Parsing is lenient on case and surrounding spaces** (citizens type codes by hand):
  ``parse_dossier_code(" 000.00.05.h90-251124-0001 ")`` is the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from caicach.agencies.codes import AgencyCodeError, parse_agency_code

__all__ = [
    "MAX_SEQUENCE",
    "DossierCode",
    "DossierCodeError",
    "format_dossier_code",
    "parse_dossier_code",
]

#: Largest sequence number accepted in one agency and day (five digits).
MAX_SEQUENCE: Final = 99_999
_FOUR_DIGITS_MAX: Final = 9_999

_CODE = re.compile(r"^(?P<agency>.+)-(?P<date>\d{6})-(?P<seq>\d+)$")


class DossierCodeError(ValueError):
    """A dossier code (or its parts) is invalid; the messages say why."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.message_en = message_en

    def __str__(self) -> str:
        return self.message_vi


@dataclass(frozen=True, slots=True, order=True)
class DossierCode:
    """A parsed dossier code; ordering is by agency code, receipt date, then sequence."""

    agency_code: str
    received_on: date
    sequence: int

    def __str__(self) -> str:
        return format_dossier_code(self.agency_code, self.received_on, self.sequence)


def _agency(agency_code: str) -> str:
    try:
        return str(parse_agency_code(agency_code.strip().upper()))
    except AgencyCodeError as exc:
        raise DossierCodeError(
            f"Mã cơ quan tiếp nhận không hợp lệ: {exc}",
            f"Invalid receiving-agency code “{agency_code}” (expected V1V2V3.Z1Z2.Y1Y2.MX1X2, "
            "e.g. 000.00.05.H90, Circular 10/2016/TT-BTTTT).",
        ) from exc


def format_dossier_code(agency_code: str, received_on: date, sequence: int) -> str:
    """``<agency code>-YYMMDD-XXXX`` (TT 01/2018/TT-VPCP art. 19).

    ``sequence`` is 1-based within the receiving agency and day; 1-9999 are written with four
    digits, 10000-99999 with five (module docstring). Raises :class:`DossierCodeError`.
    """
    agency = _agency(agency_code)
    if not 2000 <= received_on.year <= 2099:
        raise DossierCodeError(
            f"Ngày tiếp nhận {received_on:%d/%m/%Y} nằm ngoài khoảng 2000-2099 của mã YYMMDD.",
            f"Receipt date {received_on.isoformat()} is outside 2000-2099 (YYMMDD).",
        )
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise DossierCodeError("Số thứ tự phải là số nguyên.", "The sequence must be an integer.")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise DossierCodeError(
            f"Số thứ tự hồ sơ trong ngày phải từ 1 đến {MAX_SEQUENCE}, không phải {sequence}.",
            f"The daily sequence must be between 1 and {MAX_SEQUENCE}, not {sequence}.",
        )
    width = 4 if sequence <= _FOUR_DIGITS_MAX else 5
    return f"{agency}-{received_on:%y%m%d}-{sequence:0{width}d}"


def parse_dossier_code(code: str) -> DossierCode:
    """Parse ``<agency code>-YYMMDD-XXXX`` (or a widened ``-XXXXX``); raise
    :class:`DossierCodeError` naming the faulty part."""
    text = code.strip().upper()
    match = _CODE.match(text)
    if match is None:
        raise DossierCodeError(
            f"Mã hồ sơ “{code.strip()}” không đúng định dạng <mã cơ quan>-YYMMDD-XXXX "
            "(ví dụ 000.00.05.H90-251124-0001).",
            f"Dossier code “{code.strip()}” is not of the form <agency code>-YYMMDD-XXXX "
            "(e.g. 000.00.05.H90-251124-0001).",
        )
    agency = _agency(match["agency"])
    raw_date = match["date"]
    try:
        received_on = date(2000 + int(raw_date[:2]), int(raw_date[2:4]), int(raw_date[4:]))
    except ValueError as exc:
        raise DossierCodeError(
            f"Mã hồ sơ “{code.strip()}”: “{raw_date}” không phải ngày hợp lệ (YYMMDD).",
            f"Dossier code “{code.strip()}”: “{raw_date}” is not a valid date (YYMMDD).",
        ) from exc
    raw_seq = match["seq"]
    sequence = int(raw_seq)
    canonical = (len(raw_seq) == 4 and sequence >= 1) or (
        len(raw_seq) == 5 and sequence > _FOUR_DIGITS_MAX
    )
    if not canonical:
        raise DossierCodeError(
            f"Mã hồ sơ “{code.strip()}”: số thứ tự “{raw_seq}” phải có 4 chữ số từ 0001 đến 9999 "
            "(hoặc 5 chữ số từ 10000 khi vượt 9999 hồ sơ một ngày).",
            f"Dossier code “{code.strip()}”: the sequence “{raw_seq}” must be 4 digits from 0001 "
            "to 9999 (or 5 digits from 10000 beyond 9999 dossiers a day).",
        )
    return DossierCode(agency, received_on, sequence)
