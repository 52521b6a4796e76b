"""Receipt of a dossier at the counter, by post or online (NĐ 61/2018 arts. 15-18).

:func:`receive_dossier` runs in one transaction: the applicant and the dossier rows, the
documents (stored files, or reused from the applicant's digitised store), the gap-free code of
the desk and day (:mod:`caicach.dossiers.codes`), the due date on the receiving agency's
calendar, the first history line (announced as ``DossierReceived``), the clock entry and the
audit entry, and the idempotency record that makes a retried request return the same dossier.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from caicach.accounts.errors import require_actor
from caicach.agencies.models import Agency
from caicach.calendars.rules import (
    VN_TZ,
    CalendarRangeError,
    DueResult,
    WorkCalendar,
    compute_due,
)
from caicach.calendars.services import calendar_for
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError, ConflictError
from caicach.core.text import normalise
from caicach.dossiers.codes import MAX_SEQUENCE, DossierCodeError, format_dossier_code
from caicach.dossiers.history import write_event
from caicach.dossiers.inputs import (
    FUTURE_LEEWAY,
    KEY_SHAPE,
    ApplicantInput,
    ComponentInput,
    DossierInputError,
    as_applicant,
    as_component,
    aware,
    clean_applicant,
    clean_components,
    clean_key,
    invalid,
    stored_name,
)
from caicach.dossiers.models import (
    Applicant,
    ClockEntry,
    DailySequence,
    Dossier,
    DossierComponent,
    DueBasis,
    IdempotencyRecord,
)
from caicach.dossiers.results import check_store_references
from caicach.dossiers.targets import check_deciding
from caicach.dossiers.workflow import (
    Channel,
    DossierAction,
    DossierState,
)
from caicach.procedures.events import ProcedureVersionPublished
from caicach.procedures.models import Component, Procedure, ProcedureVersion, WorkflowStep


@dataclass(frozen=True)
class _VersionRules:
    """What an intake reads of a published version: its components and its first step."""

    components: tuple[Component, ...]
    first_step: int | None


#: Per process, by version id. A published version is immutable (its components and steps
#: never change: a change publishes version n + 1, see caicach.procedures.services), so the
#: entries never go stale; :func:`forget_version_rules` drops one when it is (re)published.
_VERSION_RULES: dict[int, _VersionRules] = {}
_VERSION_RULES_MAX = 2048


def _version_rules(version: ProcedureVersion) -> _VersionRules:
    rules = _VERSION_RULES.get(version.pk)
    if rules is None:
        rules = _VersionRules(
            components=tuple(
                Component.objects.filter(version_id=version.pk).order_by("order", "id")
            ),
            first_step=WorkflowStep.objects.filter(version_id=version.pk)
            .order_by("order")
            .values_list("order", flat=True)
            .first(),
        )
        if len(_VERSION_RULES) >= _VERSION_RULES_MAX:
            _VERSION_RULES.clear()
        _VERSION_RULES[version.pk] = rules
    return rules


def forget_version_rules(event: ProcedureVersionPublished | None = None) -> None:
    """Drop the cached rules (subscriber of ``ProcedureVersionPublished``, after commit).

    Published versions never change, so an entry never goes stale in normal use; a new
    version (or its rows rewritten in a repair) still clears the cache, which costs one
    re-read per version in use."""
    if event is None:
        _VERSION_RULES.clear()
    else:
        _VERSION_RULES.pop(event.version_id, None)


def _link_components(
    items: list[ComponentInput], version: ProcedureVersion
) -> list[tuple[ComponentInput, Component | None]]:
    """Link each document to the version's component (by id, else by name) and check that
    every required component is there: an incomplete dossier gets a supplement request, not a
    receipt (NĐ 61/2018 art. 17)."""
    declared = list(_version_rules(version).components)
    by_id = {c.pk: c for c in declared}
    by_name = {normalise(c.name): c for c in declared}
    vi: dict[str, str] = {}
    en: dict[str, str] = {}
    linked: list[tuple[ComponentInput, Component | None]] = []
    for i, item in enumerate(items):
        target: Component | None = None
        if item.component_id is not None:
            target = by_id.get(item.component_id)
            if target is None:
                vi[f"components.{i}.component"] = "Thành phần này không thuộc thủ tục đã chọn."
                en[f"components.{i}.component"] = "This component is not part of the procedure."
                continue
        elif item.name:
            target = by_name.get(normalise(item.name))
        if target is None and not item.name:
            vi[f"components.{i}.name"] = "Chưa nhập tên giấy tờ."
            en[f"components.{i}.name"] = "The document name is required."
            continue
        linked.append((item, target))
    if vi:
        raise DossierInputError(vi, en)
    answered = {c.pk for _, c in linked if c is not None}
    missing = [c.name for c in declared if c.required and c.pk not in answered]
    if missing:
        names = "; ".join(missing)
        raise invalid(
            "components",
            f"Hồ sơ chưa đủ thành phần bắt buộc: {names}. Hãy hướng dẫn bổ sung thay vì tiếp nhận.",
            f"Required components are missing: {names}. Ask for a supplement instead of "
            "receiving the dossier.",
            "missing_components",
        )
    return linked


def _request_hash(payload: Mapping[str, Any]) -> str:
    body = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def _claim_key(
    actor: Actor, key: str, request_hash: str
) -> tuple[Dossier | None, IdempotencyRecord]:
    """Take ``key`` for this request, or find the dossier an earlier identical request made.

    One ``INSERT ... ON CONFLICT DO NOTHING`` (no savepoint): a concurrent request with the
    same key waits on the unique index until the first commits (then finds its record) or rolls
    back, e.g. a server killed mid-intake (then takes the key itself: a clean retry).
    """
    table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
    created_at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, key, request_hash, created_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [actor.user.pk, key, request_hash, created_at],
        )
        row = cursor.fetchone()
    if row is not None:
        claimed = IdempotencyRecord(
            id=row[0], user=actor.user, key=key, request_hash=request_hash, created_at=created_at
        )
        return None, claimed
    entry = IdempotencyRecord.objects.select_related("dossier").get(user=actor.user, key=key)
    if entry.request_hash != request_hash or entry.dossier is None:
        raise ConflictError(
            "Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới.",
            "This Idempotency-Key was already used with a different request; use a new key.",
            code="idempotency_key_reused",
        )
    return entry.dossier, entry


def _procedure_in_force(code: str, day: date) -> tuple[Procedure, ProcedureVersion]:
    """The active procedure ``code`` and its version in force on ``day`` (NĐ 61/2018 art. 17:
    the dossier is handled under the rules in force on receipt). One query when both exist;
    the second one only tells the two errors apart."""
    shown = clean_key(code, 30)
    if shown:
        found = (
            ProcedureVersion.objects.select_related("procedure")
            .filter(procedure__code=shown, procedure__is_active=True)
            .in_force(day)
            .latest_first()
            .first()
        )
        if found is not None:
            return found.procedure, found
    procedure = Procedure.objects.filter(code=shown, is_active=True).first() if shown else None
    if procedure is None:
        raise invalid(
            "procedure",
            f"Không tìm thấy thủ tục hành chính có mã “{shown}” đang áp dụng.",
            f"No administrative procedure in force with code “{shown}”.",
            "unknown_procedure",
        )
    version = procedure.version_on(day)
    if version is None:
        raise invalid(
            "procedure",
            f"Thủ tục {shown} không có phiên bản áp dụng vào ngày {day:%d/%m/%Y}.",
            f"Procedure {shown} has no version in force on {day:%d/%m/%Y}.",
            "no_version_in_force",
        )
    return procedure, version


def _next_sequence(agency: Agency, day: date) -> int:
    """The next number of ``agency`` on ``day``, gap-free.

    The upsert locks the counter row until the transaction ends, so receipts at one desk on
    one day are numbered one after the other, and a rolled-back receipt gives its number back.
    """
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [agency.pk, day],
        )
        row = cursor.fetchone()
    return int(row[0])


def search_text(code: str, applicant: ApplicantInput) -> str:
    parts = [code, applicant.full_name, applicant.id_number, applicant.phone, applicant.tax_code]
    return normalise(" ".join(p for p in parts if p))


def _due(
    received: datetime,
    value: Decimal,
    unit: str,
    calendar: WorkCalendar,
    cutoff: time | None,
) -> DueResult:
    try:
        return compute_due(received, value, unit, calendar, cutoff)
    except (CalendarRangeError, ValueError) as error:
        raise BilingualError(
            "Không tính được ngày hẹn trả với lịch làm việc hiện có.",
            f"The due date cannot be computed with the current calendar: {error}",
            code="due_not_computable",
            status=409,
        ) from error


def receive_dossier(
    actor: Actor,
    *,
    procedure_code: str,
    channel: str,
    applicant: ApplicantInput | Mapping[str, Any],
    components: Iterable[ComponentInput | Mapping[str, Any]],
    served_at: Agency | None,
    receiving_agency: Agency,
    deciding_agency: Agency | None = None,
    received_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> Dossier:
    """Receive a dossier (*tiếp nhận*, NĐ 61/2018 art. 17; form 01) and return it.

    * The receiving agency must be in the actor's ``dossiers.receive`` scope (403).
    * The procedure version in force on the receipt date is kept on the dossier for ever.
    * Code ``<agency code>-YYMMDD-XXXX`` (TT 01/2018 art. 19): the receipt date in Vietnam time
      and a gap-free daily number of the receiving agency (:func:`_next_sequence`).
    * ``due_at`` is counted from the receipt with the **promised** time and ``legal_due_at``
      with the statutory time, on the receiving agency's calendar, with the procedure's cut-off
      (Civil Code arts. 147-148, NĐ 61/2018 art. 18); the calendar version is stored.
    * ``idempotency_key``: the same key with the same content returns the dossier made the
      first time (``dossier.idempotent_replay`` is then ``True``); with other content, 409.
    """
    now = timezone.now()
    received = aware(received_at) if received_at is not None else now
    if received > now + FUTURE_LEEWAY:
        raise invalid(
            "received_at",
            "Thời điểm tiếp nhận không được ở tương lai.",
            "The receipt time cannot be in the future.",
        )
    received_on = received.astimezone(VN_TZ).date()
    require_actor(actor, "dossiers.receive", receiving_agency)
    served_at = served_at or receiving_agency
    if str(channel) not in {c.value for c in Channel}:
        raise invalid(
            "channel",
            "Kênh nộp phải là trực tiếp, bưu chính hoặc trực tuyến.",
            "The channel must be counter, post or online.",
        )
    person = clean_applicant(as_applicant(applicant), received_on)
    documents = clean_components([as_component(c) for c in components])
    # A reference of this installation's store must be the applicant's own (NĐ 107/2021).
    check_store_references(person, documents)
    for name, agency in (
        ("served_at", served_at),
        ("receiving_agency", receiving_agency),
        ("deciding_agency", deciding_agency),
    ):
        if agency is not None and not agency.is_valid_on(received_on):
            raise invalid(
                name,
                f"Cơ quan {agency.code} không hoạt động vào ngày {received_on:%d/%m/%Y}.",
                f"Agency {agency.code} is not in operation on {received_on:%d/%m/%Y}.",
            )
    key = None
    if idempotency_key is not None:
        key = str(idempotency_key).strip()
        if not KEY_SHAPE.match(key):
            raise invalid(
                "idempotency_key",
                "Idempotency-Key phải gồm 1 đến 255 ký tự ASCII in được, không có dấu cách.",
                "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.",
            )
        if actor.user is None:
            raise invalid(
                "idempotency_key",
                "Chỉ người dùng đã đăng nhập mới dùng được Idempotency-Key.",
                "Only a signed-in user can use an Idempotency-Key.",
            )
    request_hash = _request_hash(
        {
            "procedure": str(procedure_code).strip(),
            "channel": str(channel),
            "applicant": asdict(person),
            "components": [
                {
                    "name": d.name,
                    "component": d.component_id,
                    "sha256": d.sha256,
                    "filename": d.filename,
                    "content_type": d.content_type,
                    "store_reference": d.store_reference,
                }
                for d in documents
            ],
            "served_at": served_at.pk,
            "receiving_agency": receiving_agency.pk,
            "deciding_agency": deciding_agency.pk if deciding_agency else None,
            "received_at": received_at.isoformat() if received_at is not None else None,
        }
    )

    with transaction.atomic():
        claim: IdempotencyRecord | None = None
        if key is not None:
            existing, claim = _claim_key(actor, key, request_hash)
            if existing is not None:
                existing.idempotent_replay = True  # type: ignore[attr-defined]
                return existing
        procedure, version = _procedure_in_force(procedure_code, received_on)
        linked = _link_components(documents, version)
        deciding = check_deciding(procedure, receiving_agency, deciding_agency)
        # Before the numbering: the counter row stays locked until commit, keep that short.
        calendar = calendar_for(receiving_agency)
        promised = _due(
            received, version.promised_value, version.statutory_unit, calendar, version.cutoff
        )
        legal = _due(
            received, version.statutory_value, version.statutory_unit, calendar, version.cutoff
        )
        first_step = _version_rules(version).first_step
        person_row = Applicant.objects.create(**asdict(person))

        sequence = _next_sequence(receiving_agency, received_on)
        if sequence > MAX_SEQUENCE:
            raise ConflictError(
                "Đã hết số thứ tự hồ sơ trong ngày của cơ quan này.",
                "This agency has used every dossier number for the day.",
                code="sequence_exhausted",
            )
        try:
            code = format_dossier_code(receiving_agency.code, received_on, sequence)
        except DossierCodeError as error:
            raise invalid("receiving_agency", error.message_vi, error.message_en) from error
        dossier = Dossier.objects.create(
            code=code,
            received_on=received_on,
            sequence=sequence,
            procedure=procedure,
            procedure_version=version,
            channel=str(channel),
            served_at=served_at,
            receiving_agency=receiving_agency,
            deciding_agency=deciding,
            current_agency=receiving_agency,
            applicant=person_row,
            state=DossierState.RECEIVED.value,
            received_at=received,
            clock_started_at=received,
            due_basis=DueBasis.RECEIPT,
            first_due_at=promised.due,
            due_at=promised.due,
            legal_due_at=legal.due,
            due_provisional=promised.provisional,
            legal_due_provisional=legal.provisional,
            calendar_version=promised.calendar_version,
            current_step=first_step,
            search_text=search_text(code, person),
            components_digitised=any(item.content is not None for item, _c in linked),
            reused=any(bool(item.store_reference) for item, _c in linked),
        )
        rows = [
            _component_row(dossier, order, item, component)
            for order, (item, component) in enumerate(linked)
        ]
        DossierComponent.objects.bulk_create(rows)
        # The API answers from these rows (no read-back after commit).
        dossier.received_components = rows  # type: ignore[attr-defined]
        entries = [
            ClockEntry(dossier=dossier, at=received, kind="received", agency=receiving_agency)
        ]
        if first_step is not None:
            entries.append(
                ClockEntry(
                    dossier=dossier,
                    at=received,
                    kind="step_started",
                    step_order=first_step,
                    agency=receiving_agency,
                )
            )
        ClockEntry.objects.bulk_create(entries)
        summary = {
            "procedure": procedure.code,
            "procedure_version": version.number,
            "channel": str(channel),
            "receiving_agency": receiving_agency.code,
            "deciding_agency": deciding.code,
            "served_at": served_at.code,
            "due_at": promised.due.isoformat(),
            "legal_due_at": legal.due.isoformat(),
            "due_provisional": promised.provisional,
            "calendar_version": promised.calendar_version,
            "components": len(linked),
        }
        write_event(dossier, actor, DossierAction.RECEIVE, "", received, note="", payload=summary)
        if claim is not None:
            claim.dossier = dossier
            table = connection.ops.quote_name(IdempotencyRecord._meta.db_table)
            with connection.cursor() as cursor:  # the key now names its dossier
                cursor.execute(
                    f"UPDATE {table} SET dossier_id = %s WHERE id = %s", [dossier.pk, claim.pk]
                )
        # Last: the audit chain's lock is held from here until commit and serialises every
        # audited write of the installation, so nothing else may come after it.
        # No personal data in the trail: it can never be erased (Decree 13/2023).
        record(actor, "dossier.received", dossier, agency=receiving_agency, changes=summary)
    dossier.idempotent_replay = False  # type: ignore[attr-defined]
    return dossier


def _component_row(
    dossier: Dossier, order: int, item: ComponentInput, component: Component | None
) -> DossierComponent:
    """The row of one received document (not saved; its file, if any, is stored)."""
    row = DossierComponent(
        dossier=dossier,
        order=order,
        name=item.name or (component.name if component else ""),
        component=component,
        store_reference=item.store_reference,
        reused=bool(item.store_reference),
    )
    if item.content is not None:
        digest = item.sha256
        row.content_type = item.content_type
        row.size = len(item.content)
        row.sha256 = digest
        # Saved before commit: a rolled-back receipt leaves an orphan file, never a row
        # pointing at nothing.
        name = stored_name(item.content, item.content_type)
        row.file.save(name, ContentFile(item.content), save=False)
    return row
