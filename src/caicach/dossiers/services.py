"""Dossier services: receipt, the lifecycle actions, and the promises the calendar watches.

Each public function runs in one transaction that writes the change, its history line
(:class:`~caicach.dossiers.models.DossierEvent`), its clock-ledger entries
(:class:`~caicach.dossiers.models.ClockEntry`) and the audit entry, so all of them commit or roll
back together. Permissions come from :mod:`caicach.accounts.access` only: ``dossiers.view``
scopes what an officer sees, and one action per workflow role (:data:`ROLE_ACTIONS`) says with
which role an officer acts on a dossier.

Errors are bilingual (:class:`~caicach.core.errors.BilingualError`): 400 for bad input
(:class:`DossierInputError`, one message per field), 403 when the role is missing, 404 when the
dossier does not exist or is outside the caller's scope, 409 for a stale ``version`` or an
action the state does not allow (:class:`~caicach.dossiers.workflow.TransitionNotAllowed`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import get_valid_filename

from caicach.accounts.access import can, can_any
from caicach.accounts.errors import ForbiddenError, require_actor
from caicach.accounts.models import User, UserKind
from caicach.agencies.models import Agency
from caicach.calendars.events import OpenPromisesWanted
from caicach.calendars.rules import (
    VN_TZ,
    CalendarRangeError,
    DueResult,
    WorkCalendar,
    compute_due,
    due_in_working_days,
)
from caicach.calendars.services import OpenPromise, calendar_for
from caicach.core import events
from caicach.core.audit import Actor, diff, record
from caicach.core.errors import BilingualError, ConflictError
from caicach.core.text import normalise, row_id
from caicach.dossiers import clock
from caicach.dossiers.codes import MAX_SEQUENCE, DossierCodeError, format_dossier_code
from caicach.dossiers.events import event_class
from caicach.dossiers.identity import (
    IdentityError,
    validate_citizen_id,
    validate_phone,
    validate_tax_code,
)
from caicach.dossiers.models import (
    Applicant,
    ApplicantKind,
    ClockEntry,
    DailySequence,
    Dossier,
    DossierComponent,
    DossierEvent,
    DueBasis,
    IdempotencyRecord,
    Referral,
    ReferralKind,
)
from caicach.dossiers.workflow import (
    Channel,
    ClockEffect,
    DossierAction,
    DossierState,
    GuardContext,
    GuardWarning,
    Role,
    Transition,
    TransitionNotAllowed,
    check_transition,
)
from caicach.procedures.events import ProcedureVersionPublished
from caicach.procedures.models import Component, Procedure, ProcedureVersion, WorkflowStep

__all__ = [
    "ALLOWED_CONTENT_TYPES",
    "MAX_COMPONENT_BYTES",
    "ROLE_ACTIONS",
    "SIGNATURES",
    "ApplicantInput",
    "ComponentInput",
    "DossierInputError",
    "DossierNotFoundError",
    "acting_roles",
    "clean_key",
    "late_referrals_by_agency",
    "open_promises",
    "perform_action",
    "receive_dossier",
    "sniff",
    "visible_dossiers",
]

#: The access action that lets an officer act on a dossier in each workflow role, checked over
#: the agency holding the dossier (the receiving desk also acts at the receiving agency: it
#: records supplements, withdrawals and returns the result, NĐ 61/2018 arts. 17 and 20).
ROLE_ACTIONS: Mapping[str, str] = {
    Role.RECEIVER.value: "dossiers.receive",
    Role.PROCESSOR.value: "dossiers.process",
    Role.UNIT_LEADER.value: "dossiers.lead_unit",
    Role.AGENCY_LEADER.value: "dossiers.lead_agency",
    Role.ADMIN.value: "dossiers.administer",
}

MAX_COMPONENT_BYTES = 20 * 1024 * 1024
MAX_COMPONENTS = 50
#: What an attached file may be (issue 3: PDF, JPEG, PNG only), recognised by its first bytes:
#: the name and the content type a client claims are not trusted.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
ALLOWED_CONTENT_TYPES = frozenset(SIGNATURES)


def sniff(head: bytes) -> str:
    """The content type the bytes show, or "" when they are none of PDF, JPEG, PNG."""
    for content_type, signatures in SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    return ""


# A receipt time may be a little ahead of the server clock (a desk PC's clock), never more.
_FUTURE_LEEWAY = timedelta(minutes=2)
_KEY_SHAPE = re.compile(r"^[\x21-\x7e]{1,255}$")
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class DossierInputError(BilingualError):
    """Bad input, one message per field path (``applicant.id_number``, ``components.0.content``)
    in Vietnamese and English; the API returns 400 with ``errors`` and ``errors_vi``."""

    def __init__(
        self, errors_vi: dict[str, str], errors_en: dict[str, str], *, code: str = "invalid"
    ) -> None:
        super().__init__(
            " ".join(errors_vi.values()),
            " ".join(errors_en.values()),
            code=code,
            errors={key: [value] for key, value in errors_en.items()},
        )
        self.errors_vi = errors_vi
        self.errors_en = errors_en


def clean_key(value: Any, max_length: int = 40, *, upper: bool = False) -> str:
    """A code typed or sent by a client, stripped; empty when it cannot be a code (too long, or
    control characters such as NUL, which PostgreSQL text refuses)."""
    text = str(value or "").strip()
    if len(text) > max_length or not text.isprintable():
        return ""
    return text.upper() if upper else text


def _invalid(field_name: str, vi: str, en: str, code: str = "invalid") -> DossierInputError:
    return DossierInputError({field_name: vi}, {field_name: en}, code=code)


class DossierNotFoundError(BilingualError):
    """No such dossier, or outside the caller's scope (its existence is not revealed)."""

    status = 404
    code = "not_found"

    def __init__(self, code: str) -> None:
        shown = clean_key(code) or "?"
        super().__init__(f"Không tìm thấy hồ sơ {shown}.", f"Dossier {shown} not found.")


# --------------------------------------------------------------------------------------------
# Scope and roles (through caicach.accounts.access only)
# --------------------------------------------------------------------------------------------


def visible_dossiers(user: Any) -> QuerySet[Dossier]:
    """Dossiers the user may see: received, decided or currently held in their scope."""
    return Dossier.objects.visible_to(user)


class ComponentFileNotFoundError(BilingualError):
    """No stored file for that document of the dossier (a store reference has none)."""

    status = 404
    code = "component_file_not_found"

    def __init__(self) -> None:
        super().__init__(
            "Không tìm thấy tệp của giấy tờ này trong hồ sơ.",
            "No stored file for this document of the dossier.",
        )


def component_file(user: Any, code: str, component_id: Any) -> DossierComponent:
    """A document received with a dossier the user may see, whose file is stored (the scan or
    upload checked at intake: PDF, JPEG or PNG by content), for the officers who process it
    (Decree 13/2023/NĐ-CP: personal data only to those who need it: the dossier's scope).
    :class:`DossierNotFoundError` or :class:`ComponentFileNotFoundError` (404) otherwise."""
    key = clean_key(code, upper=True)
    dossier_id = (
        visible_dossiers(user).filter(code=key).values_list("pk", flat=True).first()
        if key
        else None
    )
    if dossier_id is None:
        raise DossierNotFoundError(code)
    pk = row_id(component_id)
    if pk is None:
        raise ComponentFileNotFoundError()
    component = (
        DossierComponent.objects.filter(dossier_id=dossier_id, pk=pk).exclude(file="").first()
    )
    if component is None:
        raise ComponentFileNotFoundError()
    return component


