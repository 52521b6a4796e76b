"""Synthetic dossier history for the demo province, written fast with PostgreSQL ``COPY``.

:func:`generate_dossiers` writes ``n`` dossiers received between ``start`` and ``end`` with
their applicants, a minimal consistent history (:class:`~caicach.dossiers.models.DossierEvent`),
clock ledger (:class:`~caicach.dossiers.models.ClockEntry`) and the version's required components
(:class:`~caicach.dossiers.models.DossierComponent`: one shared sample scan, or a reference to the
applicant's digitised store for a share of the reusable ones that grows over the period), as
:func:`caicach.dossiers.services.receive_dossier` and ``perform_action`` would have written them:

* receipt only on working days and in office hours of the official calendar; seasonality
  (weekday mix, fewer around Tết, an end-of-year peak); channels ~55 % online (growing over
  time), ~35 % counter, ~10 % post;
* procedures in force on the day, handled by agencies valid on the day; received at the
  handling agency's service centre (commune one-stop desk, provincial centre or a branch) or
  at the agency itself; the deciding agency is what ``receive_dossier`` would pick; from its
  assignment to its approval a dossier is held by one of the deciding agency's units (the same
  unit for a procedure), so the units' officers find their dossiers in the inbox;
* ``due_at`` / ``legal_due_at`` from :func:`caicach.calendars.rules.compute_due` with the
  version's promised / statutory time and the receiving agency's calendar (memoised per day
  and side of the cut-off for day units), recounted after a supplement, moved by an apology;
* codes ``<agency code>-YYMMDD-NNNN`` gap-free per agency and day, continuing any existing
  :class:`~caicach.dossiers.models.DailySequence`, which is raised to the last number used;
* most old dossiers finished (returned early / on time, a few refused, withdrawn or stopped);
  three "late" agencies finish 25 % late; recent ones open in the state the timeline reached.

Everything runs in one transaction, followed by ``ANALYZE`` (``VACUUM (ANALYZE)`` after a bulk
load with the indexes rebuilt). An audit entry ``demo.generate``
records the seed; generating again with the same seed is refused (:class:`AlreadyGeneratedError`).

Size (~1,150 lines): one bulk writer tuned as a whole (random streams, per-row plans, COPY
buffers, forked builders, index rebuild); its parts share the per-seed state and are
measured together (bench/README.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import secrets
import time as clock_time
from bisect import bisect
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from caicach.accounts.models import Role, RoleAssignment
from caicach.agencies.models import Agency, AgencyKind
from caicach.calendars.rules import (
    VN_TZ,
    CalendarRangeError,
    WorkCalendar,
    compute_due,
    elapsed_working_time,
    working_time_to_days,
)
from caicach.calendars.services import calendar_for
from caicach.core.audit import Actor, record
from caicach.core.events import emit
from caicach.core.models import AuditEntry
from caicach.core.text import normalise
from caicach.dossiers.clock import EndStatus, timeliness
from caicach.dossiers.events import DossiersLoaded
from caicach.dossiers.identity import PROVINCE_CODES
from caicach.dossiers.models import (
    Applicant,
    ClockEntry,
    DailySequence,
    Dossier,
    DossierComponent,
    DossierEvent,
)
from caicach.procedures.models import Component, Procedure, ProcedureVersion, WorkflowStep
from caicach.procedures.rules import in_force_on, version_in_force

__all__ = ["AUDIT_ACTION", "AlreadyGeneratedError", "GenerateResult", "generate_dossiers"]

AUDIT_ACTION = "demo.generate"
ACTOR_LABEL = "demo generate"
BATCH = 20_000
LATE_AGENCIES = 3
LATE_SHARE = 0.25
BASE_LATE_SHARE = 0.015
_OPENING = [(time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))]
_OFFICE_MINUTES = [(7 * 60 + 30, 11 * 60 + 30), (13 * 60 + 30, 17 * 60)]
_DAY_MINUTES = sum(b - a for a, b in _OFFICE_MINUTES)
_TET = (date(2024, 2, 10), date(2025, 1, 29), date(2026, 2, 17), date(2027, 2, 6))

_SURNAMES = (
    ("Nguyễn", 31),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 4),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 4),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
    ("Đinh", 1),
    ("Trương", 1),
    ("Lâm", 1),
    ("Mai", 1),
)
_MIDDLE_M = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Thanh", "Xuân", "Ngọc", "Đình")
_MIDDLE_F = ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Minh", "Phương", "Hồng", "Mỹ", "Bích")
_GIVEN_M = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khang", "Khoa", "Long",
    "Nam", "Phong", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Tuấn", "Việt", "Vinh", "Hiếu",
)  # fmt: skip
_GIVEN_F = (
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai",
    "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Vân", "Yến", "Hằng",
)  # fmt: skip
_STREETS = (
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Hai Bà Trưng",
    "Quang Trung",
    "Lý Thường Kiệt",
)
_MOBILE_PREFIXES = ("032", "033", "034", "035", "036", "037", "038", "039", "070", "076",
                    "077", "078", "079", "081", "082", "083", "084", "085", "086", "088",
                    "089", "090", "091", "093", "094", "096", "097", "098")  # fmt: skip
_PROVINCES = tuple(PROVINCE_CODES)


class AlreadyGeneratedError(Exception):
    """The same seed was already generated into this database."""


@dataclass
class GenerateResult:
    dossiers: int = 0
    applicants: int = 0
    events: int = 0
    clock_entries: int = 0
    components: int = 0
    seconds: float = 0.0
    states: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.dossiers / self.seconds if self.seconds else 0.0


# --------------------------------------------------------------------------------------------
# Time helpers
# --------------------------------------------------------------------------------------------


class _Clock:
    """Working-time helpers over one engine calendar, with memoised due dates."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self.version = calendar.version
        self.version_json = json.dumps(calendar.version)
        self._working: dict[date, bool] = {}
        self._due: dict[tuple[Any, ...], datetime] = {}

    def is_working(self, d: date) -> bool:
        w = self._working.get(d)
        if w is None:
            cal = self.calendar
            w = cal.is_working_day(d) if cal.covers(d) else d.weekday() < 5
            self._working[d] = w
        return w

    def snap(self, dt: datetime) -> datetime:
        """The first office instant at or after ``dt`` (Vietnam time)."""
        local = dt.astimezone(VN_TZ)
        d = local.date()
        minute = local.hour * 60 + local.minute
        # Fast path (most calls): already in office hours of a working day.
        if (450 <= minute < 690 or 810 <= minute < 1020) and self._working.get(d):
            return local
        for _ in range(60):
            if self.is_working(d):
                for a, b in _OFFICE_MINUTES:
                    if minute < b:
                        m = max(minute, a)
                        if m == minute:
                            return local
                        return datetime(d.year, d.month, d.day, m // 60, m % 60, tzinfo=VN_TZ)
            d += timedelta(days=1)
            minute = 0
        return local

    def due(self, received: datetime, value: Decimal, unit: str, cutoff: time | None) -> datetime:
        local = received.astimezone(VN_TZ)
        if unit == "working_hours":
            key: tuple[Any, ...] = (value, unit, cutoff, local)
        else:
            after = cutoff is not None and local.time() >= cutoff
            key = (value, unit, cutoff, local.date(), after)
        hit = self._due.get(key)
        if hit is None:
            hit = compute_due(local, value, unit, self.calendar, cutoff).due
            self._due[key] = hit
        return hit


def _office_instant(d: date, minute_of_day: int) -> datetime:
    m = minute_of_day
    for a, b in _OFFICE_MINUTES:
        if m < b - a:
            t = a + m
            return datetime(d.year, d.month, d.day, t // 60, t % 60, tzinfo=VN_TZ)
        m -= b - a
    return datetime(d.year, d.month, d.day, 16, 59, tzinfo=VN_TZ)


def _season(d: date) -> float:
    w = (1.15, 1.0, 1.0, 1.0, 0.9, 0.5, 0.3)[d.weekday()]
    w *= {11: 1.1, 12: 1.3, 1: 1.15}.get(d.month, 1.0)
    for tet in _TET:
        delta = (d - tet).days
        if -12 <= delta <= 10:
            w *= 0.45
    return w


# --------------------------------------------------------------------------------------------
# The static picture: who handles what, where it is received
# --------------------------------------------------------------------------------------------


@dataclass
class _Route:
    procedure_id: int
    versions: list[ProcedureVersion]  # sorted by effective_from
    deciding: Agency
    desks: list[tuple[Agency, float]]  # receiving agency, weight
    first_step: dict[int, int | None]  # version id -> first step order
    #: The unit (phòng chuyên môn) of the deciding agency that processes it, or the agency
    #: itself when it has none: the holder from assignment to approval, as ``assign`` sets it.
    unit: Agency
    _on: dict[date, ProcedureVersion | None] = field(default_factory=dict)

    def version_on(self, day: date) -> ProcedureVersion | None:
        """As :meth:`Procedure.version_on`: the latest version in force on ``day``."""
        cached = self._on.get(day, False)
        if cached is not False:
            return cached  # type: ignore[return-value]
        if len(self.versions) == 1:  # most procedures: no max over a list per day
            v = self.versions[0]
            self._on[day] = found = v if in_force_on(v, day) else None
            return found
        self._on[day] = found = version_in_force(self.versions, day)
        return found


def _valid_on(agency: Agency, day: date) -> bool:
    return agency.valid_from <= day and (agency.valid_to is None or agency.valid_to >= day)


def _routes() -> list[_Route]:
    agencies = list(Agency.objects.all())
    children: dict[int | None, list[Agency]] = defaultdict(list)
    for a in agencies:
        children[a.parent_id].append(a)
    centres = [a for a in agencies if a.kind == AgencyKind.SERVICE_CENTRE]
    province_centres = [c for c in centres if c.level == "province"] or [
        c for c in centres if c.depth <= 2
    ]
    active_communes = [a for a in agencies if a.kind == AgencyKind.COMMUNE and a.valid_to is None]
    first_steps: dict[int, int | None] = {}
    for vid, order in WorkflowStep.objects.order_by("version_id", "order").values_list(
        "version_id", "order"
    ):
        first_steps.setdefault(vid, order)
    versions: dict[int, list[ProcedureVersion]] = defaultdict(list)
    for v in ProcedureVersion.objects.order_by("effective_from", "number"):
        versions[v.procedure_id].append(v)
    # Work goes to the units that have processing officers (the demo's own among them).
    staffed = set(
        RoleAssignment.objects.filter(role=Role.PROCESSOR, valid_to__isnull=True).values_list(
            "agency_id", flat=True
        )
    )
    routes: list[_Route] = []
    for procedure in Procedure.objects.filter(is_active=True).prefetch_related("handling_agencies"):
        handling = [a for a in procedure.handling_agencies.all() if a.valid_to is None]
        if "commune" in (procedure.handling_agency_kinds or []):
            handling = list({a.pk: a for a in [*handling, *active_communes]}.values())
        pv = versions.get(procedure.pk, [])
        if not pv:
            continue
        fs = {v.pk: first_steps.get(v.pk) for v in pv}
        for agency in handling:
            desks: list[tuple[Agency, float]] = []
            own = [c for c in children[agency.pk] if c.kind == AgencyKind.SERVICE_CENTRE]
            if agency.kind == AgencyKind.COMMUNE:
                desks = [(c, 0.95 / len(own)) for c in own] if own else []
                desks.append((agency, 0.05 if own else 1.0))
            else:
                main = [c for c in province_centres if c.depth == min(x.depth for x in centres)]
                branches = [c for c in province_centres if c not in main]
                desks = [(c, 0.7 / len(main)) for c in main]
                desks += [(c, 0.15 / len(branches)) for c in branches]
                desks.append((agency, 0.15 if main else 1.0))
            units = sorted(
                (
                    c
                    for c in children[agency.pk]
                    if c.kind == AgencyKind.UNIT and c.valid_to is None
                ),
                key=lambda a: a.code,
            )
            units = [u for u in units if u.pk in staffed] or units
            unit = units[procedure.pk % len(units)] if units else agency
            routes.append(_Route(procedure.pk, pv, agency, desks, fs, unit))
    return routes


# --------------------------------------------------------------------------------------------
# Synthetic people
# --------------------------------------------------------------------------------------------


_SURNAME_NAMES = [i for i, _ in _SURNAMES]
_SURNAME_CUM = list(accumulate(w for _, w in _SURNAMES))  # what choices(weights=...) computes


_SURNAME_TOTAL = _SURNAME_CUM[-1] + 0.0
_SURNAME_HI = len(_SURNAME_NAMES) - 1


def _person(rng: random.Random, day: date) -> tuple[str, str, str, str]:
    # The draws of ``choices(cum_weights=)``, ``choice``, ``randint`` and ``randrange`` made
    # directly (``random()`` and ``_randbelow``, as CPython 3.11 implements them): the same
    # stream, without their argument checks, once per dossier.
    rnd = rng.random
    below = rng._randbelow  # type: ignore[attr-defined]
    female = rnd() < 0.52
    surname = _SURNAME_NAMES[bisect(_SURNAME_CUM, rnd() * _SURNAME_TOTAL, 0, _SURNAME_HI)]
    middles = _MIDDLE_F if female else _MIDDLE_M
    middle = middles[below(len(middles))]
    givens = _GIVEN_F if female else _GIVEN_M
    name = f"{surname} {middle} {givens[below(len(givens))]}"
    year = 1945 + below(min(day.year - 16, 2008) - 1944)
    century = (0 if year < 2000 else 2) + (1 if female else 0)
    province = _PROVINCES[below(len(_PROVINCES))]
    cccd = f"{province}{century}{year % 100:02d}{below(1_000_000):06d}"
    phone = f"{_MOBILE_PREFIXES[below(len(_MOBILE_PREFIXES))]}{below(10_000_000):07d}"
    address = f"Số {1 + below(300)} đường {_STREETS[below(len(_STREETS))]}"
    return name, cccd, phone, address


# --------------------------------------------------------------------------------------------
# Rows: built per day (in worker processes for large runs), written with COPY
# --------------------------------------------------------------------------------------------


_NULL = "\\N"


class _Iso(dict[datetime, str]):
    """``isoformat()`` memoised (a dossier's instants repeat across its rows; a zone-aware
    ``isoformat`` costs microseconds, a dict hit almost nothing). One per day."""

    def __missing__(self, key: datetime) -> str:
        text = self[key] = key.isoformat()
        return text


def _tsv(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _columns(model: Any, fields: list[str]) -> str:
    meta = model._meta
    cols = ", ".join(f'"{meta.get_field(f).column}"' for f in fields)
    return f'COPY "{meta.db_table}" ({cols}) FROM STDIN'


_APPLICANT_FIELDS = ["id", "kind", "full_name", "id_number", "phone", "email", "address",
                     "tax_code", "representative", "created_at"]  # fmt: skip
_DOSSIER_FIELDS = [
    "id", "code", "received_on", "sequence", "procedure", "procedure_version", "channel",
    "served_at", "receiving_agency", "deciding_agency", "current_agency", "assigned_to",
    "applicant", "state", "received_at", "clock_started_at", "due_basis", "due_at",
    "legal_due_at", "calendar_version", "finished_at", "returned_at", "timeliness",
    "first_due_at", "legal_timeliness", "timeliness_766", "processing_working_days",
    "source_figures", "supplement_requests", "apologies", "current_step", "version", "lookup_token",
    "search_text", "created_at", "updated_at",
]  # fmt: skip
_EVENT_FIELDS = ["dossier", "at", "actor", "actor_label", "ip_address", "action", "from_state",
                 "to_state", "step", "agency", "note", "payload"]  # fmt: skip
_ENTRY_FIELDS = ["dossier", "at", "kind", "step_order", "agency", "new_due", "reason"]
_COMPONENT_FIELDS = ["dossier", "order", "name", "component", "file", "store_reference",
                     "reused", "content_type", "size", "sha256", "created_at"]  # fmt: skip

#: The scan every generated file component points to (one small PDF in the media storage, so
#: the dossier page's download works); a real intake stores each file.
SAMPLE_SCAN_PATH = "demo/ban-scan-mau.pdf"
SAMPLE_SCAN = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _sample_scan() -> str:
    """The COPY columns ``file … sha256`` of a generated scan (file, no store reference, not
    reused, its type, size and checksum); writes the sample file once."""
    if not default_storage.exists(SAMPLE_SCAN_PATH):
        default_storage.save(SAMPLE_SCAN_PATH, ContentFile(SAMPLE_SCAN))
    digest = hashlib.sha256(SAMPLE_SCAN).hexdigest()
    return f"{SAMPLE_SCAN_PATH}\t\tf\tapplication/pdf\t{len(SAMPLE_SCAN)}\t{digest}"


def _version_components() -> dict[int, list[tuple[int, int, str, bool]]]:
    """The required components of every version: (id, order, name as COPY text, reusable)."""
    out: dict[int, list[tuple[int, int, str, bool]]] = defaultdict(list)
    for c in Component.objects.filter(required=True).order_by("version_id", "order", "id"):
        out[c.version_id].append((c.pk, c.order, _tsv(c.name), c.reusable))
    return dict(out)


@dataclass
class _Work:
    """What building a day's rows needs; set before the worker processes fork (inherited)."""

    seed: int
    start: date
    span: int
    now: datetime
    late_agencies: set[int]
    existing: dict[tuple[int, date], int]
    clocks: dict[int, _Clock]  # agency pk -> clock
    eligible: dict[date, list[_Route]]
    applicant_offset: int  # applicant id = dossier id + this (each has its reserved block)
    components: dict[int, list[tuple[int, int, str, bool]]]  # version id -> required ones
    scan: str  # the COPY columns of a scanned or uploaded file (``_sample_scan``)
    _desks: dict[tuple[int, date], tuple[list[Agency], list[float]]] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)

    def desks(self, route: _Route, day: date) -> tuple[list[Agency], list[float]]:
        """The desks valid on ``day`` and their cumulative weights (as ``choices`` computes)."""
        key = (id(route), day)
        hit = self._desks.get(key)
        if hit is None:
            valid = [(a, w) for a, w in route.desks if _valid_on(a, day)]
            hit = ([a for a, _ in valid], list(accumulate(w for _, w in valid)))
            self._desks[key] = hit
        return hit

    def folded(self, text: str) -> str:
        hit = self._names.get(text)
        if hit is None:
            hit = self._names[text] = normalise(text)
        return hit


@dataclass
class _Chunk:
    """The COPY text of some days (one per table) and what they counted."""

    applicants: bytes
    dossiers: bytes
    events: bytes
    entries: bytes
    components: bytes
    dossier_count: int
    event_count: int
    entry_count: int
    component_count: int
    states: dict[str, int]
    sequences: dict[tuple[int, date], int]


_WORK: _Work | None = None


def _build(task: list[tuple[date, int, int]]) -> _Chunk:
    """The rows of the days in ``task`` (day, number of dossiers, first id of the day).

    Each day has its own random stream (``seed`` and the day), so the result does not depend on
    how days are grouped or on the number of processes: ``demo generate`` is deterministic for a
    seed (except the random ``lookup_token``). Daily numbers continue any existing
    :class:`DailySequence` (TT 01/2018 art. 19: gap-free per agency and day)."""
    work = _WORK
    assert work is not None
    app_rows: list[str] = []
    dos_rows: list[str] = []
    ev_rows: list[str] = []
    ce_rows: list[str] = []
    co_rows: list[str] = []
    version_components = work.components
    scan = work.scan
    states: dict[str, int] = defaultdict(int)
    sequences: dict[tuple[int, date], int] = {}
    existing = work.existing
    clocks = work.clocks
    now = work.now
    late = work.late_agencies
    cal_text: dict[str, str] = {}
    token = secrets.token_urlsafe
    for day, count, first_id in task:
        rng = random.Random(f"{work.seed}:{day.isoformat()}")
        rnd = rng.random
        below = rng._randbelow  # type: ignore[attr-defined]  # as choice/randrange draw
        iso = _Iso()
        rs = work.eligible[day]
        n_rs = len(rs)
        online_share = 0.45 + 0.2 * (day - work.start).days / work.span
        counter_share = online_share + (1 - online_share) * 0.78
        # Reuse of documents already in the applicant's digitised store grows over the
        # period (NĐ 45/2020 art. 10; NĐ 224/2026 art. 18(4)): percent of reusable components.
        grown = (day - work.start).days / work.span
        reuse_online = 15 + int(40 * grown)
        reuse_desk = 5 + int(20 * grown)
        drafts = []
        day_desks: dict[int, tuple[list[Agency], list[float]]] = {}
        for _ in range(count):
            route = rs[below(n_rs)]
            version = route.version_on(day)
            assert version is not None
            hit = day_desks.get(id(route))
            if hit is None:
                hit = day_desks[id(route)] = work.desks(route, day)
            desks, cum = hit
            if desks:  # as choices(desks, cum_weights=cum)[0]
                desk = desks[bisect(cum, rnd() * (cum[-1] + 0.0), 0, len(desks) - 1)]
            else:
                desk = route.deciding
            received = _office_instant(day, below(_DAY_MINUTES))
            received = received.replace(second=below(60))
            u = rnd()
            channel = "online" if u < online_share else ("counter" if u < counter_share else "post")
            drafts.append((received, route, version, desk, channel))
        drafts.sort(key=lambda x: x[0])
        ymd = f"{day:%y%m%d}"
        day_iso = day.isoformat()
        for i, (received, route, version, desk, channel) in enumerate(drafts):
            dos_id = first_id + i
            app_id = dos_id + work.applicant_offset
            desk_id = desk.id
            clk = clocks[desk_id]
            try:
                evs, ces, started, basis, due, legal, fin, tl, ret, supp, apol, facts = _plan(
                    rng, clk, route, version, desk, received, now, late
                )
            except CalendarRangeError:
                continue
            key = (desk_id, day)
            seq = sequences.get(key) or existing.get(key, 0)
            seq += 1
            sequences[key] = seq
            desk_code = desk.code
            code = f"{desk_code}-{ymd}-{seq:04d}"
            last = evs[-1]
            state = last[3]
            states[state] += 1
            name, cccd, phone, address = _person(rng, day)
            rec = iso[received]
            app_rows.append(f"{app_id}\tperson\t{name}\t{cccd}\t{phone}\t\t{address}\t\t\t{rec}")
            # normalise() of the code is the folded desk code and the (digit) rest
            search = (
                f"{work.folded(desk_code)}{code[len(desk_code) :]} {work.folded(name)} "
                f"{cccd} {phone}"
            )
            cv = cal_text.get(clk.version)
            if cv is None:
                cv = cal_text[clk.version] = _tsv(clk.version)
            step = evs[0][4]
            step_text = _NULL if step is None else step
            dos_rows.append(
                f"{dos_id}\t{code}\t{day_iso}\t{seq}\t{route.procedure_id}\t{version.id}\t"
                f"{channel}\t{desk_id}\t{desk_id}\t{route.deciding.id}\t{last[5]}\t"
                f"\\N\t{app_id}\t{state}\t{rec}\t{iso[started]}\t"
                f"{basis}\t{iso[due]}\t{iso[legal]}\t"
                f"{cv}\t{_NULL if fin is None else iso[fin]}\t"
                f"{_NULL if ret is None else iso[ret]}\t{tl}\t{facts}\t"
                f"{supp}\t{apol}\t"
                f"{step_text}\t{len(evs)}\t{token(18)}\t{search}\t"
                f"{rec}\t{iso[last[0]]}"
            )
            ev_tail = f"\t{step_text}\t"
            for at, action, from_state, to_state, _step, agency, payload in evs:
                ev_rows.append(
                    f"{dos_id}\t{iso[at]}\t\\N\t{ACTOR_LABEL}\t\\N\t{action}\t"
                    f"{from_state}\t{to_state}{ev_tail}{agency}\t\t{payload}"
                )
            # The required components: from the store (reused) or a file (uploaded online,
            # scanned at the desk). A hash of the applicant's number and the component decides
            # (the same for a seed whatever the ids), so no draw from ``rng`` shifts the other
            # fields' streams.
            reuse = reuse_online if channel == "online" else reuse_desk
            person_key = int(cccd) * 40503
            for cid, order, cname, reusable in version_components.get(version.id, ()):
                if reusable and (person_key + cid * 9973) % 100 < reuse:
                    source = f"\tKHO-{code}-{order}\tt\t\t\\N\t"
                else:
                    source = scan
                co_rows.append(f"{dos_id}\t{order}\t{cname}\t{cid}\t{source}\t{rec}")
            for at, kind, step_order, ce_agency, new_due, reason in ces:
                ce_rows.append(
                    f"{dos_id}\t{iso[at]}\t{kind}\t"
                    f"{_NULL if step_order is None else step_order}\t"
                    f"{_NULL if ce_agency is None else ce_agency}\t"
                    f"{_NULL if new_due is None else iso[new_due]}\t{reason}"
                )

    def blob(rows: list[str]) -> bytes:
        return ("\n".join(rows) + "\n").encode() if rows else b""

    return _Chunk(
        blob(app_rows), blob(dos_rows), blob(ev_rows), blob(ce_rows), blob(co_rows),
        len(dos_rows), len(ev_rows), len(ce_rows), len(co_rows), dict(states), sequences,
    )  # fmt: skip


def _copy(cursor: Any, statement: str, data: bytes) -> None:
    if data:
        with cursor.copy(statement) as copy:
            copy.write(data)


def _chunks(
    days: list[date], counts: list[int], first_id: int, size: int
) -> list[list[tuple[date, int, int]]]:
    """Whole days grouped into tasks of about ``size`` dossiers, with each day's first id."""
    tasks: list[list[tuple[date, int, int]]] = []
    task: list[tuple[date, int, int]] = []
    in_task = 0
    next_id = first_id
    for day, count in zip(days, counts, strict=True):
        if not count:
            continue
        task.append((day, count, next_id))
        next_id += count
        in_task += count
        if in_task >= size:
            tasks.append(task)
            task, in_task = [], 0
    if task:
        tasks.append(task)
    return tasks


def _results(tasks: list[list[tuple[date, int, int]]], workers: int) -> Iterator[_Chunk]:
    """The chunks in order, built in ``workers`` forked processes (0: in this process) while
    the caller writes the previous ones (at most two per worker waiting, to bound memory)."""
    if workers <= 0:
        yield from map(_build, tasks)
        return
    import multiprocessing

    # fork: the children inherit _WORK (calendars, routes) and never touch the database.
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        waiting: deque[Any] = deque()
        todo = iter(tasks)
        for task in todo:
            waiting.append(pool.apply_async(_build, (task,)))
            if len(waiting) >= 2 * workers:
                break
        while waiting:
            chunk = waiting.popleft().get()
            for task in todo:
                waiting.append(pool.apply_async(_build, (task,)))
                break
            yield chunk


def _reserve_ids(cursor: Any, model: Any, n: int) -> int:
    """Reserve ``n`` consecutive ids of ``model``'s sequence; returns the first."""
    cursor.execute(
        "SELECT setval(s, nextval(s) + %s - 1) - %s + 1 FROM pg_get_serial_sequence(%s, 'id') AS s",
        [n, n, model._meta.db_table],
    )
    return int(cursor.fetchone()[0])


_LOADED = (Applicant, Dossier, DossierEvent, ClockEntry, DossierComponent)


def _drop_indexes(cursor: Any) -> list[str]:
    """Drop the secondary indexes (and unique constraints no foreign key needs) of the loaded
    tables; returns the statements that recreate them. PostgreSQL builds an index over the
    whole table much faster than it maintains it row by row (the trigram GIN above all)."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
               c.conname, i.indrelid::regclass::text, pg_get_constraintdef(c.oid)
        FROM pg_index i
        LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
        WHERE i.indrelid = ANY(%s::text[]::regclass[]) AND NOT i.indisprimary
          AND (c.oid IS NULL OR c.contype = 'u')
          AND NOT EXISTS (
              SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid
          )
        ORDER BY 1
        """,
        [[m._meta.db_table for m in _LOADED]],
    )
    rebuild = []
    for index, indexdef, conname, table, condef in cursor.fetchall():
        if conname:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{conname}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{conname}" {condef}')
        else:
            cursor.execute(f"DROP INDEX {index}")
            rebuild.append(indexdef)
    return rebuild


def _rebuild_indexes(cursor: Any, statements: list[str]) -> None:
    cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
    for statement in statements:
        cursor.execute(statement)


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


def _already(seed: int) -> bool:
    return bool(AuditEntry.objects.filter(action=AUDIT_ACTION, changes__seed=seed).exists())


def generate_dossiers(
    n: int,
    *,
    seed: int = 1,
    start: date | None = None,
    end: date | None = None,
    stdout: Any = None,
    fast: bool = True,
    workers: int | None = None,
    rebuild_indexes: bool | None = None,
) -> GenerateResult:
    """Write ``n`` synthetic dossiers received from ``start`` to ``end`` (see the module doc).

    ``workers``: processes that build the rows while this one writes them (default: one per
    CPU from 20,000 dossiers on, none below). ``rebuild_indexes``: drop the secondary indexes
    of the four tables and build them again at the end, in the same transaction (default: when
    the run is at least 100,000 dossiers and more than the table holds already); the tables are
    locked for other sessions until the commit."""
    if n <= 0:
        raise ValueError("n must be positive")
    started = clock_time.perf_counter()
    real_now = timezone.now()
    end = end or timezone.localdate()
    start = start or date(2024, 11, 1)
    if real_now < datetime.combine(end, time(17, 0), VN_TZ):
        end -= timedelta(days=1)  # today's office day is not over: no receipt after now
    if end < start:
        raise ValueError("end is before start (today counts only once its office day is over)")
    now = min(real_now, datetime.combine(end, time(17, 0), VN_TZ))
    if _already(seed):
        raise AlreadyGeneratedError(
            f"Dữ liệu mô phỏng với seed {seed} đã được sinh trong cơ sở dữ liệu này; "
            f"dùng seed khác. / Seed {seed} was already generated into this database; "
            "use another seed."
        )

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text + "\n")

    rng = random.Random(seed)
    routes = _routes()
    if not routes:
        raise ValueError("No procedures or agencies: run `caicach demo load` first.")
    deciders = sorted({r.deciding.pk for r in routes})
    late_agencies = set(rng.sample(deciders, min(LATE_AGENCIES, len(deciders))))
    clocks: dict[int, _Clock] = {}
    cal_by_version: dict[str, _Clock] = {}

    def clock_of(agency: Agency) -> _Clock:
        c = clocks.get(agency.pk)
        if c is None:
            cal = calendar_for(agency)
            c = cal_by_version.setdefault(cal.version, _Clock(cal))
            clocks[agency.pk] = c
        return c

    official = clock_of(routes[0].deciding)
    for route in routes:  # every calendar, before the workers fork
        clock_of(route.deciding)
        for desk, _w in route.desks:
            clock_of(desk)
    # Working days and their weight (seasonality x share of the catalogue in force).
    days: list[date] = []
    eligible: dict[date, list[_Route]] = {}
    d = start
    max_routes = 1
    while d <= end:
        if official.is_working(d):
            rs = [r for r in routes if _valid_on(r.deciding, d) and r.version_on(d) is not None]
            if rs:
                eligible[d] = rs
                max_routes = max(max_routes, len(rs))
                days.append(d)
        d += timedelta(days=1)
    if not days:
        raise ValueError("No working day with a procedure in force in the period.")
    weights = [_season(d) * (0.3 + 0.7 * len(eligible[d]) / max_routes) for d in days]
    total_w = sum(weights)
    raw = [n * w / total_w for w in weights]
    counts = [int(x) for x in raw]
    rest = n - sum(counts)
    order = sorted(range(len(days)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[:rest]:
        counts[i] += 1

    result = GenerateResult()
    states: dict[str, int] = defaultdict(int)
    existing = {
        (a, day): last
        for a, day, last in DailySequence.objects.filter(day__gte=start, day__lte=end).values_list(
            "agency_id", "day", "last"
        )
    }
    sequences: dict[tuple[int, date], int] = {}
    agency_by_id: dict[int, Agency] = {}
    for r in routes:
        agency_by_id[r.deciding.pk] = r.deciding
        for a, _ in r.desks:
            agency_by_id[a.pk] = a
    if workers is None:
        workers = (os.cpu_count() or 1) if n >= 20_000 else 0
    if rebuild_indexes is None:
        rebuild_indexes = n >= 100_000 and n > Dossier.objects.order_by().count()
    statements = {
        "applicants": _columns(Applicant, _APPLICANT_FIELDS),
        "dossiers": _columns(Dossier, _DOSSIER_FIELDS),
        "events": _columns(DossierEvent, _EVENT_FIELDS),
        "entries": _columns(ClockEntry, _ENTRY_FIELDS),
        "components": _columns(DossierComponent, _COMPONENT_FIELDS),
    }

    global _WORK
    with transaction.atomic():
        cursor_wrapper = connection.cursor()
        cursor = connection.connection.cursor()
        first_applicant = _reserve_ids(cursor, Applicant, n)
        first_dossier = _reserve_ids(cursor, Dossier, n)
        tasks = _chunks(days, counts, first_dossier, BATCH)
        if fast:
            # The rows reference ids reserved or read above, so the per-row foreign-key triggers
            # only cost time: skip them for this transaction when the role may (superuser, as
            # with the embedded database). The append-only triggers guard UPDATE/DELETE only.
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")
        rebuild = _drop_indexes(cursor) if rebuild_indexes else []
        _WORK = _Work(
            seed, start, max((end - start).days, 1), now, late_agencies, existing, clocks,
            eligible, first_applicant - first_dossier, _version_components(), _sample_scan(),
        )  # fmt: skip
        try:
            for chunk in _results(tasks, workers):
                _copy(cursor, statements["applicants"], chunk.applicants)
                _copy(cursor, statements["dossiers"], chunk.dossiers)
                _copy(cursor, statements["events"], chunk.events)
                _copy(cursor, statements["entries"], chunk.entries)
                _copy(cursor, statements["components"], chunk.components)
                result.dossiers += chunk.dossier_count
                result.applicants += chunk.dossier_count
                result.events += chunk.event_count
                result.clock_entries += chunk.entry_count
                result.components += chunk.component_count
                for state, k in chunk.states.items():
                    states[state] += k
                sequences.update(chunk.sequences)
                rate = result.dossiers / (clock_time.perf_counter() - started)
                say(f"  {result.dossiers} dossiers ({rate:,.0f}/s)")
        finally:
            _WORK = None
        if rebuild:
            t0 = clock_time.perf_counter()
            _rebuild_indexes(cursor, rebuild)
            say(f"  {len(rebuild)} indexes rebuilt in {clock_time.perf_counter() - t0:.1f} s")
        if fast:
            cursor.execute("SET LOCAL session_replication_role = origin")
        table = DailySequence._meta.db_table
        # One statement for every agency-day (up to hundreds of thousands): a row-by-row
        # upsert cost more than the ANALYZE. Keys are distinct (a dict), as ON CONFLICT needs.
        with connection.cursor() as c:
            c.execute(
                f'INSERT INTO "{table}" (agency_id, day, last) '
                "SELECT * FROM unnest(%s::bigint[], %s::date[], %s::integer[]) "
                f'ON CONFLICT (agency_id, day) DO UPDATE SET last = GREATEST("{table}".last, '
                "EXCLUDED.last)",
                [[a for a, _ in sequences], [d for _, d in sequences], list(sequences.values())],
            )
        root = Agency.objects.filter(parent__isnull=True).order_by("path").first()
        record(
            Actor.system(ACTOR_LABEL),
            AUDIT_ACTION,
            object_type="demo",
            object_id=str(seed),
            object_repr=f"demo generate seed {seed}",
            agency=root,
            changes={
                "seed": seed,
                "dossiers": result.dossiers,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "late_agencies": sorted(agency_by_id[a].code for a in late_agencies),
            },
        )
        # Subscribers (rollups, KPIs) see generated history as they see a receipt.
        emit(DossiersLoaded("generator", range(first_dossier, first_dossier + result.dossiers)))
        cursor.close()
        cursor_wrapper.close()
    # After a bulk load, VACUUM as well: it sets the visibility map, without which the inbox's
    # index-only scans (``views._due_page``) read the table for every entry until autovacuum
    # comes by (5 million dossiers: 32 s more). VACUUM cannot run inside a transaction.
    maintenance = "VACUUM (ANALYZE)" if rebuild and not connection.in_atomic_block else "ANALYZE"
    with connection.cursor() as c:
        for model in (*_LOADED, DailySequence):
            c.execute(f'{maintenance} "{model._meta.db_table}"')
    result.seconds = clock_time.perf_counter() - started
    result.states = dict(sorted(states.items()))
    say(
        f"Generated {result.dossiers} dossiers, {result.events} events, "
        f"{result.clock_entries} clock entries, {result.components} components in "
        f"{result.seconds:.1f} s "
        f"({result.rate:,.0f} dossiers/s)."
    )
    return result


# --------------------------------------------------------------------------------------------
# One dossier's life
# --------------------------------------------------------------------------------------------


_FOUR_HOURS = timedelta(hours=4)
_TWO_DAYS = timedelta(days=2)
_CLOSE = time(17, 0)
_Event = tuple[datetime, str, str, str, "int | None", int, str]
_Entry = tuple[datetime, str, "int | None", "int | None", "datetime | None", str]
_Plan = tuple[
    list[_Event], list[_Entry], datetime, str, datetime, datetime, "datetime | None", str,
    "datetime | None", int, int, str,
]  # fmt: skip


def _plan(
    rng: random.Random,
    clk: _Clock,
    route: _Route,
    version: ProcedureVersion,
    desk: Agency,
    received: datetime,
    now: datetime,
    late_agencies: Iterable[int],
) -> _Plan:
    """The timeline of one dossier, cut at ``now``, as ``receive_dossier`` and ``perform_action``
    would have written it (due dates from the receipt, recounted after a complete supplement,
    moved by an apology: Decree 61/2018 art. 19-20 as amended by Decree 107/2021).

    Returns ``(events, clock entries, clock_started_at, due_basis, due_at, legal_due_at,
    finished_at, timeliness, returned_at, supplement_requests, apologies, verdicts)``, the last
    the COPY text of the timeliness facts (:func:`_facts`). The state, current
    agency, version and ``updated_at`` are those of the last event (one version per event).
    Plain locals and one ``break``-able block instead of a dict and a closure per dossier: this
    runs once for each of millions of dossiers."""
    deciding = route.deciding.id
    holder = route.unit.id
    desk_id = desk.id
    unit = version.statutory_unit
    cutoff = version.cutoff
    promised_value = version.promised_value
    statutory_value = version.statutory_value
    due_of = clk.due
    snap = clk.snap
    due = due_of(received, promised_value, unit, cutoff)
    legal = due_of(received, statutory_value, unit, cutoff)
    first_due = due
    paused_for = timedelta(0)
    paused_from = received
    first = route.first_step.get(version.id)
    started = received
    basis = "receipt"
    supplements = apologies = 0
    finished: datetime | None = None
    returned: datetime | None = None
    payload = (
        f'{{"due_at": "{due.isoformat()}", "legal_due_at": "{legal.isoformat()}", '
        f'"calendar_version": {clk.version_json}, "generated": true}}'
    )  # json.dumps of the same dict, without its cost
    ev: list[_Event] = [(received, "receive", "", "received", first, desk_id, payload)]
    ce: list[_Entry] = [(received, "received", None, desk_id, None, "")]
    if first is not None:
        ce.append((received, "step_started", first, desk_id, None, ""))
    state = "received"
    span = max(due - received, _FOUR_HOURS)
    t = received
    for _ in (1,):  # left with ``break`` where the timeline reaches ``now``
        # Supplement requested at the desk (or by the processor) about 7 % of the time.
        if rng.random() < 0.07:
            t = snap(t + span * rng.uniform(0.02, 0.15))
            if t > now:
                break
            ev.append((t, "request_supplement", state, "awaiting_supplement", first, desk_id, "{}"))
            state = "awaiting_supplement"
            supplements = 1
            ce.append((t, "paused", None, None, None, "Thiếu giấy tờ"))
            paused_from = t
            t = snap(t + timedelta(days=rng.uniform(1, 8)))
            if t > now:
                break
            paused_for = t - paused_from
            ce.append((t, "resumed", None, None, None, ""))
            if first is not None:
                ce.append((t, "step_finished", first, desk_id, None, ""))
                ce.append((t, "step_started", first, desk_id, None, ""))
            before = due
            due = due_of(t, promised_value, unit, cutoff)
            legal = due_of(t, statutory_value, unit, cutoff)
            started = t
            basis = "supplement"
            moved = f'{{"previous_due_at": "{before.isoformat()}", "due_at": "{due.isoformat()}"}}'
            ev.append((t, "supplement_received", state, "received", first, desk_id, moved))
            state = "received"
            span = max(due - t, _FOUR_HOURS)
        # Outcome: late, refused, withdrawn, stopped, or finished in time.
        late = rng.random() < (LATE_SHARE if deciding in late_agencies else BASE_LATE_SHARE)
        r = rng.random()
        ending = "returned"
        if r < 0.03:
            ending = "refused"
        elif r < 0.05:
            ending = "withdrawn"
        elif r < 0.06:
            ending = "stopped"
        if late:
            finish = due + timedelta(days=rng.uniform(0.5, 12))
        else:
            finish = t + span * rng.uniform(0.3, 0.97)
        finish = snap(finish)
        if not late and finish > due:
            finish = due
        gap = finish - t
        stamps = [snap(p) for p in sorted(t + gap * x for x in (0.05, 0.15, 0.6, 0.85))]
        if ending == "refused" and rng.random() < 0.3:
            at = snap(t + gap * 0.1)
            if at <= now:
                ev.append((at, "refuse", state, "refused", first, desk_id, "{}"))
                finished = at
                _close(ce, at, EndStatus.REFUSED, first, desk_id)
            break
        at = stamps[0]
        if at > now:
            break
        ev.append((at, "assign", state, "assigned", first, holder, "{}"))
        at = stamps[1]
        if at > now:
            break
        ev.append((at, "accept", "assigned", "processing", first, holder, "{}"))
        state = "processing"
        # Apology for about a third of the late ones, two days before the due date.
        if late and rng.random() < 0.35:
            at = snap(due - _TWO_DAYS)
            cal = clk.calendar
            if (
                at > ev[-1][0]
                and cal.covers(at.date())
                and at.date() <= cal.add_working_days(due.astimezone(VN_TZ).date(), -1)
            ):
                new_due = snap(finish + timedelta(days=rng.uniform(0, 3)))
                new_due = datetime.combine(new_due.astimezone(VN_TZ).date(), _CLOSE, VN_TZ)
                if new_due > due and at <= now:
                    moved = (
                        f'{{"previous_due_at": "{due.isoformat()}", '
                        f'"due_at": "{new_due.isoformat()}"}}'
                    )
                    ev.append((at, "apologise", state, state, first, holder, moved))
                    ce.append((at, "extended", None, None, new_due, "Cần xác minh thêm"))
                    apologies = 1
                    due = new_due  # the statutory due never moves with an apology
                    basis = "apology"
            last = ev[-1][0]
            stamps = [max(x, last) for x in stamps]
        if ending in ("withdrawn", "stopped"):
            at = stamps[2]
            if at <= now:
                action = "withdraw" if ending == "withdrawn" else "stop"
                ev.append((at, action, state, ending, first, holder, "{}"))
                finished = at
                _close(ce, at, EndStatus(ending), first, holder)
            break
        at = stamps[2]
        if at > now:
            break
        ev.append((at, "submit_for_approval", state, "awaiting_approval", first, holder, "{}"))
        if ending == "refused":
            at = stamps[3]
            if at <= now:
                ev.append((at, "refuse", "awaiting_approval", "refused", first, holder, "{}"))
                finished = at
                _close(ce, at, EndStatus.REFUSED, first, holder)
            break
        at = stamps[3]
        if at > now:
            break
        ev.append((at, "approve", "awaiting_approval", "approved", first, holder, "{}"))
        if at > finish:
            finish = at
        if finish > now:
            break
        ev.append((finish, "mark_result_ready", "approved", "result_ready", first, desk_id, "{}"))
        finished = finish
        _close(ce, finish, EndStatus.PROCESSED, first, holder)
        back = snap(finish + timedelta(days=rng.expovariate(1 / 1.5)))
        if back <= now:
            ev.append((back, "return_result", "result_ready", "returned", first, desk_id, "{}"))
            ce.append((back, "finished", None, None, None, _RETURNED))
            returned = back
    done = "" if finished is None else timeliness(finished, due).value
    facts = (
        _facts(clk, received, first_due, due, legal, finished, paused_from, paused_for, apologies)
        if finished is not None
        else _OPEN_FACTS
    )
    return (
        ev, ce, started, basis, due, legal, finished, done, returned, supplements, apologies,
        f"{first_due.isoformat()}\t{facts}",
    )  # fmt: skip


_OPEN_FACTS = "\t\t\\N\t{}"


def _facts(
    clk: _Clock,
    received: datetime,
    first_due: datetime,
    due: datetime,
    legal: datetime,
    finished: datetime,
    paused_from: datetime,
    paused_for: timedelta,
    apologies: int,
) -> str:
    """The COPY text ``legal_timeliness, timeliness_766, processing_working_days,
    source_figures`` of a finished dossier, as :func:`caicach.dossiers.deadlines.finish_verdicts`
    gives them for the generator's histories (at most one supplement, answered before the
    finish; at most one apology): 766 compares the finish less the supplement time with the
    first promise, or with the apology's date when ``METRICS_766_APOLOGY_COUNTS_LATE`` is off
    (regulations §1.3); the working days exclude the paused time (TT 01/2018 art. 13)."""
    promise = first_due
    if apologies and not settings.METRICS_766_APOLOGY_COUNTS_LATE:
        promise = due
    on_time = "on_time" if finished - paused_for <= promise else "late"
    cal = clk.calendar
    used = elapsed_working_time(received, finished, cal)
    if paused_for:
        used -= elapsed_working_time(paused_from, paused_from + paused_for, cal)
    days = working_time_to_days(used, cal, 2)
    return f"{timeliness(finished, legal).value}\t{on_time}\t{days}\t{{}}"


_RETURNED = EndStatus.RETURNED.value


def _close(
    ce: list[_Entry], at: datetime, status: EndStatus, first: int | None, agency: int
) -> None:
    """The clock entries of a finished dossier (its step, then the clock)."""
    if first is not None:
        ce.append((at, "step_finished", first, agency, None, ""))
    ce.append((at, "finished", None, None, None, status.value))
