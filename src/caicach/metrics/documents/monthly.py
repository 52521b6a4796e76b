"""The monthly Decision 766 report (QĐ 766/QĐ-TTg; regulations §1.1-§1.2) of an agency's
subtree: the total, the groups and sub-indicators with R, T and points
(``metrics.index766_reads.index_for``), the change from the previous month, the 12-month trend, the
sub-indicators losing most points with what would raise them (``k_to_full_points``,
``what_if``), and the agencies directly under it (one grouped read, ``index_for_all``)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from caicach.agencies.models import Agency
from caicach.metrics import index766, index766_reads
from caicach.metrics.charts import Bar, BarChart, LineChart, Series
from caicach.metrics.documents.common import (
    ROMAN,
    as_float,
    check_period,
    children,
    d,
    header,
    month_before,
    n,
    signed,
    span,
)
from caicach.metrics.documents.model import Block, ChartBlock, Document, Paragraph, Section, Table
from caicach.metrics.periods import Period

__all__ = ["monthly_766"]

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


def _months_back(period: Period, count: int) -> list[Period]:
    out = [period]
    while len(out) < count:
        out.append(month_before(out[-1]))
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
        p.label: index766_reads.index_for(agency, p) for p in months
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
        f"tử, {agency.name} báo cáo kết quả {month} (số liệu {span(period)}) như sau:"
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
    values = [as_float(_shown_total(trend[p.label])) for p in months]
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
        (("Điểm", *(d(_shown_total(trend[p.label])) for p in months)),),
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
    under = children(agency, period)
    if under:
        sections.append(_children_766(under, period, month_before(period)))
    return header(agency, "766", period, subject, intro, sections)


def _children_766(agencies: list[Agency], period: Period, before: Period) -> Section:
    """The subordinate agencies' totals this month and last (two grouped reads)."""
    now = {r.agency_id: r for r in index766_reads.index_for_all(period, agencies)}
    then = {r.agency_id: r for r in index766_reads.index_for_all(before, agencies)}
    rows, bars = [], []
    for i, a in enumerate(agencies, start=1):
        t, b = _shown_total(now[a.pk]), _shown_total(then[a.pk])
        rows.append(
            (str(i), a.name, d(now[a.pk].total) if now[a.pk].max_counted else "—",
             d(now[a.pk].max_counted), d(t), d(b),
             signed(None if t is None or b is None else t - b))
        )  # fmt: skip
        bars.append(Bar(a.name, as_float(t)))
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
