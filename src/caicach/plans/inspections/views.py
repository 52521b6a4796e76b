"""Inspection pages (issue 15, "Inspections"): the yearly plans with quota progress and the
share of findings remedied; one inspection with its risk sample (links to the dossiers the
reader may open through the normal dossier scope), checklist and findings → "create task".
Thin: reading through :func:`services.visible_inspections` and the access policy, every change
through :mod:`caicach.plans.inspections.services`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caicach.accounts.access import allows, can, require_anywhere, scope
from caicach.agencies.models import Agency, AgencyKind
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized
from caicach.dossiers.models import Dossier
from caicach.plans.inspections import services
from caicach.plans.inspections.models import (
    CheckResult,
    Finding,
    InspectionPlan,
    InspectionStatus,
    QuotaTier,
    Severity,
)
from caicach.plans.queries import visible_plans

REASONS = {
    "late": gettext_lazy("trễ hạn"),
    "paused_twice": gettext_lazy("yêu cầu bổ sung hơn một lần"),
    "apologised": gettext_lazy("có văn bản xin lỗi"),
    "not_satisfied": gettext_lazy("đánh giá không hài lòng"),
    "changed_after": gettext_lazy("có thao tác sau khi kết thúc"),
}


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _plans_visible(user: Any) -> Any:
    """Inspection plans whose agency is in, or above, the reader's ``plans.view`` scope."""
    agencies = visible_plans(user).values("agency")
    return InspectionPlan.objects.filter(
        Q(agency__in=agencies) | Q(inspections__in=services.visible_inspections(user))
    ).distinct()


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """The inspection plans the reader sees, each with quota progress and findings remedied."""
    user = request.user
    require_anywhere(user, "plans.view")
    plans = list(
        InspectionPlan.objects.filter(pk__in=_plans_visible(user).values("pk"))
        .select_related("agency", "reform_plan")
        .prefetch_related("quotas")
        .order_by("-year", "agency__path")[:20]
    )
    inspections = services.visible_inspections(user).annotate(
        n_findings=Count("findings", distinct=True),
        n_done=Count("findings", filter=Q(findings__task__status="done"), distinct=True),
    )
    rows = []
    for plan in plans:
        results, met = services.coverage(plan)
        rows.append(
            {
                "plan": plan,
                "quotas": results,
                "met": met,
                "remedied": services.remedied(
                    plan.year, Agency.objects.filter(path__startswith=plan.agency.path)
                )[0],
                "inspections": [i for i in inspections if i.plan_id == plan.pk],
                "can_inspect": can(user, "plans.inspect", plan.agency),
            }
        )
    context = {
        "rows": rows,
        "targets": scope(
            Agency.objects.valid_on(timezone.localdate()).filter(
                kind__in=[AgencyKind.DEPARTMENT, AgencyKind.COMMUNE]
            ),
            user,
            "plans.inspect",
        ).order_by("path")[:500]
        if allows(user, "plans.inspect")
        else [],
        "tiers": dict(QuotaTier.choices),
        "reform_plans": [
            p
            for p in visible_plans(user).order_by("-period_start")
            if can(user, "plans.inspect", p.agency)
        ],
        "this_year": timezone.localdate().year,
    }
    return render(request, "plans/inspections/list.html", context)


def _share(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal(-1)  # refused by the service with its message


@login_required
@require_POST
def create_plan(request: HttpRequest) -> HttpResponse:
    """A yearly inspection plan of a reform plan's agency with its quotas: alternative 1 the
    departments' and communes' shares (seed 003), alternative 2 the units' share (seed 002)."""
    user = request.user
    require_anywhere(user, "plans.inspect")
    raw_plan = str(request.POST.get("reform_plan", ""))[:12]
    reform_plan = (
        visible_plans(user).filter(pk=int(raw_plan)).first() if raw_plan.isdigit() else None
    )
    quotas = []
    for tier, field, alternative in (
        ("department", "share_department", 1),
        ("commune", "share_commune", 1),
        ("unit", "share_unit", 2),
    ):
        share = _share(str(request.POST.get(field, ""))[:12])
        if share is not None:
            quotas.append((tier, share, alternative))
    try:
        year = int(str(request.POST.get("year", ""))[:4])
    except ValueError:
        year = 0
    try:
        if reform_plan is None:
            raise BilingualError("Chọn kế hoạch CCHC.", "Choose the reform plan.")
        services.create_plan(
            user,
            Actor.from_request(request),
            agency=reform_plan.agency,
            year=year,
            title=str(request.POST.get("title", ""))[:300],
            number=str(request.POST.get("number", ""))[:80],
            reform_plan=reform_plan,
            quotas=quotas,
        )
    except BilingualError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("Đã lập kế hoạch kiểm tra."))
    return redirect("plans:inspections")


