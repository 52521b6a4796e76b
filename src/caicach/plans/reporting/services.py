"""The periodic reports' rules (issue 15, "Periodic reports"), each change one transaction with
its audit entry; where two people may act on a report, its row is locked (select_for_update).

* :func:`generate` — the expected reports: for every duty, every reporting agency (``reporter``
  and, with ``reporters_below``, every agency directly under the plan's agency) and every
  period its frequencies make within the plan's span that has begun (``rates.periods``), one
  draft report, due ``due_working_days`` working days after the period's last day on the
  agency's working-day calendar (Civil Code 2015 art. 147: the day the period ends is not
  counted; :func:`due_date`). Idempotent.
* :func:`save_narrative`, :func:`add_evidence`, :func:`submit` — only the agency's own leaders
  (``plans.report`` over it) and only while the report is a draft or returned; evidence of an
  allowed type read from its bytes (``plans.evidence``); a report for a period that has not
  ended is refused ("a report for a period not due"). Each submission is kept as a version with
  the live figures (``metrics.report.report``) and target statuses (``plans.board``) of the day.
* :func:`approve`, :func:`give_back` — the reform office (``plans.approve``); returning needs a
  comment.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from caicach.accounts.access import require, scope
from caicach.agencies.models import Agency
from caicach.calendars.rules import CalendarRangeError
from caicach.calendars.services import calendar_for
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError, ConflictError
from caicach.metrics.periods import Period
from caicach.plans.evidence import ALLOWED, MAX_EVIDENCE_BYTES, sniff
from caicach.plans.models import DomainCode, ReportingDuty
from caicach.plans.reporting.models import Report, ReportEvidence, ReportStatus, ReportVersion
from caicach.plans.reporting.rates import periods

__all__ = [
    "MAX_EVIDENCE_BYTES",
    "MAX_FILES",
    "NARRATIVE_MAX",
    "add_evidence",
    "approve",
    "content_of",
    "due_date",
    "generate",
    "give_back",
    "reporters",
    "request_ad_hoc",
    "save_narrative",
    "submit",
    "too_large",
    "visible_reports",
]

NARRATIVE_MAX = 20_000
MAX_FILES = 20
EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def _bad(field: str, vi: str, en: str, code: str = "invalid") -> BilingualError:
    return BilingualError(vi, en, code=code, errors={field: [en]})


def visible_reports(user: Any) -> QuerySet[Report]:
    """The reports of the agencies the user may read the plans of."""
    return scope(Report.objects.all(), user, "plans.view", "agency")


# -- expected reports -------------------------------------------------------------------------


def due_date(agency: Agency, n: int, period_last: date) -> date:
    """The n-th working day after ``period_last`` on the agency's working-day calendar
    (``WorkCalendar.add_working_days``: the day the period ends is not counted, Civil Code 2015
    art. 147). Not ``due_in_working_days``: that one applies the receipt rules of a dossier
    (NĐ 61/2018 art. 18: a receipt on a day off moves to the next working day, which would add a
    day to every period ending on a weekend). Outside the years the calendar covers, the n-th
    day that is not a Saturday or Sunday (Labour Code 2019 art. 105, the only rule known)."""
    try:
        return calendar_for(agency).add_working_days(period_last, n)
    except CalendarRangeError:
        day, left = period_last, n
        while left:
            day = date.fromordinal(day.toordinal() + 1)
            left -= day.weekday() < 5
        return day


def reporters(duty: ReportingDuty, on: date) -> list[Agency]:
    out = [duty.reporter] if duty.reporter is not None else []
    if duty.reporters_below:
        below = Agency.objects.valid_on(on).filter(parent_id=duty.plan.agency_id).order_by("path")
        out += [a for a in below if a.pk != (duty.reporter_id or 0)]
    return out


def generate(actor: Actor, day: date | None = None) -> int:
    """Create the expected reports missing on ``day`` (default today); how many were made."""
    day = day or timezone.localdate()
    made = 0
    duties = ReportingDuty.objects.select_related("plan", "reporter").order_by("pk")
    for duty in duties:
        plan = duty.plan
        spans: list[Period] = []
        for frequency in duty.frequencies:
            spans += periods(frequency, plan.period_start, plan.period_end, started_by=day)
        if not spans:
            continue
        agencies = reporters(duty, day)
        have = set(Report.objects.filter(duty=duty).values_list("agency_id", "period"))
        new = [
            Report(
                duty=duty,
                agency=agency,
                period=p.label,
                period_kind=p.kind,
                period_first=p.first,
                period_last=p.last,
                due=due_date(agency, duty.due_working_days, p.last),
            )
            for agency in agencies
            for p in spans
            if (agency.pk, p.label) not in have
        ]
        if not new:
            continue
        with transaction.atomic():
            Report.objects.bulk_create(new, ignore_conflicts=True)
            record(
                actor,
                "plan.report.generate",
                duty,
                agency=plan.agency,
                changes={"reports": len(new), "day": day.isoformat()},
            )
        made += len(new)
    return made


def request_ad_hoc(
    user: Any, actor: Actor, duty: ReportingDuty, agency: Agency, first: date, last: date
) -> Report:
    """The reform office asks ``agency`` for an ad hoc report on ``first..last`` under ``duty``
    (a frequency ``ad_hoc`` makes no report by itself), due ``due_working_days`` working days
    after ``last``. Refused for a range ending before it starts, and twice for the same range."""
    require(user, "plans.approve", agency)
    if last < first:
        raise _bad(
            "period", "Ngày cuối kỳ phải sau ngày đầu kỳ.", "The period must end after it starts."
        )
    span = Period(first, last, "custom")
    with transaction.atomic():
        if Report.objects.filter(duty=duty, agency=agency, period=span.label).exists():
            raise ConflictError(
                "Đã yêu cầu báo cáo cho kỳ này.", "A report for this period was already requested."
            )
        row = Report.objects.create(
            duty=duty,
            agency=agency,
            period=span.label,
            period_kind="custom",
            period_first=first,
            period_last=last,
            due=due_date(agency, duty.due_working_days, last),
        )
        record(
            actor,
            "plan.report.request",
            row,
            agency=agency,
            changes={"period": span.label, "due": row.due.isoformat()},
        )
    return row


# -- the agency's side -------------------------------------------------------------------------


def _locked(report_id: int) -> Report:
    row = (
        Report.objects.select_for_update(of=("self",))
        .select_related("agency", "duty", "duty__plan")
        .filter(pk=report_id)
        .first()
    )
    if row is None:
        raise BilingualError(
            "Không có báo cáo này.", "No such report.", code="not_found", status=404
        )
    return row


def _editable(report_id: int, user: Any) -> Report:
    row = _locked(report_id)
    require(user, "plans.report", row.agency)
    if row.status not in EDITABLE:
        raise ConflictError(
            "Báo cáo đã gửi hoặc đã duyệt, không sửa được.",
            "The report has been submitted or approved and cannot be edited.",
        )
    return row


def _clean_narrative(raw: dict[str, Any]) -> dict[str, str]:
    out = {}
    for code, text in raw.items():
        if code not in DomainCode.values:
            raise _bad("narrative", "Lĩnh vực không hợp lệ.", "Unknown reform domain.")
        text = str(text or "").strip()
        if len(text) > NARRATIVE_MAX:
            raise _bad(
                "narrative",
                f"Nội dung mỗi lĩnh vực tối đa {NARRATIVE_MAX} ký tự.",
                f"Each domain's text is at most {NARRATIVE_MAX} characters.",
            )
        if text:
            out[code] = text
    return out


def save_narrative(user: Any, actor: Actor, report_id: int, narrative: dict[str, Any]) -> Report:
    """Save the agency's narrative per reform domain (draft or returned report only)."""
    clean = _clean_narrative(narrative)
    with transaction.atomic():
        row = _editable(report_id, user)
        row.narrative = clean
        row.save(update_fields=["narrative"])
        record(
            actor, "plan.report.edit", row, agency=row.agency, changes={"domains": sorted(clean)}
        )
    return row


