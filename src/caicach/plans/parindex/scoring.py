"""Pure scoring of a PAR-Index self-assessment (issue 15, glossary ``ParIndex``; regulations.md
§5.1: units self-assess against a criteria tree, the appraiser accepts or adjusts each score;
§5.2 SIPAS for the survey criteria). No ORM; mypy strict.

A leaf criterion has a maximum and a :class:`Rule`:

* ``metric`` / ``indicator``: a measured value (a live KPI over the year, or an approved
  reported value) turned into points by ``thresholds`` — ordered ``(bound, points)`` pairs,
  the first bound the value reaches gives its points (``higher_better``: value ≥ bound, else
  value ≤ bound), none reached gives 0 — or ``linear`` ``(lo, hi)``: 0 points at ``lo``, the
  maximum at ``hi``, in between proportionally (2 decimals, half up), clamped;
* ``survey``: a satisfaction percentage (SIPAS) scaled to the maximum (``linear`` 0–100 unless
  given);
* ``manual``: points the unit gives itself with evidence (or a reason for none).

Every score is clamped to [0, maximum], so a total never exceeds the tree's maximum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "KINDS",
    "Gap",
    "Rule",
    "clamp",
    "gaps",
    "points_for",
    "rank",
    "total",
]

KINDS = ("metric", "indicator", "survey", "manual")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rule:
    kind: str
    source: str = ""  # the KPI code, the reported indicator's code, or the survey's name
    thresholds: tuple[tuple[Decimal, Decimal], ...] = ()
    linear: tuple[Decimal, Decimal] | None = None
    higher_better: bool = True
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def automatic(self) -> bool:
        """Scored from a value the system holds (metric, indicator, survey), not by the unit."""
        return self.kind != "manual"


def clamp(points: Decimal, maximum: Decimal) -> Decimal:
    return min(max(points, Decimal(0)), maximum)


def points_for(rule: Rule, maximum: Decimal, value: Decimal | None) -> Decimal | None:
    """The points a measured ``value`` earns under ``rule``; ``None`` without a value or for a
    manual rule."""
    if value is None or rule.kind == "manual":
        return None
    if rule.thresholds:
        for bound, points in rule.thresholds:
            reached = value >= bound if rule.higher_better else value <= bound
            if reached:
                return clamp(points, maximum)
        return Decimal(0)
    lo, hi = rule.linear or (Decimal(0), Decimal(100))
    if hi == lo:
        return maximum if (value >= hi) == rule.higher_better else Decimal(0)
    share = (value - lo) / (hi - lo)
    return clamp((maximum * share).quantize(CENT, rounding=ROUND_HALF_UP), maximum)


def total(scores: Iterable[tuple[Decimal | None, Decimal]]) -> Decimal:
    """The sum of ``(points, maximum)`` pairs, each clamped; a missing score counts 0."""
    return sum((clamp(p, m) for p, m in scores if p is not None), Decimal(0))


@dataclass(frozen=True)
class Gap:
    code: str
    self_points: Decimal | None
    appraised: Decimal | None
    gap: Decimal  # self − appraised (positive: the unit scored itself higher)


def gaps(
    rows: Sequence[tuple[str, Decimal | None, Decimal | None]],
) -> tuple[list[Gap], Decimal]:
    """Per criterion ``(code, self, appraised)``: the gap, and their sum (which equals the self
    total minus the appraised total). An unappraised criterion keeps the self score (gap 0)."""
    out = []
    for code, mine, theirs in rows:
        appraised = mine if theirs is None else theirs
        out.append(Gap(code, mine, theirs, (mine or Decimal(0)) - (appraised or Decimal(0))))
    return out, sum((g.gap for g in out), Decimal(0))


def rank(totals: Mapping[str, Decimal]) -> list[tuple[str, Decimal, int]]:
    """Units by total, highest first; equal totals share a rank (1, 2, 2, 4), ties by key."""
    ordered = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    out: list[tuple[str, Decimal, int]] = []
    for i, (key, value) in enumerate(ordered):
        place = out[-1][2] if out and out[-1][1] == value else i + 1
        out.append((key, value, place))
    return out
