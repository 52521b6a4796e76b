"""Where a target stands: projecting a series of values to its due date (issue 15, "Status per
target").

Pure (no ORM, mypy strict). A target (or one of its stages) is a comparison, a threshold and a
due date; its measure is a series of dated values (a monthly KPI, or the approved reported
values of an indicator). The status:

* ``no_data``: no value on or before the evaluation day (and, for a past stage, on or before its
  due date);
* a stage whose due date has passed is judged on the last value on or before the due date:
  ``achieved`` if it meets the threshold, else ``off_track``;
* a stage still to come is judged on the latest value and the value *projected* to the due date:
  ``achieved`` when both meet the threshold, ``on_track`` when the projection meets it,
  ``at_risk`` when the projection misses it by at most ``margin`` (or the latest value meets it
  but the trend carries it below), ``off_track`` otherwise.

The projection (:func:`project`) is the least-squares line through the last ``window`` values
(at least ``min_points`` of them; x in days), read at the due date and clamped to ``bounds``
(0-100 for a percentage, ranks from 1); with fewer values it is the latest value ("no trend").
The method and the projected value are returned with the status so the page shows how it was
worked out.

Comparisons: ``at_least`` (value ≥ threshold), ``at_most`` (value ≤ threshold), ``exactly``
(|value - threshold| ≤ tolerance) and ``rank_at_or_above`` (a rank: 1 is first, lower is better;
met when rank ≤ threshold, e.g. "in the top 15 provinces" is rank ≤ 15).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

__all__ = [
    "COMPARISONS",
    "STATUSES",
    "Comparison",
    "Evaluation",
    "Point",
    "Projection",
    "Status",
    "current_stage",
    "evaluate",
    "meets",
    "project",
    "shortfall",
    "status_rank",
    "worst",
]

Comparison = Literal["at_least", "at_most", "exactly", "rank_at_or_above"]
Status = Literal["achieved", "on_track", "at_risk", "off_track", "no_data"]
Method = Literal["final", "linear_trend", "latest", "none"]

COMPARISONS: tuple[Comparison, ...] = ("at_least", "at_most", "exactly", "rank_at_or_above")
#: Best first; ``no_data`` is not ordered against the others (see :func:`status_rank`).
STATUSES: tuple[Status, ...] = ("achieved", "on_track", "at_risk", "off_track", "no_data")

DEFAULT_WINDOW = 12  # the last 12 monthly values: a year of trend
DEFAULT_MIN_POINTS = 3  # fewer values than this: no trend, the latest value is carried forward
ZERO = Decimal(0)


@dataclass(frozen=True)
class Point:
    day: date
    value: Decimal


@dataclass(frozen=True)
class Projection:
    value: Decimal
    method: Method
    points: int  # how many values the method used
    slope_per_month: Decimal | None  # per 30 days; None when there is no trend


@dataclass(frozen=True)
class Evaluation:
    status: Status
    method: Method
    latest: Point | None
    projected: Decimal | None
    points: int
    slope_per_month: Decimal | None
    threshold: Decimal
    due: date

    @property
    def method_vi(self) -> str:
        return {
            "final": "Giá trị tại thời hạn",
            "linear_trend": f"Xu hướng tuyến tính trên {self.points} giá trị gần nhất",
            "latest": "Giá trị gần nhất (chưa đủ số liệu để tính xu hướng)",
            "none": "Chưa có số liệu",
        }[self.method]

    @property
    def method_en(self) -> str:
        return {
            "final": "Value at the due date",
            "linear_trend": f"Linear trend over the last {self.points} values",
            "latest": "Latest value (too few values for a trend)",
            "none": "No data",
        }[self.method]


def shortfall(
    comparison: Comparison, value: Decimal, threshold: Decimal, tolerance: Decimal = ZERO
) -> Decimal:
    """How far ``value`` is from meeting the threshold, in the unit (0 when met)."""
    if comparison == "at_least":
        return max(ZERO, threshold - value)
    if comparison in ("at_most", "rank_at_or_above"):
        return max(ZERO, value - threshold)
    return max(ZERO, abs(value - threshold) - tolerance)


def meets(
    comparison: Comparison, value: Decimal, threshold: Decimal, tolerance: Decimal = ZERO
) -> bool:
    return shortfall(comparison, value, threshold, tolerance) == ZERO


def _clamp(value: Decimal, bounds: tuple[Decimal | None, Decimal | None]) -> Decimal:
    low, high = bounds
    if low is not None and value < low:
        return low
    if high is not None and value > high:
        return high
    return value


def project(
    points: Sequence[Point],
    due: date,
    *,
    window: int = DEFAULT_WINDOW,
    min_points: int = DEFAULT_MIN_POINTS,
    bounds: tuple[Decimal | None, Decimal | None] = (None, None),
) -> Projection | None:
    """The value expected at ``due``: least squares over the last ``window`` points (x = days
    since the first of them), or the latest value when fewer than ``min_points``."""
    if not points:
        return None
    used = sorted(points, key=lambda p: p.day)[-window:]
    latest = used[-1]
    if len(used) < min_points:
        return Projection(_clamp(latest.value, bounds), "latest", 1, None)
    origin = used[0].day
    xs = [Decimal((p.day - origin).days) for p in used]
    ys = [p.value for p in used]
    n = Decimal(len(used))
    mean_x = sum(xs, ZERO) / n
    mean_y = sum(ys, ZERO) / n
    sxx = sum(((x - mean_x) ** 2 for x in xs), ZERO)
    if sxx == ZERO:  # every value on one day: no slope to speak of
        return Projection(_clamp(latest.value, bounds), "latest", 1, None)
    sxy = sum(((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)), ZERO)
    slope = sxy / sxx
    at_due = mean_y + slope * (Decimal((due - origin).days) - mean_x)
    return Projection(_clamp(at_due, bounds), "linear_trend", len(used), slope * 30)


def evaluate(
    points: Sequence[Point],
    comparison: Comparison,
    threshold: Decimal,
    due: date,
    today: date,
    *,
    margin: Decimal = Decimal(5),
    tolerance: Decimal = ZERO,
    window: int = DEFAULT_WINDOW,
    min_points: int = DEFAULT_MIN_POINTS,
    bounds: tuple[Decimal | None, Decimal | None] = (None, None),
) -> Evaluation:
    """The status of one stage (``threshold`` by ``due``) seen on ``today`` (rules above)."""
    known = sorted((p for p in points if p.day <= min(today, due)), key=lambda p: p.day)
    if not known:
        return Evaluation("no_data", "none", None, None, 0, None, threshold, due)
    latest = known[-1]
    if due <= today:
        ok = meets(comparison, latest.value, threshold, tolerance)
        status: Status = "achieved" if ok else "off_track"
        return Evaluation(status, "final", latest, latest.value, 1, None, threshold, due)
    projection = project(known, due, window=window, min_points=min_points, bounds=bounds)
    assert projection is not None  # known is not empty
    now_ok = meets(comparison, latest.value, threshold, tolerance)
    gap = shortfall(comparison, projection.value, threshold, tolerance)
    if gap == ZERO:
        status = "achieved" if now_ok else "on_track"
    elif gap <= margin or now_ok:
        status = "at_risk"
    else:
        status = "off_track"
    return Evaluation(
        status,
        projection.method,
        latest,
        projection.value,
        projection.points,
        projection.slope_per_month,
        threshold,
        due,
    )


def status_rank(status: Status) -> int:
    """Order for "worse than": achieved 0 < on_track 1 < at_risk 2 < off_track 3; no_data 4."""
    return STATUSES.index(status)


def worst(statuses: Sequence[Status]) -> Status:
    """The worst status of several (no_data only when every one is no_data)."""
    known = [s for s in statuses if s != "no_data"]
    if not known:
        return "no_data"
    return max(known, key=status_rank)


def current_stage(dues: Sequence[date], today: date) -> int:
    """The index of the stage a target is working towards on ``today``: the first whose due date
    is on or after today, else the last one (every stage is past). ``dues`` sorted, not empty."""
    for i, due in enumerate(dues):
        if due >= today:
            return i
    return len(dues) - 1
