"""The rules a procedure version must satisfy, as pure functions (no database, no Django).

Every check returns a list of :class:`RuleError`; an empty list means the version is valid.
``RuleError.field`` names the offending input the way forms and the import name it:
``statutory_value``, ``promised_value``, ``partial_reason``, ``result``, ``steps``,
``steps[2].budget`` (0-based index into the list as given), ``fees[0].amount``,
``components[1].quantity``, ``code``. Messages come in Vietnamese (the UI language) and English
(the API's ``detail``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeVar

#: National procedure code (mã TTHC on the national TTHC database): a digit, a dot, six digits.
PROCEDURE_CODE = re.compile(r"^\d\.\d{6}$")

#: Units of a statutory time, with their Vietnamese and English labels.
TIME_UNITS: dict[str, tuple[str, str]] = {
    "working_days": ("ngày làm việc", "working days"),
    "working_hours": ("giờ làm việc", "working hours"),
    "calendar_days": ("ngày", "calendar days"),
}
ONLINE_LEVELS = ("full", "partial", "none")

#: The database stores times as ``DECIMAL(7, 3)``.
MAX_TIME = Decimal("9999.999")
TIME_PLACES = 3


@dataclass(frozen=True)
class RuleError:
    """One broken rule: which input, and why, in both languages."""

    field: str
    message_vi: str
    message_en: str


@dataclass(frozen=True)
class StepBudget:
    """A workflow step as the rules see it: its position and its time budget."""

    order: int
    budget: Decimal


@dataclass(frozen=True)
class FeeAmount:
    amount: int


@dataclass(frozen=True)
class ComponentQuantity:
    quantity: int


def format_time(value: Decimal, lang: str = "vi") -> str:
    """``Decimal("4.500")`` → ``"4,5"`` in Vietnamese, ``"4.5"`` in English."""
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


def format_duration(value: Decimal, unit: str, lang: str = "vi") -> str:
    """``4,5 ngày làm việc`` / ``4.5 working days``."""
    labels = TIME_UNITS.get(unit, (unit, unit))
    return f"{format_time(value, lang)} {labels[0] if lang == 'vi' else labels[1]}"


def check_procedure_code(code: str) -> list[RuleError]:
    """The national code has the form ``1.004227`` (Cơ sở dữ liệu quốc gia về TTHC)."""
    if PROCEDURE_CODE.match(code or ""):
        return []
    return [
        RuleError(
            "code",
            f"Mã thủ tục “{code}” không đúng định dạng: một chữ số, dấu chấm và sáu chữ số "
            "(ví dụ 1.004227).",
            f"Procedure code “{code}” must be a digit, a dot and six digits (e.g. 1.004227).",
        )
    ]


def check_time_value(field: str, label_vi: str, label_en: str, value: Decimal) -> list[RuleError]:
    """A time is positive, below 10 000 and has at most three decimals (``DECIMAL(7, 3)``)."""
    if not value.is_finite() or value <= 0:
        return [
            RuleError(
                field, f"{label_vi} phải lớn hơn 0.", f"{label_en} must be greater than zero."
            )
        ]
    exponent = value.normalize().as_tuple().exponent
    if value > MAX_TIME or (isinstance(exponent, int) and -exponent > TIME_PLACES):
        return [
            RuleError(
                field,
                f"{label_vi} tối đa 9999,999 và không quá 3 chữ số thập phân.",
                f"{label_en} must be at most 9999.999 with no more than 3 decimals.",
            )
        ]
    return []


def check_time_budget(
    statutory_value: Decimal, statutory_unit: str, steps: Sequence[StepBudget]
) -> list[RuleError]:
    """The workflow's step budgets add up to no more than the statutory time (issue §4).

    The budgets are in the version's unit, so the check is a plain sum. A workflow that needs
    longer than the law allows would make every dossier late by design.
    """
    total = sum((step.budget for step in steps), Decimal(0))
    if total <= statutory_value:
        return []
    return [
        RuleError(
            "steps",
            f"Tổng thời gian các bước ({format_duration(total, statutory_unit)}) vượt thời hạn "
            f"giải quyết ({format_duration(statutory_value, statutory_unit)}).",
            f"The steps' total time ({format_duration(total, statutory_unit, 'en')}) exceeds "
            f"the statutory time ({format_duration(statutory_value, statutory_unit, 'en')}).",
        )
    ]


def check_step_orders(steps: Sequence[StepBudget]) -> list[RuleError]:
    """Steps are numbered 1, 2, 3… with no gap and no repeat: the control sheet follows them."""
    errors: list[RuleError] = []
    counts = Counter(step.order for step in steps)
    for index, step in enumerate(steps):
        if counts[step.order] > 1:
            errors.append(
                RuleError(
                    f"steps[{index}].order",
                    f"Thứ tự {step.order} bị trùng với một bước khác.",
                    f"Order {step.order} is used by more than one step.",
                )
            )
    orders = sorted(counts)
    if not errors and orders != list(range(1, len(orders) + 1)):
        given = ", ".join(str(order) for order in orders)
        errors.append(
            RuleError(
                "steps",
                f"Thứ tự các bước phải liên tiếp từ 1 (đang là: {given}).",
                f"Steps must be numbered consecutively from 1 (given: {given}).",
            )
        )
    return errors


def check_version_rules(
    statutory_value: Decimal,
    statutory_unit: str,
    promised_value: Decimal,
    online_level: str,
    partial_reason: str,
    steps: Sequence[StepBudget],
    fees: Sequence[FeeAmount],
    components: Sequence[ComponentQuantity],
    result_paper: bool,
    result_electronic: bool,
) -> list[RuleError]:
    """Every rule of one procedure version; all broken rules are returned, not just the first."""
    errors: list[RuleError] = []
    if statutory_unit not in TIME_UNITS:
        errors.append(
            RuleError(
                "statutory_unit",
                f"Đơn vị thời hạn “{statutory_unit}” không hợp lệ.",
                f"Unknown time unit “{statutory_unit}”.",
            )
        )
    statutory_errors = check_time_value(
        "statutory_value", "Thời hạn giải quyết", "The statutory time", statutory_value
    )
    errors += statutory_errors
    promised_errors = check_time_value(
        "promised_value", "Thời hạn cam kết", "The promised time", promised_value
    )
    errors += promised_errors
    if not statutory_errors and not promised_errors and promised_value > statutory_value:
        # The promise is the province's undertaking to do better than the law, never worse.
        errors.append(
            RuleError(
                "promised_value",
                f"Thời hạn cam kết ({format_duration(promised_value, statutory_unit)}) không "
                f"được dài hơn thời hạn giải quyết "
                f"({format_duration(statutory_value, statutory_unit)}).",
                f"The promised time ({format_duration(promised_value, statutory_unit, 'en')}) "
                f"must not be longer than the statutory time "
                f"({format_duration(statutory_value, statutory_unit, 'en')}).",
            )
        )
    errors += check_online_level(online_level, partial_reason)
    if not steps:
        errors.append(
            RuleError(
                "steps",
                "Quy trình nội bộ phải có ít nhất một bước.",
                "The internal workflow needs at least one step.",
            )
        )
    budgets_ok = True
    for index, step in enumerate(steps):
        step_errors = check_time_value(
            f"steps[{index}].budget",
            f"Thời gian của bước {step.order}",
            f"The budget of step {step.order}",
            step.budget,
        )
        budgets_ok = budgets_ok and not step_errors
        errors += step_errors
    errors += check_step_orders(steps)
    if budgets_ok and not statutory_errors:
        errors += check_time_budget(statutory_value, statutory_unit, steps)
    for index, fee in enumerate(fees):
        if fee.amount < 0:
            errors.append(
                RuleError(
                    f"fees[{index}].amount",
                    "Mức thu không được âm.",
                    "A fee amount cannot be negative.",
                )
            )
    for index, component in enumerate(components):
        if component.quantity < 1:
            errors.append(
                RuleError(
                    f"components[{index}].quantity",
                    "Số lượng phải từ 1 trở lên.",
                    "The quantity must be at least 1.",
                )
            )
    if not result_paper and not result_electronic:
        errors.append(
            RuleError(
                "result",
                "Kết quả phải có ít nhất một hình thức: bản giấy hoặc bản điện tử.",
                "The result must be issued on paper, electronically, or both.",
            )
        )
    return errors


def check_online_level(online_level: str, partial_reason: str) -> list[RuleError]:
    """NĐ 224/2026/NĐ-CP art. 14: full online is the rule; partial online needs the reason
    published on the National Public Service Portal (presence required, on-site verification,
    technical fault…), so a partial service without a reason cannot be published."""
    if online_level not in ONLINE_LEVELS:
        return [
            RuleError(
                "online_level",
                f"Mức độ trực tuyến “{online_level}” không hợp lệ (full, partial, none).",
                f"Unknown online level “{online_level}” (full, partial, none).",
            )
        ]
    if online_level == "partial" and not partial_reason.strip():
        return [
            RuleError(
                "partial_reason",
                "Dịch vụ công trực tuyến một phần phải nêu lý do được công khai "
                "(NĐ 224/2026/NĐ-CP, Điều 14).",
                "A partial online service needs its published reason (Decree 224/2026, art. 14).",
            )
        ]
    return []


# -- the version in force (one definition: every page, API, import, intake and the generator) ----


class Dated(Protocol):
    """What the rule reads of a version (a ``ProcedureVersion`` row, or a plain record)."""

    @property
    def effective_from(self) -> date: ...
    @property
    def effective_to(self) -> date | None: ...
    @property
    def number(self) -> int: ...


V = TypeVar("V", bound=Dated)


def in_force_on(version: Dated, day: date) -> bool:
    """A version applies from ``effective_from`` to ``effective_to`` inclusive (open-ended when
    ``effective_to`` is empty): publishing version n + 1 from day D closes version n on D - 1
    (TT 02/2017/TT-VPCP: the decision announcing a procedure states when it takes effect)."""
    return version.effective_from <= day and (
        version.effective_to is None or version.effective_to >= day
    )


def version_in_force(versions: Iterable[V], day: date) -> V | None:
    """The version in force on ``day``; of several (overlapping dates in imported history), the
    latest to take effect, then the highest number."""
    return max(
        (v for v in versions if in_force_on(v, day)),
        key=lambda v: (v.effective_from, v.number),
        default=None,
    )


def current_version(versions: Sequence[V], day: date) -> V | None:
    """What a catalogue page shows as current: the version in force on ``day``, else (a
    procedure announced but not yet in force) the first to come, else the last that ended."""
    found = version_in_force(versions, day)
    if found is not None:
        return found
    ordered = sorted(versions, key=lambda v: (v.effective_from, v.number))
    future = [v for v in ordered if v.effective_from > day]
    if future:
        return future[0]
    return ordered[-1] if ordered else None


#: Legacy online levels (Nghị định 61/2018 and 42/2022's "mức độ 1-4") as the older catalogue
#: seeds and the national portal's previous exports name them.
LEGACY_ONLINE_LEVELS: dict[str, str] = {"1": "none", "2": "none", "3": "partial", "4": "full"}


def online_level_from_legacy(value: object) -> str:
    """Map a legacy online level to today's (full | partial | none).

    Nghị định 42/2022/NĐ-CP replaced "mức độ 3/4" by "một phần/toàn trình": level 4 -> ``full``,
    level 3 -> ``partial``, levels 1-2 (information only, forms downloadable) -> ``none``.
    Accepts ``4``, ``"4"``, ``"mức độ 4"``, ``"Mức độ 3"``, ``"level 3"`` and today's own names
    (returned unchanged); anything else raises :class:`ValueError`.
    """
    if isinstance(value, bool):
        raise ValueError(f"Unknown online level {value!r}")
    text = str(value).strip().lower()
    if text in ONLINE_LEVELS:
        return text
    for prefix in ("mức độ", "muc do", "level", "md"):
        if text.startswith(prefix):
            text = text[len(prefix) :].strip()
            break
    if text in LEGACY_ONLINE_LEVELS:
        return LEGACY_ONLINE_LEVELS[text]
    raise ValueError(f"Unknown online level {value!r}")


def fee_bearing(amounts: Iterable[int]) -> bool:
    """A version is fee-bearing when at least one of its fees has a positive amount (Decision
    766, 3.5: the denominator of procedures payable online)."""
    return any(a > 0 for a in amounts)
