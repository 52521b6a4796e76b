"""The Decision 766 index (QĐ 766/QĐ-TTg, 23/6/2022): six groups, 100 points, for any agency and
period, cascaded from the province to every department and commune (issue 13, "Decision 766").

Sources: ``../shared/docs/regulations.md`` §1.1 (groups and maxima), §1.2 (sub-indicators,
formulas, points, thresholds), §1.3 (the on-time rule, applied when the verdicts are stored, see
``dossiers.deadlines``), §1.4 (no official rating bands: none are invented here).
ADR ``docs/adr/0008-decision-766-index.md`` explains the choices where the sources disagree.

Everything the index scores is *data* (:data:`SUB_INDICATORS`): each sub-indicator names the KPI
code of ``metrics.registry`` that gives its ratio R (in percent). A sub-indicator whose KPI is not
registered yet, or has no data in the period, is "no data" with the reason: the registry takes the
missing facts later (feedback handling 5.1-5.3 belongs to the citizen portal) without a change here.

This module is the definitions and the scoring; reading the figures of many agencies from the
rollups and scoring them is :mod:`caicach.metrics.index766_reads`.

Scoring (regulations §1.2): with a threshold T, ``points = Pmax if R >= T else R / T × Pmax``.
Without a threshold the public tools use ``R × Pmax`` (R as a fraction): UNVERIFIED, recorded as
scoring ``"linear"`` in every result. Arithmetic is exact (``Fraction``); rounding to 2 decimals
happens at display only (metrics-notes, "Decision 766 specifics").

Settings (``docs/configuration.md``):
- ``METRICS_766_GROUP3_SPLIT``: how group 3's 12 points are split (``metadata``: all on the
  full-online dossier ratio, the default; ``operator``: 6 on 3.1 and 6 on 3.3; or an explicit
  ``3.1:4,3.3:4,3.x:4`` summing to 12).
- ``METRICS_766_NO_DATA``: how a no-data sub-indicator counts (``exclude``: left out, the maximum
  reduced, the total also shown scaled to 100, the default; ``zero``: 0 of its points).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal
from zoneinfo import ZoneInfo

from caicach.metrics.figures import Figure
from caicach.metrics.periods import Period

__all__ = [
    "FORMULA_VERSION",
    "GROUPS",
    "SUB_INDICATORS",
    "Group",
    "GroupResult",
    "IndexResult",
    "SubIndicator",
    "SubResult",
    "What",
    "compute_index",
    "group3_split",
    "k_to_full_points",
    "render_text",
    "score",
    "sub_indicators",
    "what_if",
]

#: Bumped whenever a definition, a threshold or a scoring rule below changes meaning; recorded
#: with every result (with the two settings, which change the numbers too).
FORMULA_VERSION = "766-2026.12-1"

Scoring = Literal["threshold", "linear", "info"]
#: Which kind of extra dossier raises a sub-indicator (the what-if's "lever").
What = Literal["on_time", "online", "full_online", "digitised", "electronic_result", "paid_online",
               "reused", "satisfied", ""]  # fmt: skip

_VN = ZoneInfo("Asia/Ho_Chi_Minh")
_HUNDRED = Fraction(100)


@dataclass(frozen=True)
class Group:
    number: int
    name_vi: str
    name_en: str
    pmax: int
    endpoint: str  # the DVCQG reporting endpoint (regulations §1.1)


@dataclass(frozen=True)
class SubIndicator:
    id: str
    name_vi: str
    name_en: str
    group: int
    pmax: Fraction
    threshold: Fraction | None  # percent
    kpi: str  # the registry code giving R (percent)
    rule: str
    lever: What = ""
    #: why it has no data while its KPI is not registered (e.g. the citizen portal's facts)
    missing_vi: str = "Chưa có dữ liệu: dữ kiện của chỉ tiêu này chưa được ghi nhận trong hệ thống."
    missing_en: str = "No data: the facts of this indicator are not recorded yet."

    @property
    def scoring(self) -> Scoring:
        if self.pmax == 0:
            return "info"
        return "threshold" if self.threshold is not None else "linear"


GROUPS: tuple[Group, ...] = (
    Group(1, "Công khai, minh bạch", "Transparency", 18, "transparency"),
    Group(2, "Tiến độ giải quyết", "Processing timeliness", 20, "dvc-progress-tree"),
    Group(3, "Dịch vụ công trực tuyến", "Online public services", 12, "provide-online-tree"),
    Group(4, "Thanh toán trực tuyến", "Online payment", 10, "formality-online-payment-tree"),
    Group(5, "Số hóa hồ sơ", "Dossier digitisation", 22, "dossier-digitized"),
    Group(6, "Mức độ hài lòng", "Satisfaction", 18, "handling-satisfaction"),
)

_R = "QĐ 766/QĐ-TTg, regulations §1.2"
_CATALOGUE_VI = "Chưa có dữ liệu: việc công bố, công khai TTHC chưa được ghi nhận trong hệ thống."
_CATALOGUE_EN = "No data: the publication of procedures is not recorded in the system yet."
_SYNC_VI = "Chưa có dữ liệu: việc đồng bộ hồ sơ lên Cổng DVCQG chưa được ghi nhận."
_SYNC_EN = "No data: the synchronisation of dossiers to the national portal is not recorded yet."
_PAKN_VI = "Chưa có dữ liệu: phản ánh, kiến nghị (PAKN) thuộc Cổng dịch vụ công của người dân."
_PAKN_EN = "No data: feedback (PAKN) handling belongs to the citizen portal, not built yet."
_POP_VI = "Chưa có dữ liệu: việc khai thác CSDL quốc gia về dân cư chưa được ghi nhận."
_POP_EN = "No data: the use of the national population database is not recorded yet."


def _s(
    id: str,
    vi: str,
    en: str,
    group: int,
    pmax: int,
    threshold: int | None,
    kpi: str,
    rule: str,
    lever: What = "",
    missing: tuple[str, str] | None = None,
) -> SubIndicator:
    extra = {"missing_vi": missing[0], "missing_en": missing[1]} if missing else {}
    return SubIndicator(
        id,
        vi,
        en,
        group,
        Fraction(pmax),
        None if threshold is None else Fraction(threshold),
        kpi,
        f"{_R}, {rule}",
        lever,
        **extra,
    )


#: The sub-indicators with the metric metadata's points (regulations §1.2). Group 3's points are
#: replaced by :func:`group3_split` from the setting; the IDs are the regulations' (3.5-3.6 score
#: in group 4, 4.x in group 5, 5.x in group 6, as the national portal numbers them).
SUB_INDICATORS: tuple[SubIndicator, ...] = (
    # Group 1: transparency (18)
    _s("1.1", "TTHC được công bố đúng hạn", "Procedures published on time", 1, 6, None,
       "procedures_published_on_time", "chỉ tiêu 1.1 (QĐCB ≤ hiệu lực − 5 ngày làm việc, tỉnh)",
       missing=(_CATALOGUE_VI, _CATALOGUE_EN)),
    _s("1.2", "TTHC được cập nhật, công khai đúng hạn trên CSDL quốc gia",
       "Procedures made public on the national database on time", 1, 4, None,
       "procedures_public_on_time", "chỉ tiêu 1.2 (công khai ≤ QĐCB + 5 ngày làm việc, tỉnh)",
       missing=(_CATALOGUE_VI, _CATALOGUE_EN)),
    _s("1.3", "TTHC có đầy đủ bộ phận tạo thành", "Procedures with complete components", 1, 2,
       None, "procedures_complete", "chỉ tiêu 1.3 (NĐ 63/2010 điều 8 khoản 2; tại thời điểm xem)",
       missing=(_CATALOGUE_VI, _CATALOGUE_EN)),
    _s("1.4", "Hồ sơ được đồng bộ lên Cổng DVCQG", "Dossiers synchronised to the national portal",
       1, 6, None, "dossiers_synced", "chỉ tiêu 1.4", missing=(_SYNC_VI, _SYNC_EN)),
    # Group 2: timeliness (20)
    _s("2.1", "Hồ sơ xử lý trước hạn, đúng hạn", "Dossiers processed early or on time", 2, 20,
       None, "on_time_766", "chỉ tiêu 2.1 và cách tính đúng hạn §1.3", lever="on_time"),
    _s("2.2", "Thời gian giải quyết trung bình", "Average processing time", 2, 0, None,
       "avg_processing_days", "chỉ tiêu 2.2 (chỉ để theo dõi, 0 điểm)"),
    # Group 3: online services (12; split by the setting)
    _s("3.1", "TTHC cung cấp DVCTT một phần, toàn trình",
       "Procedures offered online (partial or full)", 3, 0, 80, "procedures_online",
       "chỉ tiêu 3.1 (T = 80%)"),
    _s("3.2", "DVCTT có phát sinh hồ sơ", "Online services with dossiers", 3, 0, None,
       "services_with_online_dossiers", "chỉ tiêu 3.2 (định nghĩa cập nhật)"),
    _s("3.3", "Hồ sơ nộp trực tuyến", "Dossiers submitted online", 3, 0, 50, "online_share",
       "chỉ tiêu 3.3 (KenhThucHien = 2; T = 50%)", lever="online"),
    _s("3.x", "Hồ sơ toàn trình / hồ sơ của TTHC đủ điều kiện toàn trình",
       "Full-online dossiers among dossiers of procedures eligible for full online", 3, 12, None,
       "full_online_share", "dòng metadata nhóm 3 (12 điểm)", lever="full_online"),
    # Group 4: online payment (10)
    _s("3.5", "TTHC có phí, lệ phí tích hợp thanh toán trực tuyến",
       "Fee-bearing procedures integrated for online payment", 4, 2, 80,
       "procedures_payable_online", "chỉ tiêu 3.5 (T = 80%)"),
    _s("3.5b", "TTHC có ít nhất một giao dịch thanh toán trực tuyến",
       "Procedures with at least one online payment", 4, 2, 80,
       "procedures_with_online_payment", "chỉ tiêu 3.5b (T = 80%)"),
    _s("3.6", "Hồ sơ thanh toán trực tuyến", "Dossiers paid online", 4, 6, None, "paid_online",
       "chỉ tiêu 3.6 (DuocThanhToanTrucTuyen = 1 hoặc 2)", lever="paid_online"),
    # Group 5: digitisation (22)
    _s("4.1", "Hồ sơ có kết quả giải quyết điện tử", "Dossiers with an electronic result", 5, 6,
       None, "electronic_results", "chỉ tiêu 4.1", lever="electronic_result"),
    _s("4.2", "Hồ sơ được số hóa", "Dossiers digitised", 5, 4, 80, "digitised",
       "chỉ tiêu 4.2 (T = 80%)", lever="digitised"),
    _s("4.x", "Chứng thực bản sao điện tử từ bản chính",
       "Electronic certified copies from originals", 5, 2, None, "certified_copies_electronic",
       "dòng metadata nhóm 5 (2 điểm)"),
    _s("4.3", "Tái sử dụng dữ liệu số hóa", "Reuse of digitised data", 5, 2, 80, "reuse",
       "chỉ tiêu 4.3 (T = 80%)", lever="reused"),
    _s("4.4", "Hồ sơ số hóa liên kết kho dữ liệu cá nhân trên Cổng DVCQG",
       "Digitised dossiers linked to the citizen's store on the national portal", 5, 4, None,
       "store_linked", "chỉ tiêu 4.4 (DuocLayTuKhoDMQG = 1)", missing=(_SYNC_VI, _SYNC_EN)),
    _s("4.5a", "TTHC khai thác CSDL quốc gia về dân cư",
       "Procedures using the population database", 5, 2, None, "procedures_population_db",
       "chỉ tiêu 4.5a", missing=(_POP_VI, _POP_EN)),
    _s("4.5b", "Hồ sơ khai thác dữ liệu dân cư", "Dossiers using population data", 5, 2, None,
       "dossiers_population_db", "chỉ tiêu 4.5b", missing=(_POP_VI, _POP_EN)),
    # Group 6: satisfaction (18)
    _s("5.1", "PAKN được phân loại", "Feedback classified", 6, 0, None, "feedback_classified",
       "chỉ tiêu 5.1 (theo dõi, 0 điểm)", missing=(_PAKN_VI, _PAKN_EN)),
    _s("5.2", "PAKN được xử lý đúng hạn", "Feedback handled on time", 6, 6, None,
       "feedback_on_time", "chỉ tiêu 5.2 (từ chối 2, bổ sung 5, giải quyết 15, công khai 2 ngày "
       "làm việc)", missing=(_PAKN_VI, _PAKN_EN)),
    _s("5.3", "Hài lòng về xử lý PAKN", "Satisfaction with feedback handling", 6, 6, None,
       "feedback_satisfaction", "chỉ tiêu 5.3", missing=(_PAKN_VI, _PAKN_EN)),
    _s("5.4", "Hài lòng về giải quyết hồ sơ", "Satisfaction with dossier handling", 6, 6, 90,
       "satisfaction_766", "chỉ tiêu 5.4 (100% − (% quá hạn + % có PAKN hoặc không hài lòng); "
       "T = 90%)", lever="satisfied",
       missing=("Chưa có dữ liệu: chỉ tiêu 5.4 cần số PAKN về hồ sơ (Cổng của người dân).",
                "No data: indicator 5.4 needs the feedback on dossiers (the citizen portal).")),
)  # fmt: skip


# --- settings -------------------------------------------------------------------------------

GROUP3_IDS = ("3.1", "3.2", "3.3", "3.x")
_GROUP3_PRESETS = {
    "metadata": {"3.x": 12},
    "operator": {"3.1": 6, "3.3": 6},
}


class SettingError(ValueError):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} / {en}")
        self.vi, self.en = vi, en


def group3_split(value: str) -> dict[str, Fraction]:
    """The points of group 3 per sub-indicator from ``METRICS_766_GROUP3_SPLIT``.

    ``metadata`` (default): all 12 on the full-online dossier ratio (the captured metric metadata);
    ``operator``: 6 on 3.1 (T 80%) and 6 on 3.3 (T 50%), the two the operator document gives
    thresholds for (the even split is ours, the document gives no points); or ``ID:points,...``
    over 3.1, 3.2, 3.3, 3.x summing to 12.
    """
    raw = (value or "metadata").strip()
    spec: Mapping[str, int | Fraction]
    if raw in _GROUP3_PRESETS:
        spec = _GROUP3_PRESETS[raw]
    else:
        parsed: dict[str, Fraction] = {}
        try:
            for part in raw.split(","):
                key, _, pts = part.partition(":")
                parsed[key.strip()] = Fraction(pts.strip())
        except (ValueError, ZeroDivisionError):
            parsed = {"?": Fraction(-1)}
        if set(parsed) - set(GROUP3_IDS) or any(p < 0 for p in parsed.values()):
            raise SettingError(
                f"METRICS_766_GROUP3_SPLIT không hợp lệ: {raw!r} (metadata, operator hoặc "
                "3.1:6,3.3:6).",
                f"Invalid METRICS_766_GROUP3_SPLIT: {raw!r} (metadata, operator or 3.1:6,3.3:6).",
            )
        spec = parsed
    if sum(spec.values()) != 12:
        raise SettingError(
            f"METRICS_766_GROUP3_SPLIT phải có tổng 12 điểm: {raw!r}.",
            f"METRICS_766_GROUP3_SPLIT must sum to 12 points: {raw!r}.",
        )
    return {sid: Fraction(spec.get(sid, 0)) for sid in GROUP3_IDS}


def _setting(name: str, default: str) -> str:
    try:
        from django.conf import settings

        return str(getattr(settings, name, default) or default)
    except Exception:  # no Django configured (pure use): the default
        return default


def current_settings() -> dict[str, str]:
    no_data = _setting("METRICS_766_NO_DATA", "exclude")
    return {
        "group3_split": _setting("METRICS_766_GROUP3_SPLIT", "metadata"),
        "no_data": no_data if no_data in ("exclude", "zero") else "exclude",
    }


_ZERO = Fraction(0)


@functools.lru_cache(maxsize=16)
def _grouped(split: str) -> tuple[tuple[Group, tuple[SubIndicator, ...]], ...]:
    subs = sub_indicators(split)
    return tuple((g, tuple(s for s in subs if s.group == g.number)) for g in GROUPS)


@functools.lru_cache(maxsize=16)
def sub_indicators(split: str = "metadata") -> tuple[SubIndicator, ...]:
    """The sub-indicators with group 3's points from the split setting."""
    points = group3_split(split)
    return tuple(replace(s, pmax=points[s.id]) if s.id in points else s for s in SUB_INDICATORS)


