"""Draft a year's calendar from the ``holidays`` package and compare it with the official data.

Pure (no Django). The package (vacanza/holidays, regulations §4.3) is a *seed*, never the
authority: the Prime Minister fixes Tết and National Day each year (Labour Code art. 112(3)) and
the ministry announces the swaps, which the package may lag behind or anticipate. For instance the
locked version lists 24/11/2026 *Ngày Văn hóa Việt Nam* as a holiday although the Labour Code has
not been amended yet (regulations §4.4), and it does not name the weekend days inside the Tết
break. :func:`compare_with_official` lists such disagreements for an administrator to review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays

from caicach.calendars.rules import (
    WEEKDAY_EN,
    WEEKDAY_VI,
    DayEntry,
    DayKind,
    load_official_entries,
    lower_first,
)

__all__ = [
    "PROVISIONAL_NOTE",
    "Difference",
    "art112_year",
    "compare_with_official",
    "draft_year_from_holidays",
    "kind_for_holiday_name",
]

#: The note of a provisional entry (:func:`art112_year`), shown by the calendar's explanations.
PROVISIONAL_NOTE = "Dự kiến theo Bộ luật Lao động 2019 điều 112 (chưa công bố chính thức)"

#: The Labour Code 2019 art. 112(1) holidays, by the package's Vietnamese names (regulations
#: §4.1): New Year, Tết (its kind), Hùng Kings, Reunification Day, Labour Day, National Day.
_ART112_NAMES = ("tết dương lịch", "hùng vương", "chiến thắng", "lao động", "quốc khánh")

#: "Ngày nghỉ (thay cho ngày 26/04/2025)": the package's label of a swapped day off.
_SWAP_RE = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")
_WEEKEND = frozenset({5, 6})


def kind_for_holiday_name(name_vi: str) -> DayKind:
    """Map a Vietnamese holiday name from the package to a :class:`DayKind`.

    Several names on one date are joined with ``"; "``; a swap or an in-lieu day wins over a
    plain holiday, and Tết over both (it is what the day is known for).
    """
    kinds: set[DayKind] = set()
    for part in name_vi.split(";"):
        name = part.strip()
        lower = name.lower()
        if lower.startswith("ngày nghỉ (thay cho") or "thay cho ngày" in lower:
            kinds.add(DayKind.SWAPPED_OFF)
        elif "(nghỉ bù" in lower:
            kinds.add(DayKind.IN_LIEU)
        elif ("tết" in lower or "giao thừa" in lower) and "dương lịch" not in lower:
            kinds.add(DayKind.TET)
        else:
            kinds.add(DayKind.HOLIDAY)
    for kind in (DayKind.TET, DayKind.SWAPPED_OFF, DayKind.IN_LIEU):
        if kind in kinds:
            return kind
    return DayKind.HOLIDAY


def draft_year_from_holidays(year: int) -> list[DayEntry]:
    """A draft of ``year`` from ``holidays.country_holidays("VN")`` (names in vi and en_US).

    Each package holiday becomes an entry whose kind comes from its name
    (:func:`kind_for_holiday_name`); the package's worked weekend days (``weekend_workdays``, the
    other half of a swap) become ``worked_weekend`` entries. The result is sorted by date.
    """
    vi = holidays.country_holidays("VN", years=year, language="vi")
    en = holidays.country_holidays("VN", years=year, language="en_US")
    entries: list[DayEntry] = []
    swapped_for: dict[date, date] = {}
    for d, name_vi in sorted(vi.items()):
        kind = kind_for_holiday_name(name_vi)
        if kind in (DayKind.SWAPPED_OFF, DayKind.IN_LIEU) and d.weekday() in _WEEKEND:
            kind = DayKind.HOLIDAY  # cannot give a weekend day off; keep it for its name
        if kind is DayKind.SWAPPED_OFF:
            m = _SWAP_RE.search(name_vi)
            if m is not None:
                worked = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
                swapped_for[worked] = d
        entries.append(DayEntry(d, kind, name_vi, en.get(d, ""), note="holidays package"))
    weekend_workdays: Iterable[date] = getattr(vi, "weekend_workdays", ())
    for d in sorted(w for w in weekend_workdays if w.year == year):
        off = swapped_for.get(d)
        if off is not None:
            name_vi = f"Làm bù cho {lower_first(WEEKDAY_VI[off.weekday()])} {off:%d/%m/%Y}"
            name_en = f"Worked {WEEKDAY_EN[d.weekday()]} (in exchange for {off:%d/%m/%Y})"
        else:
            name_vi, name_en = "Làm bù (hoán đổi ngày làm việc)", "Worked weekend day (swap)"
        entries.append(
            DayEntry(d, DayKind.WORKED_WEEKEND, name_vi, name_en, note="holidays package")
        )
    entries.sort(key=lambda e: e.date)
    return entries


@lru_cache(maxsize=64)
def _art112_cached(year: int) -> tuple[DayEntry, ...]:
    out: list[DayEntry] = []
    for entry in draft_year_from_holidays(year):
        if entry.kind not in (DayKind.HOLIDAY, DayKind.TET, DayKind.IN_LIEU):
            continue  # swaps are decided yearly by the ministry: unknowable in advance
        lower = entry.name_vi.lower()
        if entry.kind is not DayKind.TET and not any(n in lower for n in _ART112_NAMES):
            continue  # e.g. 24/11 Ngày Văn hóa Việt Nam: not in art. 112 yet (regulations §4.4)
        out.append(DayEntry(entry.date, entry.kind, entry.name_vi, entry.name_en, PROVISIONAL_NOTE))
    return tuple(out)


def art112_year(year: int) -> list[DayEntry]:
    """The days off of ``year`` that the law fixes in advance, for a year whose official calendar
    is not announced yet (regulations §4.1 and §4.4):

    * Labour Code 2019 art. 112(1): 1/1, 30/4, 1/5, 2/9 and its adjacent day, the five Tết days
      and the Hùng Kings' day (10th day of the 3rd lunar month); the package computes the lunar
      dates and the National Day adjacent day by its weekday rule;
    * art. 111(3): a holiday on a weekly rest day gives a day off in lieu on the next working
      day (the package's observed days, Tết's included).

    Official swaps (*hoán đổi ngày làm việc*) are left out: the ministry decides them each year
    and the package's are only historical. Holidays the package lists beyond art. 112 (24/11
    *Ngày Văn hóa Việt Nam*, pending an amendment) are left out too. Every entry carries
    :data:`PROVISIONAL_NOTE`; a due date counted over them is ``provisional`` (the year is outside
    the calendar's covered years). Cached per year (the package's lunar computation is slow).
    """
    return list(_art112_cached(year))


def _is_working(d: date, kind: DayKind | None) -> bool:
    if kind is None:
        return d.weekday() not in _WEEKEND
    return kind.is_working


@dataclass(frozen=True, slots=True)
class Difference:
    """One date on which the package's draft and the official data disagree."""

    date: date
    package_kind: DayKind | None
    official_kind: DayKind | None
    package_name: str
    official_name: str
    affects_working_status: bool  # the day is a working day under one and not the other

    def describe(self) -> str:
        """One line for ``caicach calendar seed --compare``."""
        pkg = f"{self.package_kind.value} ({self.package_name})" if self.package_kind else "—"
        off = f"{self.official_kind.value} ({self.official_name})" if self.official_kind else "—"
        flag = "changes working status" if self.affects_working_status else "label only"
        return f"{self.date:%d/%m/%Y}: package {pkg}; official {off} [{flag}]"


