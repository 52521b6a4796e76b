"""The two reports as data (:class:`~caicach.metrics.documents.model.Document`), built once from
the metrics and written by both writers, so the DOCX and the PDF carry the same figures.

* :func:`monthly_766`: the monthly Decision 766 report (QĐ 766/QĐ-TTg; regulations §1.1-§1.2) of
  an agency's subtree: the total, the groups and sub-indicators with R, T and points
  (``metrics.index766.index_for``), the change from the previous month, the 12-month trend, the
  lowest sub-indicators with what would raise them (``k_to_full_points``, ``what_if``), and the
  subordinate agencies (one grouped read, ``index_for_all``).
* :func:`quarterly_one_stop`: the quarterly report on settling procedures (*tình hình, kết quả
  giải quyết TTHC*; NĐ 61/2018 art. 2 and TT 01/2018/TT-VPCP art. 13 count early, on time and
  late against the statutory time, regulations §2.4, §2.6): every number is a numerator or a
  denominator of ``metrics.compute.kpi`` for the same agency and period, as ``caicach kpi``
  prints it (a test checks it).

Layout parts (Decree 30/2020/NĐ-CP, Appendix I; metrics-notes "Official documents"): issuing
body with its parent, number and symbol (the number left for the clerical office), place and
date, title, numbered sections, recipients, signature block.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import timezone

from caicach.agencies.models import Agency, AgencyKind
from caicach.core.errors import BilingualError
from caicach.dossiers.documents import place_and_date
from caicach.metrics import compute, index766
from caicach.metrics.charts import Bar, BarChart, LineChart, Series
from caicach.metrics.documents.model import Block, ChartBlock, Document, Paragraph, Section, Table
from caicach.metrics.figures import Figure
from caicach.metrics.periods import Period

__all__ = [
    "KINDS",
    "ReportInputError",
    "build",
    "check_period",
    "monthly_766",
    "quarterly_one_stop",
]

#: The report kinds and the period kind each takes.
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


def build(kind: str, agency: Agency, period: Period) -> Document:
    check_period(kind, period)
    return monthly_766(agency, period) if kind == "766" else quarterly_one_stop(agency, period)


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


def _no_snapshot(f: Figure) -> bool:
    """A stock figure without the end-of-day snapshot it reads: "no data", never 0."""
    return f.value is None and "chưa chốt" in f.reason_vi


def stock(f: Figure | None, part: str) -> str:
    """The open (``open``), overdue (``overdue``) or in-time (``in_time``) stock of an
    ``overdue_open`` figure; "—" without its snapshot."""
    if f is None:
        return "0"
    if _no_snapshot(f):
        return "—"
    num, den = Decimal(f.numerator), Decimal(f.denominator)
    return n({"open": den, "overdue": num, "in_time": den - num}[part])


def _float(x: Fraction | Decimal | None) -> float | None:
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


def _header(agency: Agency, kind: str, period: Period, subject: str, intro: str,
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


def _children(agency: Agency, period: Period) -> list[Agency]:
    """The agencies directly under ``agency`` in operation during the period, in tree order."""
    return list(
        Agency.objects.filter(parent=agency, valid_from__lte=period.last)
        .exclude(valid_to__lt=period.first)
        .order_by("path")
    )


def _span(period: Period) -> str:
    return f"từ ngày {period.first:%d/%m/%Y} đến ngày {period.last:%d/%m/%Y}"


# --- the monthly Decision 766 report ------------------------------------------------------------

_LEVER_VI = {
    "on_time": "hồ sơ được giải quyết trước hạn, đúng hạn",
    "online": "hồ sơ được nộp trực tuyến",
    "full_online": "hồ sơ được thực hiện trực tuyến toàn trình",
    "digitised": "hồ sơ được số hóa",
    "electronic_result": "hồ sơ có kết quả giải quyết điện tử",
    "paid_online": "hồ sơ được thanh toán trực tuyến",
    "reused": "hồ sơ tái sử dụng dữ liệu số hóa",
    "satisfied": "hồ sơ được đánh giá hài lòng",
    "": "thủ tục hành chính đạt yêu cầu",
}


def _month_before(period: Period) -> Period:
    first = period.first - timedelta(days=1)
    return Period.month(first.year, first.month)


def _months_back(period: Period, count: int) -> list[Period]:
    out = [period]
    while len(out) < count:
        out.append(_month_before(out[-1]))
    return out[::-1]


def _shown_total(res: index766.IndexResult) -> Fraction | None:
    """The total as the portal shows it: over 100 (scaled when no-data points were left out)."""
    return res.scaled


def _sub_row(s: index766.SubResult) -> tuple[str, ...]:
    f = s.figure
    num = Decimal(f.numerator)
    shown = n(num) if num == num.to_integral_value() else d(num)
    counts = "—" if not f.denominator else f"{shown}/{n(f.denominator)}"
    unit = "%" if s.sub.id != "2.2" else " ngày"
    r = "Không có dữ liệu" if f.value is None else d(f.value) + unit
    t = "—" if s.sub.threshold is None else d(s.sub.threshold, 0) + "%"
    pts = "—" if s.points is None else d(s.points)
    return (s.sub.id, s.sub.name_vi, counts, r, t, pts, d(s.sub.pmax))


def _advice(res: index766.IndexResult, limit: int = 5) -> list[Paragraph]:
    """The sub-indicators furthest below their maximum (points lost) and the fewest extra dossiers
    that reach T or 100% (``index766.k_to_full_points``), with the points they would add
    (``index766.what_if``)."""
    scored = [
        s
        for g in res.groups
        for s in g.subs
        if s.counted and s.points is not None and s.sub.pmax and s.points < s.sub.pmax
    ]
    # The most points short of the maximum first, then the lowest share of it.
    scored.sort(key=lambda s: (-(s.sub.pmax - (s.points or 0)), (s.points or 0) / s.sub.pmax))
    out = []
    for s in scored[:limit]:
        f = s.figure
        k = index766.k_to_full_points(f.numerator, f.denominator, s.sub.threshold)
        head = (
            f"Chỉ tiêu {s.sub.id} ({s.sub.name_vi}): R = {d(f.value)}% "
            f"({n(f.numerator)}/{n(f.denominator)}), đạt {d(s.points)}/{d(s.sub.pmax)} điểm. "
        )
        if k is None or not s.sub.lever:
            body = (
                f"Cần thêm {n(k)} {_LEVER_VI['']} để đạt điểm tối đa."
                if k
                else "Cần rà soát, cập nhật dữ liệu của chỉ tiêu."
            )
        else:
            w = index766.what_if(f.numerator, f.denominator, s.sub.threshold, s.sub.pmax, k)
            goal = "ngưỡng" if s.sub.threshold is not None else "100%"
            body = (
                f"Nếu thêm {n(k)} {_LEVER_VI[s.sub.lever]} (trên tổng số {n(f.denominator)}) thì "
                f"chỉ tiêu đạt {goal}, được {d(w.points_after)} điểm (tăng {d(w.gain)} điểm)."
            )
        out.append(Paragraph(body, bold_lead=head))
    return out


def monthly_766(agency: Agency, period: Period) -> Document:
    """The monthly Decision 766 report of ``agency``'s subtree (see the module docstring)."""
    check_period("766", period)
    months = _months_back(period, 12)
    trend = {
        p.label: index766.index_for(agency, p) for p in months
    }  # 12 grouped reads: a few queries each
    cur, prev = trend[period.label], trend[months[-2].label]
    total, before = _shown_total(cur), _shown_total(prev)
    change = None if total is None or before is None else total - before
    month = f"tháng {period.first.month} năm {period.first.year}"
    subject = (
        "Kết quả thực hiện Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người "
        f"dân, doanh nghiệp theo Quyết định số 766/QĐ-TTg {month}"
    )
    intro = (
        "Thực hiện Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ phê duyệt Bộ "
        "chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong "
        "thực hiện thủ tục hành chính, dịch vụ công theo thời gian thực trên môi trường điện "
        f"tử, {agency.name} báo cáo kết quả {month} (số liệu {_span(period)}) như sau:"
    )
    lead = [
        Paragraph(
            f"{d(cur.total)}/{d(cur.max_counted)} điểm của các chỉ tiêu có dữ liệu, quy về thang "
            f"100 điểm: {d(total)} điểm; tháng trước: {d(before)} điểm ({signed(change)} điểm).",
            bold_lead="Tổng điểm: ",
        ),
    ]
    no_data = [s for g in cur.groups for s in g.subs if s.sub.pmax and s.points is None]
    if no_data:
        lead.append(
            Paragraph(
                f"{len(no_data)} chỉ tiêu chưa có dữ liệu (không tính vào tổng, điểm tối đa "
                "giảm tương ứng): " + "; ".join(s.sub.id for s in no_data) + ".",
                italic=True,
            )
        )
    group_rows = []
    prev_groups = {g.group.number: g for g in prev.groups}
    for g in cur.groups:
        p = prev_groups[g.group.number]
        diff = g.points - p.points if g.max_counted and p.max_counted else None
        group_rows.append(
            (str(g.group.number), g.group.name_vi, str(g.group.pmax), d(g.max_counted),
             d(g.points) if g.max_counted else "—", d(p.points) if p.max_counted else "—",
             signed(diff))
        )  # fmt: skip
    group_rows.append(
        ("", "Tổng cộng", "100", d(cur.max_counted), d(cur.total), d(prev.total),
         signed(cur.total - prev.total))
    )  # fmt: skip
    groups = Table(
        "Bảng 1. Điểm theo nhóm chỉ số",
        ("TT", "Nhóm chỉ số", "Điểm tối đa", "Tối đa có dữ liệu", "Tháng này", "Tháng trước",
         "Tăng, giảm"),
        tuple(group_rows), (5, 33, 11, 13, 12, 12, 12), "clrrrrr", total=True,
    )  # fmt: skip
    values = [_float(_shown_total(trend[p.label])) for p in months]
    labels = [f"{p.first.month:02d}/{p.first.year % 100:02d}" for p in months]
    chart = LineChart(
        f"Tổng điểm Bộ chỉ số 766 (thang 100), 12 tháng đến {period.first:%m/%Y}",
        labels,
        [Series(agency.name, values)],
        unit="điểm",
        y_min=0,
        y_max=100,
    )
    trend_table = Table(
        "Bảng 2. Tổng điểm 12 tháng (thang 100)",
        ("Tháng", *labels),
        (("Điểm", *(d(v) if v is not None else "—" for v in values)),),
        (8, *([7.6] * 12)),
        "l" + "r" * 12,
    )
    sub_rows = tuple(_sub_row(s) for g in cur.groups for s in g.subs)
    subs = Table(
        "Bảng 3. Kết quả từng chỉ tiêu (R: kết quả; T: ngưỡng đạt điểm tối đa)",
        ("Mã", "Chỉ tiêu", "Tử số/ Mẫu số", "R", "T", "Điểm", "Tối đa"),
        sub_rows, (6, 40, 13, 13, 7, 9, 8), "llrrrrr",
        note="Chỉ tiêu có ngưỡng T: điểm tối đa khi R ≥ T, nếu không R/T × điểm tối đa; chỉ "
        "tiêu không có ngưỡng: R × điểm tối đa (Quyết định 766/QĐ-TTg; cách tính công bố trên "
        f"Cổng DVCQG). Phiên bản công thức {cur.formula_version}.",
    )  # fmt: skip
    sections = [
        Section("I", "KẾT QUẢ CHUNG", 1),
        Section("1", "Tổng điểm và điểm theo nhóm chỉ số", 2, (*lead, groups)),
        Section("2", "Diễn biến 12 tháng", 2, (ChartBlock(chart.title, chart), trend_table)),
        Section("II", "KẾT QUẢ TỪNG CHỈ TIÊU", 1, (subs,)),
    ]
    advice = _advice(cur)
    sections.append(
        Section(
            "III",
            "CÁC CHỈ TIÊU MẤT NHIỀU ĐIỂM NHẤT VÀ GIẢI PHÁP NÂNG ĐIỂM",
            1,
            tuple(advice) or (Paragraph("Các chỉ tiêu có dữ liệu đều đạt điểm tối đa."),),
        )
    )
    children = _children(agency, period)
    if children:
        sections.append(_children_766(children, period, _month_before(period)))
    return _header(agency, "766", period, subject, intro, sections)


