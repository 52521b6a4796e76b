"""Fair rankings of agencies: minimum volume, case-mix adjustment, intervals, "why here".

Issue 14, "Fair rankings", after ``shared/docs/metrics-notes.md`` ("Fair comparisons between
agencies"). Pure: no ORM, no Django. The input is, per ranked unit (an agency key) and per
stratum (a procedure), the counts ``numerator`` / ``denominator`` of one ratio KPI over one
period (for ``on_time_766``: dossiers finished early or on time / dossiers finished, Decision 766
indicator 2.1). Proportions are kept as exact fractions in [0, 1]; the pages multiply by 100.

The method (docs/architecture.md, "Fair rankings"):

- **Reference.** The province-wide rate of each procedure ``r_p = N_p / D_p`` (every agency's
  dossiers of ``p``; by default the sum of the cells given) and the province rate
  ``R = ΣN / ΣD``.
- **Indirect standardisation.** For unit A with counts ``n_p / d_p``: observed ``O = Σ n_p``,
  expected ``E = Σ d_p × r_p`` (what its procedure mix predicts), raw rate ``O / d`` with
  ``d = Σ d_p``, expected rate ``E / d``, ratio ``O / E`` (> 1: better than its mix predicts) and
  the mix-adjusted rate ``O / E × R``, capped at 100% (a proportion cannot exceed it; units are
  ranked on the uncapped ratio, so the cap never reorders them).
- **Uncertainty.** The raw rate's interval is the Wilson score interval of ``O`` in ``d``
  (metrics-notes: "simple and behaves at 0% and 100%"). The adjusted rate is the raw rate times
  the constant ``R / (E / d)`` (the expected count is taken as known, as usual for indirect
  standardisation), so its interval is the raw Wilson interval scaled by that constant, capped
  at 100%; it always contains the point estimate.
- **Minimum volume.** A unit with ``d`` below ``min_volume`` (setting
  ``METRICS_RANKING_MIN_DOSSIERS``, default 30) is listed apart as "too few dossiers", with its
  figures, and not ranked (metrics-notes: "an agency with 4 dossiers is not ranked against one
  with 4,000"). A unit whose expected count is 0 cannot be compared and is listed apart too.
- **Rank.** Competition ranking ("1224") of the eligible units by the ratio ``O / E``: rank =
  1 + the number of units strictly better; equal ratios (exact fractions) share a rank.
- **Most improved.** The change of the adjusted rate against a comparison period (each period
  standardised against its own province rates), for units eligible in both; "significant" when
  the two intervals do not overlap (a conservative test).
- **Why here.** The raw rate, what the mix predicts, the gap, and the procedures contributing
  most to it: ``n_p − d_p × r_p`` (dossiers above or below what the province rate predicts).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import NamedTuple

__all__ = [
    "Cell",
    "Contribution",
    "Counts",
    "Improvement",
    "Interval",
    "Ranking",
    "Standing",
    "competition_ranks",
    "rank",
    "wilson",
]

#: 95% two-sided normal quantile.
Z95 = 1.959963984540054


class Cell(NamedTuple):
    """The counts of one unit for one stratum (procedure) over one period (a named tuple: a
    month of a province is some 10^5 cells; :func:`rank` checks them)."""

    unit: str
    stratum: str
    numerator: int
    denominator: int


#: What :func:`rank` reads: a :class:`Cell` or the same plain tuple ``(unit, stratum,
#: numerator, denominator)`` (the query module passes plain tuples: no object per cell).
Counts = tuple[str, str, int, int]


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low - 1e-12 <= value <= self.high + 1e-12

    def overlaps(self, other: Interval) -> bool:
        return self.low <= other.high and other.low <= self.high


@dataclass(frozen=True)
class Contribution:
    """One procedure's share of a unit's gap: ``observed − expected`` dossiers."""

    stratum: str
    denominator: int
    observed: int
    expected: float
    province_rate: float

    @property
    def gap(self) -> float:
        return self.observed - self.expected

    @property
    def rate(self) -> Fraction:
        return Fraction(self.observed, self.denominator)


@dataclass(frozen=True)
class Standing:
    """One unit's figures for the period; ``rank`` is None when it is listed apart."""

    unit: str
    volume: int  # Σ denominator
    observed: int  # Σ numerator
    expected: float | None  # Σ d_p × r_p (None: volume 0)
    raw_rate: Fraction | None  # exact: the figure ``caicach kpi`` prints
    raw_ci: Interval | None
    expected_rate: float | None
    ratio: float | None  # O / E
    adjusted_rate: float | None  # min(1, O / E × R)
    adjusted_ci: Interval | None
    eligible: bool
    reason: str = ""  # "too_few" or "no_expected" when not eligible
    rank: int | None = None
    raw_rank: int | None = None
    contributions: tuple[Contribution, ...] = ()
    why_vi: str = ""
    why_en: str = ""

    @property
    def gap_points(self) -> float | None:
        """Raw rate minus expected rate, in proportion (× 100: percentage points)."""
        if self.raw_rate is None or self.expected_rate is None:
            return None
        return self.raw_rate - self.expected_rate