def _may_view(user: Any, dossier: Dossier) -> bool:
    """The rule of :meth:`DossierQuerySet.visible_to` for one dossier: its three agencies, or
    an agency it was referred to (consultation, supporting agency)."""
    if can_any(
        user,
        "dossiers.view",
        [dossier.receiving_agency, dossier.deciding_agency, dossier.current_agency],
    ):
        return True
    return can_any(user, "dossiers.view", [r.agency for r in _referrals(dossier)])


def _referrals(dossier: Dossier) -> list[Referral]:
    """The dossier's referrals with their agencies (the prefetched ones when there are)."""
    return list(
        dossier.referrals.all().select_related("agency")
        if not _prefetched(dossier)
        else dossier.referrals.all()
    )


def _prefetched(dossier: Dossier) -> bool:
    return "referrals" in getattr(dossier, "_prefetched_objects_cache", {})


def answerable_referrals(user: Any, dossier: Dossier) -> list[Referral]:
    """Referrals of ``dossier`` not answered yet that ``user`` may answer: a processor or a
    leader of the agency asked (``dossiers.reply``, NĐ 61/2018 art. 19)."""
    return [
        r
        for r in _referrals(dossier)
        if r.answered_at is None and can(user, "dossiers.reply", r.agency)
    ]


def acting_roles(user: Any, dossier: Dossier) -> list[str]:
    """The workflow roles ``user`` may act in on ``dossier``, in :class:`Role` order.
    ``consultee``: an officer of an agency with a referral still to answer."""
    roles = []
    for role, action in ROLE_ACTIONS.items():
        agencies = [dossier.current_agency]
        if role == Role.RECEIVER.value:
            agencies.append(dossier.receiving_agency)
        if can_any(user, action, agencies):
            roles.append(role)
    if answerable_referrals(user, dossier):
        roles.append(Role.CONSULTEE.value)
    return roles


# --------------------------------------------------------------------------------------------
# Receipt
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantInput:
    """The applicant as entered. ``full_name`` is the person's or the organisation's name."""

    kind: str = ApplicantKind.PERSON.value
    full_name: str = ""
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    tax_code: str = ""
    representative: str = ""


@dataclass(frozen=True)
class ComponentInput:
    """A received document: ``content`` (the scan or upload) or ``store_reference`` (a document
    in the applicant's digitised store, reused). ``component_id`` or, failing that, the name
    links it to the procedure's component."""

    name: str = ""
    component_id: int | None = None
    content: bytes | None = field(default=None, repr=False)
    filename: str = ""
    content_type: str = ""
    store_reference: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest() if self.content is not None else ""


def _as_applicant(value: ApplicantInput | Mapping[str, Any]) -> ApplicantInput:
    if isinstance(value, ApplicantInput):
        return value
    known = {k: ("" if v is None else v) for k, v in value.items() if k in _APPLICANT_FIELDS}
    return ApplicantInput(**known)


def _as_component(value: ComponentInput | Mapping[str, Any]) -> ComponentInput:
    if isinstance(value, ComponentInput):
        return value
    known = {k: v for k, v in value.items() if k in _COMPONENT_FIELDS}
    return ComponentInput(**known)


_APPLICANT_FIELDS = frozenset(ApplicantInput.__dataclass_fields__)
_COMPONENT_FIELDS = frozenset(ComponentInput.__dataclass_fields__)


def _clean_applicant(data: ApplicantInput, today: date) -> ApplicantInput:
    """Validate and normalise the applicant; all field errors at once."""
    vi: dict[str, str] = {}
    en: dict[str, str] = {}

    def fail(name: str, message_vi: str, message_en: str) -> None:
        vi[f"applicant.{name}"] = message_vi
        en[f"applicant.{name}"] = message_en

    kind = str(data.kind or "").strip()
    if kind not in ApplicantKind.values:
        fail(
            "kind",
            "Loại người nộp phải là cá nhân hoặc tổ chức.",
            "Kind must be person or organisation.",
        )
    full_name = " ".join(str(data.full_name or "").split())
    if not full_name:
        fail("full_name", "Chưa nhập họ tên (hoặc tên tổ chức).", "The name is required.")
    elif len(full_name) > 300:
        fail(
            "full_name",
            "Tên quá dài (tối đa 300 ký tự).",
            "The name is too long (300 characters at most).",
        )
    cleaned: dict[str, str] = {}
    id_number = str(data.id_number or "").strip()
    if id_number:
        try:
            cleaned["id_number"] = validate_citizen_id(id_number, as_of=today)
        except IdentityError as error:
            fail("id_number", error.message_vi, error.message_en)
    elif kind == ApplicantKind.PERSON:
        fail(
            "id_number",
            "Chưa nhập số định danh cá nhân (CCCD) của người nộp.",
            "The applicant's citizen ID is required.",
        )
    tax_code = str(data.tax_code or "").strip()
    if tax_code:
        try:
            cleaned["tax_code"] = validate_tax_code(tax_code, as_of=today)
        except IdentityError as error:
            fail("tax_code", error.message_vi, error.message_en)
    elif kind == ApplicantKind.ORGANISATION:
        fail(
            "tax_code",
            "Chưa nhập mã số thuế của tổ chức.",
            "The organisation's tax code is required.",
        )
    phone = str(data.phone or "").strip()
    if phone:
        try:
            cleaned["phone"] = validate_phone(phone)
        except IdentityError as error:
            fail("phone", error.message_vi, error.message_en)
    email = str(data.email or "").strip()
    if email and (len(email) > 254 or not _EMAIL_SHAPE.match(email)):
        fail("email", "Địa chỉ thư điện tử không hợp lệ.", "Invalid e-mail address.")
    address = " ".join(str(data.address or "").split())
    if len(address) > 300:
        fail(
            "address",
            "Địa chỉ quá dài (tối đa 300 ký tự).",
            "The address is too long (300 at most).",
        )
    representative = " ".join(str(data.representative or "").split())
    if len(representative) > 200:
        fail(
            "representative",
            "Tên người đại diện quá dài (tối đa 200 ký tự).",
            "The representative's name is too long (200 at most).",
        )
    if vi:
        raise DossierInputError(vi, en)
    return ApplicantInput(
        kind=kind,
        full_name=full_name,
        id_number=cleaned.get("id_number", ""),
        phone=cleaned.get("phone", ""),
        email=email,
        address=address,
        tax_code=cleaned.get("tax_code", ""),
        representative=representative,
    )


