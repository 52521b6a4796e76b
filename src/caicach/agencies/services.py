"""Changes to the agency tree, and the history roll-up of merged units.

Every change is one transaction with its audit entry, checks the actor's ``agencies.change``
scope, and validates codes: a child's code must extend its parent's code by exactly one level
(TT 10/2016, as the demo data and the national lists do), so a unit's code says where it sits.

Regulations §0: from 01/7/2025 districts are gone and communes merged. A merged unit keeps its
rows (dossiers, metrics) and gets ``valid_to`` and a ``successor``; :func:`history_agencies`
rolls its history up to the unit that replaced it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from caicach.accounts.errors import FieldError, require_actor
from caicach.agencies.codes import AgencyCode, AgencyCodeError, child_code_hint, parse_agency_code
from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.core.audit import Actor, diff, record

#: Day the district level was abolished (regulations §0).
DISTRICTS_ABOLISHED = date(2025, 7, 1)

#: Fields a create or update may set directly (``successor`` only through a merge).
EDITABLE_FIELDS = (
    "code",
    "name",
    "short_name",
    "kind",
    "level",
    "valid_from",
    "valid_to",
    "address",
    "phone",
    "email",
)


def _snapshot(agency: Agency) -> dict[str, Any]:
    data: dict[str, Any] = {field: getattr(agency, field) for field in EDITABLE_FIELDS}
    data["parent"] = agency.parent.code if agency.parent_id and agency.parent else None
    data["successor"] = agency.successor.code if agency.successor_id and agency.successor else None
    return data


def _parse(code: str, field: str = "code") -> AgencyCode:
    try:
        return parse_agency_code(code)
    except AgencyCodeError as error:
        raise FieldError(
            field, str(error), f"“{code}” is not a code in the format V1V2V3.Z1Z2.Y1Y2.MX1X2."
        ) from error


def _check_code_under(code: AgencyCode, parent: Agency | None) -> None:
    if parent is None:
        return
    parent_code = parse_agency_code(parent.code)
    if not code.is_child_of(parent_code):
        hint = child_code_hint(parent_code)
        raise FieldError(
            "code",
            _(
                "Mã %(code)s không khớp với cơ quan cấp trên %(parent)s: mã của đơn vị trực thuộc "
                "giữ nguyên các cấp của cơ quan cấp trên và điền thêm đúng một cấp%(hint)s."
            )
            % {
                "code": code,
                "parent": parent.code,
                "hint": _(" (ví dụ %(example)s)") % {"example": hint} if hint else "",
            },
            f"Code {code} does not extend the parent's code {parent.code} by one level.",
            code="code_mismatch",
        )


def _check_fields(agency: Agency) -> None:
    """Rules on one agency's own fields, with messages people can act on."""
    if not agency.name.strip():
        raise FieldError("name", _("Hãy nhập tên cơ quan."), "A name is required.")
    if agency.kind not in AgencyKind.values:
        raise FieldError("kind", _("Loại cơ quan không hợp lệ."), "Unknown kind.")
    if agency.level not in AgencyLevel.values:
        raise FieldError("level", _("Cấp không hợp lệ."), "Unknown level.")
    if agency.valid_from is None:
        raise FieldError(
            "valid_from", _("Hãy nhập ngày bắt đầu hiệu lực."), "A start date is required."
        )
    if agency.valid_to is not None and agency.valid_to < agency.valid_from:
        raise FieldError(
            "valid_to",
            _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."),
            "The end date must not be before the start date.",
        )
    if agency.kind == AgencyKind.COMMUNE and agency.level != AgencyLevel.COMMUNE:
        raise FieldError(
            "level", _("Ủy ban nhân dân xã, phường thuộc cấp xã."), "A commune is commune-level."
        )
    if agency.kind == AgencyKind.DISTRICT and agency.level != AgencyLevel.DISTRICT:
        raise FieldError(
            "level",
            _("Ủy ban nhân dân huyện thuộc cấp huyện (cũ)."),
            "A district committee is district-level.",
        )
    if agency.level == AgencyLevel.DISTRICT and (
        agency.valid_to is None or agency.valid_to >= DISTRICTS_ABOLISHED
    ):
        raise FieldError(
            "valid_to",
            _(
                "Cấp huyện đã bãi bỏ từ ngày 01/7/2025: cơ quan cấp huyện phải hết hiệu lực chậm nhất ngày 30/6/2025."
            ),
            "The district level was abolished on 1 July 2025: a district body must end by 30 June 2025.",
        )


