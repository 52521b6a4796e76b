"""PAR-Index pages (issue 15): the sets and the loader; a set's criteria tree with the results
and ranking (CSV/XLSX through ``core.tables``) and the gap per unit; one unit's assessment,
where the unit scores its manual criteria with evidence and the reform office enters survey
results and appraises each criterion (the appraisal page), with the gap per criterion.
Thin: scoping through ``accounts.access``, changes through ``parindex.services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caicach.accounts.access import allows, can, require_anywhere, scope
from caicach.agencies.models import Agency, AgencyKind
from caicach.core import tables
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized
from caicach.plans.parindex import services
from caicach.plans.parindex.models import ParAssessment, ParIndexSet, ParScore

KINDS = {"department": [AgencyKind.DEPARTMENT], "commune": [AgencyKind.COMMUNE]}
MAX_FILE = 512 * 1024


def _assessments(user: Any) -> QuerySet[ParAssessment]:
    return scope(
        ParAssessment.objects.select_related("agency", "index"), user, "plans.view", "agency"
    )


@login_required
def index_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_anywhere(user, "plans.view")
    if request.method == "POST":
        upload = request.FILES.get("file")
        root = Agency.objects.filter(parent__isnull=True).order_by("path").first()
        try:
            if root is None or upload is None or (upload.size or 0) > MAX_FILE:
                raise BilingualError(
                    "Chọn tệp YAML bộ chỉ số (tối đa 512 KB).", "Choose a YAML file (512 KB max)."
                )
            text = upload.read().decode("utf-8", errors="replace")
            index = services.load_index(text, user, Actor.from_request(request), root)
        except BilingualError as exc:
            messages.error(request, localized(exc))
        else:
            messages.success(request, _("Đã nạp bộ chỉ số."))
            return redirect("plans:par_index", pk=index.pk)
        return redirect("plans:par")
    return render(
        request,
        "plans/parindex/list.html",
        {"sets": ParIndexSet.objects.all(), "can_load": allows(user, "plans.approve")},
    )


def _table(index: ParIndexSet, rows: list[services.UnitResult]) -> tables.Table:
    return tables.Table(
        title=index.title,
        columns=[
            _("Hạng"),
            _("Cơ quan"),
            _("Tự chấm"),
            _("Thẩm định"),
            _("Chênh lệch"),
            _("Tiêu chí đã thẩm định"),
        ],
        rows=[
            [
                r.rank,
                r.assessment.agency.name,
                r.self_total,
                r.appraised_total,
                r.gap,
                f"{r.appraised}/{r.leaves}",
            ]
            for r in rows
        ],
    )


@login_required
def index_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_anywhere(user, "plans.view")
    index = get_object_or_404(ParIndexSet, pk=pk)
    rows = services.results(index, _assessments(user))
    fmt = request.GET.get("fmt", "")
    if fmt in tables.FORMATS:
        return tables.download(_table(index, rows), fmt, f"chi-so-cchc-{index.year}-{index.tier}")
    mine = (
        scope(Agency.objects.valid_on(timezone.localdate()), user, "plans.report")
        .filter(kind__in=KINDS.get(index.tier, []))
        .exclude(pk__in=[r.assessment.agency_id for r in rows])
        .order_by("path")[:200]
    )
    context = {
        "index": index,
        "criteria": list(index.criteria.order_by("order")),
        "rows": rows,
        "startable": mine,
    }
    return render(request, "plans/parindex/detail.html", context)


@login_required
@require_POST
def start(request: HttpRequest, pk: int) -> HttpResponse:
    index = get_object_or_404(ParIndexSet, pk=pk)
    agency = get_object_or_404(
        scope(Agency.objects.all(), request.user, "plans.report"),
        code=str(request.POST.get("agency", ""))[:40],
    )
    assessment = services.start_assessment(
        index.pk, agency, request.user, Actor.from_request(request)
    )
    return redirect("plans:par_assessment", pk=assessment.pk)


@login_required
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require_anywhere(user, "plans.view")
    a = get_object_or_404(_assessments(user), pk=pk)
    scores = {s.criterion_id: s for s in a.scores.select_related("criterion")}
    lines = []
    for c in a.index.criteria.order_by("order"):
        rule = services.rule_of(c)
        s = scores.get(c.pk)
        gap = None
        if s is not None and s.appraised_points is not None:
            gap = (s.self_points or 0) - s.appraised_points
        lines.append({"criterion": c, "rule": rule, "score": s, "gap": gap})
    result = services.results(a.index, ParAssessment.objects.filter(pk=a.pk))[0]
    context = {
        "a": a,
        "lines": lines,
        "result": result,
        "can_self": can(user, "plans.report", a.agency),
        "can_appraise": can(user, "plans.approve", a.agency),
    }
    return render(request, "plans/parindex/assessment.html", context)


def _on_score(request: HttpRequest, pk: int, done: str, act: Any) -> HttpResponse:
    score = get_object_or_404(
        ParScore.objects.filter(assessment__in=_assessments(request.user)), pk=pk
    )
    try:
        act(score, Actor.from_request(request))
    except BilingualError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, localized(exc))
    else:
        messages.success(request, done)
    return redirect("plans:par_assessment", pk=score.assessment_id)


@login_required
@require_POST
def self_score(request: HttpRequest, pk: int) -> HttpResponse:
    upload = request.FILES.get("evidence")

    def act(score: ParScore, actor: Actor) -> Any:
        evidence = None
        if upload is not None:
            if (upload.size or 0) > services.evidence_rules.MAX_EVIDENCE_BYTES:
                raise BilingualError(
                    "Tệp minh chứng quá 10 MB.", "The evidence file is over 10 MB."
                )
            evidence = (upload.name or "", upload.read())
        return services.self_score(
            score.pk,
            request.user,
            actor,
            points=str(request.POST.get("points", ""))[:20],
            evidence=evidence,
            reason=str(request.POST.get("reason", ""))[:2000],
        )

    return _on_score(request, pk, _("Đã lưu điểm tự đánh giá."), act)


@login_required
@require_POST
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_score(
        request,
        pk,
        _("Đã nhập kết quả điều tra."),
        lambda score, actor: services.enter_survey(
            score.pk, request.user, actor, value=str(request.POST.get("value", ""))[:20]
        ),
    )


@login_required
@require_POST
def appraise(request: HttpRequest, pk: int) -> HttpResponse:
    return _on_score(
        request,
        pk,
        _("Đã thẩm định tiêu chí."),
        lambda score, actor: services.appraise(
            score.pk,
            request.user,
            actor,
            points=str(request.POST.get("points", ""))[:20],
            comment=str(request.POST.get("comment", ""))[:2000],
        ),
    )


@login_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    require_anywhere(request.user, "plans.view")
    score = get_object_or_404(
        ParScore.objects.filter(assessment__in=_assessments(request.user)).exclude(evidence=""),
        pk=pk,
    )
    types = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
    response = FileResponse(
        score.evidence.open("rb"),
        as_attachment=score.evidence_type not in types,
        filename=f"minh-chung-{score.pk}.{score.evidence_type}",
        content_type=types.get(score.evidence_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
