"""The JSON Lines import recomputes the clock and the verdicts from the history, keeps the
source system's figures beside them, and refuses a history that contradicts itself (issue 13;
the rules: dossiers/exchange/timeliness.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from caicach.agencies.models import Agency
from caicach.dossiers.exchange import DossierImportError, export_dossiers, import_dossiers
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import vn
from caicach.dossiers.tests.test_exchange import CLI, make_dossiers, wipe_dossiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(tree, officers, version):
    """[returned (full workflow), awaiting supplement, just received], exported then wiped."""
    make_dossiers(tree, officers, version)
    out = [json.loads(x) for x in export_dossiers(Dossier.objects.order_by("id"))]
    wipe_dossiers()
    return out


def refused(*rows: dict) -> set[tuple[int, str]]:
    with pytest.raises(DossierImportError) as caught:
        import_dossiers(CLI, [json.dumps(x, ensure_ascii=False) for x in rows])
    assert all(p.message_vi and p.message_en for p in caught.value.problems)
    assert Dossier.objects.count() == 0  # nothing imported
    return {(p.line, p.field) for p in caught.value.problems}


def test_the_file_figures_are_kept_and_the_product_recomputes(lines):
    """The file says the returned dossier was late against a promise of 10/6; the ledger says
    received Mon 2/6 09:00, finished Tue 3/6 09:00: promise Thu 5/6 17:00 (3 wd), statutory
    Fri 6/6 17:00 -> early on both and on time by 766, 1 working day used."""
    first = lines[0]
    first.update(due_at="2025-06-10T17:00:00+07:00", timeliness="late", timeliness_766="late")
    import_dossiers(CLI, [json.dumps(x, ensure_ascii=False) for x in lines])
    d = Dossier.objects.get(code=first["code"])
    assert d.first_due_at == d.due_at == vn(2025, 6, 5, 17)
    assert d.legal_due_at == vn(2025, 6, 6, 17)
    assert (d.timeliness, d.legal_timeliness, d.timeliness_766) == ("early", "early", "on_time")
    assert str(d.processing_working_days) == "1.00"
    assert d.source_figures["due_at"] == "2025-06-10T17:00:00+07:00"
    assert d.source_figures["timeliness"] == "late"
    open_one = Dossier.objects.get(code=lines[2]["code"])
    assert open_one.timeliness == open_one.legal_timeliness == ""


def test_legal_due_before_the_receipt(lines):
    lines[2]["legal_due_at"] = "2025-06-01T17:00:00+07:00"
    assert (3, "legal_due_at") in refused(*lines)


def test_a_result_without_a_finish_time(lines):
    lines[0]["finished_at"] = None
    assert (1, "finished_at") in refused(*lines)


def test_a_resume_without_a_pause(lines):
    third = lines[2]
    third["clock"].append({**third["clock"][0], "kind": "resumed", "step_order": None})
    fields = refused(*lines)
    assert any(line == 3 and field.startswith("clock[") for line, field in fields)


@pytest.mark.parametrize(("key", "value"), [("supplement_requests", 2), ("apologies", 1)])
def test_counters_that_disagree_with_the_events(lines, key, value):
    lines[1][key] = value
    assert (2, key) in refused(*lines)


def test_an_agency_not_yet_in_operation(lines, tree):
    Agency.objects.filter(pk=tree.dept_a.pk).update(valid_from=date(2025, 6, 3))
    fields = refused(*lines)
    assert (1, "receiving_agency") in fields