@dataclass(frozen=True)
class Improvement:
    unit: str
    now: float
    before: float
    now_ci: Interval
    before_ci: Interval

    @property
    def change(self) -> float:
        return self.now - self.before

    @property
    def significant(self) -> bool:
        return not self.now_ci.overlaps(self.before_ci)


@dataclass(frozen=True)
class Ranking:
    province_rate: Fraction | None
    province_numerator: int
    province_denominator: int
    min_volume: int
    higher_is_better: bool
    ranked: tuple[Standing, ...]  # by rank, then unit
    apart: tuple[Standing, ...]  # too few dossiers / no expected value, by volume descending
    improvements: tuple[Improvement, ...] = ()  # every unit eligible in both periods
    by_unit: dict[str, Standing] = field(default_factory=dict)
    improvement_by_unit: dict[str, Improvement] = field(default_factory=dict)

    def improvement_of(self, unit: str) -> Improvement | None:
        return self.improvement_by_unit.get(unit)

    @property
    def most_improved(self) -> tuple[Improvement, ...]:
        """Units whose adjusted rate moved the better way, the largest move first."""
        sign = 1 if self.higher_is_better else -1
        better = [i for i in self.improvements if sign * i.change > 0]
        return tuple(sorted(better, key=lambda i: (-sign * i.change, i.unit)))


def wilson(successes: int, n: int, z: float = Z95) -> Interval | None:
    """The Wilson score interval of a proportion (None when ``n`` is 0)."""
    if n <= 0:
        return None
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Rounding may leave the bounds a hair outside [0, 1] or beside p at 0% and 100%.
    return Interval(max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p)))


def _pct(value: Fraction | float, english: bool) -> str:
    text = f"{float(value) * 100:.1f}"
    return text if english else text.replace(".", ",")


def _num(value: Fraction | float, english: bool) -> str:
    text = f"{float(value):+.1f}"
    return text if english else text.replace(".", ",")


def _why(s: Standing, labels: Mapping[str, str], higher: bool) -> tuple[str, str]:
    """The short explanation of a unit's place, in Vietnamese and English."""
    if s.raw_rate is None:
        return ("Không có hồ sơ trong kỳ.", "No dossiers in the period.")
    raw_vi, raw_en = _pct(s.raw_rate, False), _pct(s.raw_rate, True)
    head_vi = f"Tỷ lệ thực tế {raw_vi}% ({s.observed}/{s.volume} hồ sơ)."
    head_en = f"Raw rate {raw_en}% ({s.observed} of {s.volume} dossiers)."
    if s.expected_rate is None or s.ratio is None:
        return (
            head_vi + " Tỷ lệ chung của tỉnh cho các thủ tục này bằng 0: không so sánh được.",
            head_en + " The province rate of these procedures is 0: no comparison possible.",
        )
    exp_vi, exp_en = _pct(s.expected_rate, False), _pct(s.expected_rate, True)
    gap = s.raw_rate - s.expected_rate
    gap_vi, gap_en = _pct(abs(gap), False), _pct(abs(gap), True)
    if gap == 0:
        side_vi, side_en = "đúng bằng mức dự kiến", "exactly as predicted"
    elif gap > 0:
        side_vi, side_en = f"cao hơn {gap_vi} điểm %", f"{gap_en} points above"
    else:
        side_vi, side_en = f"thấp hơn {gap_vi} điểm %", f"{gap_en} points below"
    ratio_vi, ratio_en = f"{float(s.ratio):.2f}".replace(".", ","), f"{float(s.ratio):.2f}"
    vi = (
        f"{head_vi} Với cơ cấu thủ tục của đơn vị, tỷ lệ chung của tỉnh dự kiến {exp_vi}%; "
        f"thực tế {side_vi} (thực tế/dự kiến = {ratio_vi})."
    )
    en = (
        f"{head_en} Its mix of procedures at the province's rates predicts {exp_en}%; "
        f"it is {side_en} (observed/expected = {ratio_en})."
    )
    if not s.eligible:
        vi += " Dưới số hồ sơ tối thiểu: không xếp hạng."
        en += " Below the minimum volume: not ranked."
    parts = [c for c in s.contributions if c.gap != 0]
    if parts:
        vi_items = ", ".join(
            f"{labels.get(c.stratum, c.stratum)} ({_num(c.gap, False)} hồ sơ)" for c in parts
        )
        en_items = ", ".join(
            f"{labels.get(c.stratum, c.stratum)} ({_num(c.gap, True)} dossiers)" for c in parts
        )
        vi += f" Thủ tục tác động nhiều nhất so với dự kiến: {vi_items}."
        en += f" Procedures weighing most on the gap: {en_items}."
    if s.adjusted_ci is not None and not higher:
        vi += " (Chỉ số này càng thấp càng tốt.)"
        en += " (Lower is better for this measure.)"
    return vi, en


