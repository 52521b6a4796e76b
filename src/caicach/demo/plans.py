"""The demo's reform plans (issue 15): the province's resolution to 2025 with its 2030
orientation (seed 001, ``plans/data/seeds``) and a commune's 2024 plan that implements it
(``data/plan_commune_2024.yaml``), with two years (2024, 2025) of reported values so every
plan screen has life: approved values spread around the thresholds (some met, some not), a few
2025 values still waiting for the reform office, each with a small PDF as evidence.

Values are drawn from a hash of (indicator, agency, year), so every load gives the same ones.
Idempotent: a plan already there is left alone.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from caicach.agencies.models import Agency
from caicach.core.audit import Actor
from caicach.plans.importer import import_plan
from caicach.plans.models import Plan, ReportedIndicator, ReportedValue, ReportState, Target

DATA = Path(__file__).parent / "data"
SEED = Path(__file__).parents[1] / "plans" / "data" / "seeds" / "001_nghi_quyet_cchc_2025_2030.yaml"
PROVINCE_PLAN = "nq-10-2021-cchc"
COMMUNE_PLAN = "kh-cchc-2024-xa-phong-my"
YEARS = (2024, 2025)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: Ranks and groups the demo province reached (lower is better).
RANKS = {
    "par_index_rank": (18, 14),
    "pci_rank": (33, 28),
    "papi_rank": (25, 31),
    "dti_rank": (29, 24),
    "pci_tier": (4, 3),
    "papi_tier": (3, 3),
}
EVIDENCE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _draw(*parts: object) -> float:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def _value(target: Target, agency: Agency, year: int, threshold: Decimal) -> Decimal:
    code = target.indicator.code if target.indicator else ""
    if code in RANKS:
        return Decimal(RANKS[code][YEARS.index(year)])
    if target.unit == "count":
        return Decimal(int(threshold) + int(_draw(code, agency.code, year) * 3) - 1)
    # Around the threshold: from 12 points under to 8 over, a little better in 2025.
    shift = Decimal(str(round(_draw(code, agency.code, year) * 20 - 12, 1)))
    shift += 3 if year == 2025 else 0
    return max(Decimal(0), min(Decimal(100), threshold + shift))


def _threshold_in(target: Target, year: int) -> Decimal:
    stages = [s for s in target.stages.all() if s.threshold is not None]
    if not stages:
        return Decimal(50)
    later = [s for s in stages if s.due.year >= year]
    return (later[0] if later else stages[-1]).threshold or Decimal(50)


def _agencies(target: Target, year: int) -> list[Agency]:
    from caicach.plans.values import scope_agencies

    first, last = date(year, 1, 1), date(year, 12, 31)
    return [
        a
        for a in scope_agencies(target, last)
        if a.valid_from <= last and (a.valid_to is None or a.valid_to >= first)
    ]


def load_demo_plans(stdout: Any = None) -> int:
    """The two plans and their reported values; the number of values written."""
    actor = Actor.system("demo")
    for code, path in ((PROVINCE_PLAN, SEED), (COMMUNE_PLAN, DATA / "plan_commune_2024.yaml")):
        if not Plan.objects.filter(code=code).exists():
            import_plan(path.read_text(encoding="utf-8"), actor)
    load_demo_work(stdout)
    load_demo_inspections(stdout)
    load_demo_par_index(stdout)
    if ReportedValue.objects.exists():
        return 0
    evidence_name = default_storage.save(
        f"plans/evidence/{hashlib.sha256(EVIDENCE).hexdigest()}.pdf", ContentFile(EVIDENCE)
    )
    seen: set[tuple[int, int, str]] = set()
    rows = []
    targets = (
        Target.objects.filter(plan__code__in=[PROVINCE_PLAN, COMMUNE_PLAN], indicator__isnull=False)
        .select_related("plan__agency", "indicator", "scope_agency")
        .prefetch_related("stages")
    )
    for target in targets:
        indicator: ReportedIndicator = target.indicator  # type: ignore[assignment]
        for year in YEARS:
            if year > target.plan.horizon.year:
                continue
            for agency in _agencies(target, year):
                key = (indicator.pk, agency.pk, str(year))
                if key in seen:
                    continue
                seen.add(key)
                value = _value(target, agency, year, _threshold_in(target, year))
                waiting = year == 2025 and _draw("wait", agency.code, indicator.code) < 0.15
                rows.append(
                    ReportedValue(
                        indicator=indicator,
                        agency=agency,
                        period=str(year),
                        period_end=date(year, 12, 31),
                        value=value,
                        evidence=evidence_name,
                        evidence_name=f"bao-cao-{year}.pdf",
                        evidence_type="pdf",
                        note="Dữ liệu mẫu",
                        state=ReportState.SUBMITTED if waiting else ReportState.APPROVED,
                        submitted_at=datetime(year + 1, 1, 10, 9, 0, tzinfo=TZ),
                        reviewed_at=None if waiting else datetime(year + 1, 1, 20, 9, 0, tzinfo=TZ),
                    )
                )
    ReportedValue.objects.bulk_create(rows)
    if stdout is not None:
        stdout.write(f"Plans: {PROVINCE_PLAN}, {COMMUNE_PLAN}; {len(rows)} reported values\n")
    return len(rows)


# --- plans.work (issue 15): tasks' progress, initiatives, dialogues ---

#: The demo province's committee and the demo commune (the commune plan's agency).
PROVINCE = "000.00.00.H90"
COMMUNE = "000.05.41.H90"
#: Tasks the province's resolution gives its departments in the demo: (title, days from today
#: to the deadline), spread among the first departments.
DEPARTMENT_TASKS = (
    ("Rà soát, cắt giảm thời gian giải quyết thủ tục hành chính của ngành", -45),
    ("Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn hiệu lực", -12),
    ("Công bố, công khai quy trình nội bộ giải quyết thủ tục hành chính", 4),
    ("Tổ chức đối thoại với doanh nghiệp về thủ tục hành chính của ngành", 10),
    ("Kiểm tra công tác cải cách hành chính tại các đơn vị trực thuộc", 25),
    ("Xây dựng kế hoạch tự kiểm tra cải cách hành chính năm sau", 60),
    ("Cập nhật cơ sở dữ liệu cán bộ, công chức, viên chức của ngành", -3),
    ("Triển khai ký số, gửi nhận văn bản điện tử trên môi trường mạng", 40),
)


def load_demo_work(stdout: Any = None) -> int:
    """Progress on the demo plans' tasks (some done, some late, a few updates with a PDF),
    recognised and pending initiatives, and the leaders' dialogues of 2024-2025 with questions,
    answers and a follow-up task, so the inbox, the task pages and the leader's page have life.
    Deadlines are set around today for tasks with a lead agency and none. Idempotent: nothing
    is done if a dialogue already exists. How many tasks were touched."""
    from datetime import timedelta

    from django.utils import timezone

    from caicach.plans.models import Task, TaskStatus
    from caicach.plans.work.models import (
        Dialogue,
        DialogueQuestion,
        Initiative,
        InitiativeLevel,
        TaskUpdate,
    )

    if Dialogue.objects.exists():
        return 0
    today = timezone.localdate()
    province = Agency.objects.filter(code=PROVINCE).first()
    commune = Agency.objects.filter(code=COMMUNE).first()
    plan = Plan.objects.filter(code=PROVINCE_PLAN).first()
    if province is None or commune is None or plan is None:
        return 0
    evidence_name = default_storage.save(
        f"plans/tasks/{hashlib.sha256(EVIDENCE).hexdigest()}.pdf", ContentFile(EVIDENCE)
    )
    departments = list(
        Agency.objects.filter(parent=province, valid_to__isnull=True)
        .exclude(level="commune")
        .order_by("code")[:4]
    )
    for i, (title, days) in enumerate(DEPARTMENT_TASKS):
        lead = departments[i % len(departments)] if departments else province
        task = Task.objects.create(
            plan=plan,
            title=title,
            lead_agency=lead,
            deadline=today + timedelta(days=days),
            expected_output="Báo cáo kết quả gửi Sở Nội vụ",
            order=8000 + i,
        )
        if departments:
            task.supporting_agencies.set([departments[(i + 1) % len(departments)]])
    tasks = list(
        Task.objects.filter(lead_agency__isnull=False).select_related("plan").order_by("pk")
    )
    updates = []
    for task in tasks:
        # Drawn from what the task is, not its row id: the same demo on every database.
        draw = _draw("task", task.plan.code, task.order, task.title)
        if task.deadline is None:
            task.deadline = today + timedelta(days=int(draw * 150) - 60)
        if draw < 0.3:
            task.status, task.progress = TaskStatus.DONE, 100
        elif draw < 0.75:
            task.status, task.progress = TaskStatus.IN_PROGRESS, 20 + int(draw * 80)
        task.updated_at = timezone.now() if task.progress else None
        if task.progress:
            updates.append(
                TaskUpdate(
                    task=task,
                    day=today - timedelta(days=int(draw * 20) + 1),
                    progress=task.progress,
                    status=task.status,
                    note="Đã triển khai theo kế hoạch; báo cáo kết quả kèm theo.",
                    evidence=evidence_name if draw < 0.5 else "",
                    evidence_name="bao-cao-tien-do.pdf" if draw < 0.5 else "",
                    evidence_type="pdf" if draw < 0.5 else "",
                )
            )
    Task.objects.bulk_update(tasks, ["deadline", "status", "progress", "updated_at"])
    TaskUpdate.objects.bulk_create(updates)
    for year, title, level in (
        (2024, "Tiếp nhận hồ sơ đất đai qua Zalo OA của xã", InitiativeLevel.PROVINCE),
        (2025, "Phiếu hẹn điện tử kèm mã QR tra cứu", InitiativeLevel.AGENCY),
        (2025, "Tổ công nghệ số cộng đồng hỗ trợ nộp hồ sơ trực tuyến", InitiativeLevel.NONE),
    ):
        row = Initiative.objects.create(
            agency=commune,
            year=year,
            title=title,
            domain="procedures",
            description="Sáng kiến mẫu (dữ liệu demo).",
            level=level,
            score=Decimal("82.5") if level else None,
            recognised_on=date(year, 11, 20) if level else None,
        )
        if level == InitiativeLevel.PROVINCE:
            row.replicated_to.set(departments[:2])
    for agency, day, title in (
        (province, date(2024, 6, 20), "Chủ tịch UBND tỉnh đối thoại với doanh nghiệp"),
        (province, date(2024, 11, 12), "Đối thoại về thủ tục đầu tư, đất đai"),
        (province, date(2025, 5, 8), "Đối thoại với hộ kinh doanh về chuyển đổi số"),
        (commune, date(2024, 9, 5), "Chủ tịch UBND xã đối thoại với nhân dân"),
    ):
        dialogue = Dialogue.objects.create(
            agency=agency,
            held_on=day,
            title=title,
            leaders="Chủ tịch UBND",
            participants="Đại diện người dân, doanh nghiệp, Ủy ban MTTQ",
            attendance=60,
        )
        follow = Task.objects.create(
            plan=plan,
            title=f"Thực hiện sau đối thoại {day:%d/%m/%Y}: rút ngắn thời gian cấp phép xây dựng",
            lead_agency=agency,
            deadline=today + timedelta(days=20) if day.year == 2025 else day + timedelta(90),
            status=TaskStatus.IN_PROGRESS if day.year == 2025 else TaskStatus.DONE,
            progress=30 if day.year == 2025 else 100,
            order=9000,
        )
        DialogueQuestion.objects.create(
            dialogue=dialogue,
            asked_by="Doanh nghiệp",
            question="Thời gian cấp giấy phép xây dựng còn kéo dài, đề nghị rút ngắn.",
            answer="Giao Sở Xây dựng rà soát, rút ngắn thời gian giải quyết.",
            task=follow,
        )
        DialogueQuestion.objects.create(
            dialogue=dialogue,
            asked_by="Người dân",
            question="Có được nộp hồ sơ đất đai trực tuyến không?",
            answer="Đã cung cấp dịch vụ công trực tuyến toàn trình.",
            order=1,
        )
    if stdout is not None:
        stdout.write(f"Plans work: {len(tasks)} tasks, {len(updates)} updates, 4 dialogues\n")
    return len(tasks)


# -- periodic reports (plans.reporting) ----------------------------------------------------------

#: (period, status, versions, submitted days after the due day) of the commune's 2024 reports
COMMUNE_REPORTS = (
    ("2024-Q1", "approved", 1, -2),
    ("2024-Q2", "approved", 2, 0),
    ("2024-Q3", "returned", 1, 3),
    ("2024-Q4", "submitted", 1, 6),
)
#: the province's yearly 2025 reports, by position of the reporting agency: status, versions
PROVINCE_REPORTS = (
    ("approved", 1),
    ("approved", 2),
    ("approved", 1),
    ("submitted", 1),
    ("returned", 1),
)
NARRATIVE = {
    "direction": "Ban hành kế hoạch CCHC năm, kiểm tra {n} đơn vị; tuyên truyền trên cổng thông tin.",
    "procedures": "Công bố, niêm yết đầy đủ TTHC; tiếp nhận {n}0 hồ sơ, giải quyết đúng hạn phần lớn.",
    "digital_government": "Cập nhật hồ sơ lên Cổng dịch vụ công; số hóa kết quả giải quyết TTHC.",
}


def load_demo_reports(stdout: Any = None) -> int:
    """Duties' expected reports (the daily job's work) and a few reports in every state: the
    commune's 2024 quarters (approved, approved after a return, returned, submitted late) and
    the province's 2025 yearly reports of its first agencies (approved ones for the
    consolidated report, one waiting, one returned); the others stay missing, so the
    completeness page has gaps. Idempotent: nothing is done once a version exists."""
    from datetime import timedelta

    from caicach.accounts.models import RoleAssignment
    from caicach.plans.models import ReportingDuty
    from caicach.plans.reporting.models import Report, ReportVersion
    from caicach.plans.reporting.services import content_of, generate

    if ReportVersion.objects.exists():
        return 0
    ReportingDuty.objects.filter(plan__code=PROVINCE_PLAN, reporter__isnull=True).update(
        reporters_below=True, due_working_days=10
    )
    made = generate(Actor.system("demo"))
    officer = RoleAssignment.objects.filter(role="reform_officer").select_related("user").first()
    reviewer = officer.user if officer is not None else None

    def fill(report: Report, status: str, versions: int, late_days: int, n: int) -> None:
        leader = (
            RoleAssignment.objects.filter(role="agency_leader", agency=report.agency)
            .select_related("user")
            .first()
        )
        report.narrative = {k: v.format(n=n) for k, v in NARRATIVE.items()}
        first = datetime.combine(report.due + timedelta(days=late_days), datetime.min.time(), TZ)
        first = first.replace(hour=9)
        content = content_of(report)
        for number in range(1, versions + 1):
            ReportVersion.objects.create(
                report=report,
                number=number,
                content=content,
                submitted_by=leader.user if leader else None,
                submitted_at=first + timedelta(days=3 * (number - 1)),
            )
        report.status, report.versions_count = status, versions
        report.first_submitted_at = first
        report.submitted_at = first + timedelta(days=3 * (versions - 1))
        report.submitted_by = leader.user if leader else None
        if status in ("approved", "returned"):
            report.reviewed_by, report.reviewed_at = (
                reviewer,
                report.submitted_at + timedelta(days=2),
            )
        if status == "returned":
            report.review_comment = (
                "Đề nghị bổ sung số liệu về số hóa hồ sơ và minh chứng kèm theo."
            )
        report.save()

    commune_reports = {
        r.period: r
        for r in Report.objects.filter(duty__plan__code=COMMUNE_PLAN).select_related(
            "agency", "duty"
        )
    }
    written = 0
    for i, (period, status, versions, late) in enumerate(COMMUNE_REPORTS):
        if period in commune_reports:
            fill(commune_reports[period], status, versions, late, i + 2)
            written += 1
    yearly = list(
        Report.objects.filter(duty__plan__code=PROVINCE_PLAN, period="2025")
        .select_related("agency", "duty")
        .order_by("agency__path")[: len(PROVINCE_REPORTS)]
    )
    for i, (report, (status, versions)) in enumerate(zip(yearly, PROVINCE_REPORTS, strict=False)):
        fill(report, status, versions, i - 2, i + 3)
        written += 1
    if stdout is not None:
        stdout.write(f"Periodic reports: {made} expected, {written} filled in\n")
    return written


# -- Reform inspections (issue 15, plans/inspections; helper h15-inspect) ----------------------


def load_demo_inspections(stdout: Any = None) -> int:
    """The province's 2025 inspection plan (seed 003's quotas: 30% of departments and 30% of
    communes, or seed 002's 60% of units), one inspection of a department (concluded once it has
    a risk sample, else left in progress for the sample to be drawn after `demo generate`),
    checklist answers, two findings each turned into a remedial task (one done), and
    one planned inspection of a commune. Acts as the demo reform officer through the services
    (audited); idempotent; the number of inspections written."""
    from caicach.accounts.models import Role, RoleAssignment
    from caicach.agencies.models import AgencyKind
    from caicach.plans.inspections import services
    from caicach.plans.inspections.models import InspectionPlan
    from caicach.plans.models import TaskStatus

    province_plan = Plan.objects.filter(code=PROVINCE_PLAN).select_related("agency").first()
    if province_plan is None or InspectionPlan.objects.filter(year=2025).exists():
        return 0
    province = province_plan.agency
    officer = (
        RoleAssignment.objects.filter(role=Role.REFORM_OFFICER, agency=province)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if officer is None:
        return 0
    user, actor = officer.user, Actor(user=officer.user, ip_address=None, label="demo")
    iplan = services.create_plan(
        user,
        actor,
        agency=province,
        year=2025,
        title="Kế hoạch kiểm tra công tác cải cách hành chính năm 2025",
        number="KH-KTCCHC/2025",
        reform_plan=province_plan,
        quotas=[
            ("department", Decimal(30), 1),
            ("commune", Decimal(30), 1),
            ("unit", Decimal(60), 2),
        ],
    )
    under = Agency.objects.filter(path__startswith=province.path).order_by("path")
    department = under.filter(kind=AgencyKind.DEPARTMENT).first()
    commune = under.filter(kind=AgencyKind.COMMUNE).first()
    made = 0
    if department is not None:
        inspection = services.create_inspection(
            user,
            actor,
            plan=iplan,
            agency=department,
            scheduled_on=date(2025, 10, 15),
            team="Sở Nội vụ (chủ trì), Văn phòng UBND tỉnh, Sở Khoa học và Công nghệ",
            period_start=date(2024, 10, 1),
            period_end=date(2025, 9, 30),
        )
        sample = services.draw_sample(inspection.pk, user, actor, size=10, seed=2025)
        items = list(inspection.checklist.order_by("order"))
        for item in items[:3]:
            services.answer_item(item.pk, user, actor, result="ok", note="")
        services.answer_item(
            items[4].pk, user, actor, result="not_ok", note="Một số hồ sơ trễ hạn chưa xin lỗi."
        )
        first = services.add_finding(
            inspection.pk,
            user,
            actor,
            description="Hồ sơ trễ hạn chưa có văn bản xin lỗi, hẹn lại ngày trả kết quả",
            severity="high",
            dossier_code=sample[0].dossier.code if sample else "",
        )
        second = services.add_finding(
            inspection.pk,
            user,
            actor,
            description="Niêm yết công khai TTHC tại bộ phận một cửa chưa cập nhật",
            severity="medium",
        )
        for finding, days in ((first, 30), (second, 20)):
            task = services.finding_to_task(
                finding.pk, user, actor, deadline=max(timezone.localdate(), date(2025, 11, 15))
            )
            if days == 20:  # the second one is already remedied
                task.status = TaskStatus.DONE
                task.save(update_fields=["status"])
        if sample:  # concluded; without dossiers yet (before `demo generate`) it stays in
            # progress so the inspector can draw the sample from the page afterwards
            services.set_status(inspection.pk, user, actor, "done")
        made += 1
    if commune is not None:
        services.create_inspection(
            user,
            actor,
            plan=iplan,
            agency=commune,
            scheduled_on=date(2025, 12, 10),
            team="Sở Nội vụ",
        )
        made += 1
    if stdout is not None:
        stdout.write(f"Inspections: plan {iplan.number}, {made} inspections\n")
    return made


# -- PAR-Index self-assessment (issue 15, plans/parindex; helper h15-inspect) ---------------


def load_demo_par_index(stdout: Any = None) -> int:
    """The two illustrative 2025 criteria sets (departments, communes) loaded as the demo
    reform officer; three departments and two communes self-assessed (live criteria measured
    from whatever dossiers exist, manual ones scored from a hash, a SIPAS result entered), the
    first of each tier appraised with one adjustment. Idempotent; the assessments written."""
    from caicach.accounts.models import Role, RoleAssignment
    from caicach.agencies.models import AgencyKind
    from caicach.plans.parindex import services as par
    from caicach.plans.parindex.models import ParIndexSet

    province_plan = Plan.objects.filter(code=PROVINCE_PLAN).select_related("agency").first()
    if province_plan is None or ParIndexSet.objects.filter(year=2025).exists():
        return 0
    province = province_plan.agency
    officer = (
        RoleAssignment.objects.filter(role=Role.REFORM_OFFICER, agency=province)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if officer is None:
        return 0
    user, actor = officer.user, Actor(user=officer.user, ip_address=None, label="demo")
    data = Path(__file__).parents[1] / "plans" / "parindex" / "data"
    made = 0
    under = Agency.objects.filter(path__startswith=province.path).order_by("path")
    for tier, kind in (("department", AgencyKind.DEPARTMENT), ("commune", AgencyKind.COMMUNE)):
        text = (data / f"par_index_{tier}_2025.yaml").read_text(encoding="utf-8")
        index = par.load_index(text, user, actor, province)
        units = list(under.filter(kind=kind)[: 3 if tier == "department" else 2])
        for n, agency in enumerate(units):
            assessment = par.measure(index.pk, agency, actor)
            for score in assessment.scores.select_related("criterion"):
                rule = par.rule_of(score.criterion)
                assert rule is not None
                maximum = score.criterion.maximum
                if rule.kind == "manual":
                    share = Decimal(
                        str(round(0.55 + 0.45 * _draw("par", agency.code, score.criterion.code), 2))
                    )
                    score.self_points = (maximum * share).quantize(Decimal("0.25"))
                    score.no_evidence_reason = "Dữ liệu mẫu: minh chứng lưu tại đơn vị"
                    score.save(update_fields=["self_points", "no_evidence_reason"])
                elif rule.kind == "survey":
                    par.enter_survey(score.pk, user, actor, value=str(80 + 3 * n))
            if n == 0:
                for score in assessment.scores.select_related("criterion").exclude(
                    self_points=None
                ):
                    adjusted = score.criterion.code.startswith("1.1")
                    own = score.self_points or Decimal(0)
                    par.appraise(
                        score.pk,
                        user,
                        actor,
                        points=str(max(Decimal(0), own - Decimal(1))) if adjusted else str(own),
                        comment="Kế hoạch ban hành chậm so với yêu cầu" if adjusted else "",
                    )
            made += 1
    if stdout is not None:
        stdout.write(f"PAR-Index: 2 criteria sets, {made} self-assessments\n")
    return made
