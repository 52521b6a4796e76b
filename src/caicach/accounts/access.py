"""The one place that decides what an officer may see and do.

Every list, page and API endpoint that shows agency-owned data passes its queryset through
:func:`scope`, and every change is checked with :func:`require`. A permission is an *action*
(``"procedures.change"``) granted to roles in :data:`PERMISSIONS`; a role assignment grants its
actions over its agency and the whole subtree below it. Least privilege: an action not in the
table is granted to nobody, and citizens and anonymous users get nothing here.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from caicach.accounts.models import Role, RoleAssignment, User, UserKind

R = Role
ALL_OFFICERS = frozenset(Role)

#: Which roles may do what. Read-only roles (inspector) appear only on "view" actions.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "agencies.view": ALL_OFFICERS,
    "agencies.change": frozenset({R.ADMIN}),
    "officers.view": frozenset({R.UNIT_LEADER, R.AGENCY_LEADER, R.ADMIN, R.INSPECTOR}),
    "officers.change": frozenset({R.ADMIN}),
    "calendars.view": ALL_OFFICERS,
    "calendars.change": frozenset({R.ADMIN}),
    "procedures.view": ALL_OFFICERS,
    "procedures.change": frozenset({R.ADMIN, R.REFORM_OFFICER}),
    "procedures.import": frozenset({R.ADMIN}),
    "audit.view": frozenset({R.ADMIN, R.INSPECTOR, R.REFORM_OFFICER}),
    # Dossiers: "view" scopes every list and page; the others are one per workflow role
    # (caicach.dossiers.workflow.Role), checked over the agency holding the dossier.
    "dossiers.view": ALL_OFFICERS,
    "dossiers.receive": frozenset({R.RECEIVER}),
    "dossiers.process": frozenset({R.PROCESSOR}),
    "dossiers.lead_unit": frozenset({R.UNIT_LEADER}),
    "dossiers.lead_agency": frozenset({R.AGENCY_LEADER}),
    "dossiers.administer": frozenset({R.ADMIN}),
    # Apology and lateness figures per agency (leaders, reform office, inspectors, read-only);
    # the dossier register (sổ theo dõi hồ sơ) needs only "dossiers.view".
    "reports.view": frozenset(
        {R.UNIT_LEADER, R.AGENCY_LEADER, R.REFORM_OFFICER, R.INSPECTOR, R.ADMIN}
    ),
    # Answering a consultation or a cooperation request addressed to the agency (NĐ 61/2018
    # art. 19), checked over the agency asked, not the one holding the dossier.
    "dossiers.reply": frozenset({R.PROCESSOR, R.UNIT_LEADER, R.AGENCY_LEADER}),
    # Reform plans (issue 15): leaders, the reform office and inspectors read the plans of their
    # subtree; an agency's leaders submit its reported values; the reform office approves or
    # returns them, imports plans and decides corrective proposals.
    "plans.view": frozenset(
        {R.UNIT_LEADER, R.AGENCY_LEADER, R.REFORM_OFFICER, R.INSPECTOR, R.ADMIN}
    ),
    "plans.report": frozenset({R.UNIT_LEADER, R.AGENCY_LEADER}),
    "plans.approve": frozenset({R.REFORM_OFFICER}),
    # Reform inspections (issue 15, plans/inspections): the reform office's inspection teams
    # plan and run them, draw samples, record findings and turn them into tasks. The inspector
    # role stays read-only everywhere (issue 15: "inspectors read"; tests/test_scoping.py).
    "plans.inspect": frozenset({R.REFORM_OFFICER}),
}

#: Actions granted over the whole tree to every role that has them, wherever its assignment is:
#: reading the public catalogue of procedures (published for everyone to read) is
#: not doing anything with them, so every officer reads all of it (changing stays scoped).
WHOLE_TREE_ACTIONS = frozenset({"procedures.view"})

#: The kind and level of a provincial Public Administration Service Centre (*Trung tâm Phục vụ
#: hành chính công tỉnh*): since 01/7/2025 it receives for every authority of the province
#: regardless of administrative boundary (NĐ 118/2025; regulations.md, "two tiers").
SERVICE_CENTRE_KIND = "service_centre"
PROVINCE_LEVEL = "province"

#: Roles for which a second factor is required when ``OTP_REQUIRED_FOR_PRIVILEGED`` is on.
PRIVILEGED_ROLES = frozenset({R.ADMIN, R.AGENCY_LEADER, R.UNIT_LEADER})

M = TypeVar("M", bound=models.Model)


def _active_assignments(user: Any, today: date | None = None) -> list[RoleAssignment]:
    """The user's role assignments in force today, cached on the user object for the request."""
    if user is None or not user.is_authenticated or user.kind != UserKind.OFFICER:
        return []
    if not user.is_active:
        return []
    cached = getattr(user, "_caicach_assignments", None)
    if cached is None:
        today = today or timezone.localdate()
        cached = [
            a
            for a in RoleAssignment.objects.filter(user=user).select_related("agency")
            if (a.valid_from is None or a.valid_from <= today)
            and (a.valid_to is None or a.valid_to >= today)
        ]
        user._caicach_assignments = cached
    return cached