def _standings(
    cells: Iterable[Counts],
    *,
    units: Sequence[str] = (),
    reference: Mapping[str, tuple[int, int]] | None = None,
    min_volume: int,
    z: float,
    top: int,
    labels: Mapping[str, str],
    higher_is_better: bool,
    explain: bool = True,
) -> tuple[dict[str, Standing], Fraction | None, int, int]:
    per_unit: dict[str, dict[str, list[int]]] = {u: {} for u in units}
    summed: dict[str, list[int]] = {}
    for unit, stratum, n, d in cells:
        if n < 0 or n > d:
            raise ValueError("a proportion's numerator lies between 0 and its denominator")
        acc = per_unit.setdefault(unit, {}).setdefault(stratum, [0, 0])
        acc[0] += n
        acc[1] += d
        tot = summed.setdefault(stratum, [0, 0])
        tot[0] += n
        tot[1] += d
    ref = {k: (v[0], v[1]) for k, v in summed.items()} if reference is None else dict(reference)
    ref_num = sum(n for n, _ in ref.values())
    ref_den = sum(d for _, d in ref.values())
    province = Fraction(ref_num, ref_den) if ref_den else None
    rates = {k: n / d for k, (n, d) in ref.items() if d > 0}
    out: dict[str, Standing] = {}
    for unit, strata in per_unit.items():
        volume = sum(d for _, d in strata.values())
        observed = sum(n for n, _ in strata.values())
        if volume == 0 or province is None:
            s = Standing(unit, volume, observed, None, None, None, None, None, None, None, False,
                         "too_few")  # fmt: skip
            vi, en = _why(s, labels, higher_is_better)
            out[unit] = replace(s, why_vi=vi, why_en=en)
            continue
        # (stratum, d, n, d × r_p, r_p) per procedure: floats, since an exact sum over hundreds
        # of procedures' rates grows huge denominators (bench/bench_rankings.py).
        parts = []
        for stratum, (n, d) in strata.items():
            if d == 0:
                continue
            r_p = rates.get(stratum)
            if r_p is None:
                raise ValueError(f"no province figure for stratum {stratum!r}")
            parts.append((stratum, d, n, d * r_p, r_p))
        expected = math.fsum(p[3] for p in parts)
        raw = Fraction(observed, volume)
        raw_ci = wilson(observed, volume, z)
        expected_rate = expected / volume
        eligible = volume >= min_volume
        reason = "" if eligible else "too_few"
        ratio = adjusted = None
        adjusted_ci = None
        if expected > 0:
            ratio = observed / expected
            adjusted = min(1.0, ratio * float(province))
            scale = float(province) / expected_rate
            assert raw_ci is not None
            adjusted_ci = Interval(min(1.0, raw_ci.low * scale), min(1.0, raw_ci.high * scale))
        elif eligible:
            eligible, reason = False, "no_expected"
        heaviest = heapq.nsmallest(top, parts, key=lambda p: (-abs(p[2] - p[3]), p[0]))
        contributions = [Contribution(*p) for p in heaviest]
        s = Standing(
            unit=unit,
            volume=volume,
            observed=observed,
            expected=expected,
            raw_rate=raw,
            raw_ci=raw_ci,
            expected_rate=expected_rate,
            ratio=ratio,
            adjusted_rate=adjusted,
            adjusted_ci=adjusted_ci,
            eligible=eligible,
            reason=reason,
            contributions=tuple(contributions[:top]),
        )
        if explain:
            vi, en = _why(s, labels, higher_is_better)
            s = replace(s, why_vi=vi, why_en=en)
        out[unit] = s
    return out, province, ref_num, ref_den


