"""Reform inspections: every change in one transaction with its audit entry (issue 15,
"Inspections"; seeds 002/003: quotas and 100% of findings remedied).

Who may do what (``caicach.accounts.access``): ``plans.inspect`` (reform office, inspectors)
over the plan's agency to plan, and over the inspected agency to run an inspection, draw its
sample, answer the checklist, record findings and turn them into tasks. Reading is
``plans.view`` over the inspected agency (:func:`visible_inspections`): the inspected agency's
leaders read their own inspection, inspectors and the reform office read their subtree.

Plain functions for the leader's page: :func:`due_inspections`, :func:`coverage`,
:func:`remedied`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from caicach.accounts.access import require, scope
from caicach.agencies.models import Agency, AgencyKind
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError, ConflictError
from caicach.dossiers.models import Dossier, DossierEvent
from caicach.dossiers.workflow import DossierAction
from caicach.plans.inspections import rules
from caicach.plans.inspections.models import (
    ChecklistItem,
    CheckResult,
    Finding,
    Inspection,
    InspectionPlan,
    InspectionQuota,
    InspectionStatus,
    QuotaTier,
    SampledDossier,
    Severity,
)
from caicach.plans.models import DomainCode, Plan, Task, TaskStatus
from caicach.ratings.models import Rating, RatingValue

__all__ = [
    "CHECKLIST_FILE",
    "add_finding",
    "answer_item",
    "coverage",
    "create_inspection",
    "create_plan",
    "draw_sample",
    "due_inspections",
    "finding_to_task",
    "remedied",
    "set_status",
    "visible_inspections",
]

CHECKLIST_FILE = Path(__file__).parent / "data" / "checklist.yaml"
MAX_SAMPLE = 50
#: The kinds of agency each quota tier counts (seed 003: "cơ quan hành chính cấp tỉnh", "đơn vị
#: cấp xã"; seed 002: "cơ quan, đơn vị" = both).
TIER_KINDS = {
    QuotaTier.DEPARTMENT: [AgencyKind.DEPARTMENT],
    QuotaTier.COMMUNE: [AgencyKind.COMMUNE],
    QuotaTier.UNIT: [AgencyKind.DEPARTMENT, AgencyKind.COMMUNE],
}


def _bad(vi: str, en: str, code: str = "invalid") -> BilingualError:
    return BilingualError(vi, en, code=code)


def visible_inspections(user: Any) -> QuerySet[Inspection]:
    """The inspections ``user`` may read: ``plans.view`` over the inspected agency."""
    return scope(
        Inspection.objects.select_related("agency", "plan__agency"), user, "plans.view", "agency"
    )


def create_plan(
    user: Any,
    actor: Actor,
    *,
    agency: Agency,
    year: int,
    title: str,
    reform_plan: Plan,
    quotas: list[tuple[str, Decimal, int]],
    number: str = "",
) -> InspectionPlan:
    """A yearly inspection plan with its quotas ``(tier, share %, alternative)``."""
    require(user, "plans.inspect", agency)
    title = (title or "").strip()
    if not title:
        raise _bad("Cần nhập tên kế hoạch kiểm tra.", "The plan needs a title.")
    if not 2000 <= year <= 2100:
        raise _bad("Năm không hợp lệ.", "The year is not valid.")
    if not quotas:
        raise _bad("Cần ít nhất một chỉ tiêu kiểm tra.", "At least one quota is required.")
    for tier, share, _alt in quotas:
        if tier not in QuotaTier.values or not Decimal(0) < share <= Decimal(100):
            raise _bad(
                "Chỉ tiêu kiểm tra phải có cấp hợp lệ và tỷ lệ từ 0 đến 100%.",
                "A quota needs a valid tier and a share between 0 and 100%.",
            )
    with transaction.atomic():
        if InspectionPlan.objects.filter(agency=agency, year=year).exists():
            raise ConflictError(
                "Cơ quan đã có kế hoạch kiểm tra năm này.",
                "This agency already has an inspection plan for that year.",
            )
        plan = InspectionPlan.objects.create(
            agency=agency, year=year, title=title[:300], number=number[:80], reform_plan=reform_plan
        )
        InspectionQuota.objects.bulk_create(
            InspectionQuota(plan=plan, tier=t, share=s, alternative=a) for t, s, a in quotas
        )
        record(
            actor,
            "plan.inspection_plan.create",
            plan,
            agency=agency,
            changes={"year": year, "quotas": [[t, str(s), a] for t, s, a in quotas]},
        )
    return plan


def _checklist_questions() -> list[str]:
    data = yaml.safe_load(CHECKLIST_FILE.read_text(encoding="utf-8"))
    return [str(q) for q in data]


def create_inspection(
    user: Any,
    actor: Actor,
    *,
    plan: InspectionPlan,
    agency: Agency,
    scheduled_on: date,
    team: str,
    period_start: date | None = None,
    period_end: date | None = None,
) -> Inspection:
    """An inspection of ``agency`` (under the plan's agency) with the default checklist; the
    dossier period defaults to the twelve months before the inspection day."""
    require(user, "plans.inspect", agency)
    if not agency.path.startswith(plan.agency.path) or agency.pk == plan.agency_id:
        raise _bad(
            "Cơ quan được kiểm tra phải thuộc phạm vi của kế hoạch.",
            "The inspected agency must sit under the plan's agency.",
        )
    team = (team or "").strip()
    if not team:
        raise _bad("Cần nêu thành phần đoàn kiểm tra.", "Name the inspection team.")
    if scheduled_on.year != plan.year:
        raise _bad(
            "Ngày kiểm tra phải thuộc năm của kế hoạch.", "The date must fall in the plan's year."
        )
    period_end = period_end or scheduled_on
    period_start = period_start or period_end - timedelta(days=364)
    if period_start > period_end:
        raise _bad("Kỳ hồ sơ không hợp lệ.", "The dossier period is not valid.")
    with transaction.atomic():
        inspection = Inspection.objects.create(
            plan=plan,
            agency=agency,
            scheduled_on=scheduled_on,
            team=team[:500],
            period_start=period_start,
            period_end=period_end,
            created_by=user,
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(inspection=inspection, order=i, question=q[:500])
            for i, q in enumerate(_checklist_questions(), start=1)
        )
        record(
            actor,
            "plan.inspection.create",
            inspection,
            agency=agency,
            changes={
                "scheduled_on": scheduled_on,
                "team": team,
                "period": [period_start, period_end],
            },
        )
    return inspection


def _locked(inspection_id: int, user: Any) -> Inspection:
    try:
        inspection = (
            Inspection.objects.select_for_update(of=("self",))
            .select_related("agency", "plan__agency", "plan__reform_plan")
            .get(pk=inspection_id)
        )
    except Inspection.DoesNotExist:
        raise BilingualError(
            "Không tìm thấy cuộc kiểm tra.", "Inspection not found.", status=404
        ) from None
    require(user, "plans.inspect", inspection.agency)
    return inspection


def _open(inspection: Inspection) -> None:
    if inspection.status == InspectionStatus.DONE:
        raise ConflictError(
            "Cuộc kiểm tra đã kết luận, không sửa được.", "The inspection is concluded."
        )


def dossier_facts(inspection: Inspection) -> list[rules.DossierFacts]:
    """The risk facts of the dossiers the inspected agency (and its units) received or decided
    in the inspection's period, in one query."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(inspection.period_start, time.min, tzinfo=tz)
    end = datetime.combine(inspection.period_end + timedelta(days=1), time.min, tzinfo=tz)
    path = inspection.agency.path
    rows = (
        Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
        .filter(
            Q(receiving_agency__path__startswith=path) | Q(deciding_agency__path__startswith=path)
        )
        .annotate(
            rated_bad=Exists(
                Rating.objects.filter(dossier=OuterRef("pk"), value=RatingValue.NOT_SATISFIED)
            ),
            touched_after=Exists(
                DossierEvent.objects.filter(
                    dossier=OuterRef("pk"), at__gt=OuterRef("finished_at")
                ).exclude(action=DossierAction.RETURN_RESULT)
            ),
        )
        .values_list(
            "pk",
            "code",
            "timeliness",
            "supplement_requests",
            "apologies",
            "rated_bad",
            "touched_after",
        )
    )
    return [
        rules.DossierFacts(
            id=pk,
            code=code,
            late=timeliness == "late",
            pauses=pauses,
            apologies=apologies,
            not_satisfied=bad,
            changed_after=after,
        )
        for pk, code, timeliness, pauses, apologies, bad, after in rows
    ]


def draw_sample(
    inspection_id: int, user: Any, actor: Actor, *, size: int = 10, seed: int | None = None
) -> list[SampledDossier]:
    """Draw (or redraw) the dossier sample by risk (:func:`rules.choose_sample`); the seed is
    kept so the same sample can be drawn again from the same data."""
    if not 1 <= size <= MAX_SAMPLE:
        raise _bad(
            f"Cỡ mẫu phải từ 1 đến {MAX_SAMPLE} hồ sơ.",
            f"The sample size must be between 1 and {MAX_SAMPLE}.",
        )
    with transaction.atomic():
        inspection = _locked(inspection_id, user)
        _open(inspection)
        seed = secrets.randbelow(2**31) if seed is None else seed
        picks = rules.choose_sample(dossier_facts(inspection), size, seed)
        inspection.sample.all().delete()
        rows = SampledDossier.objects.bulk_create(
            SampledDossier(
                inspection=inspection,
                dossier_id=p.id,
                score=p.score,
                reasons=list(p.reasons),
                picked_by=p.by,
                order=i,
            )
            for i, p in enumerate(picks, start=1)
        )
        inspection.sample_seed = seed
        inspection.sample_size = size
        inspection.save(update_fields=["sample_seed", "sample_size"])
        record(
            actor,
            "plan.inspection.sample",
            inspection,
            agency=inspection.agency,
            changes={"seed": seed, "size": size, "dossiers": [p.code for p in picks]},
        )
    return rows


def answer_item(item_id: int, user: Any, actor: Actor, *, result: str, note: str) -> ChecklistItem:
    if result not in CheckResult.values:
        raise _bad("Chọn kết quả: đạt, không đạt hoặc không áp dụng.", "Choose a result.")
    with transaction.atomic():
        item = ChecklistItem.objects.select_related("inspection").get(pk=item_id)
        inspection = _locked(item.inspection_id, user)
        _open(inspection)
        before = {"result": item.result, "note": item.note}
        item.result = result
        item.note = (note or "")[:2000]
        item.save(update_fields=["result", "note"])
        record(
            actor,
            "plan.inspection.check",
            item,
            agency=inspection.agency,
            changes={"before": before, "after": {"result": result, "note": item.note}},
        )
    return item


def add_finding(
    inspection_id: int,
    user: Any,
    actor: Actor,
    *,
    description: str,
    severity: str,
    dossier_code: str = "",
) -> Finding:
    """A finding; the dossier, if named, must be one of the inspection's sample."""
    description = (description or "").strip()
    if not description:
        raise _bad("Cần mô tả nội dung phát hiện.", "Describe the finding.")
    if severity not in Severity.values:
        raise _bad("Chọn mức độ của phát hiện.", "Choose the severity.")
    with transaction.atomic():
        inspection = _locked(inspection_id, user)
        _open(inspection)
        dossier = None
        if dossier_code:
            picked = inspection.sample.select_related("dossier").filter(dossier__code=dossier_code)
            row = picked.first()
            if row is None:
                raise _bad(
                    "Hồ sơ không thuộc mẫu của cuộc kiểm tra.",
                    "The dossier is not in the inspection's sample.",
                )
            dossier = row.dossier
        finding = Finding.objects.create(
            inspection=inspection,
            description=description[:4000],
            severity=severity,
            dossier=dossier,
            created_by=user,
        )
        if inspection.status == InspectionStatus.PLANNED:
            inspection.status = InspectionStatus.IN_PROGRESS
            inspection.save(update_fields=["status"])
        record(
            actor,
            "plan.inspection.finding",
            finding,
            agency=inspection.agency,
            changes={"severity": severity, "dossier": dossier_code or None},
        )
    return finding


def finding_to_task(finding_id: int, user: Any, actor: Actor, *, deadline: date) -> Task:
    """The finding becomes a remedial task of the inspected agency in the inspection plan's
    reform plan (domain "direction" when the plan has one), in one transaction."""
    if deadline < timezone.localdate():
        raise _bad("Thời hạn khắc phục không được ở quá khứ.", "The deadline is in the past.")
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding_id)
        inspection = _locked(finding.inspection_id, user)
        if finding.task_id is not None:
            raise ConflictError(
                "Phát hiện này đã được giao nhiệm vụ khắc phục.",
                "This finding already has a task.",
            )
        plan = inspection.plan.reform_plan
        domain = plan.domains.filter(code=DomainCode.DIRECTION).first()
        task = Task.objects.create(
            plan=plan,
            domain=domain,
            title=f"Khắc phục phát hiện kiểm tra CCHC ({inspection.scheduled_on:%d/%m/%Y}): "
            f"{finding.description}"[:4000],
            lead_agency=inspection.agency,
            deadline=deadline,
            expected_output="Báo cáo kết quả khắc phục kèm minh chứng",
            status=TaskStatus.NOT_STARTED,
            order=plan.tasks.count() + 1,
        )
        finding.task = task
        finding.save(update_fields=["task"])
        record(
            actor,
            "plan.inspection.task",
            finding,
            agency=inspection.agency,
            changes={"task": task.pk, "deadline": deadline},
        )
    return task