def roles_of(user: Any) -> set[Role]:
    return {Role(a.role) for a in _active_assignments(user)}


def has_privileged_role(user: Any) -> bool:
    return bool(roles_of(user) & PRIVILEGED_ROLES) or bool(getattr(user, "is_superuser", False))


def _granted_paths(user: Any, action: str) -> list[str]:
    """The paths of the user's own assignments granting ``action`` (nested ones folded away)."""
    granted = PERMISSIONS.get(action, frozenset())
    paths = sorted({a.agency.path for a in _active_assignments(user) if a.role in granted})
    folded: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in folded):
            folded.append(path)
    return folded


def scope_paths(user: Any, action: str) -> list[str]:
    """The tree paths under which ``user`` may do ``action`` (nested ones folded away); the
    tree's roots for an action of :data:`WHOLE_TREE_ACTIONS`."""
    paths = _granted_paths(user, action)
    if paths and action in WHOLE_TREE_ACTIONS:
        return _roots(user)
    return paths


def _roots(user: Any) -> list[str]:
    """The paths of the tree's roots (one query, cached on the user for the request)."""
    cached = getattr(user, "_caicach_roots", None)
    if cached is None:
        cached = sorted(
            _agency_model().objects.filter(parent__isnull=True).values_list("path", flat=True)
        )
        user._caicach_roots = cached
    return list(cached)


def receipt_reach(user: Any) -> tuple[list[str], list[str]]:
    """Where the agencies handling the procedures ``user``'s desks receive sit, as
    ``(subtrees, single agencies)`` paths: the one rule for the intake procedure picker.

    A desk receives for its own agency's tree and for the agencies above it (the desk of a
    department receives for the department). A provincial service centre receives for every
    authority of the province (its parent's whole tree). Reaching a procedure is not the right
    to receive at another desk: the receiving agency is still checked with ``dossiers.receive``.
    """
    granted = PERMISSIONS["dossiers.receive"]
    subtrees: set[str] = set()
    singles: set[str] = set()
    for assignment in _active_assignments(user):
        if assignment.role not in granted:
            continue
        desk = assignment.agency
        parts = desk.path.rstrip(".").split(".")
        above = [".".join(parts[: i + 1]) + "." for i in range(len(parts) - 1)]
        if desk.kind == SERVICE_CENTRE_KIND and desk.level == PROVINCE_LEVEL and above:
            subtrees.add(above[-1])
        else:
            subtrees.add(desk.path)
        singles.update(above)
    return sorted(subtrees), sorted(singles)


def allows(user: Any, action: str) -> bool:
    """May ``user`` do ``action`` anywhere at all (for menus and page-level checks)?"""
    return bool(_granted_paths(user, action))


def agency_filter(user: Any, action: str, field: str = "") -> models.Q:
    """A ``Q`` that keeps rows whose agency (reached through ``field``) is in the user's scope.

    ``field`` is the lookup from the model to its agency (``"agency"``,
    ``"handling_agencies"``); empty for the Agency model itself. No scope gives a ``Q`` that
    matches nothing.
    """
    if action in WHOLE_TREE_ACTIONS:
        # Every row, with or without an agency, for anyone holding the action at all.
        return models.Q() if _granted_paths(user, action) else models.Q(pk__in=[])
    paths = scope_paths(user, action)
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    if not paths:
        return models.Q(pk__in=[])
    condition = models.Q()
    for path in paths:
        condition |= models.Q(**{lookup: path})
    return condition


