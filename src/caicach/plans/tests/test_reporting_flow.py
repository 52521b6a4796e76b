"""Periodic reports (issue 15): expected reports with working-day due dates, the submit →
return → resubmit → approve flow with kept versions, the permission boundaries, the refusal of
a report for a period not due and of evidence of a forbidden type, completeness by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from caicach.core.audit import Actor
from caicach.core.errors import BilingualError, ConflictError
from caicach.core.models import AuditEntry
from caicach.plans.models import Plan, ReportingDuty
from caicach.plans.reporting import services
from caicach.plans.reporting.completeness import completeness, missing_reports
from caicach.plans.reporting.models import Report, ReportEvidence, ReportStatus, ReportVersion

ACTOR = Actor.system("test")
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def duty(plan: Plan) -> ReportingDuty:
    return ReportingDuty.objects.create(
        plan=plan,
        subject="Báo cáo kết quả thực hiện Nghị quyết về CCHC",
        reporters_below=True,
        frequencies=["quarterly"],
        due_working_days=5,
    )


def _report(tree: Any, duty: ReportingDuty, period: str, agency: Any = None) -> Report:
    return Report.objects.get(duty=duty, agency=agency or tree.commune, period=period)


@pytest.mark.django_db
def test_generate_is_idempotent_with_working_day_due_dates(tree: Any, duty: ReportingDuty) -> None:
    made = services.generate(ACTOR, date(2024, 4, 10))
    # The province's three direct agencies (two departments, the commune; not the unit under a
    # department) × the quarters of 2021-Q1..2024-Q2 begun by 10/04/2024 (14).
    assert made == 3 * 14
    assert services.generate(ACTOR, date(2024, 4, 10)) == 0
    assert services.generate(ACTOR, date(2024, 7, 1)) == 3  # 2024-Q3 has begun
    q1 = _report(tree, duty, "2024-Q1")
    # 2024-Q1 ends Sunday 31/03/2024; the day is not counted, the 5th working day after it is
    # Friday 05/04/2024 (Mon 1 … Fri 5 April; no holiday then).
    assert (q1.period_first, q1.period_last, q1.due) == (
        date(2024, 1, 1),
        date(2024, 3, 31),
        date(2024, 4, 5),
    )
    # 2023-Q4 ends Sunday 31/12/2023; 01/01/2024 is New Year's Day (Labour Code 2019 art. 112),
    # so Tue 2, Wed 3, Thu 4, Fri 5, Mon 8 January.
    assert _report(tree, duty, "2023-Q4").due == date(2024, 1, 8)
    assert AuditEntry.objects.filter(action="plan.report.generate").count() == 2


@pytest.mark.django_db
def test_submit_return_resubmit_approve_keeps_versions(
    tree: Any, duty: ReportingDuty, make_officer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    services.generate(ACTOR, date(2024, 4, 10))
    report = _report(tree, duty, "2024-Q1")
    leader = make_officer("agency_leader", tree.commune)
    office = make_officer("reform_officer", tree.province)

    services.save_narrative(leader, ACTOR, report.pk, {"procedures": "Đã công bố 120 TTHC."})
    services.add_evidence(leader, ACTOR, report.pk, "bien-ban.pdf", PDF)
    v1 = services.submit(leader, ACTOR, report.pk)
    assert v1.number == 1 and v1.content["narrative"] == {"procedures": "Đã công bố 120 TTHC."}
    assert v1.content["evidence"] == ["bien-ban.pdf"]
    assert {f["code"] for f in v1.content["figures"]} >= {"online_share"}
    # Submitted: the agency cannot edit it any more.
    with pytest.raises(ConflictError):
        services.save_narrative(leader, ACTOR, report.pk, {"procedures": "x"})

    with pytest.raises(BilingualError) as no_reason:
        services.give_back(office, ACTOR, report.pk, "  ")
    assert no_reason.value.code == "comment_required"
    services.give_back(office, ACTOR, report.pk, "Bổ sung số liệu lĩnh vực số hóa.")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    first_submitted = report.first_submitted_at

    services.save_narrative(
        leader,
        ACTOR,
        report.pk,
        {"procedures": "Đã công bố 120 TTHC.", "digital_government": "Số hóa 85% hồ sơ."},
    )
    v2 = services.submit(leader, ACTOR, report.pk)
    services.approve(office, ACTOR, report.pk)
    report.refresh_from_db()
    assert (report.status, report.versions_count) == (ReportStatus.APPROVED, 2)
    assert report.first_submitted_at == first_submitted  # timeliness counts the first submission
    # Version 1 is kept as it was.
    v1.refresh_from_db()
    assert v1.content["narrative"] == {"procedures": "Đã công bố 120 TTHC."}
    assert set(v2.content["narrative"]) == {"procedures", "digital_government"}
    with pytest.raises(ValueError, match="never changes"):
        v1.save()
    with pytest.raises(ConflictError):
        services.approve(office, ACTOR, report.pk)
    actions = list(
        AuditEntry.objects.filter(action__startswith="plan.report.", object_id=str(report.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "plan.report.edit",
        "plan.report.evidence",
        "plan.report.submit",
        "plan.report.return",
        "plan.report.edit",
        "plan.report.submit",
        "plan.report.approve",
    ]


@pytest.mark.django_db
def test_permission_boundaries(tree: Any, duty: ReportingDuty, make_officer: Any) -> None:
    services.generate(ACTOR, date(2024, 4, 10))
    report = _report(tree, duty, "2024-Q1")
    other_leader = make_officer("agency_leader", tree.dept_a)
    office = make_officer("reform_officer", tree.province)
    inspector = make_officer("inspector", tree.province)
    leader = make_officer("agency_leader", tree.commune)
    for user in (other_leader, office, inspector):  # only the commune's own leaders write it
        with pytest.raises(PermissionDenied):
            services.save_narrative(user, ACTOR, report.pk, {"procedures": "x"})
    services.save_narrative(leader, ACTOR, report.pk, {"procedures": "Nội dung"})
    services.submit(leader, ACTOR, report.pk)
    for user in (leader, inspector, other_leader):  # only the reform office reviews
        with pytest.raises(PermissionDenied):
            services.approve(user, ACTOR, report.pk)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


@pytest.mark.django_db
def test_refusals_write_nothing(
    tree: Any, duty: ReportingDuty, make_officer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    services.generate(ACTOR, date(2024, 4, 10))
    leader = make_officer("agency_leader", tree.commune)
    running = _report(tree, duty, "2024-Q2")
    services.save_narrative(leader, ACTOR, running.pk, {"procedures": "Soạn trước"})
    before = AuditEntry.objects.count()
    # A report for a period not due (2024-Q2 runs to 30/06/2024) is refused.
    with pytest.raises(BilingualError) as not_due:
        services.submit(leader, ACTOR, running.pk, today=date(2024, 6, 30))
    assert not_due.value.code == "period_not_due"
    assert "chưa kết thúc" in not_due.value.message_vi
    # Evidence of a forbidden type (read from the bytes, whatever the name says).
    with pytest.raises(BilingualError) as bad_type:
        services.add_evidence(leader, ACTOR, running.pk, "bao-cao.pdf", b"MZ\x90\x00exe")
    assert bad_type.value.code == "evidence_type"
    # An empty report, a domain that does not exist.
    empty = _report(tree, duty, "2024-Q1")
    with pytest.raises(BilingualError):
        services.submit(leader, ACTOR, empty.pk)
    with pytest.raises(BilingualError):
        services.save_narrative(leader, ACTOR, empty.pk, {"hacking": "x"})
    running.refresh_from_db()
    assert running.status == ReportStatus.DRAFT and running.versions_count == 0
    assert not ReportVersion.objects.exists() and not ReportEvidence.objects.exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_completeness_by_hand(tree: Any, duty: ReportingDuty, make_officer: Any) -> None:
    """2024 quarters Q1, Q2 ended by 10/07/2024 → 2 expected per agency (Q3 running, not yet).
    Commune: Q1 on its due day (on time), Q2 late → 2/2 submitted = 100 %, 1/2 on time = 50 %.
    Dept A: Q1 never → 0/2. Dept B: nothing → 0/2. Overall 2/6 = 33.3 %, 1/6 = 16.7 %."""
    services.generate(ACTOR, date(2024, 7, 10))
    tz = timezone.get_current_timezone()
    q1, q2 = _report(tree, duty, "2024-Q1"), _report(tree, duty, "2024-Q2")
    Report.objects.filter(pk=q1.pk).update(
        status="submitted",
        first_submitted_at=timezone.datetime(2024, 4, 5, 16, 59, tzinfo=tz),  # due 05/04
    )
    Report.objects.filter(pk=q2.pk).update(
        status="submitted",
        first_submitted_at=q2.due + timedelta(days=1)
        and timezone.datetime(q2.due.year, q2.due.month, q2.due.day, 8, 0, tzinfo=tz)
        + timedelta(days=1),
    )
    office = make_officer("reform_officer", tree.province)
    rows, total = completeness(office, date(2024, 7, 10), year=2024)
    by_code = {r.agency_code: r.rate for r in rows}
    commune = by_code[tree.commune.code]
    assert (commune.expected, commune.submitted, commune.on_time) == (2, 2, 1)
    assert (commune.reporting_rate, commune.on_time_rate) == (Decimal("100.0"), Decimal("50.0"))
    assert (by_code[tree.dept_a.code].expected, by_code[tree.dept_a.code].submitted) == (2, 0)
    assert (total.expected, total.submitted, total.on_time) == (6, 2, 1)
    assert (total.reporting_rate, total.on_time_rate) == (Decimal("33.3"), Decimal("16.7"))
    # The missing ones for the leader's page: past due, never submitted (2024 only here: the
    # years before were never submitted either).
    missing = {(r.agency_id, r.period) for r in missing_reports(office, date(2024, 7, 10))}
    assert (tree.dept_a.pk, "2024-Q2") in missing and (tree.commune.pk, "2024-Q2") not in missing
    # A commune's leader sees only the commune.
    rows, _ = completeness(
        make_officer("agency_leader", tree.commune), date(2024, 7, 10), year=2024
    )
    assert [r.agency_code for r in rows] == [tree.commune.code]


@pytest.mark.django_db
def test_the_report_row_is_locked_when_people_act(
    tree: Any, duty: ReportingDuty, make_officer: Any
) -> None:
    """Two people acting on one report (the agency resubmitting, the office reviewing) wait for
    each other: every change reads the report ``SELECT ... FOR UPDATE`` first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.generate(ACTOR, date(2024, 4, 10))
    report = _report(tree, duty, "2024-Q1")
    leader = make_officer("agency_leader", tree.commune)
    office = make_officer("reform_officer", tree.province)
    with CaptureQueriesContext(connection) as submit_queries:
        services.submit(leader, ACTOR, report.pk, narrative={"procedures": "Nội dung"})
    with CaptureQueriesContext(connection) as review_queries:
        services.approve(office, ACTOR, report.pk)
    for captured in (submit_queries, review_queries):
        first_read = next(q["sql"] for q in captured.captured_queries if "plans_report" in q["sql"])
        assert "FOR UPDATE" in first_read


@pytest.mark.django_db
def test_the_plan_file_sets_the_reporting_fields(tree: Any) -> None:
    from caicach.plans.importer import PlanImportError, import_plan

    base = (
        "format: caicach-plan/1\n"
        "plan: {code: kh-bc, kind: yearly, title: Kế hoạch, agency: 000.00.00.H97,"
        " period: {start: 2024, end: 2024}}\n"
        "duties:\n  - {subject: Báo cáo quý, frequencies: [quarterly], %s}\n"
    )
    plan = import_plan(base % "reporters_below: true, due_working_days: 7", ACTOR).plan
    duty = plan.duties.get()
    assert (duty.reporters_below, duty.due_working_days) == (True, 7)
    with pytest.raises(PlanImportError) as bad:
        import_plan(
            (base % "reporters_below: yes please, due_working_days: 99").replace("kh-bc", "kh-bc2"),
            ACTOR,
        )
    fields = {e.field for e in bad.value.issues}
    assert {"duties[0].reporters_below", "duties[0].due_working_days"} <= fields
