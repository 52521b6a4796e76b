"""Pages of the agency tree: list, detail, create, edit, merge.

Every query goes through :func:`caicach.accounts.access.scope`; an agency outside the viewer's
``agencies.view`` scope is a 404 (its existence is not revealed), one the viewer may see but
not change is a 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from caicach.accounts.access import agency_filter, allows, can, require, require_anywhere, scope
from caicach.accounts.errors import FieldError
from caicach.accounts.models import RoleAssignment
from caicach.agencies import services
from caicach.agencies.forms import AgencyForm, AgencySearchForm, MergeForm
from caicach.agencies.models import Agency
from caicach.core.audit import Actor
from caicach.core.i18n import localized
from caicach.core.models import AuditEntry
from caicach.core.text import folded_contains

_LIST_FIELDS = (
    "id",
    "code",
    "name",
    "short_name",
    "kind",
    "level",
    "parent_id",
    "path",
    "depth",
    "valid_from",
    "valid_to",
    "successor__id",
    "successor__name",
    "successor__code",
)


@dataclass
class Node:
    agency: Agency
    children: list[Node] = field(default_factory=list)
    match: bool = False
    open: bool = False


def build_tree(agencies: list[Agency], matches: set[int] | None = None) -> list[Node]:
    """Nest agencies (ordered by path) under their parents; those whose parent is not in the
    list become roots (the top of the viewer's scope, or children of a hidden unit)."""
    nodes = {a.pk: Node(a, match=bool(matches and a.pk in matches)) for a in agencies}
    roots: list[Node] = []
    for agency in agencies:
        parent = nodes.get(agency.parent_id) if agency.parent_id else None
        (parent.children if parent else roots).append(nodes[agency.pk])
    for root in roots:
        root.open = True
    if matches:  # searching: open every branch that leads to a match
        for node in nodes.values():
            node.open = bool(node.children)
    return roots


_CHANGE_LABELS = {
    "recoded_descendants": _lazy("mã mới của đơn vị trực thuộc"),
    "descendants_ended": _lazy("đơn vị trực thuộc hết hiệu lực"),
    "predecessors": _lazy("đơn vị được sáp nhập"),
    "effective_on": _lazy("ngày hiệu lực"),
}


def _label(key: str) -> str:
    if key in _CHANGE_LABELS:
        return str(_CHANGE_LABELS[key])
    try:
        return str(Agency._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


def _text(value: Any) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k} → {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def describe_changes(action: str, changes: dict[str, Any]) -> list[tuple[str, str]]:
    """An audit entry's changes as (label, text) lines: ``old → new`` for edited fields."""
    lines = []
    for key, value in changes.items():
        edited = action != "agency.create" and key in (
            *services.EDITABLE_FIELDS,
            "parent",
            "successor",
        )
        if edited and isinstance(value, list) and len(value) == 2:
            lines.append((_label(key), f"{_text(value[0])} → {_text(value[1])}"))
        else:
            lines.append((_label(key), _text(value)))
    return lines


def _visible(user: Any) -> Any:
    return scope(Agency.objects.all(), user, "agencies.view")


def _form_error(form: Any, error: FieldError) -> None:
    form.add_error(error.field if error.field in form.fields else None, localized(error))


@login_required
def agency_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_anywhere(user, "agencies.view")
    form = AgencySearchForm(request.GET or None)
    query, dissolved = "", False
    if form.is_valid():
        query, dissolved = form.cleaned_data["q"].strip(), form.cleaned_data["dissolved"]
    agencies = _visible(user).select_related("successor").only(*_LIST_FIELDS)
    if not dissolved:
        agencies = agencies.exclude(valid_to__lt=timezone.localdate())
    matches: set[int] | None = None
    if query:
        found = list(agencies.filter(folded_contains(query, "name", "short_name", "code")))
        matches = {a.pk for a in found}
        # Keep the branches above each match (within scope) so the tree still reads.
        above = {int(part) for a in found for part in a.path.split(".") if part}
        rows = list(agencies.filter(pk__in=above - matches)) + found
        rows.sort(key=lambda a: a.path)
    else:
        rows = list(agencies)
    context = {
        "form": form,
        "q": query,
        "dissolved": dissolved,
        "roots": build_tree(rows, matches),
        "count": len(matches) if matches is not None else len(rows),
        "today": timezone.localdate(),
        "can_change": allows(user, "agencies.change"),
    }
    return render(request, "agencies/list.html", context)


@login_required
def agency_detail_view(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    agency = get_object_or_404(_visible(user).select_related("parent", "successor"), code=code)
    visible_ids = set(
        _visible(user)
        .filter(pk__in=[pk for pk in (agency.parent_id, agency.successor_id) if pk])
        .values_list("pk", flat=True)
    )
    officers = None
    if can(user, "officers.view", agency):
        officers = (
            RoleAssignment.objects.filter(agency=agency)
            .select_related("user")
            .order_by("role", "user__full_name")
        )
    audit = None
    if can(user, "audit.view", agency):
        entries = (
            AuditEntry.objects.filter(object_type="agencies.agency", object_id=str(agency.pk))
            .filter(agency_filter(user, "audit.view", "agency"))
            .order_by("-id")[:20]
        )
        audit = [(e, describe_changes(e.action, e.changes)) for e in entries]
    context = {
        "agency": agency,
        "parent_visible": agency.parent_id in visible_ids,
        "successor_visible": agency.successor_id in visible_ids,
        "final_successor": agency.final_successor() if agency.successor_id else None,
        "children": agency.children.select_related("successor").order_by("path"),
        "predecessors": _visible(user).filter(successor=agency).order_by("name"),
        "rollup_count": len(services.rollup_ids(agency)) - 1,
        "officers": officers,
        "audit": audit,
        "can_change": can(user, "agencies.change", agency),
        "today": timezone.localdate(),
    }
    return render(request, "agencies/detail.html", context)


def _parent_choices(user: Any, also: int | None = None) -> Any:
    """Agencies in force within the user's ``agencies.change`` scope (plus ``also``)."""
    condition = agency_filter(user, "agencies.change")
    if also is not None:
        condition |= Q(pk=also)
    return (
        Agency.objects.exclude(valid_to__lt=timezone.localdate())
        .filter(condition)
        .only("id", "code", "name", "path", "depth")
    )


_FORM_FIELDS = services.EDITABLE_FIELDS


@login_required
def agency_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_anywhere(user, "agencies.change")
    parents = _parent_choices(user)
    initial: dict[str, Any] = {"valid_from": timezone.localdate()}
    if parent_code := request.GET.get("parent"):
        parent = parents.filter(code=parent_code).first()
        if parent is not None:
            initial.update(parent=parent, level=parent.level)
    form = AgencyForm(request.POST or None, parents=parents, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agency = services.create_agency(
                Actor.from_request(request),
                parent=data["parent"],
                **{k: data[k] for k in _FORM_FIELDS if k in data},
            )
        except FieldError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Đã thêm %(name)s.") % {"name": agency.name})
            return redirect("agencies:detail", code=agency.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "agencies/form.html", {"form": form, "agency": None}, status=status)


@login_required
def agency_edit_view(request: HttpRequest, code: str) -> HttpResponse:
    user: Any = request.user
    agency = get_object_or_404(_visible(user).select_related("parent"), code=code)
    require(user, "agencies.change", agency)
    is_root = agency.parent_id is None
    initial = {k: getattr(agency, k) for k in _FORM_FIELDS}
    initial["parent"] = agency.parent
    # The current parent stays selectable even when it lies above the editor's scope.
    parents = _parent_choices(user, also=agency.parent_id).exclude(path__startswith=agency.path)
    form = AgencyForm(request.POST or None, parents=parents, root=is_root, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in _FORM_FIELDS if k in data}
        if not is_root:
            fields["parent"] = data["parent"]
        try:
            agency = services.update_agency(Actor.from_request(request), agency, **fields)
        except FieldError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("agencies:detail", code=agency.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "agencies/form.html", {"form": form, "agency": agency}, status=status)


@login_required
def agency_merge_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_anywhere(user, "agencies.change")
    agencies = _parent_choices(user)
    initial: dict[str, Any] = {}
    if into := request.GET.get("into"):
        initial["successor"] = agencies.filter(code=into).first()
    if source := request.GET.get("from"):
        initial["predecessors"] = list(agencies.filter(code=source))
    form = MergeForm(request.POST or None, agencies=agencies, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.merge_agencies(
                Actor.from_request(request),
                data["predecessors"],
                data["successor"],
                data["effective_on"],
            )
        except FieldError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("Đã sáp nhập %(count)s đơn vị vào %(name)s.")
                % {"count": len(data["predecessors"]), "name": data["successor"].name},
            )
            return redirect("agencies:detail", code=data["successor"].code)
    status = 400 if request.method == "POST" else 200
    return render(request, "agencies/merge.html", {"form": form}, status=status)
