"""`demo generate` writes consistent synthetic dossiers, and refuses to run twice per seed."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, time

import pytest
from django.core.management import call_command

from caicach.calendars.rules import VN_TZ, compute_due
from caicach.calendars.services import calendar_for
from caicach.demo.generator import _LOADED, AlreadyGeneratedError, generate_dossiers
from caicach.dossiers.clock import ClockEvent, EventKind, StatutoryTime
from caicach.dossiers.codes import format_dossier_code
from caicach.dossiers.deadlines import TimelinessFacts, finish_verdicts
from caicach.dossiers.identity import validate_citizen_id, validate_phone
from caicach.dossiers.models import (
    Applicant,
    ClockEntry,
    DailySequence,
    Dossier,
    DossierComponent,
    DossierEvent,
)
from caicach.dossiers.services import visible_dossiers
from caicach.dossiers.tests.projection import projecting, table_states
from caicach.dossiers.workflow import INITIAL_TRANSITIONS, TRANSITIONS, DossierAction, DossierState
from caicach.procedures.models import Component

N = 300


@pytest.mark.django_db
@pytest.mark.parametrize("fast", [True, False], ids=["fast", "checked"])
def test_generated_dossiers_are_consistent(make_officer, fast):
    call_command("demo", "load")
    result = generate_dossiers(N, seed=7, start=date(2025, 9, 1), end=date(2025, 12, 31), fast=fast)
    assert result.dossiers == N
    dossiers = list(
        Dossier.objects.select_related("procedure_version", "receiving_agency", "applicant")
    )
    assert len(dossiers) == N
    assert Applicant.objects.count() == N

    # Codes: unique, gap-free per agency and day, and the daily counter is at the maximum.
    assert len({d.code for d in dossiers}) == N
    by_day = defaultdict(list)
    for d in dossiers:
        assert d.code == format_dossier_code(d.receiving_agency.code, d.received_on, d.sequence)
        by_day[(d.receiving_agency_id, d.received_on)].append(d.sequence)
    for (agency_id, day), seqs in by_day.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
        assert DailySequence.objects.get(agency_id=agency_id, day=day).last == len(seqs)

    events = defaultdict(list)
    for e in DossierEvent.objects.order_by("id"):
        events[e.dossier_id].append(e)
    entries = defaultdict(list)
    for c in ClockEntry.objects.order_by("id"):
        entries[c.dossier_id].append(c)

    # Every row points at rows that exist (the fast path skips the foreign-key triggers).
    pks = {d.pk for d in dossiers}
    assert set(events) == pks and set(entries) == pks
    assert {d.applicant_id for d in dossiers} == set(Applicant.objects.values_list("pk", flat=True))

    for d in dossiers:
        version = d.procedure_version
        calendar = calendar_for(d.receiving_agency)
        # Received on a working day, in office hours; the applicant's identifiers are valid.
        assert calendar.is_working_day(d.received_on)
        local = d.received_at.astimezone(VN_TZ)
        assert d.received_on == local.date()
        assert time(7, 30) <= local.time() < time(17, 0)
        assert not time(11, 30) <= local.time() < time(13, 30)
        validate_citizen_id(d.applicant.id_number, as_of=d.received_on)
        validate_phone(d.applicant.phone)
        # Due dates from the calendar engine, counted from the clock start (receipt or the
        # complete supplement).
        if d.due_basis in ("receipt", "supplement"):
            assert (
                d.due_at
                == compute_due(
                    d.clock_started_at,
                    version.promised_value,
                    version.statutory_unit,
                    calendar,
                    version.cutoff,
                ).due
            )
            assert (
                d.legal_due_at
                == compute_due(
                    d.clock_started_at,
                    version.statutory_value,
                    version.statutory_unit,
                    calendar,
                    version.cutoff,
                ).due
            )
        assert d.calendar_version == calendar.version
        # History: starts with the receipt, each step allowed by the workflow table.
        history = events[d.pk]
        assert history[0].action == DossierAction.RECEIVE
        assert INITIAL_TRANSITIONS[DossierAction.RECEIVE].target == history[0].to_state
        state = DossierState.RECEIVED
        for e in history[1:]:
            assert e.from_state == state
            transition = TRANSITIONS[(DossierState(e.from_state), DossierAction(e.action))]
            assert transition.target == e.to_state
            state = DossierState(e.to_state)
        assert d.state == state
        assert d.version == len(history)
        assert [e.at for e in history] == sorted(e.at for e in history)
        # Clock ledger: receipt first, one pause per supplement request, a finish when closed.
        ledger = entries[d.pk]
        assert ledger[0].kind == "received" and ledger[0].at == d.received_at
        kinds = [c.kind for c in ledger]
        assert kinds.count("paused") == d.supplement_requests
        assert kinds.count("extended") == d.apologies
        if d.state in ("returned", "refused", "stopped", "withdrawn", "result_ready"):
            assert "finished" in kinds and d.finished_at is not None and d.timeliness
        else:
            assert "finished" not in kinds and d.finished_at is None and not d.timeliness
        if d.state == "returned":
            assert d.returned_at is not None
        # Timeliness facts (issue 13): the receipt's promise never moves; the stored verdicts
        # are those of the product's rule over the ledger (deadlines.finish_verdicts).
        assert d.first_due_at == (
            compute_due(
                d.received_at,
                version.promised_value,
                version.statutory_unit,
                calendar,
                version.cutoff,
            ).due
        )
        if d.finished_at is not None:
            facts = TimelinessFacts(
                d.received_at,
                StatutoryTime(version.promised_value, version.statutory_unit),
                StatutoryTime(version.statutory_value, version.statutory_unit),
                [
                    ClockEvent(
                        c.at,
                        EventKind(c.kind),
                        c.step_order,
                        str(c.agency_id) if c.agency_id else None,
                        c.new_due,
                        c.reason,
                    )
                    for c in ledger
                ],
                calendar,
                version.cutoff,
                d.first_due_at,
            )
            v = finish_verdicts(facts, d.finished_at)
            assert (d.timeliness, d.legal_timeliness, d.timeliness_766) == (
                v.timeliness,
                v.legal_timeliness,
                v.timeliness_766,
            )
            assert (d.due_at, d.legal_due_at) == (v.due, v.legal_due)
            assert d.processing_working_days == v.processing_working_days
        else:
            assert d.legal_timeliness == d.timeliness_766 == ""
            assert d.processing_working_days is None

    # Components: the version's required ones, each reused from the store (a reference, no
    # file) or a stored PDF whose checksum is the file's.
    required = defaultdict(list)
    for c in Component.objects.filter(required=True).order_by("order", "id"):
        required[c.version_id].append(c.pk)
    by_dossier = defaultdict(list)
    for c in DossierComponent.objects.order_by("dossier_id", "order", "id"):
        by_dossier[c.dossier_id].append(c)
    sources = set()
    for d in dossiers:
        got = by_dossier[d.pk]
        assert [c.component_id for c in got] == required[d.procedure_version_id]
        for c in got:
            if c.reused:
                assert c.store_reference and not c.file and c.component.reusable
            else:
                assert not c.store_reference and c.content_type == "application/pdf"
                with c.file.open("rb") as handle:
                    assert hashlib.sha256(handle.read()).hexdigest() == c.sha256
            sources.add(c.reused)
    assert sources == {True, False}

    states = {d.state for d in dossiers}
    assert "returned" in states and states - {"returned", "refused", "stopped", "withdrawn"}
    assert {d.channel for d in dossiers} == {"online", "counter", "post"}

    # Visible to an officer of the receiving agency.
    sample = dossiers[0]
    officer = make_officer("receiver", sample.receiving_agency, username="gen.officer")
    visible = set(visible_dossiers(officer).values_list("pk", flat=True))
    mine = {d.pk for d in dossiers if d.receiving_agency_id == sample.receiving_agency_id}
    assert mine and mine <= visible

    # Assigned dossiers are held by a unit of the deciding agency (as ``assign`` does), so a
    # processing officer of that unit finds the open ones in the inbox.
    held = [d for d in dossiers if d.state in ("processing", "awaiting_approval", "approved")]
    assert held
    for d in held:
        assert d.current_agency.parent_id == d.deciding_agency_id or (
            d.current_agency_id == d.deciding_agency_id
            and not d.deciding_agency.children.filter(kind="unit").exists()
        )
    unit = next(d.current_agency for d in held if d.current_agency.kind == "unit")
    processor = make_officer("processor", unit, username="gen.processor")
    assert {d.pk for d in held if d.current_agency_id == unit.pk} <= set(
        visible_dossiers(processor).values_list("pk", flat=True)
    )

    # Same seed again: refused, nothing duplicated.
    with pytest.raises(AlreadyGeneratedError):
        generate_dossiers(N, seed=7, start=date(2025, 9, 1), end=date(2025, 12, 31))
    assert Dossier.objects.count() == N
    assert DossierEvent.objects.count() == result.events


@pytest.mark.django_db
def test_generate_command_prints_the_rate(capsys):
    call_command("demo", "load")
    call_command("demo", "generate", "--dossiers", "50", "--seed", "2", "--start", "2025-10-01")
    out = capsys.readouterr().out
    assert "dossiers/s" in out
    assert Dossier.objects.count() == 50
    # a second `make demo` runs the same command again: it reuses what exists
    call_command("demo", "generate", "--dossiers", "50", "--seed", "2", "--start", "2025-10-01")
    assert Dossier.objects.count() == 50


def _snapshot() -> list[tuple[object, ...]]:
    rows = Dossier.objects.order_by("id").values_list(
        "code", "state", "channel", "received_at", "due_at", "legal_due_at", "finished_at",
        "version", "search_text", "applicant__full_name", "applicant__id_number",
        "applicant__phone", "deciding_agency_id", "current_agency_id",
    )  # fmt: skip
    events = list(DossierEvent.objects.order_by("id").values_list("action", "at", "to_state"))
    entries = list(ClockEntry.objects.order_by("id").values_list("kind", "at", "new_due"))
    components = list(
        DossierComponent.objects.order_by("id").values_list(
            "dossier__code", "component_id", "reused", "store_reference", "file"
        )
    )
    return [*rows, *events, *entries, *components]


def _index_names() -> set[str]:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)",
            [[m._meta.db_table for m in _LOADED]],
        )
        return {r[0] for r in c.fetchall()}


@pytest.mark.django_db
def test_same_seed_same_rows_with_worker_processes_and_rebuilt_indexes():
    """Each day has its own random stream: building in forked worker processes (and dropping
    and rebuilding the indexes around the load) writes the same dossiers as in-process."""
    from django.db import transaction

    call_command("demo", "load")
    indexes = _index_names()
    period = {"start": date(2025, 9, 1), "end": date(2025, 10, 31)}

    class RollbackError(Exception):
        pass

    with pytest.raises(RollbackError), transaction.atomic():
        generate_dossiers(N, seed=9, workers=0, rebuild_indexes=False, **period)
        in_process = _snapshot()
        raise RollbackError
    result = generate_dossiers(N, seed=9, workers=2, rebuild_indexes=True, **period)
    assert result.dossiers == N
    assert _snapshot() == in_process
    assert _index_names() == indexes  # every index is back, unique constraints included
    with pytest.raises(Exception, match="unique"), transaction.atomic():
        d = Dossier.objects.order_by("id").first()
        Dossier.objects.filter(pk=d.pk + 1).update(code=d.code)


@pytest.mark.django_db
def test_generated_dossiers_reach_event_subscribers_like_received_ones():
    """ADR 0006: the generator emits one DossiersLoaded with the ids it wrote, in its
    transaction, so a projection fed by the seam holds every generated dossier's state."""
    call_command("demo", "load")
    with projecting() as projection:
        result = generate_dossiers(40, seed=11, start=date(2025, 10, 1), end=date(2025, 12, 31))
    assert projection.loaded == [("generator", result.dossiers)]
    assert projection.states == table_states()
    assert len(projection.states) == 40
