"""plans.work pages (issue 15): the inbox (filters, counts, exports, bad input), the task page
(update by the lead agency only), initiatives and dialogues, the leader's page; scoping and
query counts; the daily reminders, once per task and day."""

from __future__ import annotations

from datetime import date
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caicach.notifications.models import Notification
from caicach.plans.models import CorrectiveProposal, Target, Task
from caicach.plans.tests.work_fixtures import TODAY, task, work_plan_fixture  # noqa: F401
from caicach.plans.work.models import Dialogue, TaskReminder, TaskUpdate
from caicach.plans.work.reminders import remind

pytestmark = pytest.mark.django_db


def _today() -> Any:
    return mock.patch("django.utils.timezone.localdate", return_value=TODAY)


def test_inbox_filters_counts_and_export(
    client: Any,
    work_plan: Any,
    tree: Any,
    make_officer: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(make_officer("agency_leader", tree.dept_a))
    url = reverse("plans:inbox")
    with _today(), django_assert_max_num_queries(14):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Rà soát thủ tục tư pháp" in html and "Tuyên truyền CCHC" in html
    assert "Số hóa hồ sơ xây dựng" not in html  # Sở Xây dựng's own task
    with _today():
        overdue = client.get(url, {"overdue": "1"}).content.decode()
        soon = client.get(url, {"days": "60"}).content.decode()
    assert "Rà soát thủ tục tư pháp" in overdue and "Tuyên truyền CCHC" not in overdue
    assert "Rà soát thủ tục tư pháp" not in soon  # overdue is not "due within"
    # The supporting agency sees it too, as supporting.
    client.force_login(make_officer("agency_leader", tree.dept_b))
    with _today():
        html = client.get(url).content.decode()
    assert "Rà soát thủ tục tư pháp" in html and "Phối hợp" in html
    with _today():
        csv = client.get(url, {"tai": "csv", "overdue": "1"})
        xlsx = client.get(url, {"tai": "xlsx"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Rà soát thủ tục tư pháp" in text and "Số hóa hồ sơ xây dựng" not in text
    assert xlsx.content[:2] == b"PK" and len(xlsx.content) > 1000


@pytest.mark.parametrize(
    "query", [{"status": "x"}, {"days": "-1"}, {"days": "9999"}, {"plan": "abc"}, {"role": "y"}]
)
def test_inbox_bad_filters(
    client: Any,
    work_plan: Any,
    tree: Any,
    make_officer: Any,
    query: dict[str, str],
) -> None:
    client.force_login(make_officer("agency_leader", tree.dept_a))
    page = client.get(reverse("plans:inbox"), query)
    assert page.status_code == 400


def test_inbox_scope(client: Any, work_plan: Any, tree: Any, make_officer: Any) -> None:
    client.force_login(make_officer("agency_leader", tree.commune))
    assert client.get(reverse("plans:inbox"), {"agency": tree.dept_a.code}).status_code == 404
    client.force_login(make_officer("receiver", tree.dept_a))
    assert client.get(reverse("plans:inbox")).status_code == 403
    # The reform office reads any agency's inbox and task in its province.
    client.force_login(make_officer("reform_officer", tree.province))
    assert client.get(reverse("plans:inbox"), {"agency": tree.dept_a.code}).status_code == 200
    t = task("Rà soát thủ tục tư pháp")
    page = client.get(reverse("plans:task", args=[t.pk]))
    assert page.status_code == 200 and "Lưu cập nhật" not in page.content.decode()
    assert client.post(reverse("plans:task", args=[t.pk]), {"progress": "5"}).status_code == 403
    # A commune's leader does not see the department's task.
    client.force_login(make_officer("agency_leader", tree.commune))
    assert client.get(reverse("plans:task", args=[t.pk])).status_code == 404


def test_task_page_update(
    client: Any,
    work_plan: Any,
    tree: Any,
    make_officer: Any,
    settings: Any,
    tmp_path: Any,
    django_assert_max_num_queries: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    t = task("Rà soát thủ tục tư pháp")
    client.force_login(make_officer("agency_leader", tree.dept_a))
    url = reverse("plans:task", args=[t.pk])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "progress": "50",
            "status": "in_progress",
            "evidence": SimpleUploadedFile("x.pdf", b"MZ\x90", "application/pdf"),
        },
    )
    assert bad.status_code == 400 and "không được phép" in bad.content.decode()
    assert not TaskUpdate.objects.exists()
    ok = client.post(
        url,
        {
            "progress": "50",
            "status": "in_progress",
            "note": "Một nửa",
            "evidence": SimpleUploadedFile("bc.pdf", b"%PDF-1.4 x", "application/pdf"),
        },
    )
    assert ok.status_code == 302
    update = TaskUpdate.objects.get()
    page = client.get(url).content.decode()
    assert "Một nửa" in page and "50%" in page
    file = client.get(reverse("plans:task_evidence", args=[update.pk]))
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"


def test_leader_page(
    client: Any,
    work_plan: Any,
    tree: Any,
    make_officer: Any,
    django_assert_max_num_queries: Any,
) -> None:
    target = Target.objects.get(code="dt")
    corrective = Task.objects.create(
        plan=work_plan,
        title="Khắc phục đối thoại",
        lead_agency=tree.dept_a,
        deadline=date(2025, 4, 1),
    )
    CorrectiveProposal.objects.create(
        target=target,
        agency=tree.dept_b,
        title="Đề xuất tổ chức đối thoại",
        deadline=date(2025, 7, 1),
        state="accepted",
        task=corrective,
    )
    Dialogue.objects.create(
        agency=tree.commune, held_on=date(2024, 5, 1), title="Đối thoại", leaders="Chủ tịch"
    )
    client.force_login(make_officer("agency_leader", tree.province))
    with _today(), django_assert_max_num_queries(30):
        page = client.get(reverse("plans:leader"))
    html = page.content.decode()
    assert page.status_code == 200
    # One dialogue in 2024, none yet in 2025: the target (2 a year) is behind.
    assert f'data-target="{target.pk}"' in html
    assert "Khắc phục đối thoại" in html  # open and late corrective task
    assert f"?agency={tree.dept_a.code}&amp;role=lead&amp;overdue=1" in html  # late per agency
    assert "Báo cáo CCHC quý" in html  # duty past due (31/3/2025)
    assert 'data-count="corrective_late"><b>1</b>' in html
    # A department's leader sees its own page only.
    client.force_login(make_officer("agency_leader", tree.dept_a))
    assert client.get(reverse("plans:leader"), {"agency": tree.province.code}).status_code == 404
    with _today():
        assert client.get(reverse("plans:leader")).status_code == 200


def test_leader_sections_extension_point(
    client: Any,
    work_plan: Any,
    tree: Any,
    make_officer: Any,
) -> None:
    from caicach.plans import board

    calls: list[Any] = []

    def context(user: Any, agency: Any, today: date) -> dict[str, Any]:
        calls.append(agency)
        return {"n": 3}

    board.register_leader_section(50, "reports", "plans/work/_home.html", context)
    try:
        client.force_login(make_officer("agency_leader", tree.province))
        with _today():
            html = client.get(reverse("plans:leader")).content.decode()
        assert calls == [tree.province]
        assert "Báo cáo CCHC quý" not in html  # the reports section replaces the fallback
    finally:
        board._leader_sections[:] = [s for s in board._leader_sections if s.context is not context]


def test_dialogue_and_initiative_pages(
    client: Any,
    work_plan: Any,
    tree: Any,
    make_officer: Any,
) -> None:
    client.force_login(make_officer("agency_leader", tree.commune))
    bad = client.post(
        reverse("plans:dialogues"),
        {"agency": tree.commune.code, "held_on": "hôm qua", "title": "x", "leaders": "y"},
    )
    assert bad.status_code == 400 and not Dialogue.objects.exists()
    ok = client.post(
        reverse("plans:dialogues"),
        {
            "agency": tree.commune.code,
            "held_on": "2025-01-05",
            "title": "Đối thoại với hộ kinh doanh",
            "leaders": "Chủ tịch UBND xã",
            "attendance": "40",
            "q0": "Thời gian cấp phép?",
            "a0": "Rút ngắn còn 3 ngày",
            "f0": "1",
            "plan": str(work_plan.pk),
            "deadline": "2025-03-01",
        },
    )
    assert ok.status_code == 302
    dialogue = Dialogue.objects.get()
    page = client.get(reverse("plans:dialogue", args=[dialogue.pk])).content.decode()
    assert "Rút ngắn còn 3 ngày" in page and "Thực hiện sau đối thoại" in page
    assert (
        client.post(
            reverse("plans:initiatives"), {"agency": tree.commune.code, "year": "2025", "title": ""}
        ).status_code
        == 400
    )
    assert (
        client.post(
            reverse("plans:initiatives"),
            {"agency": tree.commune.code, "year": "2025", "title": "Phiếu hẹn điện tử"},
        ).status_code
        == 302
    )
    assert "Phiếu hẹn điện tử" in client.get(reverse("plans:initiatives")).content.decode()


def test_reminders_once_per_task_and_day(
    work_plan: Any,
    tree: Any,
    make_officer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    leader = make_officer("agency_leader", tree.dept_a, email="lanhdao@so-tp.gov.vn")
    make_officer("agency_leader", tree.province, email="tinh@gov.vn")  # not the lead agency's
    Task.objects.filter(title="Tuyên truyền CCHC").update(deadline=date(2025, 5, 20))
    sent = remind(TODAY)
    # Dept A: "Rà soát" overdue (31/3) and "Tuyên truyền" due in 3 working days; Dept B's task
    # is due 30/6 (too far); the steering committee's has no lead agency in the system.
    assert sent == 2
    assert set(TaskReminder.objects.values_list("task__title", "overdue")) == {
        ("Rà soát thủ tục tư pháp", True),
        ("Tuyên truyền CCHC", False),
    }
    mails = Notification.objects.filter(kind="plan_task")
    assert [m.recipient for m in mails] == [leader.email] * 2
    assert any("quá hạn" in m.subject for m in mails)
    assert remind(TODAY) == 0  # once per day
    assert Notification.objects.filter(kind="plan_task").count() == 2
    assert remind(date(2025, 5, 16)) == 2  # the next day again


def test_job_runs_remind() -> None:
    from caicach.plans.tasks import remind_tasks

    with mock.patch("caicach.plans.work.reminders.remind", return_value=3) as run:
        assert remind_tasks() == 3
    run.assert_called_once()


def test_home_block_for_leaders_only(
    client: Any,
    work_plan: Any,
    tree: Any,
    make_officer: Any,
) -> None:
    client.force_login(make_officer("agency_leader", tree.dept_a))
    with _today():
        html = client.get("/").content.decode()
    assert 'id="home-plans"' in html
    assert f"{reverse('plans:leader')}?agency={tree.dept_a.code}#late" in html
    client.force_login(make_officer("inspector", tree.province))
    assert 'id="home-plans"' not in client.get("/").content.decode()


def test_tasks_api(
    client: Any,
    work_plan: Any,
    tree: Any,
    make_officer: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(make_officer("inspector", tree.province))
    with _today(), django_assert_max_num_queries(10):
        rows = client.get("/api/v1/plans/tasks/", {"agency": tree.dept_a.code}).json()
    by_title = {r["title"]: r for r in rows}
    assert set(by_title) == {"Rà soát thủ tục tư pháp", "Tuyên truyền CCHC"}
    assert by_title["Rà soát thủ tục tư pháp"]["overdue"] is True
    assert by_title["Rà soát thủ tục tư pháp"]["supporting_agencies"] == [tree.dept_b.code]
    assert by_title["Tuyên truyền CCHC"]["overdue"] is False
    with _today():
        overdue = client.get(
            "/api/v1/plans/tasks/", {"agency": tree.dept_b.code, "overdue": "1"}
        ).json()
    assert [r["title"] for r in overdue] == ["Rà soát thủ tục tư pháp"]
    bad = client.get("/api/v1/plans/tasks/", {"days": "x"})
    assert bad.status_code == 400 and "days" in str(bad.json())
    client.force_login(make_officer("agency_leader", tree.commune))
    assert client.get("/api/v1/plans/tasks/", {"agency": tree.dept_a.code}).status_code == 404
    client.force_login(make_officer("receiver", tree.dept_a))
    assert client.get("/api/v1/plans/tasks/").status_code == 403