# --- pure scoring ---------------------------------------------------------------------------


def _frac(x: Decimal | int | float | Fraction | str) -> Fraction:
    return (
        x if isinstance(x, Fraction) else Fraction(str(x)) if isinstance(x, float) else Fraction(x)
    )


def score(
    r: Decimal | Fraction | int | None,
    threshold: Decimal | Fraction | int | None,
    pmax: Decimal | Fraction | int,
) -> Fraction | None:
    """Points of one sub-indicator (regulations §1.2); R and T in percent.

    ``Pmax if R >= T else R / T × Pmax``; without T ``R / 100 × Pmax`` (UNVERIFIED: the public
    tools' linear rule). R is clamped to [0, 100]. ``None`` (no data) stays ``None``.
    """
    if r is None:
        return None
    rf = min(max(_frac(r), _ZERO), _HUNDRED)
    pm = _frac(pmax)
    if threshold is None:
        return rf / _HUNDRED * pm
    t = _frac(threshold)
    if t <= 0 or rf >= t:
        return pm
    return rf / t * pm


def _ratio(numerator: Fraction, denominator: Fraction) -> Fraction:
    return numerator * _HUNDRED / denominator


@dataclass(frozen=True)
class WhatIf:
    numerator: Fraction
    denominator: Fraction
    extra: int
    r_before: Fraction | None
    r_after: Fraction | None
    points_before: Fraction | None
    points_after: Fraction | None
    gain: Fraction
    k_to_full: int | None  # the fewest extra dossiers for all the points (None: no data)


