"""The catalogue's business rules: create, publish a version, search, import and export.

Every change runs in one transaction, checks permission through :mod:`caicach.accounts.access`
and appends to the audit trail. Versions are immutable: a change publishes version n+1 from a
date and closes version n the day before; a dossier keeps the version it was received under.

A :class:`~caicach.core.audit.Actor` without a user (``Actor.system("cli")``: the command line,
the demo loader) is trusted code running on the server and is not permission-checked.

Size (~790 lines): the catalogue's service API (create, publish, handling, import, export);
the import's plan and apply steps share the row model of ``procedures.exchange``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from caicach.accounts.access import can, require
from caicach.agencies.models import Agency
from caicach.core import events
from caicach.core.audit import Actor, diff, record
from caicach.core.errors import BilingualError
from caicach.core.text import normalise
from caicach.procedures import exchange, rules, workbook
from caicach.procedures.data import (
    HandlingData,
    ProcedureData,
    VersionData,
    version_data,
)
from caicach.procedures.events import ProcedureVersionPublished
from caicach.procedures.exchange import Lookups, ParsedRow, RowError
from caicach.procedures.models import (
    Component,
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    WorkflowStep,
)

__all__ = [
    "CatalogueImportError",
    "CatalogueRuleError",
    "ImportResult",
    "catalogue_from_json",
    "catalogue_from_xlsx",
    "catalogue_to_xlsx",
    "create_procedure",
    "export_catalogue",
    "export_document",
    "export_history",
    "filter_catalogue",
    "import_catalogue",
    "publish_version",
    "search_procedures",
    "update_handling",
]


class CatalogueRuleError(BilingualError):
    """A version breaks a catalogue rule. ``errors``: ``[{"field", "message_vi", "message_en"}]``
    with ``field`` as named by :mod:`caicach.procedures.rules` (``steps[2].budget``)."""

    status = 400
    code = "invalid_procedure"

    def __init__(self, problems: Sequence[rules.RuleError]):
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(
            first.message_vi,
            first.message_en,
            errors=[asdict(problem) for problem in self.problems],
        )


class CatalogueImportError(BilingualError):
    """An import was refused and nothing was written. ``errors``: every problem found, as
    ``{"sheet", "row", "column", "message_vi", "message_en"}``."""

    status = 400
    code = "invalid_import"

    def __init__(self, problems: Sequence[RowError]):
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(
            f"Dữ liệu nhập có {count} lỗi; chưa có thay đổi nào được ghi.",
            f"The import has {count} error(s); nothing was written.",
            errors=[problem.as_dict() for problem in self.problems],
        )


@dataclass
class ImportResult:
    """What an import did, counted in rows (``updated``: procedures whose handling agencies or
    owner changed without a new version)."""

    created: int = 0
    new_versions: int = 0
    unchanged: int = 0
    updated: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"{self.created} procedures created, {self.new_versions} new versions, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )


def _check(actor: Actor, action: str, agency: Agency) -> None:
    if actor.user is not None:
        require(actor.user, action, agency)


# -- search ----------------------------------------------------------------------------------


def search_text(code: str, name: str, field_name: str) -> str:
    return normalise(f"{code} {name} {field_name}")


def search_procedures(queryset: QuerySet[Procedure], q: str) -> QuerySet[Procedure]:
    """Procedures whose code, name or field contain every word of ``q``, with or without
    diacritics ("dang ky khai" finds "Đăng ký khai sinh"); the trigram index serves ``LIKE``."""
    for word in normalise(q)[:200].split()[:10]:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def filter_catalogue(
    queryset: QuerySet[Procedure],
    *,
    q: str = "",
    field: Field | None = None,
    online_level: str = "",
    authority_level: str = "",
    day: date | None = None,
) -> QuerySet[Procedure]:
    """The list's filters; online and authority level are those of the version in force."""
    day = day or timezone.localdate()
    if q:
        queryset = search_procedures(queryset, q)
    if field is not None:
        queryset = queryset.filter(field=field)
    if online_level or authority_level:
        in_force = ProcedureVersion.objects.filter(procedure=OuterRef("pk")).in_force(day)
        if online_level:
            in_force = in_force.filter(online_level=online_level)
        if authority_level:
            in_force = in_force.filter(authority_level=authority_level)
        queryset = queryset.filter(Exists(in_force))
    return queryset


