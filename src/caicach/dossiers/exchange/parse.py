"""Reading one line of the exchange format into unsaved rows, checking everything.

:func:`parse_line` reads a line in named steps, one per part of the line: :func:`_identity`
(the code, the receipt instant and the agencies, which must agree, and the importer's right to
receive for that agency), :func:`_procedure` (the version in force on the receipt date),
:func:`_state` (state, due dates, counters, assignee), :func:`_applicant` (the receipt's own
rules), :func:`_components`, :func:`_events` (each a transition of the workflow table) and
:func:`_clock` (the clock ledger). Each step reads through the line's :class:`Reader`, which
records its problems in the order found (the order the import reports them) and marks the line
failed; a failed line gives no rows.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from caicach.accounts.access import can
from caicach.accounts.models import User
from caicach.agencies.models import Agency
from caicach.calendars.rules import VN_TZ
from caicach.core.audit import Actor
from caicach.dossiers.clock import EventKind, Timeliness
from caicach.dossiers.codes import DossierCode, DossierCodeError, parse_dossier_code
from caicach.dossiers.exchange.lookups import Lookups
from caicach.dossiers.exchange.reader import LineError, Reader, show
from caicach.dossiers.exchange.timeliness import recompute
from caicach.dossiers.inputs import (
    APPLICANT_FIELDS,
    ApplicantInput,
    DossierInputError,
    clean_applicant,
)
from caicach.dossiers.intake import search_text
from caicach.dossiers.models import (
    Applicant,
    ClockEntry,
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
from caicach.procedures.models import Procedure, ProcedureVersion

__all__ = ["ParsedLine", "parse_line"]


@dataclass
class ParsedLine:
    """One valid line, ready to be written."""

    line: int
    dossier: Dossier
    applicant: Applicant
    components: list[DossierComponent]
    events: list[DossierEvent]
    clock: list[ClockEntry]
    token_given: bool


def _agency(
    r: Reader,
    source: Mapping[str, Any],
    key: str,
    at: str,
    lookups: Lookups,
    *,
    required: bool,
) -> Agency | None:
    code = r.text(source, key, at, required=required, max_length=40).strip()
    if not code:
        return None
    agency = lookups.agencies.get(code)
    if agency is None:
        r.error(at, f"Không có cơ quan mã “{show(code)}”.", f"No agency has the code “{code}”.")
    return agency


def parse_line(
    raw: Any, line: int, lookups: Lookups, actor: Actor, errors: list[LineError]
) -> ParsedLine | None:
    """The rows of one decoded line, or ``None`` with its problems added to ``errors``."""
    r = Reader(line, errors)
    if not isinstance(raw, Mapping):
        r.error("", "Dòng phải là một đối tượng JSON.", "A line must be a JSON object.")
        return None
    identity = _identity(r, raw, lookups, actor)
    procedure, version = _procedure(r, raw, lookups, identity.received_on)
    state = _state(r, raw, lookups)
    applicant = _applicant(r, raw, identity.received_on)
    components = _components(r, raw, lookups, version)
    events = _events(r, raw, lookups, state.state)
    entries = _clock(r, raw, lookups)
    if r.failed or identity.parsed_code is None or applicant is None or version is None:
        return None
    assert procedure is not None
    dossier = _dossier(identity, procedure, version, state, applicant)
    if not recompute(r, raw, dossier, events, entries):
        return None
    return ParsedLine(line, dossier, applicant, components, events, entries, bool(state.token))


@dataclass
class _Identity:
    """Who received the dossier, where and when: the code must agree with them."""

    code: str
    parsed_code: DossierCode | None
    received_at: datetime | None
    received_on: date | None
    served_at: Agency | None
    receiving: Agency | None
    deciding: Agency | None
    current: Agency | None


def _identity(r: Reader, raw: Mapping[str, Any], lookups: Lookups, actor: Actor) -> _Identity:
    """The code (canonical, starting with the receiving agency's code and the receipt date in
    Vietnam time), the receipt instant, the four agencies, and the importer's right to receive
    dossiers for the receiving agency."""
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
    return _Identity(
        code, parsed_code, received_at, received_on, served_at, receiving, deciding, current
    )


def _procedure(
    r: Reader, raw: Mapping[str, Any], lookups: Lookups, received_on: date | None
) -> tuple[Procedure | None, ProcedureVersion | None]:
    """The procedure and its version in force on the receipt date; a ``procedure_version``
    given must be that one."""
    procedure_code = r.text(raw, "procedure", "procedure", required=True, max_length=30).strip()
    procedure = lookups.procedures.get(procedure_code) if procedure_code else None
    version = None
    if procedure_code and procedure is None:
        r.error(
            "procedure",
            f"Không có thủ tục hành chính mã “{show(procedure_code)}”.",
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
    return procedure, version


@dataclass
class _State:
    """The dossier's own fields: where it stands, its due dates and counters."""

    channel: str
    state: str
    due_basis: str
    timeliness: str
    clock_started_at: datetime | None
    due_at: datetime | None
    legal_due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    calendar_version: str
    supplement_requests: int | None
    apologies: int | None
    current_step: int | None
    row_version: int | None
    token: str
    assigned_to: User | None