def k_to_full_points(
    numerator: int | Decimal | Fraction,
    denominator: int | Decimal | Fraction,
    threshold: Decimal | Fraction | int | None,
) -> int | None:
    """The fewest extra dossiers (moved from "not" to "yes", the denominator unchanged) that reach
    T, or 100% without a threshold; 0 when already there; None when the denominator is 0."""
    n, d = _frac(numerator), _frac(denominator)
    if d <= 0:
        return None
    target = _HUNDRED if threshold is None else min(_frac(threshold), _HUNDRED)
    need = math.ceil(target * d / _HUNDRED - n)
    return max(0, need)


def what_if(
    numerator: int | Decimal | Fraction,
    denominator: int | Decimal | Fraction,
    threshold: Decimal | Fraction | int | None,
    pmax: Decimal | Fraction | int,
    extra: int,
) -> WhatIf:
    """If ``extra`` more of the same dossiers had been on time (online, digitised, paid online…),
    the new ratio and points. The denominator does not change (those dossiers are already in it);
    the numerator is capped at the denominator."""
    n, d = _frac(numerator), _frac(denominator)
    if extra < 0:
        raise ValueError("extra must be >= 0")
    if d <= 0:
        return WhatIf(n, d, extra, None, None, None, None, Fraction(0), None)
    after = min(n + extra, d)
    r0, r1 = _ratio(n, d), _ratio(after, d)
    p0, p1 = score(r0, threshold, pmax), score(r1, threshold, pmax)
    assert p0 is not None and p1 is not None
    return WhatIf(n, d, extra, r0, r1, p0, p1, p1 - p0, k_to_full_points(n, d, threshold))


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubResult:
    sub: SubIndicator
    figure: Figure
    points: Fraction | None
    counted: bool  # counted in the total (False: no data under "exclude", or 0-point info)
    max_counted: Fraction