# -- writing ---------------------------------------------------------------------------------


def _handling_agencies(handling: HandlingData, today: date) -> list[Agency]:
    """Explicit agencies plus every agency of the given kinds valid ``today``."""
    chosen = {a.pk: a for a in handling.agencies}
    if handling.kinds:
        for agency in Agency.objects.filter(kind__in=handling.kinds).valid_on(today):
            chosen.setdefault(agency.pk, agency)
    return list(chosen.values())


def _handling_snapshot(agencies: Iterable[Agency], kinds: Iterable[str]) -> dict[str, Any]:
    return {"handling_agencies": sorted(a.code for a in agencies), "kinds": sorted(kinds)}


def _save_field(data: VersionData) -> None:
    if data.field.pk is None:  # a field first named by this import or form
        data.field, _ = Field.objects.get_or_create(
            code=data.field.code, defaults={"name": data.field.name}
        )


def _write_version(
    procedure: Procedure, number: int, data: VersionData, effective_from: date, actor: Actor
) -> ProcedureVersion:
    _save_field(data)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=number,
        effective_from=effective_from,
        name=data.name,
        field=data.field,
        authority_level=data.authority_level,
        online_level=data.online_level,
        partial_reason=data.partial_reason if data.online_level == "partial" else "",
        statutory_value=data.statutory_value,
        statutory_unit=data.statutory_unit,
        promised_value=data.promised_value,
        cutoff=data.cutoff,
        result_name=data.result_name,
        result_paper=data.result_paper,
        result_electronic=data.result_electronic,
        legal_basis=data.legal_basis,
        full_online_eligible=data.full_online_eligible,
        national_portal_integrated=data.national_portal_integrated,
        payable_online=data.payable_online,
        served_at_centre=data.served_at_centre,
        created_by=actor.user,
    )
    Fee.objects.bulk_create(
        Fee(version=version, order=i, name=f.name, kind=f.kind, amount=f.amount, note=f.note)
        for i, f in enumerate(data.fees)
    )
    Component.objects.bulk_create(
        Component(
            version=version,
            order=i,
            name=c.name,
            copy_kind=c.copy_kind,
            quantity=c.quantity,
            required=c.required,
            reusable=c.reusable,
        )
        for i, c in enumerate(data.components)
    )
    WorkflowStep.objects.bulk_create(
        WorkflowStep(
            version=version,
            order=s.order,
            name=s.name,
            role=s.role,
            unit_kind=s.unit_kind,
            agency=s.agency,
            budget=s.budget,
        )
        for s in data.steps
    )
    procedure.name = data.name
    procedure.field = data.field
    procedure.search_text = search_text(procedure.code, data.name, data.field.name)
    procedure.save(update_fields=["name", "field", "search_text"])
    events.emit(
        ProcedureVersionPublished(procedure.pk, procedure.code, version.pk, number, effective_from)
    )
    return version


def _validate(data: VersionData, code: str | None = None) -> None:
    problems = rules.check_procedure_code(code) if code is not None else []
    problems += data.rule_errors()
    if problems:
        raise CatalogueRuleError(problems)


def create_procedure(actor: Actor, data: ProcedureData) -> Procedure:
    """A new catalogue entry with version 1 from ``data.effective_from``."""
    _validate(data.version, data.code)
    _check(actor, "procedures.change", data.owner_agency)
    try:
        with transaction.atomic():
            return _create(actor, data)
    except IntegrityError as error:  # two people creating the same code at once
        if Procedure.objects.filter(code=data.code).exists():
            raise _code_taken(data.code) from error
        raise


def _code_taken(code: str) -> CatalogueRuleError:
    return CatalogueRuleError(
        [
            rules.RuleError(
                "code",
                f"Mã thủ tục {code} đã có trong danh mục.",
                f"Procedure code {code} is already in the catalogue.",
            )
        ]
    )


