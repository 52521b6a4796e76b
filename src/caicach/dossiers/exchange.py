"""The dossier exchange format: JSON Lines with the full history, read and written.

One line is one dossier (schema and examples: ``docs/formats/dossiers.md``): our field names,
the applicant (personal data: this is a migration format), the received documents (metadata and
SHA-256, never the file content), the history (``events``) and the clock ledger (``clock``),
plus a ``portal`` object with the national portal's sync fields (*MaHoSo*, *MaTTHC*,
*KenhThucHien*, ...), written on export and ignored on import (it is derived).

:func:`import_dossiers` checks *every* line first and collects each problem as a
:class:`LineError` (line number, field path, reason in Vietnamese and English); if there is any,
:class:`DossierImportError` lists them all and nothing is written. Otherwise the new dossiers are
inserted in one transaction; a code already in the database is left alone (idempotent), the
daily counters are raised to the imported numbers, and one audit entry records the import.
The import emits one :class:`~caicach.dossiers.events.DossiersLoaded` (``source="import"``) with
the new ids, in its transaction: projections see imported history as they see a receipt; the
applicants are not notified (it is history).

Personal data: the export is not a reader's surface but a transfer run on the server by a
system administrator (``caicach dossiers export``), so the applicant goes out whole, not
through :func:`caicach.dossiers.privacy.applicant_view`; the file is personal data (Decree
13/2023) and is handled as such.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from caicach.accounts.access import can
from caicach.accounts.models import User
from caicach.agencies.models import Agency
from caicach.calendars.rules import VN_TZ
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError
from caicach.core.events import emit
from caicach.dossiers import services
from caicach.dossiers.clock import EventKind, Timeliness
from caicach.dossiers.codes import DossierCodeError, parse_dossier_code
from caicach.dossiers.events import DossiersLoaded
from caicach.dossiers.inputs import ApplicantInput, clean_applicant
from caicach.dossiers.intake import search_text
from caicach.dossiers.models import (
    Applicant,
    ClockEntry,
    DailySequence,
    Dossier,
    DossierComponent,
    DossierEvent,
    DueBasis,
    new_lookup_token,
)
from caicach.dossiers.workflow import (
    INITIAL_TRANSITIONS,
    TRANSITIONS,
    Channel,
    DossierAction,
    DossierState,
)
from caicach.procedures.models import Component, Procedure, ProcedureVersion
from caicach.procedures.rules import version_in_force

__all__ = [
    "MAX_LINES",
    "PORTAL_CHANNEL",
    "PORTAL_STATE",
    "DossierImportError",
    "ImportResult",
    "LineError",
    "dossier_line",
    "export_dossiers",
    "import_dossiers",
]

#: How many lines one import may hold (a province migrates in batches).
MAX_LINES = 100_000
EXPORT_CHUNK = 500

#: KenhThucHien of the national sync (regulations §1.2, indicator 3.3).
PORTAL_CHANNEL: Mapping[str, int] = {
    Channel.COUNTER.value: 1,
    Channel.ONLINE.value: 2,
    Channel.POST.value: 3,
}
#: TrangThaiHoSo of the national sync (docs/formats/dossiers.md lists the codes and meanings).
PORTAL_STATE: Mapping[str, int] = {
    DossierState.RECEIVED.value: 2,
    DossierState.ASSIGNED.value: 4,
    DossierState.PROCESSING.value: 4,
    DossierState.CONSULTING.value: 4,
    DossierState.TRANSFERRED.value: 4,
    DossierState.AWAITING_APPROVAL.value: 4,
    DossierState.APPROVED.value: 4,
    DossierState.AWAITING_SUPPLEMENT.value: 5,
    DossierState.WITHDRAWN.value: 7,
    DossierState.STOPPED.value: 8,
    DossierState.REFUSED.value: 3,
    DossierState.RESULT_READY.value: 9,
    DossierState.RETURNED.value: 10,
}
#: The portal's date-time form: yyyyMMddHHmmss in Vietnam time.
PORTAL_TIME = "%Y%m%d%H%M%S"

_APPLICANT_FIELDS = (
    "kind",
    "full_name",
    "id_number",
    "phone",
    "email",
    "address",
    "tax_code",
    "representative",
)


# -- errors and results ----------------------------------------------------------------------


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "field": self.field,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


class DossierImportError(BilingualError):
    """The file has problems; ``problems`` lists every one. Nothing was written."""

    code = "invalid_import"

    def __init__(self, problems: list[LineError]) -> None:
        count = len(problems)
        super().__init__(
            f"Tệp có {count} lỗi; không hồ sơ nào được nhập.",
            f"The file has {count} error(s); no dossier was imported.",
            errors=[p.as_dict() for p in problems],
        )
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    unchanged: int


# -- export ----------------------------------------------------------------------------------


def _moment(value: datetime | None) -> str | None:
    return value.astimezone(VN_TZ).isoformat() if value is not None else None


def _portal_time(value: datetime | None) -> str | None:
    return value.astimezone(VN_TZ).strftime(PORTAL_TIME) if value is not None else None


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _code(agency: Agency | None) -> str | None:
    return agency.code if agency is not None else None


def dossier_line(d: Dossier) -> dict[str, Any]:
    """One dossier in the exchange format (use with :func:`_export_queryset`'s prefetching)."""
    components = list(d.components.all())
    applicant = d.applicant
    return {
        "code": d.code,
        "procedure": d.procedure.code,
        "procedure_version": d.procedure_version.number,
        "channel": d.channel,
        "served_at": d.served_at.code,
        "receiving_agency": d.receiving_agency.code,
        "deciding_agency": d.deciding_agency.code,
        "current_agency": d.current_agency.code,
        "assigned_to": _username(d.assigned_to),
        "state": d.state,
        "received_at": _moment(d.received_at),
        "clock_started_at": _moment(d.clock_started_at),
        "due_basis": d.due_basis,
        "due_at": _moment(d.due_at),
        "legal_due_at": _moment(d.legal_due_at),
        "calendar_version": d.calendar_version,
        "finished_at": _moment(d.finished_at),
        "returned_at": _moment(d.returned_at),
        "timeliness": d.timeliness,
        "supplement_requests": d.supplement_requests,
        "apologies": d.apologies,
        "current_step": d.current_step,
        "version": d.version,
        "lookup_token": d.lookup_token,
        "applicant": {name: getattr(applicant, name) for name in _APPLICANT_FIELDS},
        "components": [
            {
                "order": c.order,
                "name": c.name,
                "component": c.component.name if c.component is not None else None,
                "file": c.file.name or None,
                "store_reference": c.store_reference,
                "reused": c.reused,
                "content_type": c.content_type,
                "size": c.size,
                "sha256": c.sha256,
            }
            for c in components
        ],
        "events": [
            {
                "at": _moment(e.at),
                "actor": _username(e.actor),
                "actor_label": e.actor_label,
                "ip_address": e.ip_address,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "step": e.step,
                "agency": _code(e.agency),
                "note": e.note,
                "payload": e.payload,
            }
            for e in d.events.all()
        ],
        "clock": [
            {
                "at": _moment(c.at),
                "kind": c.kind,
                "step_order": c.step_order,
                "agency": _code(c.agency),
                "new_due": _moment(c.new_due),
                "reason": c.reason,
            }
            for c in d.clock_entries.all()
        ],
        "portal": {
            "MaHoSo": d.code,
            "MaTTHC": d.procedure.code,
            "KenhThucHien": PORTAL_CHANNEL.get(d.channel, 1),
            "NgayTiepNhan": _portal_time(d.received_at),
            "NgayHenTra": _portal_time(d.due_at),
            "NgayKetThucXuLy": _portal_time(d.finished_at),
            "NgayTraKetQua": _portal_time(d.returned_at),
            "TrangThaiHoSo": PORTAL_STATE[d.state],
            "DuocThanhToanTrucTuyen": 0,
            "HoSoCoThanhPhanSoHoa": int(any(c.reused or c.sha256 for c in components)),
            "DuocLayTuKhoDMQG": int(any(c.reused for c in components)),
        },
    }


def _export_queryset(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return (
        queryset.select_related(
            "procedure",
            "procedure_version",
            "served_at",
            "receiving_agency",
            "deciding_agency",
            "current_agency",
            "assigned_to",
            "applicant",
        )
        .prefetch_related(
            "components__component",
            "events__actor",
            "events__agency",
            "clock_entries__agency",
        )
        .order_by("id")
    )


def export_dossiers(
    queryset: QuerySet[Dossier], *, chunk_size: int = EXPORT_CHUNK
) -> Iterator[str]:
    """The dossiers of ``queryset`` as JSON Lines (no trailing newline), oldest first, streamed
    ``chunk_size`` at a time with a constant number of queries per chunk."""
    for dossier in _export_queryset(queryset).iterator(chunk_size=chunk_size):
        yield json.dumps(dossier_line(dossier), ensure_ascii=False)


# -- reading one line ------------------------------------------------------------------------

_MISSING = object()


def _show(value: Any) -> str:
    text = "" if value is _MISSING or value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


class _Reader:
    """Typed values out of one line's object; each bad value adds a :class:`LineError`."""

    def __init__(self, line: int, errors: list[LineError]) -> None:
        self.line = line
        self.errors = errors
        self.failed = False

    def error(self, path: str, message_vi: str, message_en: str) -> None:
        self.errors.append(LineError(self.line, path, message_vi, message_en))
        self.failed = True

    def text(
        self, source: Mapping[str, Any], key: str, at: str, *, required: bool, max_length: int
    ) -> str:
        value = source.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(at, "Phải là chuỗi ký tự.", "Must be a string.")
            return ""
        if required and not value.strip():
            self.error(at, "Không được để trống.", "Is required.")
        elif len(value) > max_length:
            self.error(
                at, f"Dài quá {max_length} ký tự.", f"Is longer than {max_length} characters."
            )
        return value

    def integer(
        self,
        source: Mapping[str, Any],
        key: str,
        at: str,
        *,
        default: int | None = None,
        minimum: int = 0,
        maximum: int = 32_767,
        nullable: bool = False,
    ) -> int | None:
        value = source.get(key)
        if value is None:
            if nullable or default is not None:
                return default
            self.error(at, "Không được để trống.", "Is required.")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(at, "Phải là một số nguyên.", "Must be a whole number.")
            return None
        if not minimum <= value <= maximum:
            self.error(
                at,
                f"Phải từ {minimum} đến {maximum}.",
                f"Must be between {minimum} and {maximum}.",
            )
            return None
        return value

    def moment(
        self, source: Mapping[str, Any], key: str, at: str, *, required: bool
    ) -> datetime | None:
        value = source.get(key)
        if value is None:
            if required:
                self.error(at, "Không được để trống.", "Is required.")
            return None
        parsed = None
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None or parsed.tzinfo is None or parsed.utcoffset() is None:
            self.error(
                at,
                f"Thời điểm “{_show(value)}” không hợp lệ (ISO 8601 có múi giờ, ví dụ "
                "2025-04-25T10:00:00+07:00).",
                f"Invalid instant “{_show(value)}” (ISO 8601 with an offset, e.g. "
                "2025-04-25T10:00:00+07:00).",
            )
            return None
        return parsed

    def choice(
        self,
        source: Mapping[str, Any],
        key: str,
        at: str,
        values: Iterable[str],
        *,
        blank: bool = False,
        default: str | None = None,
    ) -> str:
        allowed = list(values)
        value = source.get(key)
        if value is None and default is not None:
            return default
        if value in (None, "") and blank:
            return ""
        if isinstance(value, str) and value in allowed:
            return value
        shown = ", ".join(allowed)
        self.error(
            at,
            f"Giá trị “{_show(value)}” không hợp lệ; chọn một trong: {shown}.",
            f"Unknown value “{_show(value)}”; expected one of: {shown}.",
        )
        return ""

    def mapping(self, source: Mapping[str, Any], key: str, at: str) -> Mapping[str, Any]:
        value = source.get(key)
        if not isinstance(value, Mapping):
            self.error(at, "Phải là một đối tượng JSON.", "Must be a JSON object.")
            return {}
        return value

    def items(self, source: Mapping[str, Any], key: str, at: str) -> list[Mapping[str, Any]]:
        value = source.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(at, "Phải là một danh sách.", "Must be a list.")
            return []
        good = []
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                good.append(item)
            else:
                self.error(f"{at}[{index}]", "Phải là một đối tượng.", "Must be an object.")
        return good


@dataclass
class _Lookups:
    agencies: dict[str, Agency]
    procedures: dict[str, Procedure]
    versions: dict[int, list[ProcedureVersion]]
    components: dict[int, dict[str, Component]]
    users: dict[str, User | None]

    @classmethod
    def load(cls) -> _Lookups:
        versions: dict[int, list[ProcedureVersion]] = {}
        components: dict[int, dict[str, Component]] = {}
        for version in ProcedureVersion.objects.prefetch_related("components"):
            versions.setdefault(version.procedure_id, []).append(version)
            components[version.pk] = {c.name: c for c in version.components.all()}
        return cls(
            agencies={a.code: a for a in Agency.objects.all()},
            procedures={p.code: p for p in Procedure.objects.all()},
            versions=versions,
            components=components,
            users={},
        )

    def version_on(self, procedure: Procedure, day: date) -> ProcedureVersion | None:
        """As :meth:`Procedure.version_on`, from memory."""
        return version_in_force(self.versions.get(procedure.pk, []), day)

    def user(self, username: str) -> User | None:
        if username not in self.users:
            self.users[username] = User.objects.filter(username=username).first()
        return self.users[username]


@dataclass
class _Parsed:
    """One valid line, ready to be written."""

    line: int
    dossier: Dossier
    applicant: Applicant
    components: list[DossierComponent]
    events: list[DossierEvent]
    clock: list[ClockEntry]
    token_given: bool


def _agency(
    r: _Reader,
    source: Mapping[str, Any],
    key: str,
    at: str,
    lookups: _Lookups,
    *,
    required: bool,
) -> Agency | None:
    code = r.text(source, key, at, required=required, max_length=40).strip()
    if not code:
        return None
    agency = lookups.agencies.get(code)
    if agency is None:
        r.error(at, f"Không có cơ quan mã “{_show(code)}”.", f"No agency has the code “{code}”.")
    return agency


def _parse_line(
    raw: Any, line: int, lookups: _Lookups, actor: Actor, errors: list[LineError]
) -> _Parsed | None:
    r = _Reader(line, errors)
    if not isinstance(raw, Mapping):
        r.error("", "Dòng phải là một đối tượng JSON.", "A line must be a JSON object.")
        return None

    code = r.text(raw, "code", "code", required=True, max_length=40).strip()
    parsed_code = None
    if code:
        try:
            parsed_code = parse_dossier_code(code)
        except DossierCodeError as error:
            r.error("code", error.message_vi, error.message_en)
        else:
            if str(parsed_code) != code:
                r.error(
                    "code",
                    f"Mã hồ sơ phải viết đúng dạng chuẩn: {parsed_code}.",
                    f"The dossier code must be written in its canonical form: {parsed_code}.",
                )
    received_at = r.moment(raw, "received_at", "received_at", required=True)
    received_on = received_at.astimezone(VN_TZ).date() if received_at else None

    served_at = _agency(r, raw, "served_at", "served_at", lookups, required=True)
    receiving = _agency(r, raw, "receiving_agency", "receiving_agency", lookups, required=True)
    deciding = _agency(r, raw, "deciding_agency", "deciding_agency", lookups, required=True)
    current = _agency(r, raw, "current_agency", "current_agency", lookups, required=True)
    if parsed_code and receiving and parsed_code.agency_code != receiving.code:
        r.error(
            "code",
            f"Mã hồ sơ phải bắt đầu bằng mã cơ quan tiếp nhận {receiving.code}.",
            f"The code must start with the receiving agency's code {receiving.code}.",
        )
    if parsed_code and received_on and parsed_code.received_on != received_on:
        r.error(
            "code",
            f"Ngày trong mã hồ sơ ({parsed_code.received_on:%d/%m/%Y}) khác ngày tiếp nhận "
            f"({received_on:%d/%m/%Y}, giờ Việt Nam).",
            f"The date in the code ({parsed_code.received_on.isoformat()}) differs from the "
            f"receipt date ({received_on.isoformat()}, Vietnam time).",
        )
    if (
        receiving is not None
        and actor.user is not None
        and not can(actor.user, "dossiers.receive", receiving)
    ):
        r.error(
            "receiving_agency",
            f"Bạn không có quyền tiếp nhận hồ sơ của cơ quan {receiving.code}.",
            f"You may not receive dossiers for agency {receiving.code}.",
        )

    procedure_code = r.text(raw, "procedure", "procedure", required=True, max_length=30).strip()
    procedure = lookups.procedures.get(procedure_code) if procedure_code else None
    version = None
    if procedure_code and procedure is None:
        r.error(
            "procedure",
            f"Không có thủ tục hành chính mã “{_show(procedure_code)}”.",
            f"No administrative procedure has the code “{procedure_code}”.",
        )
    version_number = r.integer(
        raw, "procedure_version", "procedure_version", nullable=True, minimum=1, maximum=2**31
    )
    if procedure is not None and received_on is not None:
        version = lookups.version_on(procedure, received_on)
        if version is None:
            r.error(
                "procedure",
                f"Thủ tục {procedure.code} không có phiên bản áp dụng vào ngày "
                f"{received_on:%d/%m/%Y}.",
                f"Procedure {procedure.code} has no version in force on {received_on.isoformat()}.",
            )
        elif version_number is not None and version_number != version.number:
            r.error(
                "procedure_version",
                f"Phiên bản áp dụng vào ngày {received_on:%d/%m/%Y} là {version.number}, "
                f"không phải {version_number}.",
                f"The version in force on {received_on.isoformat()} is {version.number}, "
                f"not {version_number}.",
            )
            version = None

    channel = r.choice(raw, "channel", "channel", [c.value for c in Channel])
    state = r.choice(raw, "state", "state", [s.value for s in DossierState])
    due_basis = r.choice(
        raw, "due_basis", "due_basis", [str(b) for b in DueBasis.values], default="receipt"
    )
    timeliness = r.choice(
        raw, "timeliness", "timeliness", [t.value for t in Timeliness], blank=True
    )
    clock_started_at = r.moment(raw, "clock_started_at", "clock_started_at", required=True)
    due_at = r.moment(raw, "due_at", "due_at", required=True)
    legal_due_at = r.moment(raw, "legal_due_at", "legal_due_at", required=True)
    finished_at = r.moment(raw, "finished_at", "finished_at", required=False)
    returned_at = r.moment(raw, "returned_at", "returned_at", required=False)
    calendar_version = r.text(
        raw, "calendar_version", "calendar_version", required=True, max_length=200
    )
    supplement_requests = r.integer(raw, "supplement_requests", "supplement_requests", default=0)
    apologies = r.integer(raw, "apologies", "apologies", default=0)
    current_step = r.integer(raw, "current_step", "current_step", nullable=True)
    row_version = r.integer(raw, "version", "version", default=1, minimum=1, maximum=2**31)
    token = r.text(raw, "lookup_token", "lookup_token", required=False, max_length=32).strip()

    assigned_to = None
    assignee = r.text(raw, "assigned_to", "assigned_to", required=False, max_length=150).strip()
    if assignee:
        assigned_to = lookups.user(assignee)
        if assigned_to is None:
            r.error(
                "assigned_to",
                f"Không có người dùng “{_show(assignee)}”.",
                f"No user is named “{assignee}”.",
            )

    # The applicant, checked by the receipt's own rules on the receipt date.
    person = r.mapping(raw, "applicant", "applicant")
    values: dict[str, str] = {}
    for name in _APPLICANT_FIELDS:
        values[name] = r.text(person, name, f"applicant.{name}", required=False, max_length=400)
    applicant = None
    if person and received_on is not None:
        try:
            cleaned = clean_applicant(ApplicantInput(**values), received_on)
        except services.DossierInputError as error:
            for path, message_vi in error.errors_vi.items():
                if not any(e.line == line and e.field == path for e in errors):
                    r.error(path, message_vi, error.errors_en.get(path, message_vi))
        else:
            applicant = Applicant(**{name: getattr(cleaned, name) for name in _APPLICANT_FIELDS})

    # The documents: metadata only.
    components: list[DossierComponent] = []
    for i, item in enumerate(r.items(raw, "components", "components")):
        at = f"components[{i}]"
        link_name = r.text(item, "component", f"{at}.component", required=False, max_length=500)
        link = None
        if link_name and version is not None:
            link = lookups.components.get(version.pk, {}).get(link_name)
            if link is None:
                r.error(
                    f"{at}.component",
                    f"Thủ tục không có thành phần “{_show(link_name)}”.",
                    f"The procedure has no component “{_show(link_name)}”.",
                )
        sha256 = r.text(item, "sha256", f"{at}.sha256", required=False, max_length=64)
        if sha256 and (len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256)):
            r.error(
                f"{at}.sha256",
                "Mã băm SHA-256 phải gồm 64 ký tự hexa viết thường.",
                "The SHA-256 must be 64 lower-case hexadecimal characters.",
            )
        reused = item.get("reused", False)
        if not isinstance(reused, bool):
            r.error(f"{at}.reused", "Phải là true hoặc false.", "Must be true or false.")
            reused = False
        components.append(
            DossierComponent(
                order=r.integer(item, "order", f"{at}.order", default=i) or 0,
                name=r.text(item, "name", f"{at}.name", required=True, max_length=500),
                component=link,
                file=r.text(item, "file", f"{at}.file", required=False, max_length=300),
                store_reference=r.text(
                    item,
                    "store_reference",
                    f"{at}.store_reference",
                    required=False,
                    max_length=200,
                ),
                reused=reused,
                content_type=r.text(
                    item, "content_type", f"{at}.content_type", required=False, max_length=100
                ),
                size=r.integer(item, "size", f"{at}.size", nullable=True, maximum=2**62),
                sha256=sha256,
            )
        )

    # The history: in time order, each step a transition of the workflow table.
    events: list[DossierEvent] = []
    previous_at: datetime | None = None
    previous_state = ""
    states = [s.value for s in DossierState]
    history_ok = True
    for i, item in enumerate(r.items(raw, "events", "events")):
        at = f"events[{i}]"
        before = len(errors)
        when = r.moment(item, "at", f"{at}.at", required=True)
        if when is not None and previous_at is not None and when < previous_at:
            r.error(
                f"{at}.at",
                "Các sự kiện phải theo thứ tự thời gian.",
                "Events must be in time order.",
            )
        previous_at = when or previous_at
        action = r.choice(item, "action", f"{at}.action", [a.value for a in DossierAction])
        from_state = r.choice(item, "from_state", f"{at}.from_state", states, blank=True)
        to_state = r.choice(item, "to_state", f"{at}.to_state", states)
        if len(errors) > before:
            history_ok = False
        elif action and to_state:
            if from_state != previous_state:
                history_ok = False
                r.error(
                    f"{at}.from_state",
                    f"Trạng thái trước phải là “{previous_state}” (trạng thái sau sự kiện trước).",
                    f"The state before must be “{previous_state}” (the previous event's state).",
                )
            rule = (
                INITIAL_TRANSITIONS.get(DossierAction(action))
                if not from_state
                else TRANSITIONS.get((DossierState(from_state), DossierAction(action)))
            )
            if rule is None or rule.target.value != to_state:
                history_ok = False
                r.error(
                    f"{at}.action",
                    f"Thao tác “{action}” không đưa hồ sơ từ “{from_state or '-'}” sang "
                    f"“{to_state}” theo quy trình.",
                    f"Action “{action}” does not lead from “{from_state or '-'}” to "
                    f"“{to_state}” in the workflow.",
                )
        previous_state = to_state or previous_state
        actor_name = r.text(item, "actor", f"{at}.actor", required=False, max_length=150).strip()
        ip = item.get("ip_address")
        if ip is not None:
            try:
                ip = str(ipaddress.ip_address(ip)) if isinstance(ip, str) else None
            except ValueError:
                ip = None
            if ip is None:
                r.error(f"{at}.ip_address", "Địa chỉ IP không hợp lệ.", "Invalid IP address.")
        payload = item.get("payload")
        if payload is None:
            payload = {}
        if not isinstance(payload, dict):
            r.error(f"{at}.payload", "Phải là một đối tượng JSON.", "Must be a JSON object.")
            payload = {}
        events.append(
            DossierEvent(
                at=when,
                actor=lookups.user(actor_name) if actor_name else None,
                actor_label=r.text(
                    item, "actor_label", f"{at}.actor_label", required=False, max_length=200
                ),
                ip_address=ip,
                action=action,
                from_state=from_state,
                to_state=to_state,
                step=r.integer(item, "step", f"{at}.step", nullable=True),
                agency=_agency(r, item, "agency", f"{at}.agency", lookups, required=False),
                note=r.text(item, "note", f"{at}.note", required=False, max_length=10_000),
                payload=payload,
            )
        )
    if events and history_ok and state and previous_state != state:
        r.error(
            "state",
            f"Trạng thái “{state}” khác trạng thái sau sự kiện cuối “{previous_state}”.",
            f"The state “{state}” differs from the last event's state “{previous_state}”.",
        )

    # The clock ledger, in time order.
    entries: list[ClockEntry] = []
    previous_at = None
    for i, item in enumerate(r.items(raw, "clock", "clock")):
        at = f"clock[{i}]"
        when = r.moment(item, "at", f"{at}.at", required=True)
        if when is not None and previous_at is not None and when < previous_at:
            r.error(
                f"{at}.at",
                "Sổ thời hạn phải theo thứ tự thời gian.",
                "The clock ledger must be in time order.",
            )
        previous_at = when or previous_at
        entries.append(
            ClockEntry(
                at=when,
                kind=r.choice(item, "kind", f"{at}.kind", [k.value for k in EventKind]),
                step_order=r.integer(item, "step_order", f"{at}.step_order", nullable=True),
                agency=_agency(r, item, "agency", f"{at}.agency", lookups, required=False),
                new_due=r.moment(item, "new_due", f"{at}.new_due", required=False),
                reason=r.text(item, "reason", f"{at}.reason", required=False, max_length=500),
            )
        )

    if r.failed or parsed_code is None or applicant is None or version is None:
        return None
    assert received_at and received_on and procedure and receiving and served_at
    assert deciding and current and clock_started_at and due_at and legal_due_at
    dossier = Dossier(
        code=code,
        received_on=received_on,
        sequence=parsed_code.sequence,
        procedure=procedure,
        procedure_version=version,
        channel=channel,
        served_at=served_at,
        receiving_agency=receiving,
        deciding_agency=deciding,
        current_agency=current,
        assigned_to=assigned_to,
        applicant=applicant,
        state=state,
        received_at=received_at,
        clock_started_at=clock_started_at,
        due_basis=due_basis,
        due_at=due_at,
        legal_due_at=legal_due_at,
        calendar_version=calendar_version,
        finished_at=finished_at,
        returned_at=returned_at,
        timeliness=timeliness,
        supplement_requests=supplement_requests or 0,
        apologies=apologies or 0,
        current_step=current_step,
        version=row_version or 1,
        lookup_token=token or new_lookup_token(),
        search_text=search_text(
            code,
            services.ApplicantInput(**{n: getattr(applicant, n) for n in _APPLICANT_FIELDS}),
        ),
    )
    return _Parsed(line, dossier, applicant, components, events, entries, bool(token))


# -- import ----------------------------------------------------------------------------------


def _decode(lines: Iterable[str | bytes], errors: list[LineError]) -> list[tuple[int, Any]]:
    rows: list[tuple[int, Any]] = []
    for number, text in enumerate(lines, start=1):
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                errors.append(
                    LineError(number, "", "Dòng không phải UTF-8.", "The line is not UTF-8.")
                )
                continue
        text = text.strip().lstrip("\ufeff")
        if not text:
            continue
        if len(rows) >= MAX_LINES:
            errors.append(
                LineError(
                    number,
                    "",
                    f"Tệp có quá {MAX_LINES} dòng; hãy chia nhỏ.",
                    f"The file has more than {MAX_LINES} lines; split it.",
                )
            )
            break
        try:
            rows.append((number, json.loads(text)))
        except (ValueError, RecursionError) as error:
            errors.append(
                LineError(
                    number,
                    "",
                    f"Dòng không phải JSON hợp lệ: {error}",
                    f"The line is not valid JSON: {error}",
                )
            )
    return rows


def import_dossiers(
    actor: Actor, lines: Iterable[str | bytes], *, source: str = ""
) -> ImportResult:
    """Import JSON Lines of dossiers: all or nothing, idempotent by code (module docstring).

    Raises :class:`DossierImportError` with every problem found, having written nothing.
    """
    errors: list[LineError] = []
    rows = _decode(lines, errors)
    lookups = _Lookups.load()
    parsed: list[_Parsed] = []
    for number, raw in rows:
        item = _parse_line(raw, number, lookups, actor, errors)
        if item is not None:
            parsed.append(item)

    # Across lines and against the database.
    codes = [p.dossier.code for p in parsed]
    existing = set(Dossier.objects.filter(code__in=codes).values_list("code", flat=True))
    seen_codes: dict[str, int] = {}
    seen_tokens: dict[str, int] = {}
    new: list[_Parsed] = []
    for p in parsed:
        code = p.dossier.code
        if code in seen_codes:
            errors.append(
                LineError(
                    p.line,
                    "code",
                    f"Mã hồ sơ {code} đã có ở dòng {seen_codes[code]}.",
                    f"Dossier code {code} already appears on line {seen_codes[code]}.",
                )
            )
            continue
        seen_codes[code] = p.line
        if code in existing:
            continue
        token = p.dossier.lookup_token
        if p.token_given and token in seen_tokens:
            errors.append(
                LineError(
                    p.line,
                    "lookup_token",
                    f"Mã tra cứu đã có ở dòng {seen_tokens[token]}.",
                    f"The look-up token already appears on line {seen_tokens[token]}.",
                )
            )
            continue
        seen_tokens[token] = p.line
        new.append(p)
    taken = set(
        Dossier.objects.filter(lookup_token__in=list(seen_tokens)).values_list(
            "lookup_token", flat=True
        )
    )
    errors.extend(
        LineError(
            p.line,
            "lookup_token",
            "Mã tra cứu đã được một hồ sơ khác dùng.",
            "The look-up token is already used by another dossier.",
        )
        for p in new
        if p.dossier.lookup_token in taken
    )
    if errors:
        errors.sort(key=lambda e: e.line)
        raise DossierImportError(errors)

    with transaction.atomic():
        _write(new)
        if new:
            emit(DossiersLoaded("import", tuple(p.dossier.pk for p in new)))
        record(
            actor,
            "dossiers.imported",
            object_type="dossiers.dossier",
            object_repr=source[:300],
            changes={
                "source": source,
                "created": len(new),
                "unchanged": len(parsed) - len(new),
            },
        )
    return ImportResult(created=len(new), unchanged=len(parsed) - len(new))


def _write(items: list[_Parsed]) -> None:
    if not items:
        return
    applicants = Applicant.objects.bulk_create([p.applicant for p in items])
    for p, applicant in zip(items, applicants, strict=True):
        p.dossier.applicant = applicant
    Dossier.objects.bulk_create([p.dossier for p in items])
    components, events, entries = [], [], []
    for p in items:
        for c in p.components:
            c.dossier = p.dossier
            components.append(c)
        for e in p.events:
            e.dossier = p.dossier
            events.append(e)
        for k in p.clock:
            k.dossier = p.dossier
            entries.append(k)
    DossierComponent.objects.bulk_create(components)
    DossierEvent.objects.bulk_create(events)
    ClockEntry.objects.bulk_create(entries)

    # The daily counters never hand out an imported number again.
    highest: dict[tuple[int, date], int] = {}
    for p in items:
        key = (p.dossier.receiving_agency_id, p.dossier.received_on)
        highest[key] = max(highest.get(key, 0), p.dossier.sequence)
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, %s) "
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = GREATEST({table}.last, "
            "EXCLUDED.last)",
            [(agency, day, last) for (agency, day), last in sorted(highest.items())],
        )