def compare_with_official(
    year: int,
    official: Iterable[DayEntry] | None = None,
    draft: Iterable[DayEntry] | None = None,
) -> list[Difference]:
    """Where the package draft and the official calendar disagree on ``year``, sorted by date.

    Kinds are compared, not names. A difference *affects working status* when the day is a
    working day under one side and not the other (e.g. 24/11/2026 in the package); otherwise it
    only changes the explanation (e.g. a weekend day inside the Tết break that only the official
    data names). ``official`` defaults to the shipped data, ``draft`` to
    :func:`draft_year_from_holidays`.
    """
    off_entries = official if official is not None else load_official_entries()
    off = {e.date: e for e in off_entries if e.date.year == year}
    pkg_entries = draft if draft is not None else draft_year_from_holidays(year)
    pkg = {e.date: e for e in pkg_entries if e.date.year == year}
    out: list[Difference] = []
    for d in sorted(set(off) | set(pkg)):
        p, o = pkg.get(d), off.get(d)
        pk = p.kind if p is not None else None
        ok = o.kind if o is not None else None
        if pk == ok:
            continue
        out.append(
            Difference(
                date=d,
                package_kind=pk,
                official_kind=ok,
                package_name=p.name_vi if p is not None else "",
                official_name=o.name_vi if o is not None else "",
                affects_working_status=_is_working(d, pk) != _is_working(d, ok),
            )
        )
    return out