@login_required
@require_POST
def create_inspection(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_object_or_404(
        InspectionPlan.objects.select_related("agency").filter(
            pk__in=_plans_visible(request.user).values("pk")
        ),
        pk=plan_pk,
    )
    agency = Agency.objects.filter(code=str(request.POST.get("agency", ""))[:40]).first()
    day = _date(str(request.POST.get("scheduled_on", "")))
    try:
        if agency is None or day is None:
            raise BilingualError(
                "Chọn cơ quan và ngày kiểm tra hợp lệ.", "Choose the agency and a valid date."
            )
        inspection = services.create_inspection(
            request.user,
            Actor.from_request(request),
            plan=plan,
            agency=agency,
            scheduled_on=day,
            team=str(request.POST.get("team", ""))[:500],
        )
    except BilingualError as exc:
        messages.error(request, localized(exc))
        return redirect("plans:inspections")
    messages.success(request, _("Đã lập cuộc kiểm tra."))
    return redirect("plans:inspection", pk=inspection.pk)


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_anywhere(user, "plans.view")
    inspection = get_object_or_404(services.visible_inspections(user), pk=pk)
    sample = list(inspection.sample.select_related("dossier__procedure").order_by("order"))
    openable = set(
        Dossier.objects.visible_to(user)
        .filter(pk__in=[s.dossier_id for s in sample])
        .values_list("pk", flat=True)
    )
    rows = [
        {
            "order": s.order,
            "dossier": s.dossier,
            "score": s.score,
            "picked_by": s.picked_by,
            "reason_labels": [REASONS.get(r, r) for r in s.reasons],
            "openable": s.dossier_id in openable,
        }
        for s in sample
    ]
    findings = list(inspection.findings.select_related("dossier", "task").order_by("pk"))
    context = {
        "inspection": inspection,
        "sample": rows,
        "checklist": list(inspection.checklist.order_by("order")),
        "findings": findings,
        "results": CheckResult.choices,
        "severities": Severity.choices,
        "statuses": InspectionStatus.choices,
        "can_inspect": can(user, "plans.inspect", inspection.agency),
        "is_open": inspection.status != InspectionStatus.DONE,
        "today": timezone.localdate(),
    }
    return render(request, "plans/inspections/detail.html", context)


def _act(request: HttpRequest, pk: int, done: str, action: Any) -> HttpResponse:
    get_object_or_404(services.visible_inspections(request.user), pk=pk)
    try:
        action(Actor.from_request(request))
    except BilingualError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, localized(exc))
    else:
        messages.success(request, done)
    return redirect("plans:inspection", pk=pk)


@login_required
@require_POST
def draw_sample(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        size = int(str(request.POST.get("size", "10")))
    except ValueError:
        size = 0
    return _act(
        request,
        pk,
        _("Đã chọn mẫu hồ sơ."),
        lambda actor: services.draw_sample(pk, request.user, actor, size=size),
    )


@login_required
@require_POST
def answer_item(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    inspection = get_object_or_404(services.visible_inspections(request.user), pk=pk)
    item = get_object_or_404(inspection.checklist, pk=item_pk)
    return _act(
        request,
        pk,
        _("Đã ghi kết quả kiểm tra."),
        lambda actor: services.answer_item(
            item.pk,
            request.user,
            actor,
            result=str(request.POST.get("result", "")),
            note=str(request.POST.get("note", ""))[:2000],
        ),
    )


@login_required
@require_POST
def add_finding(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        _("Đã ghi nhận phát hiện."),
        lambda actor: services.add_finding(
            pk,
            request.user,
            actor,
            description=str(request.POST.get("description", ""))[:4000],
            severity=str(request.POST.get("severity", "")),
            dossier_code=str(request.POST.get("dossier", "")).strip()[:40],
        ),
    )


@login_required
@require_POST
def finding_task(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    inspection = get_object_or_404(services.visible_inspections(request.user), pk=pk)
    finding: Finding = get_object_or_404(inspection.findings, pk=finding_pk)
    deadline = _date(str(request.POST.get("deadline", "")))

    def act(actor: Actor) -> Any:
        if deadline is None:
            raise BilingualError("Chọn thời hạn khắc phục.", "Choose the deadline.")
        return services.finding_to_task(finding.pk, request.user, actor, deadline=deadline)

    return _act(request, pk, _("Đã giao nhiệm vụ khắc phục cho cơ quan được kiểm tra."), act)


@login_required
@require_POST
def set_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        _("Đã cập nhật trạng thái cuộc kiểm tra."),
        lambda actor: services.set_status(
            pk, request.user, actor, str(request.POST.get("status", ""))
        ),
    )