def _check_unique_code(code: str, exclude_pk: int | None = None) -> None:
    others = Agency.objects.filter(code=code)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise FieldError(
            "code",
            _("Mã %(code)s đã được dùng cho cơ quan khác.") % {"code": code},
            f"The code {code} is already used.",
            code="duplicate",
        )


def _save(agency: Agency) -> None:
    try:
        with transaction.atomic():
            agency.save()
    except IntegrityError as error:  # a concurrent insert of the same code
        raise FieldError(
            "code",
            _("Mã %(code)s đã được dùng cho cơ quan khác.") % {"code": agency.code},
            f"The code {agency.code} is already used.",
            code="duplicate",
        ) from error


@transaction.atomic
def create_agency(actor: Actor, *, parent: Agency | None, **fields: Any) -> Agency:
    """A new agency under ``parent`` (in the actor's scope). Root agencies (no parent) are
    made only by named system actors, such as the demo loader."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise FieldError(
            None,
            _("Trường không hợp lệ: %(f)s") % {"f": ", ".join(sorted(unknown))},
            "Unknown fields.",
        )
    if parent is None and actor.user is not None:
        raise FieldError("parent", _("Hãy chọn cơ quan cấp trên."), "Choose a parent agency.")
    require_actor(actor, "agencies.change", parent)
    agency = Agency(parent=parent, **fields)
    agency.code = (agency.code or "").strip().upper()
    parsed = _parse(agency.code)
    agency.code = str(parsed)
    _check_fields(agency)
    _check_code_under(parsed, parent)
    _check_unique_code(agency.code)
    if (
        parent is not None
        and parent.valid_to is not None
        and parent.valid_to < timezone.localdate()
    ):
        raise FieldError(
            "parent",
            _("Cơ quan cấp trên đã hết hiệu lực."),
            "The parent agency is no longer in force.",
        )
    _save(agency)
    record(actor, "agency.create", agency, agency=agency, changes=_snapshot(agency))
    return agency


@transaction.atomic
def update_agency(actor: Actor, agency: Agency, **fields: Any) -> Agency:
    """Change an agency's own fields. ``parent`` may be given too: it moves the agency (see
    :func:`move_agency`). A new code re-codes the whole subtree below it."""
    agency = (
        Agency.objects.select_for_update(of=("self",))
        .select_related("parent", "successor")
        .get(pk=agency.pk)
    )
    require_actor(actor, "agencies.change", agency)
    parent = fields.pop("parent", agency.parent)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise FieldError(
            None,
            _("Trường không hợp lệ: %(f)s") % {"f": ", ".join(sorted(unknown))},
            "Unknown fields.",
        )
    before = _snapshot(agency)
    old_code = parse_agency_code(agency.code)
    moved = (parent.pk if parent else None) != agency.parent_id
    if moved:
        _move(actor, agency, parent, fields.get("code", agency.code))
    for key, value in fields.items():
        setattr(agency, key, value)
    parsed = _parse((agency.code or "").strip().upper())
    agency.code = str(parsed)
    _check_fields(agency)
    if moved or parsed != old_code:  # legacy codes stay editable until they are touched
        _check_code_under(parsed, agency.parent)
    _check_unique_code(agency.code, exclude_pk=agency.pk)
    _save(agency)
    recoded = _recode_subtree(agency, old_code, parsed)
    changes = diff(before, _snapshot(agency))
    if recoded:
        changes["recoded_descendants"] = recoded
    if changes:
        action = "agency.move" if moved else "agency.update"
        record(actor, action, agency, agency=agency, changes=changes)
    return agency


def _move(actor: Actor, agency: Agency, parent: Agency | None, code: str) -> None:
    """Re-parent ``agency`` (caller holds the transaction and saves the agency)."""
    if parent is None:
        raise FieldError("parent", _("Hãy chọn cơ quan cấp trên."), "Choose a parent agency.")
    require_actor(actor, "agencies.change", parent)
    if parent.pk == agency.pk or parent.path.startswith(agency.path):
        raise FieldError(
            "parent",
            _("Không thể chuyển một cơ quan vào chính nó hoặc đơn vị trực thuộc của nó."),
            "An agency cannot move under itself or its own subtree.",
        )
    if parent.valid_to is not None and parent.valid_to < timezone.localdate():
        raise FieldError(
            "parent",
            _("Cơ quan cấp trên đã hết hiệu lực."),
            "The parent agency is no longer in force.",
        )
    _check_code_under(_parse(code.strip().upper()), parent)
    agency.parent = parent


@transaction.atomic
def move_agency(
    actor: Actor, agency: Agency, new_parent: Agency, code: str | None = None
) -> Agency:
    """Put ``agency`` (with its subtree) under ``new_parent``. Its code must fit the new
    parent: pass ``code`` when it changes; the descendants' codes follow automatically."""
    return update_agency(actor, agency, parent=new_parent, code=code or agency.code)