def _clean_components(items: Sequence[ComponentInput]) -> list[ComponentInput]:
    """Shape of each received document (linking to the procedure comes later)."""
    if len(items) > MAX_COMPONENTS:
        raise _invalid(
            "components",
            f"Tối đa {MAX_COMPONENTS} thành phần hồ sơ.",
            f"At most {MAX_COMPONENTS} components.",
        )
    vi: dict[str, str] = {}
    en: dict[str, str] = {}
    out: list[ComponentInput] = []
    for i, item in enumerate(items):
        key = f"components.{i}"
        name = " ".join(str(item.name or "").split())
        if len(name) > 500:
            vi[f"{key}.name"] = "Tên giấy tờ quá dài (tối đa 500 ký tự)."
            en[f"{key}.name"] = "The document name is too long (500 at most)."
        reference = str(item.store_reference or "").strip()
        has_content = item.content is not None
        if has_content == bool(reference):
            vi[key] = (
                "Mỗi giấy tờ cần đúng một trong hai: tệp đính kèm hoặc mã giấy tờ trong kho dữ liệu."
            )
            en[key] = (
                "Each document needs exactly one of: an attached file or a document-store reference."
            )
            continue
        if len(reference) > 200:
            vi[f"{key}.store_reference"] = "Mã giấy tờ quá dài (tối đa 200 ký tự)."
            en[f"{key}.store_reference"] = "The store reference is too long (200 at most)."
        content_type = ""
        filename = ""
        if has_content:
            size = len(item.content or b"")
            if size == 0:
                vi[f"{key}.content"] = "Tệp đính kèm rỗng."
                en[f"{key}.content"] = "The attached file is empty."
            elif size > MAX_COMPONENT_BYTES:
                vi[f"{key}.content"] = "Tệp quá lớn (tối đa 20 MB)."
                en[f"{key}.content"] = "The file is too large (20 MB at most)."
            content_type = sniff((item.content or b"")[:16])
            if size and not content_type:
                vi[f"{key}.content_type"] = (
                    "Nội dung tệp không phải PDF, JPEG hay PNG (không xét tên hay loại tệp khai báo)."
                )
                en[f"{key}.content_type"] = (
                    "The file's content is not PDF, JPEG or PNG (its name and declared type are "
                    "not trusted)."
                )
            filename = _safe_filename(str(item.filename or ""))
        out.append(
            ComponentInput(
                name=name,
                component_id=item.component_id,
                content=item.content,
                filename=filename,
                content_type=content_type if has_content else "",
                store_reference=reference,
            )
        )
    if vi:
        raise DossierInputError(vi, en)
    return out


def _safe_filename(name: str) -> str:
    """The last path part of a client's file name, without leading dots, safe for storage."""
    base = re.split(r"[/\\]", name.strip())[-1].lstrip(".").strip()
    try:
        return get_valid_filename(base)[-120:] if base else "tep"
    except SuspiciousFileOperation:
        return "tep"


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
        raise _invalid(
            "components",
            f"Hồ sơ chưa đủ thành phần bắt buộc: {names}. Hãy hướng dẫn bổ sung thay vì tiếp nhận.",
            f"Required components are missing: {names}. Ask for a supplement instead of "
            "receiving the dossier.",
            "missing_components",
        )
    return linked


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=VN_TZ)
    return value


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
        raise _invalid(
            "procedure",
            f"Không tìm thấy thủ tục hành chính có mã “{shown}” đang áp dụng.",
            f"No administrative procedure in force with code “{shown}”.",
            "unknown_procedure",
        )
    version = procedure.version_on(day)
    if version is None:
        raise _invalid(
            "procedure",
            f"Thủ tục {shown} không có phiên bản áp dụng vào ngày {day:%d/%m/%Y}.",
            f"Procedure {shown} has no version in force on {day:%d/%m/%Y}.",
            "no_version_in_force",
        )
    return procedure, version


def _default_deciding(procedure: Procedure, receiving: Agency) -> Agency:
    """The handling agency the desk belongs to; else the only handling agency; else the desk's
    own agency. A service centre receiving for several authorities names it explicitly."""
    handling = list(procedure.handling_agencies.all())
    for agency in handling:
        if receiving.path.startswith(agency.path):
            return agency
    if len(handling) == 1:
        return handling[0]
    return receiving


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


def _search_text(code: str, applicant: ApplicantInput) -> str:
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
    received = _aware(received_at) if received_at is not None else now
    if received > now + _FUTURE_LEEWAY:
        raise _invalid(
            "received_at",
            "Thời điểm tiếp nhận không được ở tương lai.",
            "The receipt time cannot be in the future.",
        )
    received_on = received.astimezone(VN_TZ).date()
    require_actor(actor, "dossiers.receive", receiving_agency)
    served_at = served_at or receiving_agency
    if str(channel) not in {c.value for c in Channel}:
        raise _invalid(
            "channel",
            "Kênh nộp phải là trực tiếp, bưu chính hoặc trực tuyến.",
            "The channel must be counter, post or online.",
        )
    person = _clean_applicant(_as_applicant(applicant), received_on)
    documents = _clean_components([_as_component(c) for c in components])
    for name, agency in (
        ("served_at", served_at),
        ("receiving_agency", receiving_agency),
        ("deciding_agency", deciding_agency),
    ):
        if agency is not None and not agency.is_valid_on(received_on):
            raise _invalid(
                name,
                f"Cơ quan {agency.code} không hoạt động vào ngày {received_on:%d/%m/%Y}.",
                f"Agency {agency.code} is not in operation on {received_on:%d/%m/%Y}.",
            )
    key = None
    if idempotency_key is not None:
        key = str(idempotency_key).strip()
        if not _KEY_SHAPE.match(key):
            raise _invalid(
                "idempotency_key",
                "Idempotency-Key phải gồm 1 đến 255 ký tự ASCII in được, không có dấu cách.",
                "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces.",
            )
        if actor.user is None:
            raise _invalid(
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
        deciding = deciding_agency or _default_deciding(procedure, receiving_agency)
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
            raise _invalid("receiving_agency", error.message_vi, error.message_en) from error
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
            due_at=promised.due,
            legal_due_at=legal.due,
            calendar_version=promised.calendar_version,
            current_step=first_step,
            search_text=_search_text(code, person),
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
            "calendar_version": promised.calendar_version,
            "components": len(linked),
        }
        _event(dossier, actor, DossierAction.RECEIVE, "", received, note="", payload=summary)
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
        row.file.save(f"{digest[:12]}_{item.filename}", ContentFile(item.content), save=False)
    return row


def _event(
    dossier: Dossier,
    actor: Actor,
    action: DossierAction,
    from_state: str,
    at: datetime,
    *,
    note: str,
    payload: dict[str, Any],
    agency: Agency | None = None,
    effect: ClockEffect = ClockEffect.NONE,
) -> DossierEvent:
    """Write one history line and announce it on the event seam (:mod:`caicach.dossiers.events`):
    subscribers such as the applicant's notifications run in this same transaction."""
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=at,
        actor=actor.user,
        actor_label=actor.describe()[:200],
        ip_address=actor.ip_address,
        action=action.value,
        from_state=from_state,
        to_state=dossier.state,
        step=dossier.current_step,
        agency=agency or dossier.current_agency,
        note=note,
        payload=json.loads(json.dumps(payload, default=str)),
    )
    events.emit(event_class(action, effect)(dossier, event))
    return event