def _children_766(children: list[Agency], period: Period, before: Period) -> Section:
    """The subordinate agencies' totals this month and last (two grouped reads)."""
    now = {r.agency_id: r for r in index766.index_for_all(period, children)}
    then = {r.agency_id: r for r in index766.index_for_all(before, children)}
    rows, bars = [], []
    for i, a in enumerate(children, start=1):
        t, b = _shown_total(now[a.pk]), _shown_total(then[a.pk])
        rows.append(
            (str(i), a.name, d(now[a.pk].total) if now[a.pk].max_counted else "—",
             d(now[a.pk].max_counted), d(t), d(b),
             signed(None if t is None or b is None else t - b))
        )  # fmt: skip
        bars.append(Bar(a.name, _float(t)))
    table = Table(
        "Bảng 4. Điểm của các cơ quan, đơn vị trực thuộc",
        ("TT", "Cơ quan, đơn vị", "Điểm", "Tối đa có dữ liệu", "Thang 100", "Tháng trước",
         "Tăng, giảm"),
        tuple(rows), (6, 40, 10, 11, 11, 11, 11), "llrrrrr",
    )  # fmt: skip
    known = sorted((b for b in bars if b.value is not None), key=lambda b: b.value or 0)
    blocks: list[Block] = []
    if known:
        lowest = known[:10]
        chart = BarChart(
            f"{len(lowest)} cơ quan, đơn vị có điểm thấp nhất (thang 100)",
            lowest,
            unit="điểm",
            x_max=100,
        )
        blocks.append(ChartBlock(chart.title, chart))
    blocks.append(table)
    return Section(ROMAN[3], "KẾT QUẢ CỦA CÁC CƠ QUAN, ĐƠN VỊ", 1, tuple(blocks))