def competition_ranks(
    values: Mapping[str, Fraction | float], higher_is_better: bool = True
) -> dict[str, int]:
    """Rank = 1 + the number of strictly better values ("1224" ranking): equal values share a
    rank and the next rank is skipped. Values within a relative 1e-9 of the one before are equal
    (float rounding must not split a tie)."""
    ordered = sorted(values.items(), key=lambda i: i[1], reverse=higher_is_better)
    out: dict[str, int] = {}
    current, last = 0, None
    for i, (unit, v) in enumerate(ordered):
        if last is None or not math.isclose(v, last, rel_tol=1e-9, abs_tol=1e-12):
            current = i + 1
        out[unit] = current
        last = v
    return out


def rank(
    cells: Iterable[Counts],
    previous: Iterable[Counts] | None = None,
    *,
    units: Sequence[str] = (),
    reference: Mapping[str, tuple[int, int]] | None = None,
    previous_reference: Mapping[str, tuple[int, int]] | None = None,
    min_volume: int = 30,
    z: float = Z95,
    top: int = 3,
    labels: Mapping[str, str] | None = None,
    higher_is_better: bool = True,
) -> Ranking:
    """Rank the units of ``cells`` (and every unit of ``units``, with or without cells).

    ``reference`` maps a stratum to the province's ``(numerator, denominator)`` (default: the sum
    of ``cells``); ``previous`` are the comparison period's cells (``previous_reference`` its
    reference), for "most improved"."""
    if min_volume < 1:
        raise ValueError("min_volume must be at least 1")
    names = labels or {}
    standings, province, ref_num, ref_den = _standings(
        cells,
        units=units,
        reference=reference,
        min_volume=min_volume,
        z=z,
        top=top,
        labels=names,
        higher_is_better=higher_is_better,
    )
    eligible = {u: s for u, s in standings.items() if s.eligible}
    ratios = {u: s.ratio for u, s in eligible.items() if s.ratio is not None}
    raws = {u: s.raw_rate for u, s in eligible.items() if s.raw_rate is not None}
    fair_ranks = competition_ranks(ratios, higher_is_better)
    raw_ranks = competition_ranks(raws, higher_is_better)
    final = {
        u: replace(s, rank=fair_ranks.get(u), raw_rank=raw_ranks.get(u))
        for u, s in standings.items()
    }
    ranked = sorted((s for s in final.values() if s.rank is not None), key=_rank_key)
    apart = sorted((s for s in final.values() if s.rank is None), key=lambda s: (-s.volume, s.unit))
    improvements: list[Improvement] = []
    if previous is not None:
        before, _, _, _ = _standings(
            previous,
            reference=previous_reference,
            min_volume=min_volume,
            z=z,
            top=0,
            labels=names,
            higher_is_better=higher_is_better,
            explain=False,
        )
        for u, s in final.items():
            b = before.get(u)
            if (
                s.eligible
                and b is not None
                and b.eligible
                and s.adjusted_rate is not None
                and b.adjusted_rate is not None
                and s.adjusted_ci is not None
                and b.adjusted_ci is not None
            ):
                improvements.append(
                    Improvement(u, s.adjusted_rate, b.adjusted_rate, s.adjusted_ci, b.adjusted_ci)
                )
        improvements.sort(key=lambda i: i.unit)
    return Ranking(
        province_rate=province,
        province_numerator=ref_num,
        province_denominator=ref_den,
        min_volume=min_volume,
        higher_is_better=higher_is_better,
        ranked=tuple(ranked),
        apart=tuple(apart),
        improvements=tuple(improvements),
        by_unit=final,
        improvement_by_unit={i.unit: i for i in improvements},
    )


def _rank_key(s: Standing) -> tuple[int, str]:
    return (s.rank or 0, s.unit)