def _create(actor: Actor, data: ProcedureData, today: date | None = None) -> Procedure:
    if Procedure.objects.filter(code=data.code).exists():
        raise _code_taken(data.code)
    _save_field(data.version)
    procedure = Procedure.objects.create(
        code=data.code,
        name=data.version.name,
        field=data.version.field,
        owner_agency=data.owner_agency,
        handling_agency_kinds=sorted(data.handling.kinds),
    )
    agencies = _handling_agencies(data.handling, today or timezone.localdate())
    procedure.handling_agencies.set(agencies)
    _write_version(procedure, 1, data.version, data.effective_from, actor)
    record(
        actor,
        "procedure.create",
        procedure,
        agency=procedure.owner_agency,
        changes={
            "number": 1,
            "effective_from": data.effective_from.isoformat(),
            "name": data.version.name,
            "version": data.version.as_dict(),
            "handling": _handling_snapshot(agencies, data.handling.kinds),
        },
    )
    return procedure


def publish_version(
    actor: Actor,
    procedure: Procedure,
    data: VersionData,
    effective_from: date,
    *,
    handling: HandlingData | None = None,
) -> ProcedureVersion:
    """Publish version n+1 from ``effective_from`` and close version n the day before.

    The procedure row is locked, so two people publishing at once get consecutive numbers
    and the second sees the first's dates. ``effective_from`` must be after the latest
    version's: history is never rewritten, because dossiers point at it.
    """
    _validate(data)
    _check(actor, "procedures.change", procedure.owner_agency)
    with transaction.atomic():
        return _publish(actor, procedure, data, effective_from, handling)


def _publish(
    actor: Actor,
    procedure: Procedure,
    data: VersionData,
    effective_from: date,
    handling: HandlingData | None,
) -> ProcedureVersion:
    locked = Procedure.objects.select_for_update().select_related("field").get(pk=procedure.pk)
    latest = (
        locked.versions.select_related("field")
        .prefetch_related("fees", "components", "steps__agency")
        .order_by("-number")
        .first()
    )
    if latest is not None and effective_from <= latest.effective_from:
        raise CatalogueRuleError(
            [
                rules.RuleError(
                    "effective_from",
                    f"Ngày áp dụng phải sau {latest.effective_from:%d/%m/%Y}, ngày áp dụng của "
                    f"phiên bản {latest.number}: phiên bản đã công bố không được sửa.",
                    f"The effective date must be after {latest.effective_from.isoformat()}, "
                    f"when version {latest.number} took effect: published versions are never "
                    "changed.",
                )
            ]
        )
    before = version_data(latest).as_dict() if latest else {}
    locked.versions.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from)
    ).update(effective_to=effective_from - timedelta(days=1))
    number = latest.number + 1 if latest else 1
    version = _write_version(locked, number, data, effective_from, actor)
    changes: dict[str, Any] = {
        "number": number,
        "effective_from": effective_from.isoformat(),
        **diff(before, data.as_dict()),
    }
    if handling is not None:
        changes.update(_set_handling(locked, handling, effective_from))
    record(actor, "procedure.publish_version", locked, agency=locked.owner_agency, changes=changes)
    # The caller's instance shows the new state too.
    procedure.name, procedure.field, procedure.search_text = (
        locked.name,
        locked.field,
        locked.search_text,
    )
    return version


def _set_handling(procedure: Procedure, handling: HandlingData, today: date) -> dict[str, Any]:
    """Replace the handling agencies; return the audit diff (empty when nothing changed)."""
    before = _handling_snapshot(procedure.handling_agencies.all(), procedure.handling_agency_kinds)
    agencies = _handling_agencies(handling, today)
    after = _handling_snapshot(agencies, handling.kinds)
    if before == after:
        return {}
    procedure.handling_agencies.set(agencies)
    procedure.handling_agency_kinds = sorted(handling.kinds)
    procedure.save(update_fields=["handling_agency_kinds"])
    return diff(before, after)


def update_handling(actor: Actor, procedure: Procedure, handling: HandlingData) -> bool:
    """Change who handles a procedure without a new version; ``False`` if nothing changed."""
    _check(actor, "procedures.change", procedure.owner_agency)
    with transaction.atomic():
        locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
        changes = _set_handling(locked, handling, timezone.localdate())
        if changes:
            record(
                actor,
                "procedure.update_handling",
                locked,
                agency=locked.owner_agency,
                changes=changes,
            )
    return bool(changes)


# -- import ----------------------------------------------------------------------------------


def catalogue_from_json(content: bytes | str) -> Any:
    """Decode an uploaded JSON file (UTF-8, with or without BOM) into import rows."""
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
        return json.loads(text)
    except (UnicodeDecodeError, ValueError) as error:
        raise CatalogueImportError(
            [
                RowError(
                    "",
                    None,
                    "",
                    f"Tệp không phải JSON hợp lệ: {error}.",
                    f"The file is not valid JSON: {error}.",
                )
            ]
        ) from error


