"""Catalogue services: versions, search, import all-or-nothing, export round trips."""

from __future__ import annotations

import copy
import io
import itertools
import json
import re
import threading
import zipfile
from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from caicach.agencies.models import Agency
from caicach.core.audit import Actor, entries_for
from caicach.demo.services import DATA, load_agencies
from caicach.procedures import services
from caicach.procedures.data import HandlingData, StepData
from caicach.procedures.models import Procedure, ProcedureVersion
from caicach.procedures.services import (
    CatalogueImportError,
    CatalogueRuleError,
    catalogue_from_xlsx,
    catalogue_to_xlsx,
    create_procedure,
    export_catalogue,
    export_document,
    import_catalogue,
    publish_version,
    search_procedures,
)
from caicach.procedures.tests.factories import FieldFactory, procedure_data, version_data

pytestmark = pytest.mark.django_db
CLI = Actor.system("test")


@pytest.fixture
def procedure(tree):
    field = FieldFactory(code="HOTICH", name="Hộ tịch")
    return create_procedure(
        CLI,
        procedure_data("1.001193", tree.province, [tree.commune], field, name="Đăng ký khai sinh"),
    )


def row(code: str = "1.004227", **overrides: Any) -> dict[str, Any]:
    """A valid import row handled by the tree's commune."""
    values: dict[str, Any] = {
        "code": code,
        "name": "Đăng ký kết hôn",
        "field": {"code": "HOTICH", "name": "Hộ tịch"},
        "authority_level": "commune",
        "handling_agency_kinds": [],
        "handling_agencies": ["000.00.61.H97"],
        "online_level": "partial",
        "partial_reason": "Hai bên phải có mặt khi trao giấy chứng nhận.",
        "statutory_time": {"value": "3", "unit": "working_days"},
        "promised_time": {"value": "2", "unit": "working_days"},
        "cutoff": "15:00",
        "fees": [{"name": "Lệ phí", "amount": 0, "kind": "fee", "note": "Miễn"}],
        "components": [
            {
                "name": "Tờ khai",
                "copy_kind": "original",
                "quantity": 1,
                "required": True,
                "reusable": False,
            }
        ],
        "result": {"name": "Giấy chứng nhận kết hôn", "paper": True, "electronic": True},
        "workflow": [
            {"order": 1, "name": "Tiếp nhận", "role": "receiver", "budget": "0.5"},
            {"order": 2, "name": "Thẩm định", "role": "processor", "budget": "2"},
            {"order": 3, "name": "Ký", "role": "agency_leader", "budget": "0.5"},
        ],
        "legal_basis": "Luật Hộ tịch 2014",
        "effective_from": "2025-07-01",
    }
    values.update(overrides)
    return values


# -- versions --------------------------------------------------------------------------------


def test_create_writes_version_one_with_everything(procedure, tree):
    version = procedure.versions.get()
    assert (version.number, version.effective_from, version.effective_to) == (
        1,
        date(2025, 7, 1),
        None,
    )
    assert [s.budget for s in version.steps.all()] == [1, 2, 1]
    assert version.fees.get().amount == 8000
    assert list(procedure.handling_agencies.all()) == [tree.commune]
    assert procedure.search_text == "1.001193 dang ky khai sinh ho tich"
    assert [e.action for e in entries_for(procedure)] == ["procedure.create"]


def test_publish_adds_a_version_and_closes_the_previous_one(procedure, tree):
    field = procedure.field
    data = version_data(field, name="Đăng ký khai sinh (sửa đổi)", statutory_value=Decimal(5))
    version = publish_version(CLI, procedure, data, date(2026, 1, 1))
    assert version.number == 2
    first = procedure.versions.get(number=1)
    assert first.effective_to == date(2025, 12, 31)
    assert procedure.version_on(date(2025, 12, 31)) == first
    assert procedure.version_on(date(2026, 1, 1)) == version
    procedure.refresh_from_db()
    assert procedure.name == "Đăng ký khai sinh (sửa đổi)"
    assert "sua doi" in procedure.search_text
    entry = entries_for(procedure)[0]
    assert entry.action == "procedure.publish_version"
    assert entry.changes["statutory_time"] == ["4 working_days", "5 working_days"]


def test_a_version_cannot_start_before_the_latest(procedure):
    data = version_data(procedure.field)
    with pytest.raises(CatalogueRuleError) as error:
        publish_version(CLI, procedure, data, date(2025, 7, 1))
    assert error.value.errors[0]["field"] == "effective_from"
    assert procedure.versions.count() == 1


