"""The pure rules of a rating (no ORM): which dossiers may be rated, and the optional SIPAS
factors.

* One rating per dossier, once processing has ended (the Decision 766 satisfaction
  sub-indicator counts rated dossiers among those finished: regulations §1.2 group 5): a
  dossier is rateable when it is finished (``finished_at`` set: result ready, refused, stopped,
  withdrawn) or returned.
* The SIPAS survey (QĐ 2640/QĐ-BNV, regulations §5.2) measures five factors: access to the
  service, the procedure, the officer handling the case, the result, the handling of feedback.
  Each may be scored on the same three-level scale as the overall answer (1 not satisfied,
  2 satisfied, 3 very satisfied); all are optional.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

VALUES: tuple[str, ...] = ("very_satisfied", "satisfied", "not_satisfied")

#: The SIPAS factors (regulations §5.2), in survey order: code -> (Vietnamese, English).
FACTORS: dict[str, tuple[str, str]] = {
    "access": ("Tiếp cận dịch vụ", "Access to the service"),
    "procedure": ("Thủ tục hành chính", "The administrative procedure"),
    "officer": ("Công chức trực tiếp giải quyết", "The officer handling the case"),
    "result": ("Kết quả giải quyết", "The result"),
    "feedback": ("Tiếp nhận, xử lý góp ý, phản ánh", "Handling of comments and feedback"),
}
#: A factor's score: 1 not satisfied, 2 satisfied, 3 very satisfied.
SCORES: dict[int, str] = {1: "not_satisfied", 2: "satisfied", 3: "very_satisfied"}
MAX_COMMENT = 2000

#: States that end the processing without ``finished_at`` being needed to know it.
RETURNED = "returned"


@dataclass(frozen=True)
class RatingProblemError(Exception):
    """Why an answer is refused: ``field`` (``value``, ``factors.<code>``, ``comment``,
    ``dossier``), ``code`` and the messages."""

    field: str
    code: str
    message_vi: str
    message_en: str


def rateable(state: str, finished: bool) -> bool:
    """May a dossier in ``state`` (``finished``: processing ended) be rated? Only once its
    processing has ended or its result was returned."""
    return finished or state == RETURNED


def clean_value(value: Any) -> str:
    text = str(value or "").strip()
    if text not in VALUES:
        raise RatingProblemError(
            "value",
            "invalid_value",
            "Hãy chọn một mức: rất hài lòng, hài lòng hoặc không hài lòng.",
            "Choose one answer: very_satisfied, satisfied or not_satisfied.",
        )
    return text


def clean_factors(factors: Any) -> dict[str, int]:
    """The optional SIPAS factors as ``{code: score}``; empty scores are dropped; an unknown
    factor or a score outside 1-3 is refused."""
    if factors in (None, "", {}):
        return {}
    if not isinstance(factors, Mapping):
        raise RatingProblemError(
            "factors",
            "invalid_factors",
            "Các tiêu chí phải là một bảng tiêu chí → điểm.",
            "Factors must be an object of factor -> score.",
        )
    out: dict[str, int] = {}
    for key, raw in factors.items():
        code = str(key)
        if code not in FACTORS:
            raise RatingProblemError(
                f"factors.{code[:40]}",
                "unknown_factor",
                f"Không có tiêu chí “{code[:40]}”.",
                f"Unknown factor “{code[:40]}” (one of {', '.join(FACTORS)}).",
            )
        if raw in (None, ""):
            continue
        try:
            score = int(str(raw).strip())
        except ValueError:
            score = 0
        if isinstance(raw, bool) or score not in SCORES:
            raise RatingProblemError(
                f"factors.{code}",
                "invalid_score",
                "Điểm của mỗi tiêu chí là 1, 2 hoặc 3.",
                "Each factor's score is 1, 2 or 3.",
            )
        out[code] = score
    return {code: out[code] for code in FACTORS if code in out}


def clean_comment(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > MAX_COMMENT or (
        text and not text.replace("\n", "").replace("\r", "").isprintable()
    ):
        raise RatingProblemError(
            "comment",
            "invalid_comment",
            f"Góp ý tối đa {MAX_COMMENT} ký tự, không có ký tự điều khiển.",
            f"The comment is at most {MAX_COMMENT} characters, without control characters.",
        )
    return text