def _recode_subtree(agency: Agency, old: AgencyCode, new: AgencyCode) -> dict[str, str]:
    """Give descendants whose codes extend ``old`` the same levels under ``new``."""
    if old == new:
        return {}
    renamed: dict[str, str] = {}
    descendants = list(Agency.objects.filter(path__startswith=agency.path).exclude(pk=agency.pk))
    for child in descendants:
        try:
            child_code = parse_agency_code(child.code)
        except AgencyCodeError:
            continue
        if not child_code.is_descendant_of(old):
            continue
        try:
            renamed[child.code] = str(child_code.rebased(old, new))
        except AgencyCodeError as error:
            raise FieldError(
                "code",
                _("Không thể đổi mã: đơn vị trực thuộc %(code)s sẽ cần quá 4 cấp mã.")
                % {"code": child.code},
                f"Cannot re-code: {child.code} would need more than four levels.",
            ) from error
    clash = Agency.objects.filter(code__in=renamed.values()).exclude(
        pk__in=[c.pk for c in descendants]
    )
    if clash.exists():
        raise FieldError(
            "code",
            _("Không thể đổi mã: mã mới của đơn vị trực thuộc trùng với cơ quan khác (%(code)s).")
            % {"code": clash.first().code},  # type: ignore[union-attr]
            "Cannot re-code: a descendant's new code is already used.",
        )
    # Two passes so that swapping codes inside the subtree never hits the unique index.
    for child in descendants:
        if child.code in renamed:
            Agency.objects.filter(pk=child.pk).update(code=f"~{child.pk}")
    for child in descendants:
        if child.code in renamed:
            Agency.objects.filter(pk=child.pk).update(code=renamed[child.code])
    return renamed