def test_a_budget_overflow_is_refused_in_both_languages(procedure):
    data = version_data(
        procedure.field,
        steps=[
            StepData(1, "Tiếp nhận", "receiver", Decimal("2.5")),
            StepData(2, "Thẩm định", "processor", Decimal(2)),
        ],
    )
    with pytest.raises(CatalogueRuleError) as error:
        publish_version(CLI, procedure, data, date(2026, 1, 1))
    assert error.value.message_vi == (
        "Tổng thời gian các bước (4,5 ngày làm việc) vượt thời hạn giải quyết (4 ngày làm việc)."
    )
    assert error.value.errors[0]["message_en"].startswith("The steps' total time (4.5")
    assert procedure.versions.count() == 1


def test_only_officers_over_the_owner_agency_may_publish(procedure, tree, make_officer):
    outsider = make_officer("reform_officer", tree.dept_b)
    with pytest.raises(PermissionDenied):
        publish_version(
            Actor(user=outsider), procedure, version_data(procedure.field), date(2026, 1, 1)
        )
    insider = make_officer("reform_officer", tree.province)
    publish_version(Actor(user=insider), procedure, version_data(procedure.field), date(2026, 1, 1))
    assert entries_for(procedure)[0].actor == insider


def test_handling_kinds_mean_every_valid_agency_of_that_kind(procedure, tree):
    changed = services.update_handling(CLI, procedure, HandlingData(kinds=["commune"]))
    assert changed
    assert set(procedure.handling_agencies.all()) == {tree.commune}
    assert not services.update_handling(CLI, procedure, HandlingData(kinds=["commune"]))


@pytest.mark.django_db(transaction=True)
def test_concurrent_publishing_gives_consecutive_numbers(tree):
    field = FieldFactory()
    procedure = create_procedure(
        CLI, procedure_data("1.000001", tree.province, [tree.commune], field)
    )
    barrier = threading.Barrier(4)
    outcomes: list[Any] = []

    def publish(day: int) -> None:
        try:
            barrier.wait()
            version = publish_version(CLI, procedure, version_data(field), date(2026, 1, day))
            outcomes.append(version.number)
        except Exception as error:  # the test checks which kinds of error happen
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(day,)) for day in (2, 3, 4, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = sorted(n for n in outcomes if isinstance(n, int))
    assert numbers == list(range(2, 2 + len(numbers)))
    # A later date that lost the race to an even later one is refused, never a crash.
    assert all(isinstance(e, CatalogueRuleError) for e in outcomes if not isinstance(e, int))
    versions = list(procedure.versions.order_by("number"))
    assert all(
        a.effective_to is not None and a.effective_to < b.effective_from
        for a, b in itertools.pairwise(versions)
    )


# -- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "dang ky khai sinh",
        "Đăng ký khai sinh",
        "ĐĂNG KÝ",
        "khai sin",
        "sinh dang",
        "1.001193",
        "ho tich",
    ],
)
def test_search_ignores_diacritics_case_and_word_order(procedure, q):
    assert list(search_procedures(Procedure.objects.all(), q)) == [procedure]


def test_search_with_diacritics_does_not_match_other_words(procedure):
    assert not search_procedures(Procedure.objects.all(), "kết hôn").exists()


# -- import ----------------------------------------------------------------------------------


def test_import_creates_then_leaves_unchanged(tree):
    result = import_catalogue(CLI, {"procedures": [row()]}, source="test")
    assert result.as_dict() == {"created": 1, "new_versions": 0, "unchanged": 0, "updated": 0}
    procedure = Procedure.objects.get(code="1.004227")
    assert procedure.owner_agency == tree.province  # the root by default
    version = procedure.versions.get()
    assert version.cutoff == time(15, 0)
    assert version.promised_value == 2
    again = import_catalogue(CLI, [row()], source="test")
    assert again.as_dict() == {"created": 0, "new_versions": 0, "unchanged": 1, "updated": 0}


def test_import_publishes_a_new_version_when_content_changed(tree):
    import_catalogue(CLI, [row()])
    changed = row(statutory_time={"value": 4, "unit": "working_days"}, effective_from="2026-01-01")
    result = import_catalogue(CLI, [changed])
    assert result.new_versions == 1
    procedure = Procedure.objects.get(code="1.004227")
    assert [v.statutory_value for v in procedure.versions.order_by("number")] == [3, 4]


