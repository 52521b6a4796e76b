"""plans.work services (issue 15, "Tasks", "Initiatives and dialogues"): the overdue rule,
progress updates and their permission boundaries, bad input writing nothing, initiatives and
dialogues counting toward their targets."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.plans.models import Target, Task, TaskStatus
from caicach.plans.tests.work_fixtures import TODAY, task, work_plan_fixture  # noqa: F401
from caicach.plans.values import evaluate_target
from caicach.plans.work import queries, services
from caicach.plans.work.duedates import last_due
from caicach.plans.work.models import Initiative, TaskUpdate

ACTOR = Actor.system("test")
PDF = ("bc.pdf", b"%PDF-1.4 x")


# Overdue = deadline before today and neither done nor cancelled (plans.work.queries).
@pytest.mark.parametrize(
    ("deadline", "status", "overdue"),
    [
        (date(2025, 5, 14), "not_started", True),  # yesterday, not started
        (date(2025, 5, 14), "in_progress", True),
        (date(2025, 5, 14), "done", False),  # done: never overdue
        (date(2025, 5, 14), "cancelled", False),
        (date(2025, 5, 15), "in_progress", False),  # due today: not yet overdue
        (None, "in_progress", False),  # no deadline
    ],
)
@pytest.mark.django_db
def test_overdue_rule(work_plan: Any, deadline: Any, status: str, overdue: bool) -> None:
    t = task("Tuyên truyền CCHC")
    Task.objects.filter(pk=t.pk).update(deadline=deadline, status=status)
    assert Task.objects.filter(queries.overdue_q(TODAY), pk=t.pk).exists() is overdue


# Duties: first_due + 3/6/12 months; without one, the end of the last closed period.
@pytest.mark.parametrize(
    ("first", "freqs", "today", "expected"),
    [
        (None, ["quarterly"], date(2025, 5, 15), date(2025, 3, 31)),
        (None, ["quarterly"], date(2025, 6, 30), date(2025, 6, 30)),
        (None, ["half_yearly"], date(2025, 5, 15), date(2024, 12, 31)),
        (None, ["yearly"], date(2025, 5, 15), date(2024, 12, 31)),
        (None, ["quarterly", "yearly"], date(2025, 5, 15), date(2025, 3, 31)),
        (None, ["ad_hoc"], date(2025, 5, 15), None),
        (date(2025, 1, 20), ["quarterly"], date(2025, 5, 15), date(2025, 4, 20)),
        (date(2025, 1, 31), ["quarterly"], date(2025, 4, 30), date(2025, 4, 30)),  # short month
        (date(2025, 6, 1), ["yearly"], date(2025, 5, 15), None),  # not yet
    ],
)
def test_last_due(first: Any, freqs: list[str], today: date, expected: Any) -> None:
    assert last_due(first, freqs, today) == expected


@pytest.mark.django_db
def test_update_by_the_lead_agency(
    work_plan: Any,
    tree: Any,
    make_officer: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    t = task("Rà soát thủ tục tư pháp")
    leader = make_officer("agency_leader", tree.dept_a)
    update = services.update_task(
        leader,
        ACTOR,
        t.pk,
        progress="40",
        status="in_progress",
        note="Đã rà soát 12 thủ tục",
        evidence=PDF,
    )
    t.refresh_from_db()
    assert (t.progress, t.status, update.evidence_type) == (40, "in_progress", "pdf")
    # Done means 100 %, whatever was typed.
    services.update_task(leader, ACTOR, t.pk, progress="90", status="done")
    t.refresh_from_db()
    assert (t.progress, t.status) == (100, "done")
    from caicach.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="plan.task.update").count() == 2


@pytest.mark.parametrize(
    "role,agency",
    [
        ("agency_leader", "dept_b"),  # the supporting agency does not edit
        ("reform_officer", "province"),  # the reform office reads, approves, does not update
        ("inspector", "province"),  # inspectors read
        ("agency_leader", "commune"),  # another agency
    ],
)
@pytest.mark.django_db
def test_only_the_lead_agency_updates(
    work_plan: Any,
    tree: Any,
    make_officer: Any,
    role: str,
    agency: str,
) -> None:
    t = task("Rà soát thủ tục tư pháp")
    user = make_officer(role, getattr(tree, agency))
    with pytest.raises(PermissionDenied):
        services.update_task(user, ACTOR, t.pk, progress="10", status="in_progress")
    assert not TaskUpdate.objects.exists()


@pytest.mark.django_db
def test_cancelling_is_the_reform_offices(work_plan: Any, tree: Any, make_officer: Any) -> None:
    t = task("Rà soát thủ tục tư pháp")
    with pytest.raises(BilingualError):
        services.update_task(
            make_officer("agency_leader", tree.dept_a),
            ACTOR,
            t.pk,
            progress="0",
            status="cancelled",
        )
    services.update_task(
        make_officer("reform_officer", tree.province),
        ACTOR,
        t.pk,
        progress="0",
        status="cancelled",
    )
    assert Task.objects.get(pk=t.pk).status == TaskStatus.CANCELLED


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"progress": "101", "status": "in_progress"}, "progress"),
        ({"progress": "-5", "status": "in_progress"}, "progress"),
        ({"progress": "abc", "status": "in_progress"}, "progress"),
        ({"progress": "10", "status": "finished"}, "status"),
        ({"progress": "10", "status": "in_progress", "note": "x" * 4001}, "note"),
        ({"progress": "10", "status": "in_progress", "evidence": ("a.exe", b"MZ\x90")}, "evidence"),
    ],
)
@pytest.mark.django_db
def test_bad_updates_write_nothing(
    work_plan: Any,
    tree: Any,
    make_officer: Any,
    fields: dict[str, Any],
    field: str,
) -> None:
    t = task("Rà soát thủ tục tư pháp")
    leader = make_officer("agency_leader", tree.dept_a)
    with pytest.raises(BilingualError) as caught:
        services.update_task(leader, ACTOR, t.pk, **fields)
    assert field in caught.value.errors
    assert not TaskUpdate.objects.exists()
    assert Task.objects.get(pk=t.pk).progress == 0


@pytest.mark.django_db
def test_dialogues_and_initiatives_count_toward_their_targets(
    work_plan: Any,
    tree: Any,
    make_officer: Any,
) -> None:
    leader = make_officer("agency_leader", tree.province)
    dt = Target.objects.get(code="dt")
    sk = Target.objects.get(code="sk")
    end_2024 = date(2025, 1, 10)
    assert evaluate_target(dt, end_2024).stages[0].status == "no_data"
    # A commune's leader records its dialogues; they count for the province (its subtree).
    commune_leader = make_officer("agency_leader", tree.commune)
    for day in (date(2024, 3, 1), date(2024, 9, 1)):
        services.record_dialogue(
            commune_leader,
            ACTOR,
            agency=tree.commune,
            held_on=day,
            title="Đối thoại",
            leaders="Chủ tịch UBND xã",
        )
    result = evaluate_target(dt, end_2024)
    assert result.stages[0].status == "achieved"
    assert result.stages[0].evaluation.latest.value == Decimal(2)  # type: ignore[union-attr]
    # An initiative counts once recognised, in the year of recognition.
    row = services.record_initiative(
        leader, ACTOR, agency=tree.dept_a, year="2025", title="Một cửa không giấy"
    )
    day = date(2026, 1, 5)
    assert evaluate_target(sk, day).stages[0].status in ("off_track", "no_data")
    officer = make_officer("reform_officer", tree.province)
    services.evaluate_initiative(
        officer,
        ACTOR,
        row.pk,
        level="province",
        score="85.5",
        recognised_on=date(2025, 6, 1),
        replicated_to=[tree.dept_b],
    )
    assert evaluate_target(sk, day).stages[0].status == "achieved"
    assert list(Initiative.objects.get().replicated_to.all()) == [tree.dept_b]


@pytest.mark.django_db
def test_dialogue_follow_up_becomes_a_task_and_bad_input(
    work_plan: Any,
    tree: Any,
    make_officer: Any,
) -> None:
    leader = make_officer("agency_leader", tree.commune)
    questions = [{"question": "Đường vào chợ?", "answer": "Sẽ sửa", "follow_up": "1"}]
    with pytest.raises(BilingualError):  # a follow-up needs a plan and a deadline
        services.record_dialogue(
            leader,
            ACTOR,
            agency=tree.commune,
            held_on=date(2025, 1, 5),
            title="Đối thoại",
            leaders="Chủ tịch",
            questions=questions,
        )
    with pytest.raises(BilingualError):  # in the future
        services.record_dialogue(
            leader,
            ACTOR,
            agency=tree.commune,
            held_on=timezone.localdate() + timedelta(days=3),
            title="Đối thoại",
            leaders="Chủ tịch",
        )
    with pytest.raises(PermissionDenied):  # not its agency
        services.record_dialogue(
            leader, ACTOR, agency=tree.dept_a, held_on=date(2025, 1, 5), title="x", leaders="y"
        )
    before = Task.objects.count()
    dialogue = services.record_dialogue(
        leader,
        ACTOR,
        agency=tree.commune,
        held_on=date(2025, 1, 5),
        title="Đối thoại",
        leaders="Chủ tịch",
        questions=questions,
        plan=work_plan,
        follow_up_deadline=date(2025, 3, 1),
    )
    assert Task.objects.count() == before + 1
    q = dialogue.questions.get()
    assert q.task is not None and q.task.lead_agency == tree.commune
    # Only the reform office recognises an initiative.
    row = services.record_initiative(leader, ACTOR, agency=tree.commune, year="2025", title="x")
    with pytest.raises(PermissionDenied):
        services.evaluate_initiative(leader, ACTOR, row.pk, level="province")
    with pytest.raises(BilingualError):
        services.record_initiative(leader, ACTOR, agency=tree.commune, year="1800", title="x")


@given(
    first=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31))),
    freq=st.sampled_from(["quarterly", "half_yearly", "yearly"]),
    today=st.dates(date(2021, 1, 1), date(2031, 12, 31)),
)
def test_last_due_properties(first: Any, freq: str, today: date) -> None:
    due = last_due(first, [freq], today)
    if first is not None and first > today:
        assert due is None
        return
    assert due is not None and due <= today
    step = {"quarterly": 3, "half_yearly": 6, "yearly": 12}[freq]
    if first is None:  # a period's last day: the next day opens a period
        nxt = due + timedelta(days=1)
        assert nxt.day == 1 and (nxt.month - 1) % step == 0
        assert (today - due).days < 31 * step + 1  # the latest one
    else:
        months = (due.year - first.year) * 12 + due.month - first.month
        assert months % step == 0 and months >= 0