@transaction.atomic
def merge_agencies(
    actor: Actor, predecessors: Iterable[Agency], successor: Agency, effective_on: date
) -> list[Agency]:
    """Merge ``predecessors`` into ``successor`` from ``effective_on``.

    Each predecessor ends the day before (``valid_to``) and points to ``successor``; units
    still in force under a predecessor end with it. Their rows stay where they are: reports
    reach them through :func:`history_agencies` of the successor.
    """
    predecessors = list(
        Agency.objects.select_for_update()
        .filter(pk__in=[p.pk for p in predecessors])
        .order_by("path")
    )
    successor = Agency.objects.select_for_update().get(pk=successor.pk)
    if not predecessors:
        raise FieldError(
            "predecessors",
            _("Hãy chọn ít nhất một đơn vị được sáp nhập."),
            "Choose at least one unit to merge.",
        )
    require_actor(actor, "agencies.change", successor)
    for agency in predecessors:
        require_actor(actor, "agencies.change", agency)
    if effective_on is None:
        raise FieldError(
            "effective_on",
            _("Hãy nhập ngày sáp nhập có hiệu lực."),
            "An effective date is required.",
        )
    last_day = effective_on - timedelta(days=1)
    if successor.valid_from > effective_on or (
        successor.valid_to is not None and successor.valid_to < effective_on
    ):
        raise FieldError(
            "successor",
            _("Đơn vị kế thừa phải còn hiệu lực vào ngày %(day)s.")
            % {"day": effective_on.strftime("%d/%m/%Y")},
            "The successor must be in force on the effective date.",
        )
    if successor.successor_id is not None:  # also rules out cycles of successor links
        raise FieldError(
            "successor",
            _("%(name)s đã được sáp nhập vào đơn vị khác: hãy chọn đơn vị đang hoạt động.")
            % {"name": successor.name},
            "The successor has itself been merged into another unit.",
        )
    for agency in predecessors:
        if agency.pk == successor.pk or successor.path.startswith(agency.path):
            raise FieldError(
                "successor",
                _("Đơn vị kế thừa không thể là %(name)s hoặc đơn vị trực thuộc của nó.")
                % {"name": agency.name},
                "The successor cannot be a merged unit or lie inside one.",
            )
        if agency.successor_id is not None:
            raise FieldError(
                "predecessors",
                _("%(name)s đã được sáp nhập vào đơn vị khác.") % {"name": agency.name},
                "This unit has already been merged.",
            )
        if last_day < agency.valid_from:
            raise FieldError(
                "effective_on",
                _("Ngày sáp nhập phải sau ngày %(name)s bắt đầu hiệu lực.") % {"name": agency.name},
                "The merger must come after the unit started.",
            )
        if agency.valid_to is not None and agency.valid_to < last_day:
            raise FieldError(
                "predecessors",
                _("%(name)s đã hết hiệu lực từ trước ngày sáp nhập.") % {"name": agency.name},
                "This unit had already ended before the merger.",
            )
    merged = []
    for agency in predecessors:
        before = _snapshot(agency)
        agency.valid_to = last_day
        agency.successor = successor
        agency.save(update_fields=["valid_to", "successor"])
        ended = list(
            Agency.objects.filter(path__startswith=agency.path)
            .exclude(pk=agency.pk)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=last_day))
            .filter(valid_from__lte=last_day)
            .values_list("code", flat=True)
        )
        Agency.objects.filter(code__in=ended).update(valid_to=last_day)
        changes = diff(before, _snapshot(agency))
        if ended:
            changes["descendants_ended"] = ended
        record(actor, "agency.merge", agency, agency=agency, changes=changes)
        merged.append(agency)
    record(
        actor,
        "agency.merge_into",
        successor,
        agency=successor,
        changes={"predecessors": [a.code for a in merged], "effective_on": effective_on},
    )
    return merged


def rollup_ids(agency: Agency) -> set[int]:
    """Ids of ``agency`` and every unit merged into it, however many mergers back."""
    ids = {agency.pk}
    frontier = [agency.pk]
    while frontier:  # one query per generation of mergers (a handful at most)
        frontier = [
            pk
            for pk in Agency.objects.filter(successor_id__in=frontier).values_list("pk", flat=True)
            if pk not in ids
        ]
        ids.update(frontier)
    return ids


def history_agencies(agency: Agency) -> QuerySet[Agency]:
    """The agency plus all its predecessors (transitively): whose history rolls up to it.

    ``Dossier.objects.filter(agency__in=history_agencies(commune))`` counts the dossiers of the
    old communes merged into ``commune`` as its own.
    """
    return Agency.objects.filter(pk__in=rollup_ids(agency))


def rollup_filter(agency: Agency, field: str = "") -> Q:
    """A ``Q`` for rows of ``agency``'s subtree *or* of the subtree of any unit merged into it
    (``field`` leads from the model to its agency, as in ``access.agency_filter``)."""
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    condition = Q(pk__in=[])
    for path in history_agencies(agency).values_list("path", flat=True):
        condition |= Q(**{lookup: path})
    return condition