# --- the quarterly one-stop report ----------------------------------------------------------------

#: The KPIs the quarterly report prints (each number is one of their numerators or denominators).
ONE_STOP_KPIS = (
    "online_share",
    "on_time_legal",
    "early",
    "on_time_766",
    "overdue_open",
    "apologies",
    "supplements_per_dossier",
    "avg_processing_days",
    "full_online_share",
    "paid_online",
    "electronic_results",
    "digitised",
    "reuse",
    "satisfaction",
)
_OTHER_ROWS = (
    ("online_share", "Hồ sơ nộp trực tuyến / hồ sơ tiếp nhận mới"),
    ("full_online_share", "Hồ sơ trực tuyến toàn trình / hồ sơ của TTHC đủ điều kiện"),
    ("on_time_766", "Hồ sơ trước hạn, đúng hạn theo cách tính QĐ 766 / hồ sơ đã giải quyết"),
    ("avg_processing_days", "Thời gian giải quyết trung bình (ngày làm việc)"),
    ("apologies", "Hồ sơ có văn bản xin lỗi, hẹn lại / hồ sơ đã giải quyết"),
    ("supplements_per_dossier", "Lần yêu cầu bổ sung hồ sơ / hồ sơ đã giải quyết"),
    ("paid_online", "Hồ sơ thanh toán trực tuyến / hồ sơ có phí, lệ phí"),
    ("electronic_results", "Hồ sơ có kết quả điện tử / hồ sơ đã giải quyết"),
    ("digitised", "Hồ sơ được số hóa / hồ sơ đã giải quyết"),
    ("reuse", "Hồ sơ tái sử dụng dữ liệu số hóa / hồ sơ đã giải quyết"),
    ("satisfaction", "Lượt đánh giá hài lòng / lượt đánh giá"),
)
_QUARTER = ("I", "II", "III", "IV")


