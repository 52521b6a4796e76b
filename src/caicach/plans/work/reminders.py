"""Task reminders through the notification outbox (issue 15, "reminders through the
notification outbox").

Every morning (``plans.work.jobs.remind_tasks``), each open task with a lead agency in the
system whose deadline falls within :data:`REMIND_WORKING_DAYS` working days of today (on the lead
agency's working-day calendar, ``calendars.calendar_for``) or has passed (``queries.overdue_q``)
is reminded to the leaders of its lead agency (agency and unit leaders assigned to that agency,
in force today), one e-mail each. At most once per task and day: a :class:`TaskReminder` row,
unique on (task, day), is written in the same transaction as the e-mails and their jobs, so a
second run the same day (or two workers at once) sends nothing more.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from caicach.accounts.models import Role, RoleAssignment, User, UserKind
from caicach.calendars.services import calendar_for
from caicach.notifications.models import NotificationKind
from caicach.notifications.services import notify_officers
from caicach.plans.models import Task
from caicach.plans.work.models import TaskReminder
from caicach.plans.work.queries import open_q

__all__ = ["REMIND_WORKING_DAYS", "due_for_reminder", "leaders_of", "remind"]

#: How many working days ahead of its deadline a task is reminded.
REMIND_WORKING_DAYS = 5
LEADER_ROLES = (Role.AGENCY_LEADER, Role.UNIT_LEADER)


def leaders_of(agency: Any, today: date) -> list[User]:
    """Active officers holding a leader's role on ``agency`` itself, in force on ``today``."""
    assignments = RoleAssignment.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        agency=agency,
        role__in=[r.value for r in LEADER_ROLES],
    ).values("user_id")
    return list(User.objects.filter(kind=UserKind.OFFICER, is_active=True, pk__in=assignments))


def due_for_reminder(today: date, days: int = REMIND_WORKING_DAYS) -> list[tuple[Task, bool]]:
    """``(task, overdue)`` for every task to remind today, not yet reminded today."""
    # Calendar days bound working days from above by far; the calendar then decides.
    horizon = today + timedelta(days=days * 3 + 14)
    reminded = TaskReminder.objects.filter(day=today).values("task_id")
    candidates = (
        Task.objects.filter(open_q(), lead_agency__isnull=False, deadline__lte=horizon)
        .exclude(pk__in=reminded)
        .select_related("lead_agency", "plan")
        .order_by("deadline", "pk")
    )
    out = []
    for task in candidates:
        assert task.deadline is not None and task.lead_agency is not None
        if task.deadline < today:
            out.append((task, True))
            continue
        last = calendar_for(task.lead_agency).add_working_days(today, days)
        if task.deadline <= last:
            out.append((task, False))
    return out


def _message(task: Task, overdue: bool, today: date) -> tuple[str, str]:
    assert task.deadline is not None and task.lead_agency is not None
    deadline = task.deadline.strftime("%d/%m/%Y")
    if overdue:
        subject = f"Nhiệm vụ CCHC quá hạn từ {deadline}"
        state = f"đã quá hạn {(today - task.deadline).days} ngày (thời hạn {deadline})"
    else:
        subject = f"Nhiệm vụ CCHC sắp đến hạn ({deadline})"
        state = f"sắp đến hạn {deadline}"
    url = settings.CAICACH_PUBLIC_URL.rstrip("/") + reverse("plans:task", args=[task.pk])
    body = "\n".join(
        [
            f"Kính gửi lãnh đạo {task.lead_agency.name},",
            "",
            f"Nhiệm vụ “{task.title[:300]}” ({task.plan}) {state}.",
            f"Tiến độ đã báo cáo: {task.progress}%.",
            "",
            f"Cập nhật tiến độ: {url}",
            "",
            f"Hệ thống một cửa điện tử, {settings.CAICACH_PROVINCE_NAME}.",
            "Đây là thư tự động, xin vui lòng không trả lời.",
        ]
    )
    return subject, body


def remind(today: date, days: int = REMIND_WORKING_DAYS) -> int:
    """Send today's reminders; how many tasks were reminded."""
    count = 0
    for task, overdue in due_for_reminder(today, days):
        leaders = leaders_of(task.lead_agency, today)
        subject, body = _message(task, overdue, today)
        try:
            with transaction.atomic():
                TaskReminder.objects.create(
                    task=task, day=today, overdue=overdue, recipients=len(leaders)
                )
                notify_officers(NotificationKind.PLAN_TASK, leaders, subject, body)
        except IntegrityError:  # another worker reminded it a moment ago
            continue
        count += 1
    return count
