"""The PAR-Index criteria file (``docs/formats/par-index.md``): read and check, no ORM.

Errors name the criterion's path (``domains[2].criteria[0]``) in both languages; the whole
file is refused on any error (issue 15: "loaded per year from a file, so the official set ...
can be entered when it changes").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from caicach.plans.parindex.scoring import KINDS, Rule

__all__ = ["FORMAT", "Node", "ParFile", "ParFileError", "read"]

FORMAT = "caicach-par-index/1"
TIERS = ("department", "commune")
KEYS = frozenset({"code", "name", "max", "rule", "evidence", "criteria"})


class ParFileError(ValueError):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(en for _vi, en in errors))
        self.errors = errors


@dataclass
class Node:
    code: str
    name: str
    maximum: Decimal
    rule: Rule | None
    evidence: str = ""
    children: list[Node] = field(default_factory=list)


@dataclass
class ParFile:
    year: int
    tier: str
    title: str
    basis: str
    illustrative: str
    domains: list[Node]

    @property
    def maximum(self) -> Decimal:
        return sum((d.maximum for d in self.domains), Decimal(0))


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def read(text: str) -> ParFile:
    """The file as a tree, or :class:`ParFileError` with every problem found."""
    errors: list[tuple[str, str]] = []
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParFileError(
            [(f"Tệp YAML không đọc được: {exc}", f"Not valid YAML: {exc}")]
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ParFileError([(f"Thiếu «format: {FORMAT}».", f"Missing 'format: {FORMAT}'.")])
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.append(("Năm không hợp lệ.", "The year is not valid."))
    tier = data.get("tier")
    if tier not in TIERS:
        errors.append(
            ("«tier» phải là department hoặc commune.", "'tier' must be department or commune.")
        )
    codes: set[str] = set()

    def node(raw: Any, path: str, depth: int) -> Node | None:
        if not isinstance(raw, dict):
            errors.append((f"{path}: phải là một mục.", f"{path}: must be a mapping."))
            return None
        code, name = str(raw.get("code", "")).strip(), str(raw.get("name", "")).strip()
        unknown = sorted(str(k) for k in raw if k not in KEYS)
        if unknown:
            errors.append(
                (
                    f"{path}: khóa không hợp lệ {', '.join(unknown)} (tên có dấu phẩy cần đặt trong ngoặc kép).",
                    f"{path}: unknown keys {', '.join(unknown)} (quote a name that has a comma).",
                )
            )
        if not code or not name:
            errors.append((f"{path}: thiếu mã hoặc tên.", f"{path}: code and name are required."))
        if code in codes:
            errors.append((f"{path}: mã {code} bị trùng.", f"{path}: duplicate code {code}."))
        codes.add(code)
        children_raw = raw.get("criteria") or []
        if depth >= 3 and children_raw:
            errors.append((f"{path}: tối đa ba cấp.", f"{path}: at most three levels."))
            children_raw = []
        children: list[Node] = []
        for i, raw_child in enumerate(children_raw):
            child = node(raw_child, f"{path}.criteria[{i}]", depth + 1)
            if child is not None:
                children.append(child)
        maximum = _decimal(raw.get("max"))
        rule = None
        if children:
            summed = sum((c.maximum for c in children), Decimal(0))
            if maximum is None:
                maximum = summed
            elif maximum != summed:
                errors.append(
                    (
                        f"{path}: điểm tối đa {maximum} khác tổng các tiêu chí con {summed}.",
                        f"{path}: maximum {maximum} differs from its children's sum {summed}.",
                    )
                )
        else:
            if maximum is None or maximum <= 0:
                errors.append(
                    (f"{path}: cần điểm tối đa dương.", f"{path}: a positive 'max' is required.")
                )
                maximum = Decimal(0)
            rule = _rule(raw.get("rule"), path, errors)
        return Node(code, name, maximum, rule, str(raw.get("evidence", "")), children)

    domains_raw = data.get("domains") or []
    if not isinstance(domains_raw, list) or not domains_raw:
        errors.append(("Cần ít nhất một lĩnh vực.", "At least one domain is required."))
        domains_raw = []
    domains = [d for i, r in enumerate(domains_raw) if (d := node(r, f"domains[{i}]", 1))]
    if errors:
        raise ParFileError(errors)
    return ParFile(
        year=int(year),  # type: ignore[arg-type]
        tier=str(tier),
        title=str(data.get("title", "")).strip() or f"Chỉ số CCHC {year}",
        basis=str(data.get("basis", "")),
        illustrative=str(data.get("illustrative", "")),
        domains=domains,
    )


def _rule(raw: Any, path: str, errors: list[tuple[str, str]]) -> Rule | None:
    if not isinstance(raw, dict) or raw.get("kind") not in KINDS:
        errors.append(
            (
                f"{path}: «rule.kind» phải là một trong {', '.join(KINDS)}.",
                f"{path}: 'rule.kind' must be one of {', '.join(KINDS)}.",
            )
        )
        return None
    kind = str(raw["kind"])
    source = str(raw.get("kpi") or raw.get("indicator") or raw.get("survey") or "")
    if kind in ("metric", "indicator") and not source:
        errors.append((f"{path}: thiếu chỉ số nguồn.", f"{path}: the source is missing."))
    thresholds: list[tuple[Decimal, Decimal]] = []
    for pair in raw.get("thresholds") or []:
        bound = _decimal(pair[0]) if isinstance(pair, list) and len(pair) == 2 else None
        points = _decimal(pair[1]) if bound is not None else None
        if bound is None or points is None:
            errors.append(
                (
                    f"{path}: ngưỡng phải là [giá trị, điểm].",
                    f"{path}: thresholds are [value, points].",
                )
            )
            continue
        thresholds.append((bound, points))
    linear = None
    if raw.get("linear") is not None:
        lo_hi = raw["linear"]
        lo = _decimal(lo_hi[0]) if isinstance(lo_hi, list) and len(lo_hi) == 2 else None
        hi = _decimal(lo_hi[1]) if lo is not None else None
        if lo is None or hi is None:
            errors.append(
                (f"{path}: «linear» phải là [từ, đến].", f"{path}: 'linear' is [from, to].")
            )
        else:
            linear = (lo, hi)
    if kind in ("metric", "indicator") and not thresholds and linear is None:
        errors.append(
            (
                f"{path}: cần «thresholds» hoặc «linear».",
                f"{path}: 'thresholds' or 'linear' is required.",
            )
        )
    return Rule(
        kind=kind,
        source=source,
        thresholds=tuple(thresholds),
        linear=linear,
        higher_better=raw.get("better", "higher") != "lower",
    )