# --------------------------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------------------------

_PARAMS = frozenset(
    {
        "reason",
        "agency",
        "assignee",
        "new_due",
        # consultations and parallel transfers (NĐ 61/2018 art. 19)
        "agencies",
        "deadline",
        "deadline_days",
        "mode",
        "lead_agency",
        "supporting_agencies",
        "referral",
    }
)
#: The longest deadline one may give an asked agency, in working days.
MAX_REFERRAL_DAYS = 60
_REASON_REQUIRED = frozenset(
    {
        DossierAction.REQUEST_SUPPLEMENT,
        DossierAction.REFUSE,
        DossierAction.STOP,
        DossierAction.SEND_BACK,
        DossierAction.APOLOGISE,
    }
)
_NOTE_REQUIRED = frozenset(
    {
        DossierAction.APPRAISE,
        DossierAction.CONSULT,
        DossierAction.ANSWER_CONSULTATION,
        DossierAction.REPLY,
    }
)
# The end of processing each action records. Returning a result already marked ready adds a
# second "finished" entry: the ledger allows it, and Decision 766 ranks the two.
_END_STATUS = {
    DossierAction.MARK_RESULT_READY: clock.EndStatus.PROCESSED,
    DossierAction.RETURN_RESULT: clock.EndStatus.RETURNED,
    DossierAction.REFUSE: clock.EndStatus.REFUSED,
    DossierAction.STOP: clock.EndStatus.STOPPED,
    DossierAction.WITHDRAW: clock.EndStatus.WITHDRAWN,
}


@dataclass
class _Work:
    """What one action changes, collected before anything is written."""

    dossier: Dossier
    actor: Actor
    now: datetime
    calendar: WorkCalendar
    steps: list[WorkflowStep]
    entries: list[ClockEntry] = field(default_factory=list)
    payload: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    #: Referrals asked, answered or closed by the action, for the audit entry.
    referral_log: list[dict[str, Any]] = field(default_factory=list)
    #: The agency the history line is attributed to when not the holder (a reply).
    event_agency: Agency | None = None

    def clock(self, kind: clock.EventKind, **values: Any) -> None:
        self.entries.append(
            ClockEntry(dossier=self.dossier, at=self.now, kind=kind.value, **values)
        )

    def move(self, order: int | None, agency: Agency) -> None:
        """Close the open step and open ``order`` at ``agency`` (attribution of lateness)."""
        d = self.dossier
        if d.current_step is not None:
            self.clock(
                clock.EventKind.STEP_FINISHED, step_order=d.current_step, agency=d.current_agency
            )
        if order is not None:
            self.clock(clock.EventKind.STEP_STARTED, step_order=order, agency=agency)
        d.current_step = order
        d.current_agency = agency

    def step(self, order: int | None) -> WorkflowStep | None:
        return next((s for s in self.steps if s.order == order), None)

    def step_after(self, order: int | None) -> WorkflowStep | None:
        later = [s for s in self.steps if order is None or s.order > order]
        return later[0] if later else None

    def step_before(self, order: int | None) -> WorkflowStep | None:
        earlier = [s for s in self.steps if order is not None and s.order < order]
        return earlier[-1] if earlier else None


def _locked(code: str, user: Any) -> Dossier:
    text = clean_key(code, upper=True)
    dossier = (
        Dossier.objects.select_related(
            "receiving_agency", "deciding_agency", "current_agency", "procedure_version"
        )
        .select_for_update(of=("self",))
        .filter(code=text)
        .first()
        if text
        else None
    )
    if dossier is None or not _may_view(user, dossier):
        raise DossierNotFoundError(str(code or ""))
    return dossier


def _resolve_agency(value: Any, field_name: str = "agency") -> Agency:
    if isinstance(value, Agency):
        return value
    code = clean_key(value, 20)
    agency = Agency.objects.filter(code=code).first() if code else None
    if agency is None:
        raise _invalid(
            field_name,
            f"Không tìm thấy cơ quan có mã “{code}”.",
            f"No agency with code “{code}”.",
        )
    if not agency.is_valid_on(timezone.localdate()):
        raise _invalid(
            field_name,
            f"Cơ quan {agency.code} không còn hoạt động.",
            f"Agency {agency.code} is no longer in operation.",
        )
    return agency


def _within(agency: Agency, *roots: Agency) -> bool:
    return any(agency.path.startswith(root.path) for root in roots)


def _check(
    state: str, action: DossierAction, roles: list[str], context: GuardContext
) -> tuple[Transition, list[GuardWarning], str]:
    """The first of the caller's roles the table allows. A refused state or guard is a 409; a
    role the table does not allow, a 403 with the table's reason."""
    refusal: TransitionNotAllowed | None = None
    for role in roles:
        try:
            found, warnings = check_transition(state, action, role, context)
        except TransitionNotAllowed as error:
            if error.code != "role":
                raise ConflictError(error.message_vi, error.message_en, code=error.code) from error
            refusal = refusal or error
            continue
        return found, warnings, role
    if refusal is not None:
        raise ForbiddenError(refusal.message_vi, refusal.message_en, code="role")
    raise ForbiddenError(
        "Bạn không có vai trò nào để xử lý hồ sơ này.",
        "You hold no role that may act on this dossier.",
        code="role",
    )


def _snapshot(d: Dossier) -> dict[str, Any]:
    return {
        "state": d.state,
        "version": d.version,
        "current_step": d.current_step,
        "current_agency": d.current_agency.code,
        "assigned_to": d.assigned_to_id,
        "due_at": d.due_at.isoformat(),
        "legal_due_at": d.legal_due_at.isoformat(),
        "calendar_version": d.calendar_version,
        "finished_at": d.finished_at.isoformat() if d.finished_at else None,
        "returned_at": d.returned_at.isoformat() if d.returned_at else None,
        "timeliness": d.timeliness,
        "supplement_requests": d.supplement_requests,
        "apologies": d.apologies,
    }