def _one(code: str, agency: Agency, period: Period) -> Figure:
    f = compute.kpi(code, agency, period)
    assert isinstance(f, Figure)
    return f


def _many(code: str, agency: Agency, period: Period, by: str) -> dict[Any, Figure]:
    f = compute.kpi(code, agency, period, by=by)
    assert isinstance(f, dict)
    return f


def _settled_row(name: str, received: Figure | None, legal: Figure | None, early: Figure | None,
                 overdue: Figure | None) -> tuple[str, ...]:  # fmt: skip
    fin = legal.denominator if legal else 0
    ok = legal.numerator if legal else 0
    return (
        name,
        n(received.denominator if received else 0),
        n(fin),
        n(ok),
        n(early.numerator if early else 0),
        n(fin - ok),
        stock(overdue, "open"),
        stock(overdue, "overdue"),
        fig(legal, "—") if legal else "—",
    )


_SETTLED_HEAD = ("Tiếp nhận mới", "Đã giải quyết", "Trước hạn, đúng hạn", "Trong đó trước hạn",
                 "Quá hạn", "Đang giải quyết", "Đang quá hạn", "Tỷ lệ trước hạn, đúng hạn (%)")  # fmt: skip


def quarterly_one_stop(agency: Agency, period: Period) -> Document:
    """The quarterly report on settling procedures of ``agency``'s subtree (module docstring)."""
    check_period("one_stop", period)
    # One grouped read for all of them (``index766.kpis_for_agencies``: equal to
    # ``metrics.compute.kpi`` for the agency, which the tests check against ``caicach kpi``).
    grouped = index766.kpis_for_agencies(ONE_STOP_KPIS, [agency], period)
    f = {
        code: grouped.get((code, agency.pk)) or _one(code, agency, period) for code in ONE_STOP_KPIS
    }
    carried = _one("overdue_open", agency, _month_before(period))
    channels = _many("online_share", agency, period, "channel")
    received, legal, early, open_ = (
        f["online_share"], f["on_time_legal"], f["early"], f["overdue_open"]
    )  # fmt: skip
    quarter = f"quý {_QUARTER[(period.first.month - 1) // 3]} năm {period.first.year}"
    subject = f"Tình hình, kết quả giải quyết thủ tục hành chính {quarter}"
    intro = (
        f"{agency.name} báo cáo tình hình, kết quả giải quyết thủ tục hành chính {quarter} (số "
        f"liệu {_span(period)}, từ Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh) "
        "như sau:"
    )

    def ch(code: str) -> str:
        c = channels.get(code)
        return n(c.denominator if c else 0)

    # No end-of-day snapshot for the day before the quarter: "no data", never 0.
    carried_text = stock(carried, "open")
    received_table = Table(
        "Bảng 1. Số hồ sơ tiếp nhận",
        ("Kỳ trước chuyển sang", "Tiếp nhận mới", "Trực tuyến", "Trực tiếp", "Bưu chính",
         "Tỷ lệ trực tuyến (%)"),
        ((carried_text, n(received.denominator), ch("online"), ch("counter"), ch("post"),
          fig(received)),),
        (18, 16, 16, 16, 16, 18), "rrrrrr",
        note="Kỳ trước chuyển sang: hồ sơ đang giải quyết tại cuối ngày "
        f"{_month_before(period).last:%d/%m/%Y}; “—”: không có dữ liệu (chưa chốt số tồn).",
    )  # fmt: skip
    settled_table = Table(
        "Bảng 2. Kết quả giải quyết (so với thời hạn giải quyết theo quy định)",
        ("Đã giải quyết", "Trước hạn, đúng hạn", "Trong đó trước hạn", "Quá hạn",
         "Tỷ lệ trước hạn, đúng hạn (%)", "Đang giải quyết trong hạn", "Đang giải quyết quá hạn"),
        ((n(legal.denominator), n(legal.numerator), n(early.numerator),
          n(legal.denominator - legal.numerator), fig(legal),
          stock(open_, "in_time"), stock(open_, "overdue")),),
        (14, 14, 14, 12, 16, 15, 15), "rrrrrrr",
        note=f"Hồ sơ đang giải quyết: tại cuối ngày {period.last:%d/%m/%Y}; “—”: không có dữ "
        "liệu (chưa chốt số tồn).",
    )  # fmt: skip
    other = Table(
        "Bảng 3. Một số chỉ tiêu khác",
        ("Chỉ tiêu", "Tử số", "Mẫu số", "Kết quả"),
        tuple(
            (label, n(f[code].numerator) if code != "avg_processing_days" else d(f[code].numerator),
             n(f[code].denominator), fig(f[code]) + ("%" if f[code].value is not None and
                                                    code not in ("avg_processing_days",
                                                                 "supplements_per_dossier")
                                                    else ""))
            for code, label in _OTHER_ROWS
        ),
        (52, 15, 15, 18), "lrrr",
    )  # fmt: skip
    sections = [
        Section("I", "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", 1),
        Section("1", "Tiếp nhận hồ sơ", 2, (
            Paragraph(f"Tổng số hồ sơ tiếp nhận mới trong kỳ: {n(received.denominator)} hồ sơ "
                      f"(trực tuyến {ch('online')}, trực tiếp {ch('counter')}, qua dịch vụ bưu "
                      f"chính công ích {ch('post')}); kỳ trước chuyển sang: "
                      + (f"{carried_text} hồ sơ." if carried_text != "—" else
                         "chưa có số liệu (chưa chốt số tồn cuối kỳ trước).")),
            received_table)),
        Section("2", "Kết quả giải quyết", 2, (
            Paragraph(f"Đã giải quyết {n(legal.denominator)} hồ sơ, trong đó trước hạn, đúng hạn "
                      f"{n(legal.numerator)} hồ sơ (tỷ lệ {fig(legal)}%), quá hạn "
                      f"{n(legal.denominator - legal.numerator)} hồ sơ."
                      + ("" if _no_snapshot(open_) else
                         f" Đang giải quyết {stock(open_, 'open')} hồ sơ, trong đó quá hạn "
                         f"{stock(open_, 'overdue')} hồ sơ.")),
            settled_table)),
        Section("3", "Xin lỗi, bổ sung hồ sơ, thanh toán trực tuyến, số hóa và mức độ hài lòng",
                2, (other,)),
    ]  # fmt: skip
    sections.extend(_breakdowns(agency, period, f))
    return _header(agency, "one_stop", period, subject, intro, sections)