def set_status(inspection_id: int, user: Any, actor: Actor, status: str) -> Inspection:
    if status not in InspectionStatus.values:
        raise _bad("Trạng thái không hợp lệ.", "The status is not valid.")
    with transaction.atomic():
        inspection = _locked(inspection_id, user)
        before = inspection.status
        inspection.status = status
        inspection.save(update_fields=["status"])
        record(
            actor,
            "plan.inspection.status",
            inspection,
            agency=inspection.agency,
            changes={"before": before, "after": status},
        )
    return inspection


# -- figures --------------------------------------------------------------------------------


def coverage(plan: InspectionPlan) -> tuple[list[rules.QuotaResult], bool]:
    """The plan's quotas against the agencies under its agency inspected in its year (an
    inspection counts once it is in progress or concluded)."""
    day = date(plan.year, 12, 31)
    agencies = list(
        Agency.objects.valid_on(day)
        .filter(path__startswith=plan.agency.path)
        .exclude(pk=plan.agency_id)
        .values_list("pk", "kind")
    )
    inspected = set(
        Inspection.objects.filter(plan__agency=plan.agency, scheduled_on__year=plan.year)
        .exclude(status=InspectionStatus.PLANNED)
        .values_list("agency_id", flat=True)
    )
    counts: dict[str, tuple[int, int]] = {}
    for tier, kinds in TIER_KINDS.items():
        ids = [pk for pk, kind in agencies if kind in kinds]
        counts[tier] = (sum(1 for pk in ids if pk in inspected), len(ids))
    quotas = [rules.Quota(q.tier, q.share, q.alternative) for q in plan.quotas.all()]
    return rules.quota_coverage(quotas, counts)


