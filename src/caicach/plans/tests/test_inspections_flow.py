"""Inspections end to end through the services and pages (issue 15, "Inspections"): a plan
with quotas, an inspection of department A, a risk sample from the live dossiers, a checklist
answer, a finding turned into a task of the inspected agency in one transaction, the share of
findings remedied and the quota coverage; scoping and bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from caicach.calendars.services import calendar_for, clear_cache
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import procedure_version, receive
from caicach.plans.inspections import services
from caicach.plans.inspections.models import Finding, Inspection, InspectionStatus
from caicach.plans.models import Plan, Task, TaskStatus
from caicach.ratings.models import Rating

ACTOR = Actor.system("test")


@pytest.fixture(autouse=True)
def _fresh_calendar(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def setup(plan: Plan, tree: Any, make_officer: Any) -> Any:
    today = timezone.localdate()
    inspector = make_officer("reform_officer", tree.province, username="kiemtra")
    receiver = make_officer("receiver", tree.dept_a, username="motcua_a")
    calendar_for(tree.dept_a)
    version = procedure_version(tree.dept_a)
    dossiers = [receive(receiver, version, tree.dept_a) for _ in range(6)]
    # The risk facts, as the services keep them (denormalised on the dossier).
    Dossier.objects.filter(pk=dossiers[0].pk).update(timeliness="late", apologies=1)  # 5
    Dossier.objects.filter(pk=dossiers[1].pk).update(supplement_requests=2)  # 2
    Rating.objects.create(
        dossier=dossiers[2],
        value="not_satisfied",
        source="kiosk",
        rated_at=timezone.now(),
        agency=tree.dept_a,
    )  # 3
    iplan = services.create_plan(
        inspector,
        ACTOR,
        agency=tree.province,
        year=today.year,
        title="Kế hoạch kiểm tra CCHC",
        reform_plan=plan,
        quotas=[
            ("department", Decimal(30), 1),
            ("commune", Decimal(30), 1),
            ("unit", Decimal(60), 2),
        ],
    )
    inspection = services.create_inspection(
        inspector,
        ACTOR,
        plan=iplan,
        agency=tree.dept_a,
        scheduled_on=today,
        team="Sở Nội vụ",
    )

    class S:
        pass

    s = S()
    s.__dict__.update(
        today=today, inspector=inspector, dossiers=dossiers, iplan=iplan, inspection=inspection
    )
    return s


@pytest.mark.django_db
def test_sample_checklist_finding_task_and_metrics(setup: Any, tree: Any) -> None:
    s = setup
    assert s.inspection.checklist.count() == 10
    rows = services.draw_sample(s.inspection.pk, s.inspector, ACTOR, size=4, seed=42)
    codes = [r.dossier.code for r in rows]
    d = s.dossiers
    assert codes[:3] == [d[0].code, d[2].code, d[1].code]  # scores 5, 3, 2
    assert [r.reasons for r in rows[:3]] == [
        ["late", "apologised"],
        ["not_satisfied"],
        ["paused_twice"],
    ]
    assert rows[3].picked_by == "random"
    # Reproducible: the same seed draws the same sample.
    again = services.draw_sample(s.inspection.pk, s.inspector, ACTOR, size=4, seed=42)
    assert [r.dossier.code for r in again] == codes

    item = s.inspection.checklist.first()
    services.answer_item(item.pk, s.inspector, ACTOR, result="not_ok", note="Thiếu văn bản")
    finding = services.add_finding(
        s.inspection.pk,
        s.inspector,
        ACTOR,
        description="Hồ sơ trễ hạn không có văn bản xin lỗi",
        severity="high",
        dossier_code=d[0].code,
    )
    task = services.finding_to_task(
        finding.pk, s.inspector, ACTOR, deadline=s.today + timedelta(days=30)
    )
    assert task.lead_agency == tree.dept_a and task.plan == s.iplan.reform_plan
    finding.refresh_from_db()
    assert finding.task == task
    with pytest.raises(BilingualError):  # a second task for the same finding
        services.finding_to_task(finding.pk, s.inspector, ACTOR, deadline=s.today)

    # Coverage: dept A is 1 of 2 departments (50% ≥ 30%), no commune (0 of 1): alternative 1
    # fails; 1 of 3 units (33.3% < 60%): the plan's quota is not met.
    results, met = services.coverage(s.iplan)
    assert [(r.quota.tier, r.inspected, r.total) for r in results] == [
        ("commune", 0, 1),
        ("department", 1, 2),
        ("unit", 1, 3),
    ]
    assert met is False
    # Remedied: 0 of 1, then 1 of 1 when the task is done.
    assert services.remedied(s.today.year)[0].share == Decimal("0.0")
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)
    total, per_agency = services.remedied(s.today.year)
    assert total.share == Decimal("100.0") and per_agency.agency == tree.dept_a
    # Due for the leader's page until concluded.
    assert services.due_inspections(tree.province, s.today) == [s.inspection]
    services.set_status(s.inspection.pk, s.inspector, ACTOR, "done")
    assert services.due_inspections(tree.province, s.today) == []


@pytest.mark.django_db
def test_bad_input_changes_nothing(setup: Any, tree: Any, make_officer: Any) -> None:
    s = setup
    with pytest.raises(BilingualError):
        services.draw_sample(s.inspection.pk, s.inspector, ACTOR, size=0)
    with pytest.raises(BilingualError):
        services.add_finding(s.inspection.pk, s.inspector, ACTOR, description=" ", severity="high")
    with pytest.raises(BilingualError):  # a dossier outside the sample
        services.add_finding(
            s.inspection.pk, s.inspector, ACTOR, description="x", severity="high", dossier_code="NO"
        )
    assert Finding.objects.count() == 0 and s.inspection.sample.count() == 0
    # A department's leader may not inspect.
    from django.core.exceptions import PermissionDenied

    leader = make_officer("agency_leader", tree.dept_a)
    with pytest.raises(PermissionDenied):
        services.draw_sample(s.inspection.pk, leader, ACTOR, size=3)


@pytest.mark.django_db
def test_pages_scope_and_task_button(
    client: Any, setup: Any, tree: Any, make_officer: Any, django_assert_max_num_queries: Any
) -> None:
    s = setup
    client.force_login(s.inspector)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("plans:inspections"))
    assert page.status_code == 200 and "Kế hoạch kiểm tra CCHC" in page.content.decode()
    url = reverse("plans:inspection", args=[s.inspection.pk])
    assert (
        client.post(
            reverse("plans:inspection_sample", args=[s.inspection.pk]), {"size": "4"}
        ).status_code
        == 302
    )
    with django_assert_max_num_queries(20):
        page = client.get(url)
    html = page.content.decode()
    # The inspector opens the sampled dossiers through the normal dossier scope.
    first = s.inspection.sample.order_by("order").first().dossier
    assert reverse("dossiers:detail", args=[first.code]) in html
    assert client.get(reverse("dossiers:detail", args=[first.code])).status_code == 200
    client.post(
        reverse("plans:inspection_finding", args=[s.inspection.pk]),
        {"description": "Niêm yết thiếu thủ tục", "severity": "medium"},
    )
    finding = Finding.objects.get()
    bad = client.post(
        reverse("plans:inspection_task", args=[s.inspection.pk, finding.pk]), {"deadline": "x"}
    )
    assert bad.status_code == 302 and Task.objects.filter(lead_agency=tree.dept_a).count() == 0
    client.post(
        reverse("plans:inspection_task", args=[s.inspection.pk, finding.pk]),
        {"deadline": (s.today + timedelta(days=20)).isoformat()},
    )
    assert Task.objects.filter(lead_agency=tree.dept_a).count() == 1
    # The inspected agency's leader reads its own inspection, without the inspector's forms.
    client.force_login(make_officer("agency_leader", tree.dept_a))
    page = client.get(url)
    assert page.status_code == 200 and "Giao nhiệm vụ" not in page.content.decode()
    assert (
        client.post(
            reverse("plans:inspection_finding", args=[s.inspection.pk]),
            {"description": "x", "severity": "low"},
        ).status_code
        == 403
    )
    # Department B's leader does not see department A's inspection.
    client.force_login(make_officer("agency_leader", tree.dept_b))
    assert client.get(url).status_code == 404
    assert Inspection.objects.get().status == InspectionStatus.IN_PROGRESS


@pytest.mark.django_db
def test_plan_form(client: Any, plan: Plan, tree: Any, make_officer: Any) -> None:
    from caicach.plans.inspections.models import InspectionPlan

    client.force_login(make_officer("reform_officer", tree.province))
    url = reverse("plans:inspection_plan_new")
    form = {"reform_plan": str(plan.pk), "year": "2025", "title": "KH kiểm tra 2025"}
    # A share over 100%, a plan id that is not a number, no title: refused, nothing written.
    for bad in ({"share_unit": "150"}, {"reform_plan": "x", "share_unit": "60"}, {"title": ""}):
        page = client.post(url, {**form, "share_department": "30", **bad}, follow=True)
        assert page.status_code == 200 and InspectionPlan.objects.count() == 0
    client.post(url, {**form, "share_department": "30", "share_commune": "30", "share_unit": "60"})
    made = InspectionPlan.objects.get()
    assert [
        (q.tier, q.share, q.alternative) for q in made.quotas.order_by("alternative", "tier")
    ] == [
        ("commune", Decimal(30), 1),
        ("department", Decimal(30), 1),
        ("unit", Decimal(60), 2),
    ]
    # A department's leader has no plans.inspect: 403.
    client.force_login(make_officer("agency_leader", tree.dept_a))
    assert client.post(url, form).status_code == 403
