"""Targets and traffic lights of the dashboards (issue 14, "Province overview"). Pure, typed.

A target is the plans' kind of figure: a KPI, a comparison (``>=``, ``<=``, ``=``), a threshold in
the KPI's unit and a due date (metrics-notes, "Targets and projection"; the seed plans in
``shared/seeds``: on time ≥ 99%, online ≥ 50%, payment ≥ 30%, satisfaction ≥ 90%…). Until the
plans app registers a provider (``caicach.core.registry.register_targets_provider``), the
defaults come from the ``METRICS_OVERVIEW_TARGETS`` setting, read by :func:`parse_targets`.

The light (:func:`light`) compares the live value with the threshold: ``met``; ``near`` when it
misses by no more than :data:`NEAR_POINTS` percentage points (or ``NEAR_SHARE`` of a non-percent
threshold); ``missed``; ``no_data`` when the value is unknown; ``no_target`` when none is set.
Each light has a colour *and* a symbol and a word, so it survives greyscale printing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

__all__ = [
    "COMPARISONS",
    "NEAR_POINTS",
    "Light",
    "Target",
    "TargetError",
    "light",
    "parse_targets",
]

Comparison = Literal[">=", "<=", "="]
Light = Literal["met", "near", "missed", "no_data", "no_target"]
COMPARISONS: tuple[Comparison, ...] = (">=", "<=", "=")
#: How far below a percent target a value is still "near" (amber).
NEAR_POINTS = Decimal(5)
#: For other units (days, per dossier): within this share of the threshold.
NEAR_SHARE = Decimal("0.1")


class TargetError(ValueError):
    """A target text that cannot be read (``vi`` and ``en`` carry the two messages)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} / {en}")
        self.vi, self.en = vi, en


@dataclass(frozen=True)
class Target:
    kpi_code: str
    comparison: Comparison
    threshold: Decimal
    due: date | None
    unit: str = "%"
    label_vi: str = ""
    label_en: str = ""
    url: str = ""

    def as_dict(self) -> dict[str, object]:
        """The keys of ``core.registry.TARGET_KEYS`` (a default has no plan status)."""
        return {
            "kpi_code": self.kpi_code,
            "comparison": self.comparison,
            "threshold": self.threshold,
            "unit": self.unit,
            "due": self.due,
            "status": "",
            "label_vi": self.label_vi,
            "label_en": self.label_en,
            "url": self.url,
        }


def _one(text: str) -> Target:
    body, _, due_text = text.partition("@")
    for comparison in COMPARISONS:  # ">=" and "<=" are tried before "="
        code, sep, number = body.partition(comparison)
        if sep:
            break
    else:
        raise TargetError(
            f"Chỉ tiêu {text!r} thiếu phép so sánh (>=, <= hoặc =).",
            f"Target {text!r} has no comparison (>=, <= or =).",
        )
    code = code.strip()
    if not code:
        raise TargetError(f"Chỉ tiêu {text!r} thiếu mã chỉ số.", f"Target {text!r} has no KPI.")
    try:
        threshold = Decimal(number.strip())
        due = date.fromisoformat(due_text.strip()) if due_text.strip() else None
    except (InvalidOperation, ValueError):
        raise TargetError(
            f"Chỉ tiêu {text!r}: ngưỡng hoặc hạn không hợp lệ.",
            f"Target {text!r}: invalid threshold or due date.",
        ) from None
    if not threshold.is_finite():
        raise TargetError(f"Chỉ tiêu {text!r}: ngưỡng không hợp lệ.", f"Target {text!r}: bad.")
    return Target(code, comparison, threshold, due)


def parse_targets(text: str) -> list[Target]:
    """``on_time_766>=99@2025-12-31,online_share>=50`` → targets, in order; a code given twice
    keeps its last value. Empty text: no targets."""
    out: dict[str, Target] = {}
    for part in text.split(","):
        if part.strip():
            target = _one(part.strip())
            out.pop(target.kpi_code, None)
            out[target.kpi_code] = target
    return list(out.values())


def light(value: Decimal | None, comparison: str, threshold: Decimal | None, unit: str) -> Light:
    """Where ``value`` stands against the target (module docstring)."""
    if threshold is None:
        return "no_target"
    if value is None:
        return "no_data"
    if comparison == ">=":
        gap = threshold - value
    elif comparison == "<=":
        gap = value - threshold
    else:
        gap = abs(value - threshold)
    if gap <= 0:
        return "met"
    near = NEAR_POINTS if unit == "%" else abs(threshold) * NEAR_SHARE
    return "near" if gap <= near else "missed"