def catalogue_from_xlsx(content: bytes) -> list[dict[str, Any]]:
    """Import rows from a workbook (see :func:`catalogue_to_xlsx` for its sheets)."""
    try:
        return workbook.read_xlsx(content)
    except workbook.XlsxError as error:
        raise CatalogueImportError(error.errors) from error


def catalogue_to_xlsx(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """Sheets "Thủ tục" (one row per procedure), "Thành phần hồ sơ", "Phí lệ phí" and
    "Quy trình" (keyed by procedure code), and "Danh mục mã" listing the codes."""
    return workbook.write_xlsx(rows)


def _entries(document: Any) -> list[tuple[str, int, Any]]:
    """(section, row number, raw row) for a bare list or ``{"procedures", "previous_versions"}``;
    spreadsheet rows keep their own sheet and row numbers."""
    if isinstance(document, list):
        sections = [("procedures", document)]
    elif isinstance(document, Mapping) and isinstance(document.get("procedures"), list):
        sections = [("procedures", document["procedures"])]
        previous = document.get("previous_versions")
        if previous is not None and not isinstance(previous, list):
            raise CatalogueImportError(
                [
                    RowError(
                        "previous_versions",
                        None,
                        "",
                        "“previous_versions” phải là một danh sách.",
                        "“previous_versions” must be a list.",
                    )
                ]
            )
        sections.insert(0, ("previous_versions", previous or []))
    else:
        raise CatalogueImportError(
            [
                RowError(
                    "",
                    None,
                    "",
                    "Dữ liệu phải là một danh sách thủ tục hoặc một đối tượng có khóa "
                    "“procedures”.",
                    "The data must be a list of procedures or an object with a “procedures” key.",
                )
            ]
        )
    entries = [(name, i, row) for name, rows in sections for i, row in enumerate(rows, start=1)]
    if len(entries) > exchange.MAX_ROWS:
        raise CatalogueImportError(
            [
                RowError(
                    "",
                    None,
                    "",
                    f"Quá nhiều dòng ({len(entries)}; tối đa {exchange.MAX_ROWS}).",
                    f"Too many rows ({len(entries)}; at most {exchange.MAX_ROWS}).",
                )
            ]
        )
    return entries


@dataclass
class _Planned:
    effective_from: date
    number: int
    snapshot: dict[str, Any]


def _existing(codes: Iterable[str]) -> dict[str, Procedure]:
    versions = (
        ProcedureVersion.objects.select_related("field")
        .prefetch_related(
            "fees", "components", Prefetch("steps", WorkflowStep.objects.select_related("agency"))
        )
        .order_by("number")
    )
    return {
        p.code: p
        for p in Procedure.objects.filter(code__in=list(codes))
        .select_related("owner_agency")
        .prefetch_related("handling_agencies", Prefetch("versions", versions))
    }


def _plan(
    rows: list[ParsedRow], procedure: Procedure | None, errors: list[RowError]
) -> list[ParsedRow]:
    """Which rows of one code become versions; the others match history and are left alone.

    A row matches when a version with the same content is in force on its date. A row dated
    inside the history with different content is an error: published versions are immutable.
    """
    chain = (
        [
            _Planned(v.effective_from, v.number, version_data(v).as_dict())
            for v in procedure.versions.all()
        ]
        if procedure
        else []
    )
    to_write: list[ParsedRow] = []
    for row in rows:
        snapshot = row.version.as_dict()
        if chain and row.effective_from <= chain[-1].effective_from:
            in_force = [v for v in chain if v.effective_from <= row.effective_from]
            if in_force and in_force[-1].snapshot == snapshot:
                continue
            last = chain[-1]
            _row_error(
                errors,
                row,
                "effective_from",
                f"Đã có phiên bản {last.number} áp dụng từ {last.effective_from:%d/%m/%Y}; phiên "
                "bản đã công bố không được sửa. Nếu nội dung thay đổi, hãy đặt ngày áp dụng sau "
                "ngày đó.",
                f"Version {last.number} already applies from {last.effective_from.isoformat()}; "
                "published versions are never changed. For new content, use a later effective "
                "date.",
            )
            continue
        if chain and chain[-1].snapshot == snapshot:
            continue  # same content, later date: nothing new to publish
        chain.append(_Planned(row.effective_from, (chain[-1].number + 1) if chain else 1, snapshot))
        to_write.append(row)
    return to_write


def _row_error(errors: list[RowError], row: ParsedRow, path: str, vi: str, en: str) -> None:
    sheet, number, column = row.origin.get(path) or (row.sheet, row.row, path)
    errors.append(RowError(sheet, number, column or path, vi, en))


def import_catalogue(
    actor: Actor, rows: Any, *, source: str = "", today: date | None = None
) -> ImportResult:
    """Import the exchange format (a list of rows, or ``{"procedures", "previous_versions"}``).

    All or nothing: every row is checked first, and if any has a problem
    :class:`CatalogueImportError` lists them all and nothing is written. A new code creates a
    procedure; a known code gets a new version when its content changed and is left alone
    otherwise. Rows of one code are applied oldest first, so ``previous_versions`` become the
    earlier versions.
    """
    today = today or timezone.localdate()
    entries = _entries(rows)
    lookups = Lookups.load(today)
    errors: list[RowError] = []
    parsed: list[ParsedRow] = []
    seen: dict[tuple[str, str, date], ParsedRow] = {}
    current_codes: dict[str, ParsedRow] = {}
    for section, number, raw in entries:
        row = exchange.parse_row(raw, section, number, lookups, errors)
        if row is None:
            continue
        duplicate = seen.get((section, row.code, row.effective_from)) or (
            current_codes.get(row.code) if section == "procedures" else None
        )
        if duplicate is not None:
            _row_error(
                errors,
                row,
                "code",
                f"Mã thủ tục {row.code} đã có ở dòng {duplicate.row}.",
                f"Procedure code {row.code} already appears on row {duplicate.row}.",
            )
            continue
        seen[(section, row.code, row.effective_from)] = row
        if section == "procedures":
            current_codes[row.code] = row
        parsed.append(row)

    existing = _existing({row.code for row in parsed})
    by_code: dict[str, list[ParsedRow]] = defaultdict(list)
    for row in parsed:
        by_code[row.code].append(row)
    plans: dict[str, list[ParsedRow]] = {}
    for code, code_rows in by_code.items():
        code_rows.sort(key=lambda r: (r.effective_from, r.sheet != "previous_versions"))
        procedure = existing.get(code)
        if actor.user is not None:
            owners = {r.owner_agency for r in code_rows} | (
                {procedure.owner_agency} if procedure else set()
            )
            for owner in owners:
                if not can(actor.user, "procedures.import", owner):
                    _row_error(
                        errors,
                        code_rows[-1],
                        "owner_agency",
                        f"Bạn không có quyền nhập thủ tục của {owner.name}.",
                        f"You may not import procedures of {owner.name}.",
                    )
        plans[code] = _plan(code_rows, procedure, errors)
    if errors:
        raise CatalogueImportError(errors)

    try:
        with transaction.atomic():
            return _apply(actor, by_code, plans, existing, parsed, lookups, source, today)
    except (CatalogueRuleError, IntegrityError) as error:
        # Someone changed the catalogue between the checks above and these writes.
        vi, en = (
            (error.message_vi, error.message_en)
            if isinstance(error, CatalogueRuleError)
            else ("Mã thủ tục vừa được người khác thêm.", "A code was just added by someone else.")
        )
        raise CatalogueImportError(
            [
                RowError(
                    "",
                    None,
                    "",
                    f"Danh mục vừa thay đổi trong lúc nhập ({vi}); hãy nhập lại.",
                    f"The catalogue changed during the import ({en}); please import again.",
                )
            ]
        ) from error


def _apply(
    actor: Actor,
    by_code: Mapping[str, list[ParsedRow]],
    plans: Mapping[str, list[ParsedRow]],
    existing: Mapping[str, Procedure],
    parsed: Sequence[ParsedRow],
    lookups: Lookups,
    source: str,
    today: date,
) -> ImportResult:
    """Write what :func:`import_catalogue` planned; runs inside its transaction."""
    result = ImportResult()
    locked = {
        p.code: p for p in Procedure.objects.select_for_update().filter(code__in=list(existing))
    }
    for code, code_rows in by_code.items():
        to_write = plans[code]
        result.unchanged += len(code_rows) - len(to_write)
        last = code_rows[-1]
        procedure = locked.get(code)
        for row in to_write:
            if procedure is None:
                procedure = _create(
                    actor,
                    ProcedureData(
                        row.code,
                        last.owner_agency,
                        row.version,
                        last.handling,
                        row.effective_from,
                    ),
                    today,
                )
                result.created += 1
            else:
                _publish(actor, procedure, row.version, row.effective_from, None)
                result.new_versions += 1
        assert procedure is not None
        changes = _set_handling(procedure, last.handling, today)
        if procedure.owner_agency_id != last.owner_agency.pk:
            changes["owner_agency"] = [procedure.owner_agency.code, last.owner_agency.code]
            procedure.owner_agency = last.owner_agency
            procedure.save(update_fields=["owner_agency"])
        if changes:
            record(
                actor,
                "procedure.update_handling",
                procedure,
                agency=procedure.owner_agency,
                changes=changes,
            )
            if not to_write:
                result.updated += 1
                result.unchanged -= 1
    _rename_fields(actor, parsed)
    if result.created or result.new_versions or result.updated:  # the trail records changes
        record(
            actor,
            "catalogue.import",
            object_type="procedures.catalogue",
            object_id=source[:100],
            object_repr=f"Nhập danh mục thủ tục {source}".strip()[:300],
            agency=lookups.root,
            changes=result.as_dict(),
        )
    return result


def _rename_fields(actor: Actor, rows: Sequence[ParsedRow]) -> None:
    """A field's name follows the current rows of the import (``previous_versions`` may carry
    an older name)."""
    names = {
        r.version.field.code: r.field_name
        for r in rows
        if r.sheet != "previous_versions" and r.field_name
    }
    for item in Field.objects.filter(code__in=list(names)):
        if item.name != names[item.code]:
            record(actor, "field.rename", item, changes={"name": [item.name, names[item.code]]})
            item.name = names[item.code]
            item.save(update_fields=["name"])
            for procedure in Procedure.objects.filter(field=item):
                procedure.search_text = search_text(procedure.code, procedure.name, item.name)
                procedure.save(update_fields=["search_text"])


# -- export ----------------------------------------------------------------------------------


def _with_everything(queryset: QuerySet[Procedure]) -> QuerySet[Procedure]:
    versions = (
        ProcedureVersion.objects.select_related("field")
        .prefetch_related(
            "fees", "components", Prefetch("steps", WorkflowStep.objects.select_related("agency"))
        )
        .order_by("number")
    )
    return (
        queryset.select_related("owner_agency")
        .prefetch_related(
            Prefetch("handling_agencies", Agency.objects.order_by("code")),
            Prefetch("versions", versions, to_attr="all_versions"),
        )
        .order_by("code")
    )


def _rows(procedure: Procedure, versions: Iterable[ProcedureVersion]) -> list[dict[str, Any]]:
    agencies = list(procedure.handling_agencies.all())
    return [
        exchange.version_row(
            version, agencies, procedure.handling_agency_kinds, procedure.owner_agency
        )
        for version in versions
    ]


def export_catalogue(queryset: QuerySet[Procedure]) -> list[dict[str, Any]]:
    """The latest version of each procedure, in the import format (importing it back into the
    same catalogue changes nothing)."""
    rows: list[dict[str, Any]] = []
    for procedure in _with_everything(queryset):
        rows += _rows(procedure, procedure.all_versions[-1:])
    return rows


def export_history(queryset: QuerySet[Procedure]) -> list[dict[str, Any]]:
    """Every earlier version, oldest first, for ``previous_versions``."""
    rows: list[dict[str, Any]] = []
    for procedure in _with_everything(queryset):
        rows += _rows(procedure, procedure.all_versions[:-1])
    return rows


def export_document(queryset: QuerySet[Procedure]) -> dict[str, Any]:
    """The whole catalogue with its history: ``{"procedures", "previous_versions"}``."""
    current: list[dict[str, Any]] = []
    previous: list[dict[str, Any]] = []
    for procedure in _with_everything(queryset):
        versions = procedure.all_versions
        current += _rows(procedure, versions[-1:])
        previous += _rows(procedure, versions[:-1])
    return {"procedures": current, "previous_versions": previous}