@dataclass(frozen=True)
class GroupResult:
    group: Group
    subs: tuple[SubResult, ...]
    points: Fraction
    max_counted: Fraction


@dataclass(frozen=True)
class IndexResult:
    agency_id: int | None
    agency_code: str
    period: str
    formula_version: str
    settings: Mapping[str, str]
    groups: tuple[GroupResult, ...]
    total: Fraction
    max_counted: Fraction
    differences: int | None = None  # dossiers whose legal and 766 verdicts differ (None: unknown)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def scaled(self) -> Fraction | None:
        """The total over 100 when no-data points were left out (``exclude``)."""
        if self.max_counted == 0:
            return None
        return self.total * 100 / self.max_counted

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency_code,
            "period": self.period,
            "formula_version": self.formula_version,
            "settings": dict(self.settings),
            "total": _dec(self.total),
            "max": _dec(self.max_counted),
            "total_scaled": _dec(self.scaled),
            "verdict_differences": self.differences,
            "groups": [
                {
                    "number": g.group.number,
                    "name_vi": g.group.name_vi,
                    "name_en": g.group.name_en,
                    "pmax": g.group.pmax,
                    "points": _dec(g.points),
                    "max": _dec(g.max_counted),
                    "subs": [_sub_dict(s, self) for s in g.subs],
                }
                for g in self.groups
            ],
        }


