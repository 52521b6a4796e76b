"""Dossier exchange (JSON Lines): round trip, idempotency, all or nothing, streaming."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caicach.core.audit import Actor
from caicach.core.models import AuditEntry
from caicach.dossiers.exchange import (
    DossierImportError,
    ImportResult,
    export_dossiers,
    import_dossiers,
)
from caicach.dossiers.models import ClockEntry, DailySequence, Dossier, DossierEvent
from caicach.dossiers.tests.factories import ORGANISATION, act, receive, vn

pytestmark = pytest.mark.django_db

CLI = Actor.system("test-import")


def make_dossiers(tree: Any, officers: Any, version: Any) -> list[Dossier]:
    """Three dossiers: one returned after the full workflow, one waiting for a supplement
    (an organisation, online), one just received."""
    o = officers
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False) as traveller:
        first = receive(o.receiver, version, tree.dept_a)
        traveller.move_to(vn(2025, 6, 2, 10))
        first = act(o.receiver, first, "assign", agency=tree.unit_a.code, assignee=o.processor.pk)
        first = act(o.processor, first, "accept")
        first = act(o.processor, first, "appraise", note="Hồ sơ hợp lệ.")
        traveller.move_to(vn(2025, 6, 3, 9))
        first = act(o.processor, first, "submit_for_approval")
        first = act(o.leader, first, "approve")
        first = act(o.processor, first, "mark_result_ready")
        traveller.move_to(vn(2025, 6, 4, 14))
        first = act(o.receiver, first, "return_result")
        second = receive(o.receiver, version, tree.dept_a, channel="online", applicant=ORGANISATION)
        second = act(o.receiver, second, "request_supplement", reason="Thiếu bản sao.")
        third = receive(o.receiver, version, tree.dept_a, channel="post")
    return [first, second, third]


def wipe_dossiers() -> None:
    """An empty database for the dossiers (TRUNCATE does not fire the append-only triggers)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred FK checks
        cursor.execute(
            "TRUNCATE dossiers_dossierevent, dossiers_clockentry, dossiers_dossiercomponent, "
            "dossiers_idempotencyrecord, dossiers_dossier, dossiers_applicant, "
            "dossiers_dailysequence CASCADE"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_round_trip_gives_identical_lines(tree, officers, version):
    make_dossiers(tree, officers, version)
    lines = list(export_dossiers(Dossier.objects.all()))
    assert len(lines) == 3
    first = json.loads(lines[0])
    assert first["portal"]["MaHoSo"] == first["code"] == "000.00.01.H97-250602-0001"
    assert first["portal"]["KenhThucHien"] == 1
    assert first["portal"]["TrangThaiHoSo"] == 10
    assert first["portal"]["NgayTiepNhan"] == "20250602090000"
    assert [e["action"] for e in first["events"]][-1] == "return_result"
    assert first["applicant"]["id_number"] == "001085012345"
    assert json.loads(lines[1])["portal"]["KenhThucHien"] == 2
    assert json.loads(lines[2])["portal"]["KenhThucHien"] == 3

    wipe_dossiers()
    assert Dossier.objects.count() == 0
    result = import_dossiers(CLI, lines, source="lines.jsonl")
    assert result == ImportResult(created=3, unchanged=0)
    assert list(export_dossiers(Dossier.objects.all())) == lines
    # The daily counter continues after the imported numbers.
    assert DailySequence.objects.get(agency=tree.dept_a, day=vn(2025, 6, 4).date()).last == 2
    assert AuditEntry.objects.filter(action="dossiers.imported").count() == 1
    third = receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 6, 4, 15))
    assert third.code == "000.00.01.H97-250604-0003"


def test_reimport_is_idempotent(tree, officers, version):
    make_dossiers(tree, officers, version)
    lines = list(export_dossiers(Dossier.objects.all()))
    events = DossierEvent.objects.count()
    assert import_dossiers(CLI, lines) == ImportResult(created=0, unchanged=3)
    assert import_dossiers(CLI, lines) == ImportResult(created=0, unchanged=3)
    assert Dossier.objects.count() == 3
    assert DossierEvent.objects.count() == events