def _state(r: Reader, raw: Mapping[str, Any], lookups: Lookups) -> _State:
    """Channel, state, due dates, counters, look-up token and the assignee (a known user)."""
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
                f"Không có người dùng “{show(assignee)}”.",
                f"No user is named “{assignee}”.",
            )
    return _State(
        channel=channel,
        state=state,
        due_basis=due_basis,
        timeliness=timeliness,
        clock_started_at=clock_started_at,
        due_at=due_at,
        legal_due_at=legal_due_at,
        finished_at=finished_at,
        returned_at=returned_at,
        calendar_version=calendar_version,
        supplement_requests=supplement_requests,
        apologies=apologies,
        current_step=current_step,
        row_version=row_version,
        token=token,
        assigned_to=assigned_to,
    )


def _applicant(r: Reader, raw: Mapping[str, Any], received_on: date | None) -> Applicant | None:
    """The applicant, checked by the receipt's own rules on the receipt date (a field already
    reported by the reader is not reported twice)."""
    person = r.mapping(raw, "applicant", "applicant")
    values: dict[str, str] = {}
    for name in APPLICANT_FIELDS:
        values[name] = r.text(person, name, f"applicant.{name}", required=False, max_length=400)
    applicant = None
    if person and received_on is not None:
        try:
            cleaned = clean_applicant(ApplicantInput(**values), received_on)
        except DossierInputError as error:
            for path, message_vi in error.errors_vi.items():
                if not any(e.line == r.line and e.field == path for e in r.errors):
                    r.error(path, message_vi, error.errors_en.get(path, message_vi))
        else:
            applicant = Applicant(**{name: getattr(cleaned, name) for name in APPLICANT_FIELDS})
    return applicant


def _components(
    r: Reader, raw: Mapping[str, Any], lookups: Lookups, version: ProcedureVersion | None
) -> list[DossierComponent]:
    """The received documents: metadata only (the SHA-256, never the content)."""
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
                    f"Thủ tục không có thành phần “{show(link_name)}”.",
                    f"The procedure has no component “{show(link_name)}”.",
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
    return components


def _events(r: Reader, raw: Mapping[str, Any], lookups: Lookups, state: str) -> list[DossierEvent]:
    """The history: in time order, each step a transition of the workflow table, the last one
    leading to the dossier's ``state``."""
    events: list[DossierEvent] = []
    previous_at: datetime | None = None
    previous_state = ""
    states = [s.value for s in DossierState]
    history_ok = True
    for i, item in enumerate(r.items(raw, "events", "events")):
        at = f"events[{i}]"
        before = len(r.errors)
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
        if len(r.errors) > before:
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
    return events


def _clock(r: Reader, raw: Mapping[str, Any], lookups: Lookups) -> list[ClockEntry]:
    """The clock ledger, in time order."""
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
    return entries


def _dossier(
    identity: _Identity,
    procedure: Procedure,
    version: ProcedureVersion,
    state: _State,
    applicant: Applicant,
) -> Dossier:
    """The unsaved dossier of a line without problems."""
    i, s = identity, state
    assert i.parsed_code and i.received_at and i.received_on and i.receiving and i.served_at
    assert i.deciding and i.current and s.clock_started_at and s.due_at and s.legal_due_at
    return Dossier(
        code=i.code,
        received_on=i.received_on,
        sequence=i.parsed_code.sequence,
        procedure=procedure,
        procedure_version=version,
        channel=s.channel,
        served_at=i.served_at,
        receiving_agency=i.receiving,
        deciding_agency=i.deciding,
        current_agency=i.current,
        assigned_to=s.assigned_to,
        applicant=applicant,
        state=s.state,
        received_at=i.received_at,
        clock_started_at=s.clock_started_at,
        due_basis=s.due_basis,
        due_at=s.due_at,
        legal_due_at=s.legal_due_at,
        calendar_version=s.calendar_version,
        finished_at=s.finished_at,
        returned_at=s.returned_at,
        timeliness=s.timeliness,
        supplement_requests=s.supplement_requests or 0,
        apologies=s.apologies or 0,
        current_step=s.current_step,
        version=s.row_version or 1,
        lookup_token=s.token or new_lookup_token(),
        search_text=search_text(
            i.code, ApplicantInput(**{n: getattr(applicant, n) for n in APPLICANT_FIELDS})
        ),
    )