def _breakdowns(agency: Agency, period: Period, f: dict[str, Figure]) -> list[Section]:
    """Per field group and per subordinate agency (the tables the province sends), a chart of
    the on-time rates, and the causes of lateness read from them."""
    from caicach.procedures.models import Field

    received = _many("online_share", agency, period, "field")
    legal = _many("on_time_legal", agency, period, "field")
    early = _many("early", agency, period, "field")
    overdue: dict[Any, Figure] = _many("overdue_open", agency, period, "field")
    missing = _no_snapshot(f["overdue_open"])  # then every row's stock is "—"
    keys = sorted({*received, *legal, *overdue}, key=str)
    names = dict(Field.objects.filter(pk__in=[k for k in keys if k]).values_list("pk", "name"))
    field_rows = [
        _settled_row(names.get(k, "Chưa phân lĩnh vực"), received.get(k), legal.get(k),
                     early.get(k), f["overdue_open"] if missing else overdue.get(k))
        for k in sorted(keys, key=lambda k: names.get(k, "~"))
    ]  # fmt: skip
    total = _settled_row("Tổng cộng", f["online_share"], f["on_time_legal"], f["early"],
                         f["overdue_open"])  # fmt: skip
    by_field = Table(
        "Bảng 4. Kết quả theo lĩnh vực",
        ("Lĩnh vực", *_SETTLED_HEAD), (*field_rows, total),
        (26, 9, 9, 10, 9, 8, 10, 9, 10), "lrrrrrrrr", total=True,
    )  # fmt: skip
    sections = [Section("4", "Kết quả theo lĩnh vực", 2, (by_field,))]
    late_fields = sorted(
        ((k, legal[k].denominator - legal[k].numerator) for k in legal), key=lambda x: -x[1]
    )
    children = _children(agency, period)
    late_agencies: list[tuple[str, Any]] = []
    if children:
        figs = index766.kpis_for_agencies(
            ["online_share", "on_time_legal", "early", "overdue_open"], children, period
        )
        rows, bars = [], []
        for a in children:
            legal_a = figs[("on_time_legal", a.pk)]
            rows.append(_settled_row(a.name, figs[("online_share", a.pk)], legal_a,
                                     figs[("early", a.pk)], figs[("overdue_open", a.pk)]))  # fmt: skip
            bars.append(Bar(a.name, _float(legal_a.value)))
            late_agencies.append((a.name, legal_a.denominator - legal_a.numerator))
        table = Table(
            "Bảng 5. Kết quả theo cơ quan, đơn vị",
            ("Cơ quan, đơn vị", *_SETTLED_HEAD), (*rows, total),
            (26, 9, 9, 10, 9, 8, 10, 9, 10), "lrrrrrrrr", total=True,
        )  # fmt: skip
        known = sorted((b for b in bars if b.value is not None), key=lambda b: b.value or 0)
        blocks: list[Block] = []
        if known:
            chart = BarChart(
                f"Tỷ lệ trước hạn, đúng hạn: {min(10, len(known))} cơ quan, đơn vị thấp nhất (%)",
                known[:10], target=100, target_label="", x_max=100,
            )  # fmt: skip
            blocks.append(ChartBlock(chart.title, chart))
        blocks.append(table)
        sections.append(Section("5", "Kết quả theo cơ quan, đơn vị", 2, tuple(blocks)))
    late = f["on_time_legal"].denominator - f["on_time_legal"].numerator
    causes: list[Block] = []
    if not late and not Decimal(f["overdue_open"].numerator):
        causes.append(Paragraph("Trong kỳ không có hồ sơ giải quyết quá hạn."))
    else:
        causes.append(
            Paragraph(
                f"Trong kỳ có {n(late)} hồ sơ giải quyết quá hạn và "
                f"{stock(f['overdue_open'], 'overdue')} hồ sơ đang giải quyết quá hạn tại cuối kỳ; "
                f"{n(f['apologies'].numerator)} hồ sơ "
                "đã có văn bản xin lỗi, hẹn lại ngày trả kết quả (Mẫu số 04)."
            )
        )
        top = [(names.get(k, "Chưa phân lĩnh vực"), c) for k, c in late_fields if c > 0][:3]
        if top:
            causes.append(Paragraph(
                "Hồ sơ quá hạn tập trung ở các lĩnh vực: "
                + "; ".join(f"{name} ({n(c)} hồ sơ)" for name, c in top) + "."))  # fmt: skip
        worst = sorted((x for x in late_agencies if x[1] > 0), key=lambda x: -x[1])[:3]
        if worst:
            causes.append(Paragraph(
                "Cơ quan, đơn vị có nhiều hồ sơ quá hạn: "
                + "; ".join(f"{name} ({n(c)} hồ sơ)" for name, c in worst) + "."))  # fmt: skip
        sup = f["supplements_per_dossier"]
        if sup.numerator:
            causes.append(Paragraph(
                f"Số lần yêu cầu bổ sung, hoàn thiện hồ sơ: {d(sup.numerator, 0)} lần trên "
                f"{n(sup.denominator)} hồ sơ đã giải quyết; hồ sơ phải bổ sung nhiều lần kéo dài "
                "thời gian giải quyết (theo cách tính QĐ 766, yêu cầu bổ sung từ lần thứ hai "
                "tính là quá hạn)."))  # fmt: skip
    sections.append(Section("II", "NGUYÊN NHÂN HỒ SƠ QUÁ HẠN", 1, tuple(causes)))
    return sections