def perform_action(
    actor: Actor,
    dossier_code: str,
    action: DossierAction | str,
    *,
    expected_version: int,
    note: str = "",
    **params: Any,
) -> Dossier:
    """Apply a lifecycle action to a dossier (NĐ 61/2018 arts. 17-20) and return it.

    * The dossier is locked (``SELECT ... FOR UPDATE``); ``expected_version`` must be its
      current ``version`` (409 ``stale_version`` otherwise: someone else changed it first).
    * :func:`~caicach.dossiers.workflow.check_transition` decides: wrong state or a broken
      guard (online supplement once; apology once and one working day ahead) → 409 with its
      reason; the caller's roles over the agency holding the dossier (:func:`acting_roles`)
      must include one the table allows → 403 otherwise.
    * ``params``: ``reason`` (required for request_supplement, refuse, stop, send_back and
      apologise), ``agency`` (target unit: assign, transfer_step, transfer_agency, consult),
      ``assignee`` (user id: assign), ``new_due`` (apologise, form 04).
    * Clock: a supplement request pauses; ``supplement_received`` restarts the time limit from
      the resumption instant (art. 19: *tính lại từ đầu*), recomputing ``due_at`` and
      ``legal_due_at`` with :func:`~caicach.dossiers.clock.legal_due`; an apology sets the new
      promised date; result ready, return, refusal, stop and withdrawal end the processing and
      record the timeliness (TT 01/2018 art. 13).

    Soft warnings (e.g. a second supplement request) are on ``dossier.warnings``.
    """
    try:
        act = DossierAction(action)
    except ValueError:
        raise _invalid(
            "action",
            f"Không có thao tác “{str(action)[:40]}”.",
            f"Unknown action “{str(action)[:40]}”.",
        ) from None
    if act is DossierAction.RECEIVE:
        raise _invalid(
            "action",
            "Hồ sơ mới được tiếp nhận qua chức năng tiếp nhận.",
            "A new dossier is received through the receipt endpoint.",
        )
    unknown = set(params) - _PARAMS
    if unknown:
        raise TypeError(f"unknown parameters: {sorted(unknown)}")
    if actor.user is None:
        raise ForbiddenError("Cần đăng nhập.", "Authentication required.")
    note = str(note or "").strip()
    reason = str(params.get("reason") or "").strip()
    if len(note) > 4000 or len(reason) > 500:
        raise _invalid(
            "note" if len(note) > 4000 else "reason",
            "Nội dung quá dài.",
            "The text is too long.",
        )
    if act in _REASON_REQUIRED and not reason:
        raise _invalid("reason", "Cần nêu lý do.", "A reason is required.", "reason_required")
    if act in _NOTE_REQUIRED and not note:
        raise _invalid("note", "Cần nhập nội dung.", "A note is required.", "note_required")

    with transaction.atomic():
        dossier = _locked(dossier_code, actor.user)
        if dossier.version != expected_version:
            raise ConflictError(
                "Hồ sơ đã được người khác cập nhật (phiên bản hiện tại "
                f"{dossier.version}, bạn gửi {expected_version}). Hãy tải lại hồ sơ rồi thử lại.",
                "The dossier was changed by someone else (current version "
                f"{dossier.version}, you sent {expected_version}). Reload it and try again.",
                code="stale_version",
            )
        now = timezone.now()
        calendar = calendar_for(dossier.receiving_agency)
        consultations, cooperation = _pending(dossier, act, now)
        if act is DossierAction.REPLY:
            _nothing_left_to_answer(actor.user, dossier)
        context = GuardContext(
            channel=dossier.channel,
            supplement_requests_so_far=dossier.supplement_requests,
            has_apology=dossier.apologies > 0,
            now=now,
            due=dossier.due_at,
            received_at=dossier.clock_started_at,
            calendar=calendar,
            pending_consultations=consultations,
            pending_cooperation=cooperation,
        )
        found, warnings, role = _check(
            dossier.state, act, acting_roles(actor.user, dossier), context
        )
        before = _snapshot(dossier)
        from_state = dossier.state
        work = _Work(
            dossier,
            actor,
            now,
            calendar,
            list(
                WorkflowStep.objects.filter(version=dossier.procedure_version)
                .select_related("agency")
                .order_by("order")
            ),
        )
        work.note = note
        _APPLY[act](work, reason=reason, **{k: v for k, v in params.items() if k != "reason"})
        if found.clock_effect is ClockEffect.PAUSE:
            dossier.supplement_requests += 1
            work.clock(clock.EventKind.PAUSED, reason=reason)
        elif found.clock_effect is ClockEffect.EXTEND:
            dossier.apologies += 1
        if act in _END_STATUS:
            _finish(work, _END_STATUS[act])
        dossier.state = found.target.value
        dossier.version += 1
        dossier.save()
        ClockEntry.objects.bulk_create(work.entries)
        payload = {"role": role, **work.payload}
        if reason:
            payload["reason"] = reason
        if warnings:
            payload["warnings"] = [w.code for w in warnings]
        _event(
            dossier,
            actor,
            act,
            from_state,
            now,
            note=note,
            payload=payload,
            agency=work.event_agency,
            effect=found.clock_effect,
        )
        changes = diff(before, _snapshot(dossier))
        if work.referral_log:
            changes["referrals"] = work.referral_log
        record(
            actor, f"dossier.{act.value}", dossier, agency=dossier.current_agency, changes=changes
        )
    dossier.warnings = warnings  # type: ignore[attr-defined]
    return dossier


def _finish(work: _Work, status: clock.EndStatus) -> None:
    """End of processing (Decision 766 priority: processed > returned > refused/stopped/
    withdrawn); the first end fixes ``finished_at`` and the timeliness."""
    d = work.dossier
    work.clock(clock.EventKind.FINISHED, reason=status.value)
    if status is clock.EndStatus.RETURNED:
        d.returned_at = work.now
    if d.finished_at is None:
        d.finished_at = work.now
        d.timeliness = clock.timeliness(work.now, d.due_at).value


# -- one function per action: what it changes beyond the state ----------------------------------


def _assign(
    work: _Work, *, reason: str, agency: Any = None, assignee: Any = None, **_: Any
) -> None:
    d = work.dossier
    reassign = d.state != DossierState.RECEIVED
    if agency is not None:
        target = _resolve_agency(agency)
        if not _within(target, d.deciding_agency, d.current_agency):
            raise _invalid(
                "agency",
                "Chỉ được phân công cho đơn vị thuộc cơ quan giải quyết hoặc đơn vị đang xử lý.",
                "Assign only to a unit of the deciding agency or of the unit holding the dossier.",
            )
    elif reassign:
        target = d.current_agency
    else:
        nxt = work.step_after(d.current_step)
        target = nxt.agency if nxt is not None and nxt.agency is not None else d.deciding_agency
    if assignee is not None:
        user = _resolve_assignee(assignee, target)
        d.assigned_to = user
        work.payload["assignee"] = user.pk
    elif target != d.current_agency:
        d.assigned_to = None
    if not reassign:
        nxt = work.step_after(d.current_step)
        work.move(nxt.order if nxt is not None else d.current_step, target)
    elif target != d.current_agency:
        work.move(d.current_step, target)
    work.payload["agency"] = target.code


def _resolve_assignee(value: Any, agency: Agency) -> User:
    try:
        user_id = int(value.pk if isinstance(value, User) else value)
    except (TypeError, ValueError):
        user_id = 0
    user = User.objects.filter(pk=user_id, kind=UserKind.OFFICER, is_active=True).first()
    if user is None or not can(user, "dossiers.process", agency):
        raise _invalid(
            "assignee",
            "Người được phân công phải là chuyên viên thụ lý của đơn vị nhận hồ sơ.",
            "The assignee must be a processing officer of the unit that takes the dossier.",
        )
    return user


def _accept(work: _Work, **_: Any) -> None:
    work.dossier.assigned_to = work.actor.user


def _nothing(work: _Work, **_: Any) -> None:
    return None


