"""Pages of the plan's work (issue 15): an agency's task inbox (filters, counts, CSV/XLSX), a
task's page with its progress updates, initiatives, dialogues, and the leader's page. Thin:
scoping through ``plans.work.queries`` and ``accounts.access``, changes through
``plans.work.services``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caicach.accounts.access import can, require_anywhere, scope
from caicach.agencies.models import Agency
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized
from caicach.core.tables import FORMATS, Table, download
from caicach.dossiers.reports.agencies import resolve_agency
from caicach.plans.evidence import MAX_EVIDENCE_BYTES
from caicach.plans.models import DomainCode, TaskStatus
from caicach.plans.queries import visible_plans
from caicach.plans.views import UNITS, _number, badge
from caicach.plans.work import queries, services
from caicach.plans.work.leader import leader_page
from caicach.plans.work.models import Dialogue, Initiative, InitiativeLevel, TaskUpdate

STATUS_CSS = {"not_started": "", "in_progress": "warn", "done": "ok", "cancelled": ""}


def _agency(request: HttpRequest) -> Agency:
    return resolve_agency(request.user, request.GET.get("agency"), "plans.view")


def _error_page(request: HttpRequest, exc: BilingualError) -> HttpResponse:
    if exc.status == 404:
        raise Http404(localized(exc))
    return render(request, "plans/work/error.html", {"error": localized(exc)}, status=exc.status)


def _scoped_agencies(user: Any) -> list[Agency]:
    today = timezone.localdate()
    return list(scope(Agency.objects.valid_on(today), user, "plans.view").order_by("path")[:300])


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, "plans.view")
    try:
        agency = _agency(request)
        filters = queries.parse_filters(request.GET)
    except BilingualError as exc:
        return _error_page(request, exc)
    today = timezone.localdate()
    tasks = list(queries.inbox(agency, filters, today)[:500])
    fmt = request.GET.get("tai", "")
    if fmt in FORMATS:
        table = Table(
            _("Nhiệm vụ của %(agency)s") % {"agency": agency.name},
            [
                _("Nhiệm vụ"),
                _("Kế hoạch"),
                _("Cơ quan chủ trì"),
                _("Cơ quan phối hợp"),
                _("Thời hạn"),
                _("Trạng thái"),
                _("Tiến độ (%)"),
                _("Quá hạn"),
            ],
            [
                [
                    t.title,
                    str(t.plan),
                    t.lead_agency.name if t.lead_agency else t.lead_label,
                    ", ".join(a.name for a in t.supporting_agencies.all()) or t.supporting_label,
                    t.deadline,
                    t.get_status_display(),
                    t.progress,
                    _("Có") if t.is_overdue else "",  # type: ignore[attr-defined]
                ]
                for t in tasks
            ],
        )
        return download(table, fmt, f"nhiem-vu-{agency.code}")
    for t in tasks:
        t.css = "bad" if t.is_overdue else STATUS_CSS.get(t.status, "")  # type: ignore[attr-defined]
    context = {
        "agency": agency,
        "agencies": _scoped_agencies(request.user),
        "tasks": tasks,
        "filters": filters,
        "query": filters.query(),
        "counts": queries.inbox_counts(agency, today),
        "plans": queries.plans_of(agency),
        "statuses": TaskStatus.choices,
        "today": today,
    }
    return render(request, "plans/work/inbox.html", context)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_anywhere(request.user, "plans.view")
    today = timezone.localdate()
    task = get_object_or_404(
        queries.with_overdue(queries.visible_tasks(request.user), today).select_related(
            "plan", "lead_agency", "domain", "proposal__target"
        ),
        pk=pk,
    )
    editable = queries.can_edit(request.user, task)
    error = None
    form: dict[str, str] = {}
    if request.method == "POST":
        if not editable:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("Chỉ lãnh đạo cơ quan chủ trì được cập nhật nhiệm vụ."))
        form = {
            k: str(request.POST.get(k, ""))[:4000] for k in ("progress", "status", "note", "output")
        }
        upload = request.FILES.get("evidence")
        try:
            if upload is not None and (upload.size or 0) > MAX_EVIDENCE_BYTES:
                raise services.bad("evidence", "Tệp minh chứng quá lớn.", "The file is too large.")
            services.update_task(
                request.user,
                Actor.from_request(request),
                task.pk,
                progress=form["progress"],
                status=form["status"],
                note=form["note"],
                output=form["output"],
                evidence=(upload.name or "", upload.read()) if upload is not None else None,
            )
        except BilingualError as exc:
            error = localized(exc)
        else:
            messages.success(request, _("Đã cập nhật tiến độ nhiệm vụ."))
            return redirect("plans:task", pk=task.pk)
    context = {
        "task": task,
        "updates": task.updates.select_related("author"),
        "supporting": task.supporting_agencies.all(),
        "editable": editable,
        "overdue": task.is_overdue,  # type: ignore[attr-defined]
        "statuses": [c for c in TaskStatus.choices if c[0] != TaskStatus.CANCELLED],
        "form": form,
        "error": error,
    }
    return render(request, "plans/work/task.html", context, status=400 if error else 200)


@login_required
def update_evidence(request: HttpRequest, pk: int) -> FileResponse:
    require_anywhere(request.user, "plans.view")
    row = get_object_or_404(
        TaskUpdate.objects.exclude(evidence="").filter(
            task__in=queries.visible_tasks(request.user)
        ),
        pk=pk,
    )
    inline = row.evidence_type in ("pdf", "jpg", "png")
    types = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
    response = FileResponse(
        row.evidence.open("rb"),
        as_attachment=not inline,
        filename=f"minh-chung-nhiem-vu-{row.pk}.{row.evidence_type}",
        content_type=types.get(row.evidence_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _day(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError:
        raise services.bad(
            field, "Ngày không hợp lệ (năm-tháng-ngày).", "Invalid date (YYYY-MM-DD)."
        ) from None


@login_required
def initiatives(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, "plans.view")
    agencies = _scoped_agencies(user)
    reporting = [a for a in agencies if can(user, "plans.report", a)]
    error = None
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {
            k: str(request.POST.get(k, ""))[:8000]
            for k in ("agency", "year", "title", "domain", "description")
        }
        agency = next((a for a in reporting if a.code == form["agency"]), None)
        try:
            if agency is None:
                raise services.bad("agency", "Chọn cơ quan.", "Choose the agency.")
            services.record_initiative(
                user,
                Actor.from_request(request),
                agency=agency,
                year=form["year"],
                title=form["title"],
                domain=form["domain"],
                description=form["description"],
            )
        except BilingualError as exc:
            error = localized(exc)
        else:
            messages.success(request, _("Đã ghi nhận sáng kiến; chờ Ban CCHC đánh giá."))
            return redirect("plans:initiatives")
    rows = list(
        scope(Initiative.objects.select_related("agency"), user, "plans.view", "agency")
        .prefetch_related("replicated_to")
        .order_by("-year", "title")[:300]
    )
    for row in rows:
        row.can_evaluate = can(user, "plans.approve", row.agency)  # type: ignore[attr-defined]
    context = {
        "rows": rows,
        "reporting": reporting,
        "agencies": agencies,
        "domains": DomainCode.choices,
        "levels": InitiativeLevel.choices,
        "form": form,
        "error": error,
        "year": timezone.localdate().year,
    }
    return render(request, "plans/work/initiatives.html", context, status=400 if error else 200)


@login_required
@require_POST
def evaluate_initiative(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(
        scope(Initiative.objects.all(), request.user, "plans.view", "agency"), pk=pk
    )
    codes = [c for c in request.POST.getlist("replicated_to") if c][:200]
    replicated = list(Agency.objects.filter(code__in=codes))
    try:
        if len(replicated) != len(set(codes)):
            raise services.bad("replicated_to", "Cơ quan không hợp lệ.", "Unknown agency.")
        services.evaluate_initiative(
            request.user,
            Actor.from_request(request),
            row.pk,
            level=str(request.POST.get("level", "")),
            score=request.POST.get("score"),
            replicated_to=replicated,
        )
    except BilingualError as exc:
        messages.error(request, localized(exc))
    else:
        messages.success(request, _("Đã lưu đánh giá sáng kiến."))
    return redirect("plans:initiatives")


QUESTION_ROWS = 5
#: Responsible agencies named per target on the leader's page; the rest are counted.
SHOWN = 8


@login_required
def dialogues(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, "plans.view")
    agencies = _scoped_agencies(user)
    reporting = [a for a in agencies if can(user, "plans.report", a)]
    plans = list(visible_plans(user).order_by("-period_start")[:100])
    error = None
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = {
            k: str(request.POST.get(k, ""))[:600]
            for k in (
                "agency",
                "held_on",
                "title",
                "leaders",
                "participants",
                "attendance",
                "plan",
                "deadline",
            )
        }
        agency = next((a for a in reporting if a.code == form["agency"]), None)
        plan = next((p for p in plans if str(p.pk) == form["plan"]), None)
        questions = [
            {
                "question": str(request.POST.get(f"q{i}", ""))[:4000],
                "answer": str(request.POST.get(f"a{i}", ""))[:4000],
                "asked_by": str(request.POST.get(f"by{i}", ""))[:200],
                "follow_up": "1" if request.POST.get(f"f{i}") else "",
            }
            for i in range(QUESTION_ROWS)
        ]
        try:
            if agency is None:
                raise services.bad("agency", "Chọn cơ quan.", "Choose the agency.")
            held_on = _day(form["held_on"], "held_on")
            deadline = _day(form["deadline"], "deadline") if form["deadline"].strip() else None
            dialogue = services.record_dialogue(
                user,
                Actor.from_request(request),
                agency=agency,
                held_on=held_on,
                title=form["title"],
                leaders=form["leaders"],
                participants=form["participants"],
                attendance=form["attendance"],
                questions=questions,
                plan=plan,
                follow_up_deadline=deadline,
            )
        except BilingualError as exc:
            error = localized(exc)
        else:
            messages.success(request, _("Đã ghi nhận cuộc đối thoại."))
            return redirect("plans:dialogue", pk=dialogue.pk)
    rows = scope(Dialogue.objects.select_related("agency"), user, "plans.view", "agency").order_by(
        "-held_on"
    )[:300]
    context = {
        "rows": rows,
        "reporting": reporting,
        "plans": plans,
        "form": form,
        "error": error,
        "question_rows": range(QUESTION_ROWS),
        "today": timezone.localdate(),
    }
    return render(request, "plans/work/dialogues.html", context, status=400 if error else 200)


@login_required
def dialogue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_anywhere(request.user, "plans.view")
    dialogue = get_object_or_404(
        scope(
            Dialogue.objects.select_related("agency", "plan"), request.user, "plans.view", "agency"
        ),
        pk=pk,
    )
    questions = dialogue.questions.select_related("task")
    return render(
        request, "plans/work/dialogue.html", {"dialogue": dialogue, "questions": questions}
    )


@login_required
def leader(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, "plans.view")
    try:
        agency = _agency(request)
    except BilingualError as exc:
        return _error_page(request, exc)
    today = timezone.localdate()
    page = leader_page(request.user, agency, today)
    rows = []
    for result, responsible in page.targets:
        stage = result.current_stage
        ev = stage.evaluation
        rows.append(
            {
                "target": result.target,
                "badge": badge(result.status),
                "due": stage.stage.due,
                "threshold": _number(stage.threshold),
                "latest": _number(ev.latest.value) if ev and ev.latest else "—",
                "projected": _number(ev.projected) if ev else "—",
                "unit": UNITS.get(result.target.unit, result.target.unit),
                "responsible": responsible[:SHOWN],
                "more": max(0, len(responsible) - SHOWN),
            }
        )
    context = {
        "page": page,
        "agency": agency,
        "rows": rows,
        "agencies": _scoped_agencies(request.user),
        "today": today,
        "soon": today + timedelta(days=30),
    }
    return render(request, "plans/work/leader.html", context)
