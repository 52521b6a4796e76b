"""Trajectories: a target's yearly path written as a rule and expanded to stages (issue 15,
"Targets may carry stages and trajectories").

Pure (no ORM, mypy strict). Two kinds of rule, both seen in the seed plans:

* ``step`` (absolute): ``base`` in year ``start``, then ``+step`` each year up to ``until``,
  never beyond ``cap`` (Sóc Trăng NQ 10-NQ/TU goal 4: digitised results 30/20/15% per tier in
  2021, "each year at least +20 points until 100%" to 2025 → 30, 50, 70, 90, 100);
* ``relative``: each year from ``start`` to ``until`` the value must move by ``step`` from the
  value actually reached the year before (goal 17: "from 2026, up at least one rank a year to
  2030" → rank ≤ last year's rank - 1). Such a stage has no fixed threshold; it is resolved
  when the previous year's value is known (:func:`resolve`).

A stage is due on 31 December of its year.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["Stage", "TrajectoryError", "expand", "resolve", "year_end"]


class TrajectoryError(ValueError):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} / {en}")
        self.vi, self.en = vi, en


@dataclass(frozen=True)
class Stage:
    due: date
    threshold: Decimal | None  # None: relative to the value reached at the previous stage
    step: Decimal | None = None
    from_rule: bool = False


def year_end(year: int) -> date:
    return date(year, 12, 31)


def _number(rule: Mapping[str, Any], key: str) -> Decimal:
    raw = rule.get(key)
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
        raise TrajectoryError(
            f"Quy tắc lộ trình thiếu số {key!r}.", f"The trajectory rule lacks the number {key!r}."
        )
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        raise TrajectoryError(
            f"{key!r} trong quy tắc lộ trình không phải là số.",
            f"{key!r} in the trajectory rule is not a number.",
        ) from None


def _year(rule: Mapping[str, Any], key: str) -> int:
    raw = rule.get(key)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 2000 <= raw <= 2100:
        raise TrajectoryError(
            f"Quy tắc lộ trình cần năm {key!r} (2000-2100).",
            f"The trajectory rule needs the year {key!r} (2000-2100).",
        )
    return raw


def expand(rule: Mapping[str, Any]) -> list[Stage]:
    """The yearly stages of ``rule`` (see the module's docstring), in order."""
    kind = rule.get("kind")
    start, until = _year(rule, "start"), _year(rule, "until")
    if until < start:
        raise TrajectoryError(
            "Năm kết thúc của lộ trình phải từ năm bắt đầu trở đi.",
            "The trajectory must end on or after the year it starts.",
        )
    step = _number(rule, "step")
    if kind == "step":
        base = _number(rule, "base")
        cap = _number(rule, "cap") if "cap" in rule else None
        stages = []
        for i, year in enumerate(range(start, until + 1)):
            value = base + step * i
            if cap is not None:
                value = min(value, cap) if step >= 0 else max(value, cap)
            stages.append(Stage(year_end(year), value, None, True))
        return stages
    if kind == "relative":
        return [Stage(year_end(y), None, step, True) for y in range(start, until + 1)]
    raise TrajectoryError(
        "Loại lộ trình phải là 'step' hoặc 'relative'.",
        "The trajectory kind must be 'step' or 'relative'.",
    )


def resolve(
    stages: Sequence[Stage], value_at: Callable[[date], Decimal | None], baseline_due: date | None
) -> list[Decimal | None]:
    """Each stage's threshold: its own, or (relative) the value reached at the previous stage's
    due date (``baseline_due`` for the first) plus its step; None while that value is unknown."""
    out: list[Decimal | None] = []
    previous_due = baseline_due
    for stage in stages:
        if stage.threshold is not None:
            out.append(stage.threshold)
        else:
            before = value_at(previous_due) if previous_due is not None else None
            out.append(None if before is None or stage.step is None else before + stage.step)
        previous_due = stage.due
    return out
