"""The reform office's plan pages (issue 15): plan list, plan detail (domains → targets with
their value, status, projection method and stages; tasks; reporting duties; corrective
proposals), reported values (submit with evidence, approve or return), evidence downloads.
Thin: scoping through ``plans.queries`` and ``accounts.access``, changes through the services.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caicach.accounts.access import can, require_anywhere, scope
from caicach.agencies.models import Agency
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized, number
from caicach.plans import proposals, reports
from caicach.plans.models import (
    CorrectiveProposal,
    ProposalState,
    ReportedIndicator,
    ReportedValue,
    ReportState,
)
from caicach.plans.queries import plan_targets, visible_plans
from caicach.plans.values import TargetStatus

STATUS = {
    "achieved": ("ok", gettext_lazy("Đã đạt")),
    "on_track": ("ok", gettext_lazy("Đúng tiến độ")),
    "at_risk": ("warn", gettext_lazy("Có nguy cơ")),
    "off_track": ("bad", gettext_lazy("Chậm tiến độ")),
    "no_data": ("", gettext_lazy("Chưa có số liệu")),
}
UNITS = {"%": "%", "rank": gettext_lazy("hạng"), "tier": gettext_lazy("nhóm"), "count": ""}
ICONS = {"ok": "✔", "warn": "▲", "bad": "✖", "": "…"}


def _number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    rounded = value.quantize(Decimal("0.1"))
    return number(rounded, 0 if rounded == rounded.to_integral_value() else 1)


def badge(status: str) -> dict[str, Any]:
    css, label = STATUS[status]
    return {"css": css, "label": label, "icon": ICONS[css], "code": status}


def _row(result: TargetStatus, request: HttpRequest) -> dict[str, Any]:
    target = result.target
    stages = []
    for s in result.stages:
        ev = s.evaluation
        stages.append(
            {
                "due": s.stage.due,
                "threshold": _number(s.threshold) if s.threshold is not None else None,
                "step": _number(s.stage.step) if s.stage.step is not None else None,
                "badge": badge(s.status),
                "latest": _number(ev.latest.value) if ev and ev.latest else "—",
                "projected": _number(ev.projected) if ev else "—",
                "method": (ev.method_en if request.LANGUAGE_CODE == "en" else ev.method_vi)
                if ev
                else _("Chưa xác định được ngưỡng (chờ số liệu năm trước)"),
                "current": s is result.current_stage,
            }
        )
    current = stages[result.current]
    if target.kpi_code:
        source = _("Tự động: chỉ số %(code)s") % {"code": target.kpi_code}
    else:
        assert target.indicator is not None
        source = _("Báo cáo: %(name)s") % {"name": target.indicator.name_vi}
    scope_text = {
        "tier": _("từng cơ quan cấp %(tier)s (ít nhất %(share)s%% đạt)")
        % {"tier": target.scope_tier, "share": _number(target.share_required)},
        "agency": target.scope_agency.name if target.scope_agency else "",
        "field": _("lĩnh vực %(fields)s") % {"fields": target.scope_field.replace(",", ", ")},
    }.get(target.scope_kind, "")
    return {
        "target": target,
        "label": localized(target, "label") if target.label_en else target.label_vi,
        "badge": badge(result.status),
        "current": current,
        "stages": stages,
        "unit": UNITS.get(target.unit, target.unit),
        "source": source,
        "scope": scope_text,
        "comparison": target.get_comparison_display(),
        "agencies": [(a, badge(s)) for a, s in result.agencies],
    }


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, "plans.view")
    plans = (
        visible_plans(request.user)
        .annotate(n_targets=Count("targets", distinct=True), n_tasks=Count("tasks", distinct=True))
        .order_by("-period_start", "code")
    )
    return render(request, "plans/list.html", {"plans": plans})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_anywhere(request.user, "plans.view")
    plan = get_object_or_404(visible_plans(request.user), pk=pk)
    today = timezone.localdate()
    rows = [_row(r, request) for r in plan_targets(plan, today)]
    tasks = list(plan.tasks.select_related("lead_agency"))
    domains = [
        {
            "domain": domain,
            "rows": [r for r in rows if r["target"].domain_id == domain.pk],
            "tasks": [t for t in tasks if t.domain_id == domain.pk],
        }
        for domain in plan.domains.all()
    ]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["badge"]["code"]] = counts.get(r["badge"]["code"], 0) + 1
    open_proposals = (
        CorrectiveProposal.objects.filter(target__plan=plan, state=ProposalState.PROPOSED)
        .select_related("target", "agency")
        .order_by("created_at")
    )
    context = {
        "plan": plan,
        "domains": domains,
        "summary": [(badge(code), counts.get(code, 0)) for code in STATUS],
        "general_tasks": [t for t in tasks if t.domain_id is None],
        "duties": plan.duties.select_related("reporter", "recipient"),
        "proposals": open_proposals,
        "can_decide": can(request.user, "plans.approve", plan.agency),
        "today": today,
    }
    return render(request, "plans/detail.html", context)


def _report_agencies(user: Any) -> Any:
    return scope(Agency.objects.valid_on(timezone.localdate()), user, "plans.report").order_by(
        "path"
    )


@login_required
def reported_values(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, "plans.view")
    agencies = list(_report_agencies(user)[:500])
    indicators = list(ReportedIndicator.objects.order_by("name_vi"))
    form: dict[str, Any] = {}
    error = None
    if request.method == "POST":
        form = {
            k: str(request.POST.get(k, ""))[:200]
            for k in ("indicator", "agency", "period", "value", "note")
        }
        indicator = next((i for i in indicators if i.code == form["indicator"]), None)
        agency = next((a for a in agencies if a.code == form["agency"]), None)
        upload = request.FILES.get("evidence")
        try:
            if indicator is None or agency is None:
                raise BilingualError(
                    "Chọn chỉ tiêu và cơ quan báo cáo.", "Choose the indicator and the agency."
                )
            if upload is not None and (upload.size or 0) > reports.MAX_EVIDENCE_BYTES:
                raise reports.too_large()
            evidence = (upload.name or "", upload.read()) if upload is not None else None
            reports.submit_value(
                user,
                Actor.from_request(request),
                indicator=indicator,
                agency=agency,
                period=form["period"],
                value=form["value"],
                evidence=evidence,
                note=form["note"],
            )
        except BilingualError as exc:
            error = localized(exc)
        else:
            messages.success(request, _("Đã gửi số liệu; chờ Ban CCHC duyệt."))
            return redirect("plans:values")
    visible = scope(
        ReportedValue.objects.select_related("indicator", "agency", "submitted_by"),
        user,
        "plans.view",
        "agency",
    ).order_by("state", "-submitted_at")[:200]
    context = {
        "agencies": agencies,
        "indicators": indicators,
        "values": visible,
        "form": form,
        "error": error,
        "can_approve": any(
            can(user, "plans.approve", v.agency)
            for v in visible
            if v.state == ReportState.SUBMITTED
        ),
        "approvable": {
            v.pk
            for v in visible
            if v.state == ReportState.SUBMITTED and can(user, "plans.approve", v.agency)
        },
        "states": dict(ReportState.choices),
    }
    return render(request, "plans/values.html", context, status=400 if error else 200)


@login_required
@require_POST
def review_value(request: HttpRequest, pk: int) -> HttpResponse:
    actor = Actor.from_request(request)
    comment = str(request.POST.get("comment", ""))[:2000]
    try:
        if request.POST.get("decision") == "approve":
            reports.approve(pk, request.user, actor, comment)
            messages.success(request, _("Đã duyệt số liệu."))
        else:
            reports.give_back(pk, request.user, actor, comment)
            messages.success(request, _("Đã trả lại số liệu."))
    except BilingualError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, localized(exc))
    return redirect("plans:values")


@login_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    require_anywhere(request.user, "plans.view")
    row = get_object_or_404(
        scope(ReportedValue.objects.exclude(evidence=""), request.user, "plans.view", "agency"),
        pk=pk,
    )
    inline = row.evidence_type in ("pdf", "jpg", "png")
    types = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
    response = FileResponse(
        row.evidence.open("rb"),
        as_attachment=not inline,
        filename=f"minh-chung-{row.pk}.{row.evidence_type}",
        content_type=types.get(row.evidence_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def decide_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(
        CorrectiveProposal.objects.filter(target__plan__in=visible_plans(request.user)), pk=pk
    )
    plan_id = proposal.target.plan_id
    actor = Actor.from_request(request)
    try:
        if request.POST.get("decision") == "accept":
            proposals.accept(pk, request.user, actor)
            messages.success(request, _("Đã chấp nhận đề xuất và giao nhiệm vụ khắc phục."))
        else:
            proposals.dismiss(pk, request.user, actor, str(request.POST.get("reason", "")))
            messages.success(request, _("Đã không chấp nhận đề xuất."))
    except PermissionDenied:
        raise
    except BilingualError as exc:
        messages.error(request, localized(exc))
    return redirect("plans:detail", pk=plan_id)