def test_import_refuses_to_rewrite_a_published_version(tree):
    import_catalogue(CLI, [row()])
    with pytest.raises(CatalogueImportError) as error:
        import_catalogue(CLI, [row(name="Tên khác")])
    [problem] = error.value.errors
    assert (problem["row"], problem["column"]) == (1, "effective_from")


def test_previous_versions_become_earlier_versions(tree):
    old = row(effective_from="2021-07-01", statutory_time={"value": 5, "unit": "working_days"})
    document = {"procedures": [row()], "previous_versions": [old]}
    result = import_catalogue(CLI, document)
    assert (result.created, result.new_versions) == (1, 1)
    versions = list(Procedure.objects.get(code="1.004227").versions.order_by("number"))
    assert [(v.number, v.effective_from, v.effective_to) for v in versions] == [
        (1, date(2021, 7, 1), date(2025, 6, 30)),
        (2, date(2025, 7, 1), None),
    ]
    assert import_catalogue(CLI, document).unchanged == 2


def test_import_is_all_or_nothing_and_reports_every_bad_row(tree):
    rows = [
        row("1.000001"),
        row(
            "1.000002", workflow=[{"order": 1, "name": "Làm", "role": "processor", "budget": "3.5"}]
        ),
        row("1.000003"),
        row(
            "1.000004",
            online_level="partial",
            partial_reason="",
            handling_agencies=["999.99.99.X99"],
        ),
        row("1.000005"),
        row("12345", fees=[{"name": "Phí", "amount": "nhiều", "kind": "tax"}]),
    ]
    with pytest.raises(CatalogueImportError) as error:
        import_catalogue(CLI, {"procedures": rows})
    problems = {(e["row"], e["column"]) for e in error.value.errors}
    assert {
        (2, "workflow"),
        (4, "partial_reason"),
        (4, "handling_agencies[0]"),
        (6, "code"),
        (6, "fees[0].amount"),
        (6, "fees[0].kind"),
    } <= problems
    assert {e["row"] for e in error.value.errors} == {2, 4, 6}
    assert all(e["message_vi"] and e["message_en"] for e in error.value.errors)
    overflow = next(e for e in error.value.errors if e["row"] == 2)
    assert overflow["message_vi"] == (
        "Tổng thời gian các bước (3,5 ngày làm việc) vượt thời hạn giải quyết (3 ngày làm việc)."
    )
    assert not Procedure.objects.exists()
    assert not ProcedureVersion.objects.exists()


@pytest.mark.parametrize(
    ("document", "column"),
    [
        ("not a list", ""),
        ([1, 2, 3], ""),
        ({"procedures": [{"code": 5}]}, "code"),
        ([row(statutory_time={"value": "bốn", "unit": "weeks"})], "statutory_time.value"),
        ([row(cutoff="25:00")], "cutoff"),
        ([row(effective_from="01-07-2025")], "effective_from"),
        ([row(workflow="all of it")], "workflow"),
        ([row(result={"name": "X", "paper": "maybe"})], "result.paper"),
        ([row(promised_time={"value": 16, "unit": "working_hours"})], "promised_time.unit"),
    ],
)
def test_garbage_gives_row_errors_not_crashes(tree, document, column):
    with pytest.raises(CatalogueImportError) as error:
        import_catalogue(CLI, document)
    assert column in {e["column"] for e in error.value.errors}


def test_duplicate_codes_in_one_file_are_reported(tree):
    with pytest.raises(CatalogueImportError) as error:
        import_catalogue(CLI, [row(), row()])
    assert [(e["row"], e["column"]) for e in error.value.errors] == [(2, "code")]


def test_officers_may_import_only_their_agencies(tree, make_officer):
    admin = make_officer("admin", tree.dept_a)
    with pytest.raises(CatalogueImportError) as error:
        import_catalogue(Actor(user=admin), [row()])  # owned by the province by default
    assert error.value.errors[0]["column"] == "owner_agency"
    result = import_catalogue(Actor(user=admin), [row(owner_agency="000.00.01.H97")])
    assert result.created == 1


# -- export ----------------------------------------------------------------------------------


def test_export_then_import_changes_nothing(tree):
    document = {
        "procedures": [
            row(),
            row("1.000002", handling_agency_kinds=["commune"], handling_agencies=[]),
        ],
        "previous_versions": [row(effective_from="2021-07-01", name="Tên cũ")],
    }
    import_catalogue(CLI, document)
    exported = export_document(Procedure.objects.all())
    assert [r["code"] for r in exported["procedures"]] == ["1.000002", "1.004227"]
    assert [r["name"] for r in exported["previous_versions"]] == ["Tên cũ"]
    assert exported["procedures"][0]["handling_agency_kinds"] == ["commune"]
    assert json.loads(json.dumps(exported)) == exported  # plain JSON
    result = import_catalogue(CLI, copy.deepcopy(exported))
    assert result.as_dict() == {"created": 0, "new_versions": 0, "unchanged": 3, "updated": 0}