def _consult(
    work: _Work,
    *,
    agency: Any = None,
    agencies: Any = None,
    deadline: Any = None,
    deadline_days: Any = None,
    **_: Any,
) -> None:
    """*Lấy ý kiến* (NĐ 61/2018 art. 19): ask one or more units or agencies, with the question
    (the note) and a deadline (an instant, or N working days on the asked agency's calendar).
    From ``consulting``, asks one more."""
    asked = _agency_list(agencies if agencies is not None else agency, "agencies")
    d = work.dossier
    already = {
        r.agency_id for r in _referrals(d) if r.kind == ReferralKind.CONSULTATION and r.is_open
    }
    for target in asked:
        if target.pk == d.current_agency_id:
            raise _invalid(
                "agencies",
                f"{target.name} đang giữ hồ sơ; không thể tự xin ý kiến chính mình.",
                f"{target.name} holds the dossier and cannot consult itself.",
                "self_consultation",
            )
        if target.pk in already:
            raise _invalid(
                "agencies",
                f"Đang chờ ý kiến của {target.name}; không gửi lại.",
                f"An answer of {target.name} is already awaited.",
                "already_consulted",
            )
    due = {t.pk: _referral_due(work, t, deadline, deadline_days) for t in asked}
    _ask(work, ReferralKind.CONSULTATION, asked, due)
    work.payload["agencies"] = [t.code for t in asked]
    if len(asked) == 1:
        work.payload["agency"] = asked[0].code


def _agency_list(value: Any, field_name: str) -> list[Agency]:
    """Agencies given as a list of codes (or a comma/space separated text), without repeats;
    400 when empty or when one is unknown."""
    if value is None or isinstance(value, (str, Agency)):
        items: list[Any] = (
            [value] if isinstance(value, Agency) else re.split(r"[\s,;]+", str(value or ""))
        )
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = [value]
    items = [i for i in items if isinstance(i, Agency) or str(i).strip()]
    if not items:
        raise _invalid(
            field_name,
            "Cần chọn ít nhất một cơ quan, đơn vị.",
            "At least one agency or unit is required.",
            "agencies_required",
        )
    if len(items) > 20:
        raise _invalid(
            field_name, "Tối đa 20 cơ quan, đơn vị.", "At most 20 agencies.", "too_many_agencies"
        )
    out: list[Agency] = []
    for item in items:
        target = _resolve_agency(item, field_name)
        if target not in out:
            out.append(target)
    return out


def _referral_due(work: _Work, agency: Agency, deadline: Any, deadline_days: Any) -> datetime:
    """The deadline of a referral: an instant after now, or ``deadline_days`` working days
    counted on the asked agency's calendar (Civil Code art. 147: from the next working day,
    to the end of office hours of the N-th)."""
    if deadline not in (None, "") and deadline_days not in (None, ""):
        raise _invalid(
            "deadline",
            "Chỉ nhập hạn trả lời hoặc số ngày làm việc, không cả hai.",
            "Give either a deadline or a number of working days, not both.",
            "deadline_ambiguous",
        )
    if deadline_days not in (None, ""):
        try:
            days = int(str(deadline_days).strip())
        except ValueError:
            days = 0
        if not 1 <= days <= MAX_REFERRAL_DAYS:
            raise _invalid(
                "deadline_days",
                f"Số ngày làm việc để trả lời phải từ 1 đến {MAX_REFERRAL_DAYS}.",
                f"The working days to answer must be between 1 and {MAX_REFERRAL_DAYS}.",
                "deadline_days_invalid",
            )
        try:
            return due_in_working_days(work.now, days, calendar_for(agency), cutoff=None).due
        except (CalendarRangeError, ValueError) as error:
            raise BilingualError(
                "Không tính được hạn trả lời với lịch làm việc hiện có.",
                f"The deadline cannot be computed with the current calendar: {error}",
                code="due_not_computable",
                status=409,
            ) from error
    if isinstance(deadline, str):
        try:
            deadline = datetime.fromisoformat(deadline.strip())
        except ValueError:
            deadline = None
    if isinstance(deadline, date) and not isinstance(deadline, datetime):
        deadline = datetime.combine(deadline, calendar_for(agency).office_hours.closing, VN_TZ)
    if not isinstance(deadline, datetime):
        raise _invalid(
            "deadline",
            "Cần nhập hạn trả lời (ví dụ 2025-06-10T17:00) hoặc số ngày làm việc.",
            "A deadline (e.g. 2025-06-10T17:00) or a number of working days is required.",
            "deadline_required",
        )
    deadline = _aware(deadline)
    if deadline <= work.now:
        raise _invalid(
            "deadline",
            "Hạn trả lời phải sau thời điểm hiện tại.",
            "The deadline must be in the future.",
            "deadline_past",
        )
    return deadline


def _ask(
    work: _Work, kind: ReferralKind, agencies: list[Agency], due: Mapping[int, datetime]
) -> None:
    d = work.dossier
    question = work.note or str(work.payload.get("question") or "")
    rows = Referral.objects.bulk_create(
        [
            Referral(
                dossier=d,
                kind=kind.value,
                agency=target,
                requesting_agency=d.current_agency,
                requested_by=work.actor.user,
                requested_at=work.now,
                question=question,
                due_at=due[target.pk],
            )
            for target in agencies
        ]
    )
    for row in rows:
        work.referral_log.append(
            {"asked": row.agency.code, "kind": kind.value, "due_at": row.due_at.isoformat()}
        )
    work.payload["referrals"] = [
        {"id": r.pk, "agency": r.agency.code, "kind": kind.value, "due_at": r.due_at.isoformat()}
        for r in rows
    ]


