"""The quarterly report on settling procedures (*tình hình, kết quả giải quyết TTHC*; NĐ
61/2018 art. 2 and TT 01/2018/TT-VPCP art. 13 count early, on time and late against the statutory
time, regulations §2.4, §2.6) of an agency's subtree: every number is a numerator or a
denominator of ``metrics.compute.kpi`` for the same agency and period, as ``caicach kpi`` prints
it (a test checks it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from caicach.agencies.models import Agency
from caicach.metrics import compute, index766_reads
from caicach.metrics.charts import Bar, BarChart
from caicach.metrics.documents.common import (
    as_float,
    check_period,
    children,
    d,
    fig,
    header,
    month_before,
    n,
    no_snapshot,
    span,
    stock,
)
from caicach.metrics.documents.model import Block, ChartBlock, Document, Paragraph, Section, Table
from caicach.metrics.figures import Figure
from caicach.metrics.periods import Period

__all__ = ["ONE_STOP_KPIS", "OTHER_ROWS", "quarterly_one_stop"]

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
OTHER_ROWS = (
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
    # One grouped read for all of them (``index766_reads.kpis_for_agencies``: equal to
    # ``metrics.compute.kpi`` for the agency, which the tests check against ``caicach kpi``).
    grouped = index766_reads.kpis_for_agencies(ONE_STOP_KPIS, [agency], period)
    f = {
        code: grouped.get((code, agency.pk)) or _one(code, agency, period) for code in ONE_STOP_KPIS
    }
    carried = _one("overdue_open", agency, month_before(period))
    channels = _many("online_share", agency, period, "channel")
    received, legal, early, open_ = (
        f["online_share"], f["on_time_legal"], f["early"], f["overdue_open"]
    )  # fmt: skip
    quarter = f"quý {_QUARTER[(period.first.month - 1) // 3]} năm {period.first.year}"
    subject = f"Tình hình, kết quả giải quyết thủ tục hành chính {quarter}"
    intro = (
        f"{agency.name} báo cáo tình hình, kết quả giải quyết thủ tục hành chính {quarter} (số "
        f"liệu {span(period)}, từ Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh) "
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
        f"{month_before(period).last:%d/%m/%Y}; “—”: không có dữ liệu (chưa chốt số tồn).",
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
            for code, label in OTHER_ROWS
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
                      + ("" if no_snapshot(open_) else
                         f" Đang giải quyết {stock(open_, 'open')} hồ sơ, trong đó quá hạn "
                         f"{stock(open_, 'overdue')} hồ sơ.")),
            settled_table)),
        Section("3", "Xin lỗi, bổ sung hồ sơ, thanh toán trực tuyến, số hóa và mức độ hài lòng",
                2, (other,)),
    ]  # fmt: skip
    sections.extend(_breakdowns(agency, period, f))
    return header(agency, "one_stop", period, subject, intro, sections)


def _breakdowns(agency: Agency, period: Period, f: dict[str, Figure]) -> list[Section]:
    """Per field group and per subordinate agency (the tables the province sends), a chart of
    the on-time rates, and the causes of lateness read from them."""
    from caicach.procedures.models import Field

    received = _many("online_share", agency, period, "field")
    legal = _many("on_time_legal", agency, period, "field")
    early = _many("early", agency, period, "field")
    overdue: dict[Any, Figure] = _many("overdue_open", agency, period, "field")
    missing = no_snapshot(f["overdue_open"])  # then every row's stock is "—"
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
    under = children(agency, period)
    late_agencies: list[tuple[str, Any]] = []
    if under:
        figs = index766_reads.kpis_for_agencies(
            ["online_share", "on_time_legal", "early", "overdue_open"], under, period
        )
        rows, bars = [], []
        for a in under:
            legal_a = figs[("on_time_legal", a.pk)]
            rows.append(_settled_row(a.name, figs[("online_share", a.pk)], legal_a,
                                     figs[("early", a.pk)], figs[("overdue_open", a.pk)]))  # fmt: skip
            bars.append(Bar(a.name, as_float(legal_a.value)))
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
                f"Trong kỳ có {n(late)} hồ sơ giải quyết quá hạn"
                + (
                    ""
                    if missing
                    else f" và {stock(f['overdue_open'], 'overdue')} hồ sơ đang giải quyết quá hạn tại "
                    "cuối kỳ"
                )
                + f"; {n(f['apologies'].numerator)} hồ sơ "
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
