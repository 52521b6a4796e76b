"""The periodic reports' pages (issue 15): the reports in the caller's scope, one report (its
live figures and targets, the narrative per domain, evidence, submit; approve or return for the
reform office), the review queue, each kept version, Word/PDF export, the consolidated report
and the completeness page. Thin: rules in ``services``, scoping through ``accounts.access``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from caicach.accounts.access import can, require, require_anywhere, scope
from caicach.agencies.models import Agency
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized
from caicach.core.tables import FORMATS as TABLE_FORMATS
from caicach.core.tables import Table, download
from caicach.metrics.periods import Period
from caicach.plans.models import DomainCode, ReportingDuty
from caicach.plans.reporting import services
from caicach.plans.reporting.completeness import completeness, missing_reports
from caicach.plans.reporting.document import consolidated_document, report_document
from caicach.plans.reporting.models import Report, ReportEvidence, ReportStatus, ReportVersion
from caicach.plans.views import STATUS


def _shown(content: dict[str, Any]) -> dict[str, Any]:
    """The content with its units and statuses in words, for the pages."""
    figures = [{**f, "unit": UNIT_WORDS.get(f["unit"], f["unit"])} for f in content["figures"]]
    targets = [
        {
            **t,
            "unit": UNIT_WORDS.get(t["unit"], t["unit"]),
            "status_label": STATUS_WORDS.get(t["status"], ""),
        }
        for t in content["targets"]
    ]
    return {**content, "figures": figures, "targets": targets}


#: The units of the KPIs and targets in words (the registry's codes otherwise).
UNIT_WORDS = {
    "working_days": gettext_lazy("ngày làm việc"),
    "per_dossier": gettext_lazy("lần/hồ sơ"),
    "count": "",
    "rank": gettext_lazy("hạng"),
    "tier": gettext_lazy("nhóm"),
}
STATUS_WORDS = {code: label for code, (_css, label) in STATUS.items()}
STATUS_CSS = {"draft": "", "submitted": "warn", "returned": "bad", "approved": "ok"}


def _report(request: HttpRequest, pk: int) -> Report:
    require_anywhere(request.user, "plans.view")
    qs = services.visible_reports(request.user).select_related("agency", "duty", "duty__plan")
    return get_object_or_404(qs, pk=pk)


def _send(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports of the caller's agencies: the ones to write first."""
    user = request.user
    require_anywhere(user, "plans.view")
    status = request.GET.get("tinh-trang", "")
    rows = services.visible_reports(user).select_related("agency", "duty")
    if status in ReportStatus.values:
        rows = rows.filter(status=status)
    writable = scope(Report.objects.all(), user, "plans.report", "agency").values("pk")
    rows = rows.order_by("-period_last", "agency__path", "duty_id")[:300]
    editable = set(
        Report.objects.filter(pk__in=writable, status__in=services.EDITABLE).values_list(
            "pk", flat=True
        )
    )
    context = {
        "reports": rows,
        "editable": editable,
        "status": status,
        "statuses": ReportStatus.choices,
        "css": STATUS_CSS,
        "today": timezone.localdate(),
        "can_review": _has_approve(user),
    }
    return render(request, "plans/reporting/list.html", context)


def _has_approve(user: Any) -> bool:
    from caicach.accounts.access import scope_paths

    return bool(scope_paths(user, "plans.approve"))


