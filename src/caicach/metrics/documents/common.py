"""What both reports share: the kinds and their periods, the input error, the numbers as
printed in Vietnamese, and the parts of the layout of Decree 30/2020/NĐ-CP, Appendix I (issuing
body, number and symbol, place and date, recipients, signature block)."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

from django.utils import timezone

from caicach.agencies.models import Agency, AgencyKind
from caicach.core.errors import BilingualError
from caicach.dossiers.documents import place_and_date
from caicach.metrics.documents.model import Document, Section
from caicach.metrics.figures import Figure
from caicach.metrics.periods import Period

KINDS = {"766": "month", "one_stop": "quarter"}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


class ReportInputError(BilingualError):
    status = 400
    code = "bad_report_input"


def check_period(kind: str, period: Period) -> None:
    if kind not in KINDS:
        raise ReportInputError(
            "Loại báo cáo không hợp lệ: chọn báo cáo tháng theo QĐ 766 hoặc báo cáo quý.",
            "Unknown report: choose the monthly Decision 766 report or the quarterly report.",
        )
    if period.kind != KINDS[kind]:
        if kind == "766":
            raise ReportInputError(
                f"Báo cáo QĐ 766 lập theo tháng (ví dụ 2025-07), không theo kỳ {period.label}.",
                f"The Decision 766 report is monthly (e.g. 2025-07), not for {period.label}.",
            )
        raise ReportInputError(
            f"Báo cáo tình hình giải quyết TTHC lập theo quý (ví dụ 2025-Q3), không theo kỳ "
            f"{period.label}.",
            f"The one-stop report is quarterly (e.g. 2025-Q3), not for {period.label}.",
        )


# --- numbers as printed (Vietnamese: "." between thousands, "," before decimals) -------------


def n(value: Decimal | int | Fraction | None) -> str:
    if value is None:
        return "—"
    return f"{int(value):,}".replace(",", ".")


def d(value: Decimal | Fraction | int | None, places: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    q = Decimal(value).quantize(Decimal(1).scaleb(-places))
    whole, _, frac = f"{q:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    text = sign + n(abs(int(whole)))
    return f"{text},{frac}" if frac else text


def signed(value: Decimal | Fraction | None) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + d(value)


def fig(f: Figure, empty: str = "Không có dữ liệu") -> str:
    return empty if f.value is None else d(f.value)


def no_snapshot(f: Figure) -> bool:
    """A stock figure without the end-of-day snapshot it reads: "no data", never 0."""
    return f.value is None and "chưa chốt" in f.reason_vi


def stock(f: Figure | None, part: str) -> str:
    """The open (``open``), overdue (``overdue``) or in-time (``in_time``) stock of an
    ``overdue_open`` figure; "—" without its snapshot."""
    if f is None:
        return "0"
    if no_snapshot(f):
        return "—"
    num, den = Decimal(f.numerator), Decimal(f.denominator)
    return n({"open": den, "overdue": num, "in_time": den - num}[part])


def as_float(x: Fraction | Decimal | None) -> float | None:
    return None if x is None else float(x)


# --- the layout parts --------------------------------------------------------------------------


def _symbol(agency: Agency) -> str:
    """The report's symbol: ``BC-`` and the issuing body's initials (Decree 30/2020 Appendix
    I/II: the abbreviation of the body's name); people's committees write ``UBND``."""
    if agency.kind in (AgencyKind.PEOPLE_COMMITTEE, AgencyKind.COMMUNE, AgencyKind.DISTRICT):
        return "BC-UBND"
    if agency.short_name and re.fullmatch(r"[A-ZĐ0-9-]{2,12}", agency.short_name):
        return f"BC-{agency.short_name}"
    words = [w for w in re.split(r"[\s,()]+", agency.name) if w and w[0].isalpha()]
    initials = "".join(_plain(w[0]) for w in words).upper()
    return f"BC-{initials[:10] or 'CQ'}"


def _plain(letter: str) -> str:
    """A letter without its accents (symbols are written without them), Đ kept."""
    if letter in "Đđ":
        return letter
    return unicodedata.normalize("NFD", letter)[0]


def _signature(agency: Agency) -> tuple[str, str]:
    if agency.kind in (AgencyKind.PEOPLE_COMMITTEE, AgencyKind.COMMUNE, AgencyKind.DISTRICT):
        return "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
    if agency.kind == AgencyKind.DEPARTMENT:
        return "", "GIÁM ĐỐC"
    return "", "THỦ TRƯỞNG CƠ QUAN"


def _signer(agency: Agency) -> str:
    """The agency leader's name (the role held at the agency itself today), else "" (written
    by hand under the signature)."""
    from django.db.models import Q

    from caicach.accounts.models import RoleAssignment

    today = timezone.localdate()
    row = (
        RoleAssignment.objects.filter(role="agency_leader", agency=agency, user__is_active=True)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("user")
        .order_by("id")
        .first()
    )
    return row.user.get_full_name().strip() if row is not None else ""


def _recipients(agency: Agency) -> tuple[str, ...]:
    if agency.parent_id is None:
        return (
            "Văn phòng Chính phủ (Cục Kiểm soát thủ tục hành chính);",
            "Thường trực Tỉnh ủy, Thường trực HĐND tỉnh;",
            "Chủ tịch, các Phó Chủ tịch UBND tỉnh;",
            "Các sở, ban, ngành; UBND các xã, phường;",
            "Lưu: VT.",
        )
    parent = agency.parent
    assert parent is not None
    return (f"{parent.name} (để báo cáo);", "Văn phòng UBND tỉnh;", "Lưu: VT.")


def header(agency: Agency, kind: str, period: Period, subject: str, intro: str,
            sections: list[Section]) -> Document:  # fmt: skip
    parent = agency.parent
    authority, position = _signature(agency)
    return Document(
        kind=kind,
        issuer_parent=parent.name.upper() if parent is not None else "",
        issuer=agency.name.upper(),
        symbol=_symbol(agency),
        place_date=place_and_date(timezone.localdate()),
        title="BÁO CÁO",
        subject=subject,
        intro=intro,
        sections=tuple(sections),
        recipients=_recipients(agency),
        sign_authority=authority,
        sign_position=position,
        signer=_signer(agency),
        filename=f"bao-cao-{kind.replace('_', '-')}-{agency.code}-{period.label}",
        meta={"agency": agency.code, "period": period.label},
    )


def children(agency: Agency, period: Period) -> list[Agency]:
    """The agencies directly under ``agency`` in operation during the period, in tree order."""
    return list(
        Agency.objects.filter(parent=agency, valid_from__lte=period.last)
        .exclude(valid_to__lt=period.first)
        .order_by("path")
    )


def span(period: Period) -> str:
    return f"từ ngày {period.first:%d/%m/%Y} đến ngày {period.last:%d/%m/%Y}"


def month_before(period: Period) -> Period:
    first = period.first - timedelta(days=1)
    return Period.month(first.year, first.month)
