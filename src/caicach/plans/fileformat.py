"""Reading a plan file (docs/formats/plans.md) with the line of every value.

YAML is read with PyYAML's *composer* (safe: no Python tags), so each value keeps the line it
came from and an error names it ("line 12, field domains[1].targets[0].unit"). Scalars follow
YAML 1.1's safe resolution (int, float → Decimal, bool, null, dates); a date-time, a duplicate
key or an anchor used as a merge key is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

__all__ = ["FileIssue", "Located", "Path", "fmt_path", "read_plan_file"]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class FileIssue:
    """One error of a plan file: where (line, field path) and what (Vietnamese and English)."""

    line: int
    field: str
    vi: str
    en: str

    def __str__(self) -> str:
        where_vi = f"Dòng {self.line}" + (f", trường {self.field}" if self.field else "")
        where_en = f"line {self.line}" + (f", field {self.field}" if self.field else "")
        return f"{where_vi}: {self.vi} / {where_en}: {self.en}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "detail_vi": self.vi, "detail": self.en}


@dataclass
class Located:
    """The file's data as plain Python values and the line of each path."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def fmt_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class _BadValueError(Exception):
    def __init__(self, line: int, path: Path, vi: str, en: str) -> None:
        super().__init__(en)
        self.issue = FileIssue(line, fmt_path(path), vi, en)


def _scalar(node: yaml.ScalarNode, path: Path) -> Any:
    tag, text = node.tag, node.value
    line = node.start_mark.line + 1
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return text.lower() in ("yes", "true", "on", "y")
    if tag.endswith(":int"):
        try:
            return int(text.replace("_", ""), 0)
        except ValueError:
            return int(text.replace("_", ""))
    if tag.endswith(":float"):
        try:
            return Decimal(text.replace("_", ""))
        except InvalidOperation:
            raise _BadValueError(
                line, path, f"Số không hợp lệ: {text!r}.", f"Invalid number: {text!r}."
            ) from None
    if tag.endswith(":timestamp"):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise _BadValueError(
                line,
                path,
                f"Chỉ dùng ngày dạng YYYY-MM-DD, không dùng {text!r}.",
                f"Use dates as YYYY-MM-DD, not {text!r}.",
            ) from None
    return text


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, path)
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*path, i), lines) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _walk(key_node, path, lines) if isinstance(key_node, yaml.ScalarNode) else None
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise _BadValueError(line, path, "Khóa phải là chữ.", "Keys must be text.")
            if key in out:
                raise _BadValueError(
                    line, (*path, key), f"Khóa {key!r} lặp lại.", f"Duplicate key {key!r}."
                )
            out[key] = _walk(value_node, (*path, key), lines)
        lines[path] = node.start_mark.line + 1
        return out
    raise _BadValueError(
        1, path, "Nội dung không đọc được.", "Unreadable content."
    )  # pragma: no cover


def read_plan_file(text: str) -> tuple[Located | None, list[FileIssue]]:
    """The data and lines of a plan file (YAML; JSON is YAML too), or the syntax error."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or "syntax error"
        return None, [
            FileIssue(line, "", f"Lỗi cú pháp YAML ({problem}).", f"YAML syntax error ({problem}).")
        ]
    except yaml.YAMLError as exc:
        return None, [FileIssue(1, "", f"Lỗi cú pháp YAML ({exc}).", f"YAML syntax error ({exc}).")]
    if node is None:
        return None, [FileIssue(1, "", "Tệp trống.", "The file is empty.")]
    lines: dict[Path, int] = {}
    try:
        data = _walk(node, (), lines)
    except _BadValueError as bad:
        return None, [bad.issue]
    if isinstance(data, datetime):  # pragma: no cover - dates are read as dates above
        data = data.date()
    return Located(data, lines), []