@dataclass(frozen=True)
class Remedied:
    agency: Agency | None
    total: int
    done: int
    share: Decimal | None


def remedied(year: int, agencies: QuerySet[Agency] | None = None) -> list[Remedied]:
    """The share of findings remedied (their task done) per inspected agency in ``year``, and
    the total first (agency ``None``); seed 003 asks for 100%."""
    findings = Finding.objects.filter(inspection__scheduled_on__year=year)
    if agencies is not None:
        findings = findings.filter(inspection__agency__in=agencies)
    rows = list(findings.values_list("inspection__agency_id", "task__status"))
    per: dict[int, list[int]] = {}
    for agency_id, status in rows:
        counts = per.setdefault(agency_id, [0, 0])
        counts[0] += 1
        counts[1] += status == TaskStatus.DONE
    names = Agency.objects.in_bulk(list(per))
    total = sum(c[0] for c in per.values())
    done = sum(c[1] for c in per.values())
    result = [Remedied(None, total, done, rules.remedied_share(total, done))]
    for agency_id, (t, d) in sorted(per.items(), key=lambda kv: names[kv[0]].path):
        result.append(Remedied(names[agency_id], t, d, rules.remedied_share(t, d)))
    return result


def due_inspections(agency: Agency, day: date, days: int = 30) -> list[Inspection]:
    """For the leader's page: inspections of ``agency`` or its subtree not yet concluded and
    scheduled on or before ``day + days`` (overdue ones included), earliest first. The caller
    has scoped ``agency`` already (plans.view)."""
    return list(
        Inspection.objects.filter(agency__path__startswith=agency.path)
        .exclude(status=InspectionStatus.DONE)
        .filter(scheduled_on__lte=day + timedelta(days=days))
        .select_related("agency", "plan")
        .order_by("scheduled_on", "pk")
    )
