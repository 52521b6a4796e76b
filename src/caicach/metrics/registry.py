"""The KPI registry: each reform metric defined once (issue 13, "A metric registry").

A KPI is a ratio ``numerator / denominator × factor`` over named *measures*. A measure is either
an additive counter of the daily rollup (``metrics.models.DailyRollup``: flow measures, summed
over days), a stock taken at the period's end (``OpenSnapshot``), or a count over the catalogue
in force at the period's end (``procedures.ProcedureVersion``, dated). The rules cited are in
``../shared/docs/regulations.md`` (§1 Decision 766, §2.4 deadlines, §3.2 reuse/payment) and the
plans in ``../shared/seeds/``.

A KPI whose facts do not exist yet (``requires`` names a model field that is missing) computes as
"no data" with that reason, so the registry takes it without a change to the callers (766 5.x).
Register once with :func:`register`; :func:`get` raises :class:`UnknownKPIError` (bilingual).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "FINISHED_MEASURES",
    "FORMULA_VERSION",
    "KPI",
    "RECEIVED_MEASURES",
    "ROLLUP_MEASURES",
    "UnknownKPIError",
    "all_kpis",
    "get",
    "register",
]

#: Bumped whenever a definition below changes meaning; stored with every frozen value.
FORMULA_VERSION = "2026.12-3"

Source = Literal["rollup", "snapshot", "catalogue"]

#: Counters of ``DailyRollup``. ``received_*`` sit on the day of receipt, the others on the day
#: processing ended (``finished_at``, Vietnam time). Each is defined for the rebuild (SQL) and
#: for the raw path (``metrics.facts``), and a property test checks the two agree.
RECEIVED_MEASURES = (
    "received",
    "received_online",
    "received_full_online",
    "received_full_online_eligible",
)
FINISHED_MEASURES = (
    "finished",
    "finished_online",
    "finished_early",
    "finished_on_time",
    "finished_legal_on_time",
    "processing_days",
    "supplement_requests",
    "apologised",
    "apologies",
    "reused",
    "digitised",
    "electronic_result",
    "fee_bearing",
    "paid_online",
    "rated",
    "rated_satisfied",
    "transfers",
    "transfers_electronic",
)
ROLLUP_MEASURES = (*RECEIVED_MEASURES, *FINISHED_MEASURES)
SNAPSHOT_MEASURES = ("open_at_end", "overdue_at_end")
CATALOGUE_MEASURES = (
    "versions",
    "versions_online",
    "versions_full_online",
    "versions_time_cut_25",
    "versions_with_statutory",
    "versions_full_online_eligible",
    "versions_national_portal",
    "versions_payable_online",
    "versions_fee_bearing",
)


class UnknownKPIError(LookupError):
    def __init__(self, code: str) -> None:
        self.vi = f"Không có chỉ số mã {code!r}."
        self.en = f"No KPI with code {code!r}."
        super().__init__(f"{self.vi} / {self.en}")


@dataclass(frozen=True)
class KPI:
    code: str
    name_vi: str
    name_en: str
    numerator: str  # a measure name
    denominator: str  # a measure name
    unit: str  # "%", "days", "per_dossier"
    rule: str
    version: int = 1
    additive: bool = True  # numerator and denominator are sums over agencies and days
    source: Source = "rollup"
    factor: int = 100
    requires: tuple[str, ...] = field(default=())  # "app.Model.field" facts needed
    numerator_vi: str = ""
    denominator_vi: str = ""
    target: str = ""  # the plans' threshold, for reading only


_REGISTRY: dict[str, KPI] = {}


def register(kpi: KPI) -> KPI:
    if kpi.code in _REGISTRY and _REGISTRY[kpi.code] != kpi:
        raise ValueError(f"KPI {kpi.code} registered twice with different definitions")
    _REGISTRY[kpi.code] = kpi
    return kpi


def get(code: str) -> KPI:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise UnknownKPIError(code) from None


def all_kpis() -> list[KPI]:
    return list(_REGISTRY.values())


_R766_21 = "QĐ 766/QĐ-TTg chỉ tiêu 2.1 (regulations §1.2, §1.3)"

for _kpi in (
    KPI(
        "on_time_766",
        "Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn (theo QĐ 766)",
        "Dossiers finished early or on time (Decision 766 rule)",
        "finished_on_time",
        "finished",
        "%",
        _R766_21 + "; kết thúc xử lý ≤ ngày hẹn trả",
        numerator_vi="hồ sơ kết thúc trong kỳ trước hạn hoặc đúng hạn",
        denominator_vi="hồ sơ kết thúc xử lý trong kỳ",
        target=">= 99%",
    ),
    KPI(
        "on_time_legal",
        "Tỷ lệ hồ sơ giải quyết đúng thời hạn theo quy định",
        "Dossiers finished within the statutory time",
        "finished_legal_on_time",
        "finished",
        "%",
        "NĐ 61/2018 art. 2 và TT 01/2018/TT-VPCP art. 13 (regulations §2.4): so với hạn luật định",
        numerator_vi="hồ sơ kết thúc không muộn hơn hạn giải quyết theo quy định",
        denominator_vi="hồ sơ kết thúc xử lý trong kỳ",
    ),
    KPI(
        "early",
        "Tỷ lệ hồ sơ giải quyết trước hạn",
        "Dossiers finished early",
        "finished_early",
        "finished",
        "%",
        "TT 01/2018/TT-VPCP art. 13 chỉ tiêu 1 (trước hạn)",
    ),
    KPI(
        "overdue_open",
        "Tỷ lệ hồ sơ đang giải quyết quá hạn tại cuối kỳ",
        "Open dossiers overdue at the period's end",
        "overdue_at_end",
        "open_at_end",
        "%",
        _R766_21 + ": hồ sơ chưa kết thúc lấy thời điểm cuối kỳ",
        additive=True,
        source="snapshot",
    ),
    KPI(
        "avg_processing_days",
        "Thời gian giải quyết trung bình (ngày làm việc)",
        "Average processing time (working days)",
        "processing_days",
        "finished",
        "working_days",
        "QĐ 766 chỉ tiêu 2.2: tổng thời gian giải quyết / hồ sơ đã giải quyết",
        factor=1,
        additive=False,
    ),
    KPI(
        "online_share",
        "Tỷ lệ hồ sơ nộp trực tuyến",
        "Dossiers submitted online",
        "received_online",
        "received",
        "%",
        "QĐ 766 chỉ tiêu 3.3 (KenhThucHien = 2)",
        target=">= 50% (sau đó 80%)",
    ),
    KPI(
        "full_online_share",
        "Tỷ lệ hồ sơ trực tuyến toàn trình",
        "Full-online dossiers",
        "received_full_online",
        "received_full_online_eligible",
        "%",
        "QĐ 766 nhóm 3 (hồ sơ toàn trình / hồ sơ của TTHC đủ điều kiện toàn trình)",
        requires=("procedures.ProcedureVersion.full_online_eligible",),
    ),
    KPI(
        "procedures_online",
        "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến (một phần, toàn trình)",
        "Procedures offered online (partial or full)",
        "versions_online",
        "versions",
        "%",
        "QĐ 766 chỉ tiêu 3.1 (T = 80%)",
        source="catalogue",
        additive=False,
        target=">= 80%",
    ),
    KPI(
        "procedures_full_online",
        "Tỷ lệ TTHC trực tuyến toàn trình trên TTHC đủ điều kiện",
        "Procedures fully online among those eligible",
        "versions_full_online",
        "versions_full_online_eligible",
        "%",
        "QĐ 766 chỉ tiêu 3.1 (mẫu số: TTHC đủ điều kiện toàn trình)",
        source="catalogue",
        additive=False,
        requires=("procedures.ProcedureVersion.full_online_eligible",),
    ),
    KPI(
        "procedures_national_portal",
        "Tỷ lệ TTHC tích hợp trên Cổng Dịch vụ công quốc gia",
        "Procedures integrated on the national portal",
        "versions_national_portal",
        "versions",
        "%",
        "QĐ 766 nhóm 3; NĐ 42/2022 (regulations §3.1)",
        source="catalogue",
        additive=False,
        requires=("procedures.ProcedureVersion.national_portal_integrated",),
    ),
    KPI(
        "transfers_electronic",
        "Tỷ lệ hồ sơ liên thông thực hiện điện tử",
        "Inter-agency transfers done electronically",
        "transfers_electronic",
        "transfers",
        "%",
        "NĐ 61/2018 art. 19, NĐ 45/2020 art. 13; kế hoạch tỉnh (80%): lần chuyển liên thông "
        "không ghi nhận là gửi bằng giấy / lần chuyển liên thông, tính khi hồ sơ kết thúc",
        numerator_vi="lần chuyển liên thông thực hiện điện tử",
        denominator_vi="lần chuyển liên thông của hồ sơ kết thúc trong kỳ",
        target=">= 80%",
    ),
    KPI(
        "electronic_results",
        "Tỷ lệ hồ sơ có kết quả giải quyết điện tử",
        "Dossiers with an electronic result",
        "electronic_result",
        "finished",
        "%",
        "QĐ 766 chỉ tiêu 4.1",
        requires=("dossiers.Dossier.has_electronic_result",),
    ),
    KPI(
        "digitised",
        "Tỷ lệ hồ sơ có thành phần được số hóa",
        "Dossiers with digitised components",
        "digitised",
        "finished",
        "%",
        "QĐ 766 chỉ tiêu 4.2 (T = 80%); NĐ 107/2021 (regulations §3.2)",
        target="30/20/15% theo cấp (2021), +20 điểm/năm",
    ),
    KPI(
        "reuse",
        "Tỷ lệ hồ sơ tái sử dụng dữ liệu số hóa",
        "Dossiers reusing digitised data",
        "reused",
        "finished",
        "%",
        "QĐ 766 chỉ tiêu 4.3 (T = 80%); regulations §3.2",
        target="70-80%",
    ),
    KPI(
        "procedures_payable_online",
        "Tỷ lệ TTHC có phí, lệ phí thanh toán trực tuyến",
        "Fee-bearing procedures payable online",
        "versions_payable_online",
        "versions_fee_bearing",
        "%",
        "QĐ 766 chỉ tiêu 3.5 (T = 80%)",
        source="catalogue",
        additive=False,
        requires=("procedures.ProcedureVersion.payable_online",),
        target=">= 80%",
    ),
    KPI(
        "paid_online",
        "Tỷ lệ hồ sơ thanh toán trực tuyến",
        "Dossiers paid online",
        "paid_online",
        "fee_bearing",
        "%",
        "QĐ 766 chỉ tiêu 3.6 (DuocThanhToanTrucTuyen = 1 hoặc 2; hoàn tiền toàn bộ không tính)",
        requires=("payments.Payment.portal_code",),
        target=">= 30% (sau đó 50%)",
    ),
    KPI(
        "satisfaction",
        "Tỷ lệ hài lòng",
        "Satisfaction",
        "rated_satisfied",
        "rated",
        "%",
        "QĐ 766 chỉ tiêu 5.4; SIPAS (regulations §5.2)",
        requires=("ratings.Rating.value",),
        target=">= 90% (95% năm 2030; 85% đất đai, xây dựng, đầu tư)",
    ),
    KPI(
        "apologies",
        "Tỷ lệ hồ sơ có văn bản xin lỗi, hẹn lại",
        "Dossiers with an apology letter",
        "apologised",
        "finished",
        "%",
        "QĐ 766 chỉ tiêu 2.1; NĐ 61/2018 art. 19(7) (phiếu xin lỗi và hẹn lại)",
    ),
    KPI(
        "supplements_per_dossier",
        "Số lần yêu cầu bổ sung bình quân trên hồ sơ",
        "Supplement requests per dossier",
        "supplement_requests",
        "finished",
        "per_dossier",
        "NĐ 61/2018 art. 15; QĐ 766 §1.3 (nhiều hơn một lần bổ sung tính quá hạn)",
        factor=1,
        additive=False,
    ),
    KPI(
        "time_cut_25",
        "Tỷ lệ TTHC cắt giảm ít nhất 25% thời gian giải quyết so với quy định",
        "Procedures whose promised time is cut by at least 25% of the statutory time",
        "versions_time_cut_25",
        "versions_with_statutory",
        "%",
        "Kế hoạch CCHC của tỉnh (cắt giảm ≥ 25% thời gian theo quy định)",
        source="catalogue",
        additive=False,
    ),
):
    register(_kpi)