def scope_agency_ids(user: Any, action: str) -> list[int] | None:
    """The ids of the agencies under which ``user`` may do ``action`` (the same rule as
    :func:`agency_filter`), or ``None`` when that is every agency of the tree (no filter is
    needed). One query over the agency table, cached on the user for the request; lets big
    tables match plain foreign-key columns with their indexes."""
    if action in WHOLE_TREE_ACTIONS:
        return None if _granted_paths(user, action) else []
    paths = scope_paths(user, action)
    if not paths:
        return []
    cache: dict[str, list[int] | None] = user.__dict__.setdefault("_caicach_scope_ids", {})
    if action not in cache:
        rows = list(_agency_model().objects.order_by().values_list("id", "path"))
        prefixes = tuple(paths)
        ids = sorted(pk for pk, path in rows if path.startswith(prefixes))
        cache[action] = None if len(ids) == len(rows) else ids
    return cache[action]


def _agency_model() -> Any:
    """The agency tree's model, reached through the role assignment's foreign key: the access
    rules sit below the agencies app and do not import it (docs/architecture.md, "Layers")."""
    return RoleAssignment._meta.get_field("agency").related_model


def scope(
    queryset: models.QuerySet[M], user: Any, action: str, field: str = ""
) -> models.QuerySet[M]:
    """``queryset`` restricted to what ``user`` may ``action``: the rule for every list."""
    filtered = queryset.filter(agency_filter(user, action, field))
    # A many-valued ``field`` may match a row once per agency in scope.
    return filtered.distinct() if field and _is_many(queryset.model, field) else filtered


def _is_many(model: type[models.Model], field: str) -> bool:
    current: Any = model
    for part in field.split("__"):
        f = current._meta.get_field(part)
        if f.many_to_many or f.one_to_many:
            return True
        current = f.related_model
    return False


def can(user: Any, action: str, agency: Any) -> bool:
    """May ``user`` do ``action`` on something owned by ``agency``?"""
    if agency is None:
        return False
    if action in WHOLE_TREE_ACTIONS:
        return bool(_granted_paths(user, action))
    return any(agency.path.startswith(path) for path in scope_paths(user, action))


def can_any(user: Any, action: str, agencies: Any) -> bool:
    return any(can(user, action, agency) for agency in agencies)


def require(user: Any, action: str, agency: Any) -> None:
    """Raise ``PermissionDenied`` (a 403) unless :func:`can` allows it."""
    if not can(user, action, agency):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))


def require_anywhere(user: Any, action: str) -> None:
    if not allows(user, action):
        raise PermissionDenied(_("Bạn không có quyền truy cập chức năng này."))


def officers_in_scope(user: Any, action: str = "officers.view") -> models.QuerySet[User]:
    """Officer accounts holding at least one role (current or not) over an agency in the
    user's scope for ``action``: the rule for the officers list and every officer lookup."""
    assignments = RoleAssignment.objects.filter(
        agency_filter(user, action, "agency"), user=models.OuterRef("pk")
    )
    return User.objects.filter(kind=UserKind.OFFICER).filter(models.Exists(assignments))


def officers_with(action: str, agency: Any, today: date | None = None) -> models.QuerySet[User]:
    """Active officers who may do ``action`` on something owned by ``agency`` today: a role
    granting it, in force today, on ``agency`` or an agency above it. The reverse of
    :func:`can`, for choosing whom to notify (e.g. the leaders of the unit holding a dossier)."""
    granted = PERMISSIONS.get(action, frozenset())
    if agency is None or not granted:
        return User.objects.none()
    today = today or timezone.localdate()
    path = agency.path
    ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "."]
    assignments = RoleAssignment.objects.filter(
        models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=today),
        models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=today),
        user=models.OuterRef("pk"),
        role__in=[r.value for r in granted],
        agency__path__in=ancestors,
    )
    return User.objects.filter(kind=UserKind.OFFICER, is_active=True).filter(
        models.Exists(assignments)
    )


def can_all(user: Any, action: str, agencies: Any) -> bool:
    """May ``user`` do ``action`` on every one of ``agencies`` (and there is at least one)?

    For changes that reach beyond one agency, such as deactivating an officer who also holds
    roles elsewhere.
    """
    agencies = list(agencies)
    return bool(agencies) and all(can(user, action, agency) for agency in agencies)