def test_xlsx_round_trip(tree):
    import_catalogue(CLI, [row(), row("1.000002", fees=[])])
    rows = export_catalogue(Procedure.objects.all())
    content = catalogue_to_xlsx(rows)
    back = catalogue_from_xlsx(content)
    assert [r["code"] for r in back] == ["1.000002", "1.004227"]
    assert back[1]["workflow"][1]["name"] == "Thẩm định"
    assert import_catalogue(CLI, back).unchanged == 2


def test_xlsx_writes_formula_like_text_as_text_and_round_trips(tree):
    """A name or step starting with ``=``, ``+``, ``-`` or ``@`` is never a formula in the
    workbook, and reads back as typed (issue 17 item 6)."""
    import_catalogue(CLI, [row()])
    rows = export_catalogue(Procedure.objects.all())
    rows[0]["name"] = '=HYPERLINK("http://evil.example","x")'
    rows[0]["workflow"][1]["name"] = "@Thẩm định"
    content = catalogue_to_xlsx(rows)
    archive = zipfile.ZipFile(io.BytesIO(content))
    sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(re.search(r"<f[ >]", archive.read(n).decode()) for n in sheets)
    back = catalogue_from_xlsx(content)
    assert back[0]["name"] == rows[0]["name"]
    assert back[0]["workflow"][1]["name"] == "@Thẩm định"


def test_xlsx_errors_name_sheet_row_and_column(tree):
    import_catalogue(CLI, [row()])
    rows = export_catalogue(Procedure.objects.all())
    rows[0]["workflow"][1]["budget"] = 9
    rows[0]["components"][0]["quantity"] = "hai"
    back = catalogue_from_xlsx(catalogue_to_xlsx(rows))
    with pytest.raises(CatalogueImportError) as error:
        import_catalogue(CLI, back)
    found = {(e["sheet"], e["row"], e["column"]) for e in error.value.errors}
    assert ("Thành phần hồ sơ", 2, "D · Số lượng") in found
    assert ("Quy trình", 2, "workflow") in found  # the total points at the procedure's steps


def test_xlsx_structure_errors(tree):
    with pytest.raises(CatalogueImportError) as error:
        catalogue_from_xlsx(b"PK\x03\x04 not really a workbook")
    assert "XLSX" in error.value.errors[0]["message_vi"]
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Thủ tục"
    book.active.append(["Mã thủ tục", "Tên thủ tục"])
    book.active.append(["1.000001", "Thử"])
    orphans = book.create_sheet("Quy trình")
    orphans.append(["Mã thủ tục", "Tên bước"])
    orphans.append(["9.999999", "Bước lạc"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(CatalogueImportError) as error:
        catalogue_from_xlsx(out.getvalue())
    assert (error.value.errors[0]["sheet"], error.value.errors[0]["row"]) == ("Quy trình", 2)


def test_the_demo_catalogue_imports_and_reimports_unchanged():
    load_agencies()
    document = json.loads((DATA / "procedures.json").read_text())
    result = import_catalogue(CLI, document, source="procedures.json")
    assert result.created == len({r["code"] for r in document["procedures"]})
    assert result.new_versions == len(document["previous_versions"])
    root = Agency.objects.get(parent__isnull=True, code="000.00.00.H90")
    assert set(Procedure.objects.values_list("owner_agency", flat=True)) == {root.pk}
    again = import_catalogue(CLI, export_document(Procedure.objects.all()))
    assert again.created == again.new_versions == again.updated == 0


def test_a_change_during_the_import_rolls_it_back(tree, monkeypatch):
    import_catalogue(CLI, [row()])

    def raced(*args: Any, **kwargs: Any) -> None:
        raise CatalogueRuleError([services.rules.RuleError("effective_from", "vi", "en")])

    monkeypatch.setattr(services, "_publish", raced)
    changed = row(name="Tên mới", effective_from="2026-01-01")
    with pytest.raises(CatalogueImportError) as error:
        import_catalogue(CLI, [row("1.000009"), changed])
    assert (
        "hãy nhập lại" in error.value.message_vi
        or "nhập lại" in error.value.errors[0]["message_vi"]
    )
    assert not Procedure.objects.filter(code="1.000009").exists()
