"""Agency identifier codes in the national format ``V1V2V3.Z1Z2.Y1Y2.MX1X2``.

Thông tư 10/2016/TT-BTTTT (national standard for identifier codes of agencies in document
systems), reused by TT 01/2018/TT-VPCP art. 19 as the prefix of every dossier code:
``MX1X2`` is the level-1 body (a letter and two digits, e.g. ``H90`` for a province), ``Y1Y2``
the level-2 body under it, ``Z1Z2`` level 3 and ``V1V2V3`` level 4; zeros mean "this level is
not used". A child's code is its parent's code with the next level filled in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

CODE_PATTERN = re.compile(r"^(?P<v>\d{3})\.(?P<z>\d{2})\.(?P<y>\d{2})\.(?P<m>[A-Z]\d{2})$")


class AgencyCodeError(ValueError):
    """The code is not in the national format; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class AgencyCode:
    level1: str
    level2: str
    level3: str
    level4: str

    @property
    def depth(self) -> int:
        """How many levels the code fills: 1 (``000.00.00.H90``) to 4."""
        if self.level4 != "000":
            return 4
        if self.level3 != "00":
            return 3
        if self.level2 != "00":
            return 2
        return 1

    def __str__(self) -> str:
        return f"{self.level4}.{self.level3}.{self.level2}.{self.level1}"

    @property
    def levels(self) -> tuple[str, ...]:
        """The filled levels from the top: ``("H90", "05")`` for ``000.00.05.H90``."""
        return (self.level1, self.level2, self.level3, self.level4)[: self.depth]

    @classmethod
    def from_levels(cls, levels: Sequence[str]) -> AgencyCode:
        """The code whose filled levels are ``levels`` (one to four, top first)."""
        if not 1 <= len(levels) <= 4:
            raise AgencyCodeError(
                f"Mã định danh chỉ có 4 cấp; không thể tạo mã có {len(levels)} cấp."
            )
        # Levels 2 and 3 have two digits, level 4 three: a level moving up or down is re-padded.
        widths = (2, 2, 3)
        lower: list[str] = []
        for position, value in enumerate(levels[1:]):
            if not value.isdigit() or len(str(int(value))) > widths[position]:
                raise AgencyCodeError(
                    f"Giá trị “{value}” không dùng được cho cấp {position + 2} của mã định danh."
                )
            lower.append(f"{int(value):0{widths[position]}d}")
        padded = [levels[0], *lower, *("00", "00", "000")[len(lower) :]]
        return parse_agency_code(f"{padded[3]}.{padded[2]}.{padded[1]}.{padded[0]}")

    def is_descendant_of(self, ancestor: AgencyCode) -> bool:
        """True when this code keeps every filled level of ``ancestor`` and fills more."""
        return self.depth > ancestor.depth and self.levels[: ancestor.depth] == ancestor.levels

    def rebased(self, old: AgencyCode, new: AgencyCode) -> AgencyCode:
        """This descendant of ``old`` re-coded under ``new`` (when a unit moves or is re-coded).

        ``000.03.05.H90`` under ``000.00.05.H90`` rebased onto ``000.00.07.H90`` gives
        ``000.03.07.H90``. Raises :class:`AgencyCodeError` when the result would need a fifth
        level or when this code does not descend from ``old``.
        """
        if not self.is_descendant_of(old):
            raise AgencyCodeError(f"Mã “{self}” không thuộc mã “{old}”.")
        return AgencyCode.from_levels(new.levels + self.levels[old.depth :])

    def is_child_of(self, parent: AgencyCode) -> bool:
        """True when this code extends ``parent`` by exactly one level, as TT 10/2016 nests them."""
        if self.level1 != parent.level1 or self.depth != parent.depth + 1:
            return False
        parts = [self.level2, self.level3, self.level4]
        parent_parts = [parent.level2, parent.level3, parent.level4]
        return parts[: parent.depth - 1] == parent_parts[: parent.depth - 1]


def parse_agency_code(code: str) -> AgencyCode:
    """Parse and validate a code; raise :class:`AgencyCodeError` with the reason."""
    match = CODE_PATTERN.match(code.strip())
    if match is None:
        raise AgencyCodeError(
            f"Mã “{code}” không đúng định dạng V1V2V3.Z1Z2.Y1Y2.MX1X2 (ví dụ 000.00.05.H90)."
        )
    parsed = AgencyCode(match["m"], match["y"], match["z"], match["v"])
    if parsed.level2 == "00" and (parsed.level3 != "00" or parsed.level4 != "000"):
        raise AgencyCodeError(f"Mã “{code}”: không thể có cấp 3, cấp 4 khi cấp 2 (Y1Y2) bằng 00.")
    if parsed.level3 == "00" and parsed.level4 != "000":
        raise AgencyCodeError(f"Mã “{code}”: không thể có cấp 4 khi cấp 3 (Z1Z2) bằng 00.")
    return parsed


def child_code_hint(parent: AgencyCode) -> str:
    """An example code for a child of ``parent``, for error messages and form help."""
    if parent.depth >= 4:
        return ""
    return str(AgencyCode.from_levels([*parent.levels, "01" if parent.depth < 3 else "001"]))


def is_valid_agency_code(code: str) -> bool:
    try:
        parse_agency_code(code)
    except AgencyCodeError:
        return False
    return True