def too_large() -> BilingualError:
    mb = MAX_EVIDENCE_BYTES // (1024 * 1024)
    return _bad(
        "evidence",
        f"Tệp minh chứng quá {mb} MB.",
        f"The evidence file is over {mb} MB.",
        "evidence_too_large",
    )


def add_evidence(user: Any, actor: Actor, report_id: int, name: str, content: bytes) -> Report:
    """Attach an evidence file; refused over the size limit or of a type not allowed."""
    if len(content) > MAX_EVIDENCE_BYTES:
        raise too_large()
    kind = sniff(content)
    if kind is None:
        allowed = ", ".join(ALLOWED.values())
        raise _bad(
            "evidence",
            f"Loại tệp minh chứng không được phép; chỉ nhận {allowed}.",
            f"This type of evidence file is not allowed; only {allowed}.",
            "evidence_type",
        )
    with transaction.atomic():
        row = _editable(report_id, user)
        if row.evidence.count() >= MAX_FILES:
            raise _bad(
                "evidence",
                f"Tối đa {MAX_FILES} tệp minh chứng.",
                f"At most {MAX_FILES} evidence files.",
            )
        file = ReportEvidence(
            report=row,
            name=(name or "minh-chung")[:200],
            kind=kind,
            uploaded_by=user,
            uploaded_at=timezone.now(),
        )
        digest = hashlib.sha256(content).hexdigest()
        file.file.save(f"{digest}.{kind}", ContentFile(content), save=False)
        file.save()
        record(
            actor,
            "plan.report.evidence",
            row,
            agency=row.agency,
            changes={"file": file.name, "type": kind},
        )
    return row