def _pending(
    dossier: Dossier, act: DossierAction, now: datetime
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names of the consulted agencies still within their deadline without an answer, and of
    the supporting agencies without an answer (for the guards); only read when they matter."""
    if act not in (DossierAction.ANSWER_CONSULTATION, DossierAction.SUBMIT_FOR_APPROVAL):
        return (), ()
    consultations: list[str] = []
    cooperation: list[str] = []
    for r in _referrals(dossier):
        if not r.is_open:
            continue
        if r.kind == ReferralKind.CONSULTATION and r.due_at > now:
            consultations.append(r.agency.name)
        elif r.kind == ReferralKind.COOPERATION:
            cooperation.append(r.agency.name)
    return tuple(consultations), tuple(cooperation)


def _nothing_left_to_answer(user: Any, dossier: Dossier) -> None:
    """A clear 409 (not a 403) when the caller's agency was asked but has already answered."""
    if answerable_referrals(user, dossier):
        return
    done = [r for r in _referrals(dossier) if can(user, "dossiers.reply", r.agency)]
    if done:
        names = ", ".join(dict.fromkeys(r.agency.name for r in done))
        raise ConflictError(
            f"{names} đã trả lời ý kiến; ý kiến chỉ gửi một lần.",
            f"{names} already answered; an answer is given once.",
            code="already_answered",
        )


def _answer_consultation(work: _Work, **_: Any) -> None:
    """The holder resumes processing (art. 19). The guards made sure every consulted unit has
    answered or let its deadline pass: silence past the deadline counts as agreement, and is
    recorded on the referral."""
    closed = []
    for r in _referrals(work.dossier):
        if r.kind == ReferralKind.CONSULTATION and r.is_open and r.due_at <= work.now:
            r.deemed_agreed_at = work.now
            r.save(update_fields=["deemed_agreed_at"])
            closed.append(r.agency.code)
            work.referral_log.append({"deemed_agreed": r.agency.code, "referral": r.pk})
    if closed:
        work.payload["deemed_agreed"] = closed


def _reply(work: _Work, *, referral: Any = None, **_: Any) -> None:
    """An officer of the asked agency answers its referral, once; the answer (the note) is
    recorded with the time, and whether the deadline had passed (lateness of that agency)."""
    d = work.dossier
    mine = answerable_referrals(work.actor.user, d)
    if referral not in (None, ""):
        try:
            wanted = int(referral.pk if isinstance(referral, Referral) else referral)
        except (TypeError, ValueError):
            wanted = 0
        found = next((r for r in _referrals(d) if r.pk == wanted), None)
        if found is None:
            raise _invalid(
                "referral",
                "Không tìm thấy yêu cầu xin ý kiến này trong hồ sơ.",
                "No such referral on this dossier.",
                "unknown_referral",
            )
        if found.answered_at is not None:
            raise ConflictError(
                f"{found.agency.name} đã trả lời ý kiến lúc "
                f"{found.answered_at.astimezone(VN_TZ):%d/%m/%Y %H:%M}; ý kiến chỉ gửi một lần.",
                f"{found.agency.name} already answered; an answer is given once.",
                code="already_answered",
            )
        if found not in mine:
            raise ForbiddenError(
                f"Bạn không thuộc {found.agency.name} nên không trả lời thay được.",
                f"You are not an officer of {found.agency.name} and cannot answer for it.",
                code="role",
            )
        target = found
    elif len(mine) == 1:
        target = mine[0]
    else:
        raise _invalid(
            "referral",
            "Hồ sơ có nhiều yêu cầu xin ý kiến gửi đơn vị của bạn; hãy chọn yêu cầu cần trả lời.",
            "Several referrals of this dossier are addressed to your agencies; choose one.",
            "referral_required",
        )
    target.answered_at = work.now
    target.answered_by = work.actor.user
    target.answer = work.note
    target.answered_late = work.now > target.due_at
    target.save(update_fields=["answered_at", "answered_by", "answer", "answered_late"])
    work.event_agency = target.agency
    work.payload.update(
        {
            "referral": target.pk,
            "agency": target.agency.code,
            "kind": target.kind,
            "late": target.answered_late,
        }
    )
    work.referral_log.append(
        {"answered": target.agency.code, "referral": target.pk, "late": target.answered_late}
    )


def _transfer_step(work: _Work, *, agency: Any = None, **_: Any) -> None:
    d = work.dossier
    nxt = work.step_after(d.current_step)
    if nxt is None:
        raise ConflictError(
            "Hồ sơ đang ở bước cuối của quy trình; hãy trình phê duyệt.",
            "The dossier is at the last step of the workflow; submit it for approval.",
            code="last_step",
        )
    target = (
        _resolve_agency(agency)
        if agency is not None
        else (nxt.agency if nxt.agency is not None else d.current_agency)
    )
    work.move(nxt.order, target)
    work.payload["agency"] = target.code


TRANSFER_MODES = ("sequential", "parallel")


def _transfer_agency(
    work: _Work,
    *,
    agency: Any = None,
    mode: Any = None,
    lead_agency: Any = None,
    supporting_agencies: Any = None,
    deadline: Any = None,
    deadline_days: Any = None,
    **_: Any,
) -> None:
    """*Liên thông* (NĐ 61/2018 art. 19). ``sequential`` (default): the dossier goes to one
    agency, which takes it over. ``parallel`` (same level, electronic): it goes to the lead
    agency (``lead_agency``, or ``agency``) and, at the same time, each of the
    ``supporting_agencies`` gets a cooperation referral with a deadline; the lead submits for
    approval once all have answered."""
    chosen = str(mode or "sequential").strip().lower()
    if chosen not in TRANSFER_MODES:
        raise _invalid(
            "mode",
            "Hình thức liên thông phải là “sequential” (tuần tự) hoặc “parallel” (song song).",
            "The transfer mode must be “sequential” or “parallel”.",
            "mode_invalid",
        )
    if chosen == "sequential" and supporting_agencies:
        raise _invalid(
            "supporting_agencies",
            "Cơ quan phối hợp chỉ dùng khi liên thông song song.",
            "Supporting agencies apply to a parallel transfer only.",
            "supporting_needs_parallel",
        )
    lead = lead_agency if lead_agency not in (None, "") else agency
    if lead in (None, ""):
        raise _invalid(
            "lead_agency" if chosen == "parallel" else "agency",
            "Cần chọn cơ quan chủ trì."
            if chosen == "parallel"
            else "Cần chọn cơ quan nhận liên thông.",
            "The lead agency is required."
            if chosen == "parallel"
            else "The agency to transfer to is required.",
            "agency_required",
        )
    target = _resolve_agency(lead, "lead_agency" if chosen == "parallel" else "agency")
    d = work.dossier
    if chosen == "parallel":
        if not work.note:
            raise _invalid(
                "note",
                "Cần nêu nhiệm vụ của các cơ quan phối hợp (ghi chú).",
                "The note must state the supporting agencies' task.",
                "note_required",
            )
        supporting = _agency_list(supporting_agencies, "supporting_agencies")
        if target in supporting or d.current_agency in supporting:
            raise _invalid(
                "supporting_agencies",
                "Cơ quan phối hợp phải khác cơ quan chủ trì và cơ quan chuyển.",
                "Supporting agencies must differ from the lead agency and the sender.",
                "supporting_is_lead",
            )
        due = {t.pk: _referral_due(work, t, deadline, deadline_days) for t in supporting}
        _ask(work, ReferralKind.COOPERATION, supporting, due)
        work.payload.update(
            {
                "mode": chosen,
                "lead_agency": target.code,
                "supporting_agencies": [t.code for t in supporting],
            }
        )
    work.move(d.current_step, target)
    d.assigned_to = None
    work.payload["agency"] = target.code


def _submit(work: _Work, **_: Any) -> None:
    d = work.dossier
    nxt = work.step_after(d.current_step)
    if nxt is not None:
        work.move(nxt.order, nxt.agency if nxt.agency is not None else d.current_agency)


def _send_back(work: _Work, **_: Any) -> None:
    d = work.dossier
    previous = work.step_before(d.current_step)
    if previous is not None:
        work.move(previous.order, d.current_agency)


def _result_ready(work: _Work, **_: Any) -> None:
    # The result goes to the desk, which returns it (NĐ 61/2018 art. 20).
    work.dossier.current_agency = work.dossier.receiving_agency


def _supplement_received(work: _Work, **_: Any) -> None:
    """Art. 19: the time limit is recounted from the start once the complete dossier arrives.
    The desk takes it again at the first step, with a new promised date."""
    d = work.dossier
    work.clock(clock.EventKind.RESUMED)
    first = work.steps[0].order if work.steps else None
    work.move(first, d.receiving_agency)
    d.assigned_to = None
    version = d.procedure_version
    ledger = [
        clock.ClockEvent(
            at=e.at,
            kind=clock.EventKind(e.kind),
            step_order=e.step_order,
            agency=str(e.agency_id) if e.agency_id else None,
            new_due=e.new_due,
            reason=e.reason,
        )
        for e in ClockEntry.objects.filter(dossier=d).order_by("id")
    ]
    ledger += [
        clock.ClockEvent(
            at=e.at,
            kind=clock.EventKind(e.kind),
            step_order=e.step_order,
            agency=str(e.agency.pk) if e.agency else None,
            reason=e.reason,
        )
        for e in work.entries
    ]

    def due(value: Decimal) -> datetime:
        statutory = clock.StatutoryTime(value, version.statutory_unit)
        try:
            return clock.legal_due(d.received_at, statutory, version.cutoff, ledger, work.calendar)
        except (CalendarRangeError, ValueError) as error:
            raise BilingualError(
                "Không tính lại được hạn giải quyết với lịch làm việc hiện có.",
                f"The due date cannot be recomputed with the current calendar: {error}",
                code="due_not_computable",
                status=409,
            ) from error

    before = d.due_at
    d.due_at = due(version.promised_value)
    d.legal_due_at = due(version.statutory_value)
    d.calendar_version = work.calendar.version
    d.clock_started_at = work.now
    d.due_basis = DueBasis.SUPPLEMENT
    work.payload.update({"previous_due_at": before.isoformat(), "due_at": d.due_at.isoformat()})


def _apologise(work: _Work, *, reason: str, new_due: Any = None, **_: Any) -> None:
    """Form 04: a new return date, after the current one; once, and at least one working day
    before the due date (checked by the guards with :func:`clock.apology_allowed`)."""
    d = work.dossier
    if isinstance(new_due, str):
        try:
            new_due = datetime.fromisoformat(new_due.strip())
        except ValueError:
            new_due = None
    if isinstance(new_due, date) and not isinstance(new_due, datetime):
        new_due = datetime.combine(new_due, work.calendar.office_hours.closing, VN_TZ)
    if not isinstance(new_due, datetime):
        raise _invalid(
            "new_due",
            "Cần nhập ngày hẹn trả mới (ví dụ 2025-05-06T17:00).",
            "The new return date is required (e.g. 2025-05-06T17:00).",
            "new_due_required",
        )
    new_due = _aware(new_due)
    ok, vi, en = clock.apology_allowed(
        work.now, d.due_at, work.calendar, d.apologies, new_due=new_due
    )
    if not ok:
        raise _invalid("new_due", vi, en)
    work.clock(clock.EventKind.EXTENDED, new_due=new_due, reason=reason)
    work.payload.update({"previous_due_at": d.due_at.isoformat(), "due_at": new_due.isoformat()})
    d.due_at = new_due
    # The apology moves the promised date; the legal limit moves only if it is passed.
    d.legal_due_at = max(d.legal_due_at, new_due)
    d.due_basis = DueBasis.APOLOGY


_APPLY = {
    DossierAction.ASSIGN: _assign,
    DossierAction.ACCEPT: _accept,
    DossierAction.APPRAISE: _nothing,
    DossierAction.TRANSFER_STEP: _transfer_step,
    DossierAction.TRANSFER_AGENCY: _transfer_agency,
    DossierAction.CONSULT: _consult,
    DossierAction.ANSWER_CONSULTATION: _answer_consultation,
    DossierAction.REPLY: _reply,
    DossierAction.REQUEST_SUPPLEMENT: _nothing,
    DossierAction.SUPPLEMENT_RECEIVED: _supplement_received,
    DossierAction.SUBMIT_FOR_APPROVAL: _submit,
    DossierAction.APPROVE: _nothing,
    DossierAction.SEND_BACK: _send_back,
    DossierAction.MARK_RESULT_READY: _result_ready,
    DossierAction.RETURN_RESULT: _nothing,
    DossierAction.REFUSE: _nothing,
    DossierAction.STOP: _nothing,
    DossierAction.WITHDRAW: _nothing,
    DossierAction.APOLOGISE: _apologise,
}


# --------------------------------------------------------------------------------------------
# Lateness of the asked agencies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyReferralLateness:
    """Referrals addressed to one agency: how many, how many late (answered after the deadline,
    deemed agreed, or still open past it), how many still open past the deadline."""

    agency_code: str
    agency_name: str
    total: int
    late: int
    open_overdue: int


def late_referrals_by_agency(
    scope_agency: Agency | None = None,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
    only_late: bool = True,
) -> list[AgencyReferralLateness]:
    """Lateness of consulted and supporting agencies, attributed to the unit that held the
    referral (issue: *lateness of a step is attributed to the unit that held it*; NĐ 61/2018
    art. 19). Counted from the referrals (asked → answered against the deadline), for the
    agencies under ``scope_agency`` and referrals asked since ``since``; most late first."""
    from django.db.models import Count

    now = now or timezone.now()
    rows = Referral.objects.all()
    if scope_agency is not None:
        rows = rows.filter(agency__path__startswith=scope_agency.path)
    if since is not None:
        rows = rows.filter(requested_at__gte=since)
    unanswered_past = Q(answered_at__isnull=True, due_at__lt=now)
    grouped = (
        rows.values("agency__code", "agency__name")
        .annotate(
            total=Count("id"),
            late=Count("id", filter=Q(answered_late=True) | unanswered_past),
            open_overdue=Count("id", filter=unanswered_past & Q(deemed_agreed_at__isnull=True)),
        )
        .order_by("-late", "agency__code")
    )
    return [
        AgencyReferralLateness(
            r["agency__code"], r["agency__name"], r["total"], r["late"], r["open_overdue"]
        )
        for r in grouped
        if r["late"] or not only_late
    ]


# --------------------------------------------------------------------------------------------
# Calendar registry
# --------------------------------------------------------------------------------------------


def promises_wanted(query: OpenPromisesWanted) -> Iterator[OpenPromise]:
    """Answer of the dossiers to the calendar's question (subscribed in ``DossiersConfig``)."""
    return open_promises(query.scope_agency)


def open_promises(scope_agency: Agency | None) -> Iterator[OpenPromise]:
    """Promised due dates a calendar change of ``scope_agency`` may move (regulations §4.4).

    Open dossiers whose clock runs and whose date was counted by the calendar: not while
    waiting for a supplement (recounted on return), not once the result is ready, not when an
    apology set the date by hand. Counted from ``clock_started_at`` on the receiving agency's
    calendar, as at receipt.
    """
    rows = Dossier.objects.running().exclude(due_basis=DueBasis.APOLOGY)
    if scope_agency is not None:
        rows = rows.filter(receiving_agency__path__startswith=scope_agency.path)
    for code, started, value, unit, cutoff, due_at, label, agency_id in rows.values_list(
        "code",
        "clock_started_at",
        "procedure_version__promised_value",
        "procedure_version__statutory_unit",
        "procedure_version__cutoff",
        "due_at",
        "calendar_version",
        "receiving_agency_id",
    ).iterator(chunk_size=2000):
        yield OpenPromise(
            key=code,
            received=started,
            value=value,
            unit=unit,
            cutoff=cutoff,
            due=due_at,
            calendar_version=label,
            agency_id=agency_id,
        )