def _narrative_from(post: Any) -> dict[str, str]:
    return {
        c.value: str(post.get(f"n-{c.value}", ""))[: services.NARRATIVE_MAX + 1] for c in DomainCode
    }


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    user = request.user
    error, status = "", 200
    if request.method == "POST":
        actor = Actor.from_request(request)
        action = request.POST.get("action", "")
        try:
            if action == "submit":
                version = services.submit(user, actor, pk, narrative=_narrative_from(request.POST))
                messages.success(
                    request,
                    _("Đã gửi báo cáo (phiên bản %(n)s); chờ Ban CCHC duyệt.")
                    % {"n": version.number},
                )
            elif action == "save":
                services.save_narrative(user, actor, pk, _narrative_from(request.POST))
                messages.success(request, _("Đã lưu nội dung báo cáo."))
            elif action == "evidence":
                upload = request.FILES.get("evidence")
                if upload is None:
                    raise BilingualError("Chọn tệp minh chứng.", "Choose an evidence file.")
                if (upload.size or 0) > services.MAX_EVIDENCE_BYTES:
                    raise services.too_large()
                services.add_evidence(user, actor, pk, upload.name or "", upload.read())
                messages.success(request, _("Đã đính kèm minh chứng."))
            elif action == "approve":
                services.approve(user, actor, pk, str(request.POST.get("comment", "")))
                messages.success(request, _("Đã duyệt báo cáo."))
            elif action == "return":
                services.give_back(user, actor, pk, str(request.POST.get("comment", "")))
                messages.success(request, _("Đã trả lại báo cáo."))
            else:
                raise BilingualError("Thao tác không hợp lệ.", "Unknown action.")
        except PermissionDenied:
            raise
        except BilingualError as exc:
            if exc.status == 404:
                raise Http404 from None
            error = localized(exc)
            status = exc.status if exc.status in (400, 403, 409) else 400
        else:
            return redirect("plans:reporting:detail", pk=pk)
        report.refresh_from_db()
    may_edit = report.status in services.EDITABLE and can(user, "plans.report", report.agency)
    may_review = report.status == ReportStatus.SUBMITTED and can(
        user, "plans.approve", report.agency
    )
    latest = report.versions.order_by("-number").first()
    content = latest.content if latest is not None and not may_edit else None
    if content is None:
        content = services.content_of(report)
    narrative = request.POST if error and request.method == "POST" else None
    domains = [
        {
            "code": c.value,
            "label": c.label,
            "text": str(narrative.get(f"n-{c.value}", ""))
            if narrative
            else report.narrative.get(c.value, ""),
        }
        for c in _plan_domains(report)
    ]
    context = {
        "report": report,
        "content": _shown(content),
        "domains": domains,
        "may_edit": may_edit,
        "may_review": may_review,
        "not_due": report.period_last >= timezone.localdate(),
        "evidence": report.evidence.all(),
        "versions": report.versions.select_related("submitted_by").order_by("-number"),
        "error": error,
        "css": STATUS_CSS,
    }
    return render(request, "plans/reporting/detail.html", context, status=status)


def _plan_domains(report: Report) -> list[DomainCode]:
    """The reform domains the plan names, in its order; all of them when it names none."""
    codes = list(report.duty.plan.domains.order_by("order").values_list("code", flat=True))
    named = [DomainCode(c) for c in dict.fromkeys(codes)]
    return named or list(DomainCode)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """The submitted reports the caller may approve or return, oldest first; the form asking an
    agency for an ad hoc report."""
    user = request.user
    if not _has_approve(user):
        raise PermissionDenied
    today = timezone.localdate()
    duties = list(
        scope(
            ReportingDuty.objects.select_related("plan"), user, "plans.approve", "plan__agency"
        ).order_by("plan__code", "order")[:200]
    )
    agencies = list(
        scope(Agency.objects.valid_on(today), user, "plans.approve").order_by("path")[:500]
    )
    form = {k: str(request.POST.get(k, ""))[:40] for k in ("duty", "agency", "first", "last")}
    error = ""
    if request.method == "POST":
        duty = next((d for d in duties if str(d.pk) == form["duty"]), None)
        agency = next((a for a in agencies if a.code == form["agency"]), None)
        first, last = _day(form["first"]), _day(form["last"])
        try:
            if duty is None or agency is None or first is None or last is None:
                raise BilingualError(
                    "Chọn chế độ báo cáo, cơ quan và nhập ngày đầu, ngày cuối kỳ (năm-tháng-ngày).",
                    "Choose the duty and the agency and give the first and last days (YYYY-MM-DD).",
                )
            row = services.request_ad_hoc(
                user, Actor.from_request(request), duty, agency, first, last
            )
        except BilingualError as exc:
            error = localized(exc)
        else:
            messages.success(
                request,
                _("Đã yêu cầu báo cáo đột xuất, hạn gửi %(d)s.") % {"d": f"{row.due:%d/%m/%Y}"},
            )
            return redirect("plans:reporting:queue")
    rows = (
        scope(Report.objects.filter(status=ReportStatus.SUBMITTED), user, "plans.approve", "agency")
        .select_related("agency", "duty", "submitted_by")
        .order_by("submitted_at")[:300]
    )
    context = {
        "reports": rows,
        "duties": duties,
        "agencies": agencies,
        "form": form,
        "error": error,
    }
    return render(request, "plans/reporting/queue.html", context, status=400 if error else 200)