def _dec(x: Fraction | None, places: int = 2) -> str | None:
    if x is None:
        return None
    q = Decimal(x.numerator) / Decimal(x.denominator)
    return str(q.quantize(Decimal(1).scaleb(-places)))


def _sub_dict(s: SubResult, res: IndexResult) -> dict[str, Any]:
    f = s.figure
    return {
        "id": s.sub.id,
        "name_vi": s.sub.name_vi,
        "name_en": s.sub.name_en,
        "kpi": s.sub.kpi,
        "rule": s.sub.rule,
        "scoring": s.sub.scoring,
        "pmax": _dec(s.sub.pmax),
        "threshold": _dec(s.sub.threshold),
        "numerator": str(f.numerator),
        "denominator": str(f.denominator),
        "r": None if f.value is None else _dec(_frac(f.value)),
        "points": _dec(s.points),
        "counted": s.counted,
        "reason_vi": f.reason_vi,
        "reason_en": f.reason_en,
        "lever": s.sub.lever,
        "dossiers_behind": {
            "kpi": s.sub.kpi,
            "agency": res.agency_code,
            "period": res.period,
        },
    }


def compute_index(
    figures: Mapping[str, Figure | None],
    *,
    split: str = "metadata",
    no_data: str = "exclude",
    agency_id: int | None = None,
    agency_code: str = "",
    period: str = "",
    differences: int | None = None,
) -> IndexResult:
    """The index from the KPI figures by code (pure). A code missing from ``figures`` or mapped
    to ``None`` means the KPI is not registered: the sub-indicator's own reason is given."""
    groups: list[GroupResult] = []
    total = max_total = _ZERO
    zero_policy = no_data == "zero"
    for g, subs in _grouped(split):
        results: list[SubResult] = []
        points = max_counted = _ZERO
        for s in subs:
            fig = figures.get(s.kpi)
            if fig is None:
                fig = Figure(0, 0, None, s.missing_vi, s.missing_en)
            pts = None if fig.value is None else score(Fraction(fig.value), s.threshold, s.pmax)
            if not s.pmax:
                results.append(SubResult(s, fig, pts, False, _ZERO))
            elif pts is None:
                results.append(
                    SubResult(s, fig, _ZERO if zero_policy else None, zero_policy,
                              s.pmax if zero_policy else _ZERO)
                )  # fmt: skip
                if zero_policy:
                    max_counted += s.pmax
            else:
                results.append(SubResult(s, fig, pts, True, s.pmax))
                points += pts
                max_counted += s.pmax
        groups.append(GroupResult(g, tuple(results), points, max_counted))
        total += points
        max_total += max_counted
    return IndexResult(
        agency_id,
        agency_code,
        period,
        FORMULA_VERSION,
        {"group3_split": split, "no_data": no_data},
        tuple(groups),
        total,
        max_total,
        differences,
    )


