"""Reporting periods of a duty and reporting rates (issue 15: "reporting completeness and
timeliness per agency ... as DHIS2 counts reporting rates"). Pure (mypy strict), no ORM.

* :func:`periods` — the periods a frequency makes inside a plan's span: ``monthly`` →
  months, ``quarterly`` →
  calendar quarters, ``half_yearly`` → halves, ``yearly`` → years (the periods of
  ``metrics.periods``; a period only partly inside the span still counts, as a quarterly duty
  starting mid-quarter reports on that quarter). ``ad_hoc`` makes none: an ad hoc report is
  asked for one by one.
* :func:`rate` — DHIS2's reporting rates (DHIS2 user guide, "Reporting rate summary"): of the
  *expected* reports (periods that have ended), *submitted* = submitted at least once, *on
  time* = first submitted on or before the due day (the due day counts, Civil Code 2015
  art. 148: a period ends at the end of its last day). Rates are per cent of expected, ``None``
  when nothing is expected (no data, never 0 %).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from caicach.metrics.periods import Period, parse_period

__all__ = ["FREQUENCIES", "Expected", "Rate", "periods", "rate"]

#: frequency → the ``metrics.periods`` kind it makes
FREQUENCIES = {"monthly": "month", "quarterly": "quarter", "half_yearly": "half", "yearly": "year"}


def _labels(kind: str, year: int) -> Iterator[str]:
    if kind == "month":
        yield from (f"{year}-{m:02d}" for m in range(1, 13))
    elif kind == "quarter":
        yield from (f"{year}-Q{q}" for q in range(1, 5))
    elif kind == "half":
        yield from (f"{year}-H{h}" for h in (1, 2))
    elif kind == "year":
        yield str(year)


def periods(frequency: str, start: date, end: date, *, started_by: date) -> list[Period]:
    """The periods of ``frequency`` that overlap ``start..end`` and have begun by
    ``started_by``, oldest first."""
    kind = FREQUENCIES.get(frequency)
    if kind is None:
        return []
    out = []
    for year in range(start.year, end.year + 1):
        for label in _labels(kind, year):
            p = parse_period(label)
            if p.last >= start and p.first <= end and p.first <= started_by:
                out.append(p)
    return out


@dataclass(frozen=True)
class Expected:
    """One expected report: its due day and the day it was first submitted (or None)."""

    due: date
    first_submitted: date | None


@dataclass(frozen=True)
class Rate:
    expected: int
    submitted: int
    on_time: int

    @staticmethod
    def _pct(part: int, whole: int) -> Decimal | None:
        if not whole:
            return None
        return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"))

    @property
    def reporting_rate(self) -> Decimal | None:
        return self._pct(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return self._pct(self.on_time, self.expected)

    @property
    def missing(self) -> int:
        return self.expected - self.submitted


def rate(rows: Iterable[Expected]) -> Rate:
    """Expected, submitted and on-time counts of ``rows`` (all expected: their periods ended)."""
    expected = submitted = on_time = 0
    for row in rows:
        expected += 1
        if row.first_submitted is not None:
            submitted += 1
            if row.first_submitted <= row.due:
                on_time += 1
    return Rate(expected, submitted, on_time)
