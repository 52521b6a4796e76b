"""Pure rules of reform inspections (issue 15, glossary ``Inspection``; no ORM, mypy strict).

* :func:`risk` scores one dossier of the inspected agency by the risk facts the issue names —
  late, paused more than once, apologised, rated not satisfied, changed after the fact — and
  says why. Weights (:data:`WEIGHTS`) favour what a citizen suffers most (a late result, an
  unhappy applicant) and what most suggests a record was tidied (an event after the end).
* :func:`choose_sample` takes the riskiest dossiers first (score descending, then code, so the
  order is total), then fills the rest of the sample at random from the others with a seeded
  generator: the same data and seed always give the same sample (reproducible for appeal).
* :func:`quota_coverage` compares the agencies inspected in a year with the plan's quotas
  (seed 003: "ít nhất 30% cơ quan hành chính cấp tỉnh ... 30% đơn vị cấp xã"; seed 002:
  "tối thiểu 60% cơ quan, đơn vị"): quotas of one *alternative* must all be met, and the plan's
  quota is met when one alternative is.
* :func:`remedied_share` is the share of findings remedied (seed 003: "100% vấn đề phát hiện qua
  kiểm tra cải cách hành chính phải được khắc phục").
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "WEIGHTS",
    "DossierFacts",
    "Pick",
    "Quota",
    "QuotaResult",
    "choose_sample",
    "quota_coverage",
    "remedied_share",
    "risk",
]

#: Points per risk reason; a dossier's score is the sum of its reasons' points.
WEIGHTS: Mapping[str, int] = {
    "late": 3,  # finished after the promised date (NĐ 61/2018 art. 19, Decision 766 group 4)
    "paused_twice": 2,  # more than one supplement request (NĐ 61/2018 art. 15: asked once)
    "apologised": 2,  # an apology and new date (NĐ 61/2018 art. 19)
    "not_satisfied": 3,  # the applicant rated the service "not satisfied" (SIPAS)
    "changed_after": 4,  # history recorded after the dossier was finished
}


@dataclass(frozen=True)
class DossierFacts:
    """What the sampler knows of one dossier (read from the dossier's denormalised facts)."""

    id: int
    code: str
    late: bool = False
    pauses: int = 0
    apologies: int = 0
    not_satisfied: bool = False
    changed_after: bool = False


@dataclass(frozen=True)
class Pick:
    """A sampled dossier: its score, the reasons it was picked, and how (risk or random)."""

    id: int
    code: str
    score: int
    reasons: tuple[str, ...]
    by: str  # "risk" or "random"


def risk(facts: DossierFacts) -> tuple[int, tuple[str, ...]]:
    """The score and reasons of one dossier, reasons in :data:`WEIGHTS` order."""
    present = {
        "late": facts.late,
        "paused_twice": facts.pauses > 1,
        "apologised": facts.apologies > 0,
        "not_satisfied": facts.not_satisfied,
        "changed_after": facts.changed_after,
    }
    reasons = tuple(r for r in WEIGHTS if present[r])
    return sum(WEIGHTS[r] for r in reasons), reasons


def choose_sample(facts: Iterable[DossierFacts], size: int, seed: int) -> list[Pick]:
    """``size`` dossiers: the riskiest first, then a seeded random fill from the rest."""
    if size <= 0:
        return []
    scored = [(f, *risk(f)) for f in facts]
    risky = sorted((s for s in scored if s[1] > 0), key=lambda s: (-s[1], s[0].code))
    picks = [Pick(f.id, f.code, score, reasons, "risk") for f, score, reasons in risky[:size]]
    rest = sorted((s[0] for s in scored if s[1] == 0), key=lambda f: f.code)
    room = min(size - len(picks), len(rest))
    if room > 0:
        chosen = random.Random(seed).sample(rest, room)
        picks += [Pick(f.id, f.code, 0, (), "random") for f in sorted(chosen, key=lambda f: f.code)]
    return picks


@dataclass(frozen=True)
class Quota:
    """At least ``share`` % of the agencies of ``tier`` inspected in the year; quotas with the
    same ``alternative`` are met together."""

    tier: str
    share: Decimal
    alternative: int = 1


@dataclass(frozen=True)
class QuotaResult:
    quota: Quota
    inspected: int
    total: int
    achieved: Decimal | None  # % of the tier inspected; None when the tier is empty
    met: bool


def _percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def quota_coverage(
    quotas: Sequence[Quota], counts: Mapping[str, tuple[int, int]]
) -> tuple[list[QuotaResult], bool]:
    """Each quota against ``counts`` (tier → (inspected, total)), and whether the plan's quota
    is met (some alternative with every quota met). An empty tier cannot meet its quota."""
    results = []
    for q in quotas:
        inspected, total = counts.get(q.tier, (0, 0))
        achieved = _percent(inspected, total)
        results.append(
            QuotaResult(q, inspected, total, achieved, achieved is not None and achieved >= q.share)
        )
    alternatives = {q.alternative for q in quotas}
    met = any(all(r.met for r in results if r.quota.alternative == a) for a in alternatives)
    return results, met


def remedied_share(total: int, remedied: int) -> Decimal | None:
    """% of findings remedied (their task done); ``None`` when there were no findings."""
    if remedied < 0 or remedied > total:
        raise ValueError("remedied must lie between 0 and total")
    return _percent(remedied, total)