# --- reading the KPIs (rollups) -------------------------------------------------------------

KpiReader = Callable[[Sequence[str], Sequence[Any], Period], dict[tuple[str, int], Figure]]


def kpi_codes(split: str = "metadata") -> list[str]:
    return [s.kpi for s in sub_indicators(split)]


def _registered(codes: Iterable[str]) -> list[str]:
    from caicach.metrics import registry

    known = {k.code for k in registry.all_kpis()}
    return [c for c in codes if c in known]


def render_text(result: IndexResult) -> str:
    """The 766 part of ``caicach kpi`` (plain text, Vietnamese with the English in brackets)."""
    lines = [
        f"Chỉ số QĐ 766 (Decision 766 index) — {result.agency_code} {result.period}",
        f"Phiên bản công thức (formula version): {result.formula_version}; "
        f"nhóm 3: {result.settings['group3_split']}; không có dữ liệu: {result.settings['no_data']}",
        f"Tổng (total): {_dec(result.total)} / {_dec(result.max_counted)}"
        + (f" (quy về 100: {_dec(result.scaled)})" if result.scaled is not None else ""),
    ]
    if result.differences is not None:
        lines.append(
            f"Hồ sơ có kết luận theo luật khác theo QĐ 766 (legal ≠ 766 verdict): "
            f"{result.differences}"
        )
    for g in result.groups:
        lines.append(
            f"{g.group.number}. {g.group.name_vi} ({g.group.name_en}): "
            f"{_dec(g.points)} / {_dec(g.max_counted)} (tối đa {g.group.pmax})"
        )
        for s in g.subs:
            f = s.figure
            t = "—" if s.sub.threshold is None else f"{_dec(s.sub.threshold)}%"
            if f.value is None:
                body = f"không có dữ liệu: {f.reason_vi} ({f.reason_en})"
            else:
                body = (
                    f"R = {_dec(_frac(f.value))}% ({f.numerator}/{f.denominator}), T = {t}, "
                    f"điểm {_dec(s.points)} / {_dec(s.sub.pmax)}"
                )
            lines.append(f"   {s.sub.id} {s.sub.name_vi}: {body}")
    return "\n".join(lines)
