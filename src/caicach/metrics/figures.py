"""A computed figure: numerator, denominator, value, or "no data" with the reason.

Issue 13: an empty denominator is "no data" with the reason, never 0% or 100%
(regulations §1.3: the national portal shows 0 or N/A; we show "no data" and say why).
Rounding to 2 decimals happens only at display (metrics-notes, "Decision 766 specifics").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

__all__ = ["NO_DENOMINATOR", "Figure", "ratio"]

NO_DENOMINATOR = (
    "Không có dữ liệu: mẫu số bằng 0 trong kỳ.",
    "No data: the denominator is zero in the period.",
)


@dataclass(frozen=True)
class Figure:
    numerator: Decimal | int
    denominator: Decimal | int
    value: Decimal | None
    reason_vi: str = ""
    reason_en: str = ""

    @property
    def has_data(self) -> bool:
        return self.value is not None

    def rounded(self, places: int = 2) -> Decimal | None:
        if self.value is None:
            return None
        return self.value.quantize(Decimal(1).scaleb(-places))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("numerator", "denominator", "value"):
            if data[key] is not None:
                data[key] = str(data[key])
        return data


def ratio(
    numerator: Decimal | int,
    denominator: Decimal | int,
    *,
    factor: int = 100,
    reason: tuple[str, str] = NO_DENOMINATOR,
) -> Figure:
    """numerator / denominator × factor, or no data (with ``reason``) when the denominator is 0."""
    if not denominator:
        return Figure(numerator, denominator, None, *reason)
    value = Decimal(numerator) * factor / Decimal(denominator)
    return Figure(numerator, denominator, value)
