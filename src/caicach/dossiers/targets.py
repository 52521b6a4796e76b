"""Which agencies an action may name: the one rule for intake, assignment, step and agency
transfers and consultations, used by the API and the pages alike.

Where it comes from:

* the procedure's competent authorities (*cơ quan có thẩm quyền giải quyết*, published with the
  catalogue, NĐ 63/2010 art. 8): the handling agencies listed by name, and the kinds of agency
  that each handle it for their own area (``handling_agency_kinds``, e.g. every commune);
* the workflow: a step that names its agency sends the dossier there;
* the holder: inside processing a dossier moves only between units of the deciding agency or
  of the unit holding it (NĐ 61/2018 art. 18: the competent agency assigns its own units);
  another authority takes it only through an inter-agency transfer (*liên thông*, art. 19),
  whose lead must be competent for the procedure.

A consultation (*lấy ý kiến*, art. 19) asks any agency in operation for an opinion: it moves
nothing and decides nothing, so it is not limited to the competent authorities.

A target outside the rule is a 400 on the field that named it, in both languages.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from caicach.agencies.models import Agency
from caicach.dossiers.inputs import DossierInputError, invalid
from caicach.dossiers.models import Dossier
from caicach.procedures.models import Procedure, WorkflowStep


def _lineage(agency: Agency) -> list[Agency]:
    """``agency`` and its ancestors, nearest first (from the materialised path, one query)."""
    ids = [int(part) for part in agency.path.split(".") if part]
    by_id = {a.pk: a for a in Agency.objects.filter(pk__in=ids)}
    return [by_id[i] for i in reversed(ids) if i in by_id]


def _declares(procedure: Procedure) -> bool:
    return bool(procedure.handling_agency_kinds) or procedure.handling_agencies.exists()


def is_competent(procedure: Procedure, agency: Agency) -> bool:
    """``agency`` is, or is a unit of, a competent authority of ``procedure``: a handling
    agency by name, or an agency of a handling kind. A procedure that declares none limits
    nothing here (the catalogue is the source; intake still keeps to the desk's tree)."""
    if not _declares(procedure):
        return True
    lineage = _lineage(agency)
    kinds = set(procedure.handling_agency_kinds)
    if any(a.kind in kinds for a in lineage):
        return True
    return procedure.handling_agencies.filter(pk__in=[a.pk for a in lineage]).exists()


def deciding_choices(procedure: Procedure, receiving: Agency) -> list[Agency]:
    """The agencies a desk at ``receiving`` may name as the deciding agency, in operation
    today, the default first:

    * a handling agency by name, any of them (a desk receives for others, NĐ 118/2025 art. 8:
      receipt regardless of the administrative boundary);
    * of a handling kind, only the one the desk belongs to (a commune decides for its own area,
      not for the next commune);
    * with nothing declared, the desk's own agency or one above it.
    """
    return _deciding(procedure, receiving)[0]


def _deciding(procedure: Procedure, receiving: Agency) -> tuple[list[Agency], bool]:
    """:func:`deciding_choices` and whether the first is the desk's own (one query: the desk's
    lineage and the named handling agencies together)."""
    ids = [int(part) for part in receiving.path.split(".") if part]
    named_rows = Procedure.handling_agencies.through.objects.filter(
        procedure=procedure, agency=OuterRef("pk")
    )
    query = (
        Agency.objects.valid_on(timezone.localdate())
        .annotate(named=Exists(named_rows))
        .filter(Q(pk__in=ids) | Q(named=True))
        .order_by("path")
    )
    rows: list[Agency] = []
    named_ids = set()
    for row in query:
        rows.append(row)
        if row.named:
            named_ids.add(row.pk)
    by_id = {a.pk: a for a in rows}
    lineage = [by_id[i] for i in reversed(ids) if i in by_id]
    named = [a for a in rows if a.pk in named_ids]
    kinds = set(procedure.handling_agency_kinds)
    own = [a for a in lineage if a.kind in kinds or a.pk in named_ids]
    if not kinds and not named:
        own = lineage
    return own[:1] + [a for a in named if a not in own[:1]], bool(own)


def check_deciding(procedure: Procedure, receiving: Agency, deciding: Agency | None) -> Agency:
    """The deciding agency of a new dossier: ``deciding`` if the rule allows it, else the
    default (the competent authority the desk belongs to, or the only one named)."""
    choices, own = _deciding(procedure, receiving)
    if deciding is None:
        if choices and (own or len(choices) == 1):
            return choices[0]
        raise invalid(
            "deciding_agency",
            "Cần chọn cơ quan giải quyết trong số các cơ quan có thẩm quyền của thủ tục.",
            "Choose the deciding agency among the procedure's competent authorities.",
            "deciding_required",
        )
    if deciding not in choices:
        raise _refused(
            "deciding_agency",
            deciding,
            "không có thẩm quyền giải quyết thủ tục này cho nơi tiếp nhận",
            "is not a competent authority of this procedure for this desk",
        )
    return deciding


def check_move(dossier: Dossier, target: Agency, step: WorkflowStep | None) -> Agency:
    """Assignment and step transfer: a unit of the deciding agency or of the holder, or of the
    agency the workflow step names."""
    roots = [dossier.deciding_agency, dossier.current_agency]
    if step is not None and step.agency is not None:
        roots.append(step.agency)
    if not any(target.path.startswith(root.path) for root in roots):
        raise _refused(
            "agency",
            target,
            "không thuộc cơ quan giải quyết, đơn vị đang xử lý hay đơn vị của bước quy trình; "
            "chuyển sang cơ quan khác bằng liên thông",
            "is not a unit of the deciding agency, of the holder or of the workflow step; "
            "send it to another authority with an inter-agency transfer",
        )
    return target


def move_choices(dossier: Dossier, step: WorkflowStep | None) -> list[Agency]:
    """What :func:`check_move` allows, in operation today, for the pages' choices."""
    roots = [dossier.deciding_agency, dossier.current_agency]
    if step is not None and step.agency is not None:
        roots.append(step.agency)
    where = Q()
    for root in roots:
        where |= Q(path__startswith=root.path)
    return list(Agency.objects.valid_on(timezone.localdate()).filter(where).order_by("path"))


def check_lead(dossier: Dossier, target: Agency, field_name: str) -> Agency:
    """The agency taking a dossier over by an inter-agency transfer must be competent for its
    procedure (NĐ 61/2018 art. 19), and not the holder itself."""
    if target.pk == dossier.current_agency_id or not is_competent(dossier.procedure, target):
        raise _refused(
            field_name,
            target,
            "không có thẩm quyền giải quyết thủ tục này",
            "is not a competent authority of this procedure",
        )
    return target


def _refused(field_name: str, agency: Agency, vi: str, en: str) -> DossierInputError:
    return invalid(
        field_name,
        f"{agency.name} ({agency.code}) {vi}.",
        f"{agency.name} ({agency.code}) {en}.",
        "agency_not_allowed",
    )
