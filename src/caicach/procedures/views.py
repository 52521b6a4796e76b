"""Pages of the procedure catalogue: list and search, detail with history, publish a version,
create, import and export. Views read input and call :mod:`caicach.procedures.services`;
permissions come from :mod:`caicach.accounts.access` only."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from caicach.accounts.access import allows, can, require, require_anywhere, scope
from caicach.agencies.models import Agency, AgencyKind
from caicach.core.audit import Actor, entries_for
from caicach.procedures import rules, services, workbook
from caicach.procedures.data import ProcedureData, version_data
from caicach.procedures.forms import CreateForm, ImportForm, SearchForm, VersionForms
from caicach.procedures.models import Procedure, ProcedureVersion, WorkflowStep
from caicach.procedures.services import CatalogueImportError, CatalogueRuleError

PAGE_SIZE = 50


def _visible(request: HttpRequest, code: str) -> Procedure:
    """The procedure if the officer may see it; 403 if it exists outside their scope (ADR 0002:
    pages answer 403), 404 if there is no such code."""
    require_anywhere(request.user, "procedures.view")
    procedure = (
        Procedure.objects.visible_to(request.user)
        .select_related("field", "owner_agency")
        .filter(code=code)
        .first()
    )
    if procedure is None:
        if Procedure.objects.filter(code=code).exists():
            raise PermissionDenied(_("Thủ tục này không thuộc phạm vi của bạn."))
        raise Http404(_("Không có thủ tục mã %(code)s.") % {"code": code})
    return procedure


def _with_details(version: ProcedureVersion) -> ProcedureVersion:
    prefetch_related_objects(
        [version],
        "fees",
        "components",
        Prefetch("steps", WorkflowStep.objects.select_related("agency")),
    )
    return version


def _valid_agencies() -> list[Agency]:
    return list(Agency.objects.valid_on(timezone.localdate()).order_by("path"))


@login_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, "procedures.view")
    form = SearchForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    procedures = services.filter_catalogue(
        Procedure.objects.visible_to(request.user), **filters
    ).select_related("field")
    page = Paginator(procedures.in_force(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": bool(filters),
        "today": timezone.localdate(),
        "can_create": allows(request.user, "procedures.change"),
        "can_import": allows(request.user, "procedures.import"),
    }
    return render(request, "procedures/list.html", context, status=400 if form.errors else 200)


def _detail(request: HttpRequest, procedure: Procedure, number: int | None) -> HttpResponse:
    versions = list(procedure.versions.select_related("created_by", "field").order_by("-number"))
    today = timezone.localdate()
    current = rules.current_version(versions, today)
    if number is None:
        shown = current
    else:
        shown = next((v for v in versions if v.number == number), None)
        if shown is None:
            raise Http404(_("Không có phiên bản này."))
    if shown is not None:
        _with_details(shown)
    kinds = set(procedure.handling_agency_kinds)
    handling = list(procedure.handling_agencies.order_by("path"))
    owner = procedure.owner_agency
    context = {
        "procedure": procedure,
        "version": shown,
        "current": current,
        "versions": versions,
        "explicit_agencies": [a for a in handling if a.kind not in kinds],
        "kind_agencies": [a for a in handling if a.kind in kinds],
        "kind_labels": [AgencyKind(k).label for k in sorted(kinds) if k in AgencyKind.values],
        "total_budget": sum((s.budget for s in shown.steps.all()), 0) if shown else 0,
        "can_change": can(request.user, "procedures.change", owner),
        "audit": entries_for(procedure)[:50] if can(request.user, "audit.view", owner) else None,
    }
    return render(request, "procedures/detail.html", context)


@login_required
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _detail(request, _visible(request, code), None)


@login_required
def version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    return _detail(request, _visible(request, code), number)


@login_required
@require_http_methods(["GET", "POST"])
def new_version(request: HttpRequest, code: str) -> HttpResponse:
    """Publish a new version, starting from the latest one's content."""
    procedure = _visible(request, code)
    require(request.user, "procedures.change", procedure.owner_agency)
    base = procedure.versions.select_related("field").order_by("-number").first()
    if base is not None:
        _with_details(base)
    today = timezone.localdate()
    kinds = procedure.handling_agency_kinds
    initial = {
        "handling_agency_kinds": kinds,
        "handling_agencies": [
            a.code for a in procedure.handling_agencies.all() if a.kind not in kinds
        ],
        "effective_from": max(today, base.effective_from + timedelta(days=1)) if base else today,
    }
    forms = VersionForms(
        request.POST if request.method == "POST" else None,
        base=base,
        agencies=_valid_agencies(),
        initial=initial,
    )
    if request.method == "POST" and forms.is_valid():
        data = forms.version_data()
        actor = Actor.from_request(request)
        if base is not None and version_data(base).as_dict() == data.as_dict():
            if services.update_handling(actor, procedure, forms.form.handling()):
                messages.success(
                    request,
                    _(
                        "Đã cập nhật cơ quan giải quyết. Nội dung thủ tục không đổi nên "
                        "không tạo phiên bản mới."
                    ),
                )
                return redirect("procedures:detail", code=procedure.code)
            forms.form.add_error(
                None,
                _("Không có thay đổi nào so với phiên bản %(number)s.") % {"number": base.number},
            )
        else:
            try:
                version = services.publish_version(
                    actor,
                    procedure,
                    data,
                    forms.effective_from,
                    handling=forms.form.handling(),
                )
            except CatalogueRuleError as error:
                forms.show_rule_errors(error.problems)
            else:
                messages.success(
                    request,
                    _("Đã công bố phiên bản %(number)s, áp dụng từ ngày %(day)s.")
                    % {
                        "number": version.number,
                        "day": version.effective_from.strftime("%d/%m/%Y"),
                    },
                )
                return redirect("procedures:detail", code=procedure.code)
    context = {"procedure": procedure, "base": base, "forms": forms}
    return render(
        request,
        "procedures/version_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def procedure_create(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, "procedures.change")
    today = timezone.localdate()
    owners = list(
        scope(Agency.objects.valid_on(today), request.user, "procedures.change").order_by("path")
    )
    forms = VersionForms(
        request.POST if request.method == "POST" else None,
        base=None,
        agencies=_valid_agencies(),
        form_class=CreateForm,
        owners=owners,
    )
    if request.method == "POST" and forms.is_valid():
        form: CreateForm = forms.form
        data = ProcedureData(
            code=form.cleaned_data["code"],
            owner_agency=form.owner(),
            version=forms.version_data(),
            handling=form.handling(),
            effective_from=forms.effective_from,
        )
        try:
            procedure = services.create_procedure(Actor.from_request(request), data)
        except CatalogueRuleError as error:
            forms.show_rule_errors(error.problems)
        else:
            messages.success(request, _("Đã thêm thủ tục %(code)s.") % {"code": procedure.code})
            return redirect("procedures:detail", code=procedure.code)
    return render(
        request,
        "procedures/version_form.html",
        {"procedure": None, "base": None, "forms": forms},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_export(request: HttpRequest) -> HttpResponse:
    """Export the visible catalogue; import a file, all or nothing, showing every error."""
    require_anywhere(request.user, "procedures.view")
    can_import = allows(request.user, "procedures.import")
    form = ImportForm()
    problems = None
    status = 200
    if request.method == "POST":
        require_anywhere(request.user, "procedures.import")
        form = ImportForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                if upload.name.lower().endswith(".xlsx"):
                    rows: Any = services.catalogue_from_xlsx(content)
                else:
                    rows = services.catalogue_from_json(content)
                result = services.import_catalogue(
                    Actor.from_request(request), rows, source=upload.name
                )
            except CatalogueImportError as error:
                problems = error.problems
            else:
                messages.success(
                    request,
                    _(
                        "Đã nhập %(name)s: %(created)s thủ tục mới, %(new_versions)s phiên bản "
                        "mới, %(updated)s thủ tục cập nhật cơ quan giải quyết, %(unchanged)s "
                        "dòng không thay đổi."
                    )
                    % {"name": upload.name, **result.as_dict()},
                )
                return redirect("procedures:import")
    shown = [
        {
            **problem.as_dict(),
            "sheet": workbook.SECTION_LABELS.get(problem.sheet, problem.sheet),
            "label": workbook.column_label(problem.column),
        }
        for problem in (problems or [])[:1000]
    ]
    context = {
        "form": form,
        "problems": shown,
        "problem_count": len(problems or []),
        "can_import": can_import,
        "count": Procedure.objects.visible_to(request.user).count(),
    }
    return render(request, "procedures/import.html", context, status=status)


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The catalogue the officer can see: JSON with history, or XLSX of the latest versions."""
    require_anywhere(request.user, "procedures.view")
    procedures = Procedure.objects.visible_to(request.user)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "json":
        body: bytes = json.dumps(
            services.export_document(procedures), ensure_ascii=False, indent=2
        ).encode()
        content_type = "application/json; charset=utf-8"
    elif fmt == "xlsx":
        body = services.catalogue_to_xlsx(services.export_catalogue(procedures))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404(_("Định dạng xuất không được hỗ trợ."))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="danh-muc-thu-tuc-{stamp}.{fmt}"'
    return response