@login_required
@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    report = _report(request, pk)
    version = get_object_or_404(
        ReportVersion.objects.select_related("submitted_by"), report=report, number=number
    )
    narrative = [
        (c.label, version.content["narrative"][c.value])
        for c in DomainCode
        if version.content["narrative"].get(c.value)
    ]
    context = {
        "report": report,
        "version": version,
        "content": _shown(version.content),
        "narrative": narrative,
    }
    return render(request, "plans/reporting/version.html", context)


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    report = _report(request, pk)
    row = get_object_or_404(ReportEvidence, report=report, pk=file_id)
    types = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
    response = FileResponse(
        row.file.open("rb"),
        as_attachment=row.kind not in types,
        filename=f"minh-chung-{report.pk}-{row.pk}.{row.kind}",
        content_type=types.get(row.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """One report as Word or PDF: a version (``?v=N``, default the latest), else the draft."""
    from caicach.metrics.documents.jobs import FORMATS

    report = _report(request, pk)
    if fmt not in FORMATS:
        raise Http404
    number = request.GET.get("v", "")
    versions = report.versions.order_by("-number")
    version = versions.filter(number=int(number)).first() if number.isdigit() else versions.first()
    if number and version is None:
        raise Http404
    content = version.content if version is not None else services.content_of(report)
    period = Period(report.period_first, report.period_last, report.period_kind)
    doc = report_document(report.agency, period, content, version.number if version else None)
    content_type, write = FORMATS[fmt]
    return _send(write(doc), content_type, f"{doc.filename}.{fmt}")


@login_required
@require_GET
def consolidated(request: HttpRequest, duty_id: int, period: str, fmt: str) -> HttpResponse:
    """The plan agency's consolidated report of a duty and period from the APPROVED reports
    (for whoever may read the plan agency's plans)."""
    from caicach.metrics.documents.jobs import FORMATS

    require_anywhere(request.user, "plans.view")
    duty = get_object_or_404(ReportingDuty.objects.select_related("plan__agency"), pk=duty_id)
    province = duty.plan.agency
    require(request.user, "plans.view", province)
    if fmt not in FORMATS:
        raise Http404
    rows = (
        Report.objects.filter(duty=duty, period=period[:30], status=ReportStatus.APPROVED)
        .select_related("agency")
        .order_by("agency__path")
    )
    items = []
    for report in rows:
        latest = report.versions.order_by("-number").first()
        if latest is not None:
            items.append((report.agency, latest.content))
    if not items:
        raise Http404
    first = rows[0]
    span = Period(first.period_first, first.period_last, first.period_kind)
    doc = consolidated_document(province, span, duty.subject, items)
    content_type, write = FORMATS[fmt]
    return _send(write(doc), content_type, f"{doc.filename}.{fmt}")


def _year(text: str) -> int | None:
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else None


@login_required
@require_GET
def completeness_page(request: HttpRequest) -> HttpResponse:
    """Reporting completeness and timeliness per agency (DHIS2 reporting rates)."""
    user = request.user
    require_anywhere(user, "plans.view")
    today = timezone.localdate()
    year = _year(request.GET.get("nam", "")) or today.year
    rows, total = completeness(user, today, year=year)
    fmt = request.GET.get("tai", "")
    if fmt in TABLE_FORMATS:
        table = Table(
            title=_("Tính đầy đủ, kịp thời của báo cáo năm %(y)s") % {"y": year},
            columns=[
                _("Mã cơ quan"),
                _("Cơ quan"),
                _("Phải gửi"),
                _("Đã gửi"),
                _("Đúng hạn"),
                _("Tỷ lệ gửi (%)"),
                _("Tỷ lệ đúng hạn (%)"),
            ],
            rows=[
                [
                    r.agency_code,
                    r.agency_name,
                    r.rate.expected,
                    r.rate.submitted,
                    r.rate.on_time,
                    r.rate.reporting_rate,
                    r.rate.on_time_rate,
                ]
                for r in rows
            ],
        )
        return download(table, fmt, f"bao-cao-day-du-{year}")
    duties = (
        Report.objects.filter(
            pk__in=services.visible_reports(user).filter(status=ReportStatus.APPROVED).values("pk")
        )
        .values("duty_id", "duty__subject", "period", "period_last")
        .distinct()
        .order_by("-period_last", "duty_id")[:40]
    )
    context = {
        "rows": rows,
        "total": total,
        "year": year,
        "years": range(today.year, today.year - 6, -1),
        "missing": missing_reports(user, today)[:50],
        "consolidated": duties,
    }
    return render(request, "plans/reporting/completeness.html", context)
