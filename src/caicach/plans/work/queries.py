"""Which tasks a reader sees, and the one definition of an overdue task (issue 15, "Tasks":
"overdue and upcoming tasks on the dashboard; the inbox of each agency").

*Overdue*: the deadline has passed (it is before today) and the task is neither done nor
cancelled. :func:`overdue_q` is the only place that says so: the inbox, the leader's page, the
API-like exports and the reminder job all filter with it.

*Visible*: a task is read by whoever holds ``plans.view`` over its lead agency, one of its
supporting agencies, or the agency whose plan it belongs to (the reform office reads all of its
province; inspectors read). *Editable*: by the leaders of its lead agency (``plans.report``
over it) — an agency edits only its own tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from caicach.accounts.access import agency_filter, can
from caicach.agencies.models import Agency
from caicach.core.errors import BilingualError
from caicach.plans.models import Plan, Task, TaskStatus

__all__ = [
    "CLOSED",
    "InboxFilters",
    "can_edit",
    "inbox",
    "inbox_counts",
    "open_q",
    "overdue_q",
    "parse_filters",
    "visible_tasks",
    "with_overdue",
]

CLOSED = (TaskStatus.DONE, TaskStatus.CANCELLED)
MAX_DAYS = 366


def open_q() -> Q:
    return ~Q(status__in=CLOSED)


def overdue_q(today: date, prefix: str = "") -> Q:
    """Deadline before ``today`` and not done or cancelled (``prefix``: the lookup to the task,
    e.g. ``"task__"``)."""
    return Q(**{f"{prefix}deadline__lt": today}) & ~Q(**{f"{prefix}status__in": CLOSED})


def with_overdue(qs: QuerySet[Task], today: date) -> QuerySet[Task]:
    """``qs`` with each task's ``is_overdue`` by :func:`overdue_q`, computed by the database."""
    return qs.annotate(is_overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField()))


def visible_tasks(user: Any) -> QuerySet[Task]:
    supported = Task.supporting_agencies.through.objects.filter(
        agency_filter(user, "plans.view", "agency"), task_id=OuterRef("pk")
    )
    return Task.objects.filter(
        agency_filter(user, "plans.view", "lead_agency")
        | agency_filter(user, "plans.view", "plan__agency")
        | Q(Exists(supported))
    )


def can_edit(user: Any, task: Task) -> bool:
    return task.lead_agency is not None and can(user, "plans.report", task.lead_agency)


@dataclass(frozen=True)
class InboxFilters:
    status: str = ""
    plan: int | None = None
    overdue: bool = False
    days: int | None = None  # due within this many calendar days (today included)
    role: str = ""  # "lead", "support" or "" for both

    def query(self) -> dict[str, str]:
        out = {"status": self.status, "plan": str(self.plan or ""), "role": self.role}
        out["overdue"] = "1" if self.overdue else ""
        out["days"] = str(self.days) if self.days is not None else ""
        return {k: v for k, v in out.items() if v}


def _bad(field: str, vi: str, en: str) -> BilingualError:
    return BilingualError(vi, en, errors={field: [en]})


def parse_filters(params: Any) -> InboxFilters:
    """The inbox's filters from a query string; a bad value raises a 400 saying which."""
    status = str(params.get("status", "")).strip()
    if status and status not in TaskStatus.values:
        raise _bad("status", "Trạng thái không hợp lệ.", "Unknown status.")
    role = str(params.get("role", "")).strip()
    if role not in ("", "lead", "support"):
        raise _bad("role", "Vai trò không hợp lệ.", "Unknown role (lead or support).")
    plan: int | None = None
    raw_plan = str(params.get("plan", "")).strip()
    if raw_plan:
        if not raw_plan.isdigit() or len(raw_plan) > 9:
            raise _bad("plan", "Kế hoạch không hợp lệ.", "Unknown plan.")
        plan = int(raw_plan)
    days: int | None = None
    raw_days = str(params.get("days", "")).strip()
    if raw_days:
        if not raw_days.isdigit() or not 0 <= int(raw_days[:4]) <= MAX_DAYS:
            raise _bad(
                "days",
                f"Số ngày phải là số nguyên từ 0 đến {MAX_DAYS}.",
                f"The number of days must be a whole number from 0 to {MAX_DAYS}.",
            )
        days = int(raw_days)
    overdue = str(params.get("overdue", "")).strip() in ("1", "true", "on")
    return InboxFilters(status, plan, overdue, days, role)


def _mine(agency: Agency, role: str) -> Q:
    lead = Q(lead_agency=agency)
    support = Q(
        Exists(
            Task.supporting_agencies.through.objects.filter(agency=agency, task_id=OuterRef("pk"))
        )
    )
    return {"lead": lead, "support": support}.get(role, lead | support)


def inbox(agency: Agency, filters: InboxFilters, today: date) -> QuerySet[Task]:
    """The tasks ``agency`` leads or supports, filtered, the earliest deadline first, each
    annotated ``is_overdue`` by :func:`overdue_q` (the caller has checked ``plans.view`` over
    ``agency``)."""
    qs = Task.objects.filter(_mine(agency, filters.role))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.plan is not None:
        qs = qs.filter(plan_id=filters.plan)
    if filters.overdue:
        qs = qs.filter(overdue_q(today))
    if filters.days is not None:
        qs = qs.filter(open_q(), deadline__gte=today, deadline__lte=today + timedelta(filters.days))
    return (
        with_overdue(qs, today)
        .select_related("plan", "lead_agency", "domain")
        .prefetch_related("supporting_agencies")
        .order_by("deadline", "plan_id", "order", "pk")
    )


def inbox_counts(agency: Agency, today: date, soon_days: int = 30) -> dict[str, int]:
    """The counts the inbox's tabs show, in one query."""
    soon = open_q() & Q(deadline__gte=today, deadline__lte=today + timedelta(soon_days))
    row = Task.objects.filter(_mine(agency, "")).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=open_q()),
        overdue=Count("pk", filter=overdue_q(today)),
        soon=Count("pk", filter=soon),
        done=Count("pk", filter=Q(status=TaskStatus.DONE)),
        lead=Count("pk", filter=Q(lead_agency=agency)),
    )
    return {k: int(v or 0) for k, v in row.items()}


def plans_of(agency: Agency) -> QuerySet[Plan]:
    """The plans with a task of ``agency`` (the inbox's plan filter)."""
    return Plan.objects.filter(
        pk__in=Task.objects.filter(_mine(agency, "")).values("plan_id")
    ).order_by("-period_start")