def test_bad_lines_among_good_ones_write_nothing(tree, officers, version):
    make_dossiers(tree, officers, version)
    lines = list(export_dossiers(Dossier.objects.all()))
    wipe_dossiers()
    bad_code = json.loads(lines[0])
    bad_code["code"] = "not-a-code"
    bad_id = json.loads(lines[1])
    bad_id["applicant"]["tax_code"] = "0100109107"  # wrong check digit
    bad_history = json.loads(lines[2])
    bad_history["events"].append({**bad_history["events"][0], "at": "2020-01-01T00:00:00+07:00"})
    bad_history["procedure"] = "9.999999"
    good = json.loads(lines[2])
    good["code"] = good["code"][:-1] + "9"
    good["lookup_token"] = "another-token"
    file = [json.dumps(x, ensure_ascii=False) for x in (bad_code, bad_id, good, bad_history)]
    audits = AuditEntry.objects.count()
    with pytest.raises(DossierImportError) as caught:
        import_dossiers(CLI, file)
    problems = caught.value.problems
    assert {p.line for p in problems} == {1, 2, 4}
    assert len(problems) >= 3
    fields = {(p.line, p.field) for p in problems}
    assert (1, "code") in fields
    assert (2, "applicant.tax_code") in fields
    assert (4, "procedure") in fields
    assert any(p.line == 4 and p.field.startswith("events[") for p in problems)
    assert all(p.message_vi and p.message_en for p in problems)
    assert caught.value.errors[0]["line"] == 1
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == ClockEntry.objects.count() == 0
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize(
    "line",
    [
        "not json at all",
        "[1, 2, 3]",
        '"a string"',
        "{}",
        '{"code": 12, "received_at": true, "applicant": [], "events": "x", "clock": [1]}',
        '{"code": "000.00.01.H97-250602-0001", "events": [{"at": "yesterday", "action": 3}],'
        ' "components": [{"sha256": "XYZ", "reused": "yes", "size": -1}]}',
        '{"code": "\\u0000", "received_at": "2025-06-02T09:00:00", "version": 1.5}',
    ],
)
def test_garbage_gives_errors_not_exceptions(tree, version, line):
    with pytest.raises(DossierImportError) as caught:
        import_dossiers(CLI, [line, b"\xff\xfe not utf-8"])
    assert {p.line for p in caught.value.problems} == {1, 2}
    assert Dossier.objects.count() == 0


def test_export_query_count_does_not_grow_with_the_dossiers(tree, officers, version):
    def queries_to_export() -> int:
        with CaptureQueriesContext(connection) as queries:
            lines = list(export_dossiers(Dossier.objects.all()))
        assert len(lines) == Dossier.objects.count()
        return len(queries)

    with time_machine.travel(vn(2025, 6, 5, 9), tick=False):
        receive(officers.receiver, version, tree.dept_a)
    for_one = queries_to_export()
    make_dossiers(tree, officers, version)  # with long histories
    with time_machine.travel(vn(2025, 6, 6, 9), tick=False):
        for _ in range(16):
            receive(officers.receiver, version, tree.dept_a, applicant=ORGANISATION)
    assert Dossier.objects.count() == 20
    assert queries_to_export() == for_one


def test_command_prints_every_bad_line_and_exits_1(tree, officers, version, tmp_path, capsys):
    make_dossiers(tree, officers, version)
    out = tmp_path / "out.jsonl"
    call_command("dossiers", "export", str(out), "--agency", tree.dept_a.code,
                 "--from", "2025-06-04", "--to", "2025-06-04")  # fmt: skip
    assert len(out.read_text().splitlines()) == 2
    wipe_dossiers()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(out.read_text() + "{oops\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("dossiers", "import", str(bad))
    assert "line 3" in capsys.readouterr().err
    assert Dossier.objects.count() == 0
    call_command("dossiers", "import", str(out))
    assert "2 hồ sơ mới" in capsys.readouterr().out
    assert Dossier.objects.count() == 2
