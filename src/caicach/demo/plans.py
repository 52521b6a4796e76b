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
