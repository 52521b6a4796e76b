"""Reported values (issue 15): an agency submits the value of an indicator for a period with its
evidence; the reform office approves it (then it counts) or returns it with a comment.

Rules: the submitter needs ``plans.report`` over the agency (its leaders), the reviewer
``plans.approve`` (the reform office); a percentage is 0-100, a rank or group at least 1, a
count at least 0; the evidence is required where the indicator says so, of an allowed type read
from its bytes and within the size limit (``plans.evidence``); an approved value is final (a
correction is a new period or a returned value). A refused input writes nothing. Every step is
an audit entry in its transaction; the file is stored under a name the server makes.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from caicach.accounts.access import require
from caicach.agencies.models import Agency
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError, ConflictError
from caicach.metrics.periods import PeriodError, parse_period
from caicach.plans.evidence import ALLOWED, MAX_EVIDENCE_BYTES, sniff
from caicach.plans.models import ReportedIndicator, ReportedValue, ReportState

__all__ = ["MAX_EVIDENCE_BYTES", "approve", "give_back", "submit_value", "too_large"]


def _bad(field: str, vi: str, en: str, code: str = "invalid") -> BilingualError:
    return BilingualError(vi, en, code=code, errors={field: [en]})


def too_large() -> BilingualError:
    """An evidence file over the limit (the pages check the upload's size before reading it)."""
    mb = MAX_EVIDENCE_BYTES // (1024 * 1024)
    return _bad(
        "evidence",
        f"Tệp minh chứng quá {mb} MB.",
        f"The evidence file is over {mb} MB.",
        "evidence_too_large",
    )


def _clean_value(indicator: ReportedIndicator, raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise _bad("value", "Giá trị phải là một số.", "The value must be a number.") from None
    if not value.is_finite() or abs(value) >= Decimal("1e11"):
        raise _bad("value", "Giá trị phải là một số.", "The value must be a number.")
    low, high = {"%": (0, 100), "rank": (1, None), "tier": (1, None)}.get(indicator.unit, (0, None))
    if value < low or (high is not None and value > high):
        limit = f"{low}-{high}" if high is not None else f">= {low}"
        raise _bad(
            "value",
            f"Giá trị phải trong khoảng {limit} ({indicator.unit}).",
            f"The value must be {limit} ({indicator.unit}).",
        )
    return value.quantize(Decimal("0.01"))


def _clean_evidence(
    indicator: ReportedIndicator, evidence: tuple[str, bytes] | None
) -> tuple[str, bytes, str] | None:
    if evidence is None or not evidence[1]:
        if indicator.evidence_required:
            raise _bad(
                "evidence",
                "Cần đính kèm minh chứng (PDF, DOCX, XLSX, JPG hoặc PNG).",
                "Evidence is required (PDF, DOCX, XLSX, JPG or PNG).",
                "evidence_required",
            )
        return None
    name, content = evidence
    if len(content) > MAX_EVIDENCE_BYTES:
        raise too_large()
    kind = sniff(content)
    if kind is None:
        allowed = ", ".join(v for v in ALLOWED.values())
        raise _bad(
            "evidence",
            f"Loại tệp minh chứng không được phép; chỉ nhận {allowed}.",
            f"This type of evidence file is not allowed; only {allowed}.",
            "evidence_type",
        )
    return name[:200], content, kind


def submit_value(
    user: Any,
    actor: Actor,
    *,
    indicator: ReportedIndicator,
    agency: Agency,
    period: str,
    value: Any,
    evidence: tuple[str, bytes] | None = None,
    note: str = "",
) -> ReportedValue:
    """Submit (or resubmit a returned) value; it waits for the reform office's approval."""
    require(user, "plans.report", agency)
    try:
        span = parse_period(str(period))
    except PeriodError as exc:
        raise _bad("period", exc.vi, exc.en) from None
    if span.kind == "custom":
        raise _bad(
            "period",
            "Kỳ báo cáo là tháng, quý, 6 tháng hoặc năm.",
            "A reporting period is a month, quarter, half or year.",
        )
    number = _clean_value(indicator, value)
    file = _clean_evidence(indicator, evidence)
    with transaction.atomic():
        row = (
            ReportedValue.objects.select_for_update()
            .filter(indicator=indicator, agency=agency, period=span.label)
            .first()
        )
        if row is not None and row.state != ReportState.RETURNED:
            raise ConflictError(
                "Kỳ này đã có giá trị đang chờ duyệt hoặc đã duyệt.",
                "This period already has a value awaiting approval or approved.",
            )
        row = row or ReportedValue(indicator=indicator, agency=agency, period=span.label)
        row.period_end, row.value, row.note = span.last, number, (note or "")[:2000]
        row.state = ReportState.SUBMITTED
        row.submitted_by, row.submitted_at = user, timezone.now()
        row.reviewed_by, row.reviewed_at, row.review_comment = None, None, ""
        if file is not None:
            name, content, kind = file
            digest = hashlib.sha256(content).hexdigest()
            row.evidence.save(f"{digest}.{kind}", ContentFile(content), save=False)
            row.evidence_name, row.evidence_type = name, kind
        row.save()
        record(
            actor,
            "plan.value.submit",
            row,
            agency=agency,
            changes={"indicator": indicator.code, "period": span.label, "value": str(number)},
        )
    return row


def _pending(value_id: int, user: Any) -> ReportedValue:
    row = (
        ReportedValue.objects.select_for_update()
        .select_related("agency", "indicator")
        .filter(pk=value_id)
        .first()
    )
    if row is None:
        raise BilingualError(
            "Không có giá trị này.", "No such value.", code="not_found", status=404
        )
    require(user, "plans.approve", row.agency)
    if row.state != ReportState.SUBMITTED:
        raise ConflictError("Giá trị này không chờ duyệt.", "This value is not awaiting approval.")
    return row


def _review(value_id: int, user: Any, actor: Actor, state: str, comment: str) -> ReportedValue:
    with transaction.atomic():
        row = _pending(value_id, user)
        row.state, row.reviewed_by, row.reviewed_at = state, user, timezone.now()
        row.review_comment = comment[:2000]
        row.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_comment"])
        record(
            actor,
            f"plan.value.{'approve' if state == ReportState.APPROVED else 'return'}",
            row,
            agency=row.agency,
            changes={"comment": row.review_comment},
        )
    return row


def approve(value_id: int, user: Any, actor: Actor, comment: str = "") -> ReportedValue:
    """The reform office approves: from now on the value counts for its targets."""
    return _review(value_id, user, actor, ReportState.APPROVED, (comment or "").strip())


def give_back(value_id: int, user: Any, actor: Actor, comment: str) -> ReportedValue:
    """The reform office returns the value to the agency, saying why (required)."""
    comment = (comment or "").strip()
    if not comment:
        raise _bad(
            "comment",
            "Cần nêu lý do trả lại.",
            "Say why the value is returned.",
            "comment_required",
        )
    return _review(value_id, user, actor, ReportState.RETURNED, comment)