def content_of(report: Report) -> dict[str, Any]:
    """What a submission keeps: the agency's live figures for the period (``metrics.report``),
    its targets' statuses at the period's end (``plans.board``), the narrative and the evidence
    names."""
    from caicach.metrics.report import report as kpi_report
    from caicach.plans.board import targets_for

    span = Period(report.period_first, report.period_last, report.period_kind)
    doc = kpi_report(report.agency, span)
    figures = [
        {
            k: r.get(k)
            for k in (
                "code",
                "name_vi",
                "name_en",
                "unit",
                "value",
                "numerator",
                "denominator",
                "reason_vi",
            )
        }
        for r in doc["kpis"]
    ]
    targets = [
        {
            "label_vi": t["label_vi"],
            "comparison": t["comparison"],
            "threshold": None if t["threshold"] is None else str(t["threshold"]),
            "unit": t["unit"],
            "due": t["due"].isoformat(),
            "status": t["status"],
        }
        for t in targets_for(report.agency, report.period_last)
    ]
    return {
        "agency": report.agency.code,
        "agency_name": report.agency.name,
        "period": report.period,
        "subject": report.duty.subject,
        "formula_version": doc["formula_version"],
        "figures": figures,
        "targets": targets,
        "narrative": dict(report.narrative),
        "evidence": [e.name for e in report.evidence.all()],
    }


def submit(
    user: Any,
    actor: Actor,
    report_id: int,
    today: date | None = None,
    *,
    narrative: dict[str, Any] | None = None,
) -> ReportVersion:
    """Submit (or resubmit a returned) report, with ``narrative`` when given (saved in the same
    transaction: a refused submission changes nothing); a new version keeps it as it is now."""
    today = today or timezone.localdate()
    clean = _clean_narrative(narrative) if narrative is not None else None
    with transaction.atomic():
        row = _editable(report_id, user)
        if clean is not None:
            row.narrative = clean
        if row.period_last >= today:
            raise _bad(
                "period",
                f"Kỳ báo cáo {row.period} chưa kết thúc (đến hết ngày "
                f"{row.period_last:%d/%m/%Y}); chưa gửi được báo cáo cho kỳ chưa đến hạn.",
                f"The period {row.period} has not ended (it runs to {row.period_last:%d/%m/%Y});"
                " a report for a period not due cannot be submitted.",
                "period_not_due",
            )
        if not row.narrative:
            raise _bad(
                "narrative",
                "Cần nhập nội dung báo cáo cho ít nhất một lĩnh vực.",
                "Write the report's text for at least one domain.",
            )
        now = timezone.now()
        row.versions_count += 1
        version = ReportVersion.objects.create(
            report=row,
            number=row.versions_count,
            content=content_of(row),
            submitted_by=user,
            submitted_at=now,
        )
        row.status = ReportStatus.SUBMITTED
        row.submitted_at, row.submitted_by = now, user
        row.first_submitted_at = row.first_submitted_at or now
        row.save(
            update_fields=[
                "narrative",
                "status",
                "submitted_at",
                "submitted_by",
                "first_submitted_at",
                "versions_count",
            ]
        )
        record(
            actor,
            "plan.report.submit",
            row,
            agency=row.agency,
            changes={"version": version.number, "period": row.period},
        )
    return version


# -- the reform office's side ------------------------------------------------------------------


def _review(report_id: int, user: Any, actor: Actor, status: str, comment: str) -> Report:
    with transaction.atomic():
        row = _locked(report_id)
        require(user, "plans.approve", row.agency)
        if row.status != ReportStatus.SUBMITTED:
            raise ConflictError(
                "Báo cáo này không chờ duyệt.", "This report is not awaiting review."
            )
        row.status, row.reviewed_by, row.reviewed_at = status, user, timezone.now()
        row.review_comment = comment[:2000]
        row.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
        action = "approve" if status == ReportStatus.APPROVED else "return"
        record(
            actor,
            f"plan.report.{action}",
            row,
            agency=row.agency,
            changes={"version": row.versions_count, "comment": row.review_comment},
        )
    return row


def approve(user: Any, actor: Actor, report_id: int, comment: str = "") -> Report:
    """The reform office approves the submitted version (final)."""
    return _review(report_id, user, actor, ReportStatus.APPROVED, (comment or "").strip())


def give_back(user: Any, actor: Actor, report_id: int, comment: str) -> Report:
    """The reform office returns the report to the agency, saying why (required)."""
    comment = (comment or "").strip()
    if not comment:
        raise _bad(
            "comment",
            "Cần nêu lý do trả lại.",
            "Say why the report is returned.",
            "comment_required",
        )
    return _review(report_id, user, actor, ReportStatus.RETURNED, comment)
