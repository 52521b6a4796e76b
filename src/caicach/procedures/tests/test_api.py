"""The catalogue API: scoped reads, versions, fields, and the bilingual all-or-nothing import."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from caicach.core.audit import Actor
from caicach.procedures.models import Procedure
from caicach.procedures.services import create_procedure, publish_version
from caicach.procedures.tests.factories import (
    FieldFactory,
    ProcedureFactory,
    ProcedureVersionFactory,
    procedure_data,
    version_data,
)
from caicach.procedures.tests.test_services import row

pytestmark = pytest.mark.django_db
CLI = Actor.system("test")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def catalogue(tree):
    """A birth registration handled by the commune; a permit handled only by department B."""
    hotich = FieldFactory(code="HOTICH", name="Hộ tịch")
    birth = create_procedure(
        CLI,
        procedure_data("1.001193", tree.province, [tree.commune], hotich, name="Đăng ký khai sinh"),
    )
    publish_version(CLI, birth, version_data(hotich, name="Đăng ký khai sinh"), date(2026, 1, 1))
    xaydung = FieldFactory(code="XAYDUNG", name="Xây dựng")
    permit = create_procedure(
        CLI,
        procedure_data(
            "1.009999", tree.dept_b, [tree.dept_b], xaydung, name="Cấp giấy phép xây dựng"
        ),
    )
    return {"birth": birth, "permit": permit}


def test_anonymous_gets_401_or_403(api, catalogue):
    assert api.get("/api/v1/procedures/").status_code in (401, 403)


def test_every_officer_reads_the_whole_public_catalogue(api, tree, make_officer, catalogue):
    # Issue 16: the catalogue is public; changing it stays scoped (procedures.change).
    api.force_authenticate(make_officer("receiver", tree.commune))
    body = api.get("/api/v1/procedures/").json()
    assert [p["code"] for p in body["results"]] == ["1.001193", "1.009999"]
    assert api.get("/api/v1/procedures/1.009999/").status_code == 200
    assert api.get("/api/v1/procedures/1.009999/versions/1/").status_code == 200
    assert api.get("/api/v1/procedures/9.999999/").status_code == 404


def test_list_filters(api, tree, make_officer, catalogue):
    api.force_authenticate(make_officer("reform_officer", tree.province))

    def codes(params):
        return [p["code"] for p in api.get("/api/v1/procedures/", params).json()["results"]]

    assert codes({"q": "giay phep"}) == ["1.009999"]
    assert codes({"field": "HOTICH"}) == ["1.001193"]
    assert codes({"online_level": "full"}) == ["1.001193", "1.009999"]
    assert codes({"online_level": "none"}) == []
    response = api.get("/api/v1/procedures/", {"online_level": "level4"})
    assert response.status_code == 400
    assert response.json()["detail_vi"]


def test_list_has_the_current_version(api, tree, make_officer, catalogue):
    api.force_authenticate(make_officer("reform_officer", tree.province))
    first = api.get("/api/v1/procedures/").json()["results"][0]
    assert first["current_version"]["number"] == 2
    assert first["current_version"]["statutory_time"] == {"value": "4", "unit": "working_days"}
    assert first["field"] == {"code": "HOTICH", "name": "Hộ tịch"}


def test_list_query_count_is_constant(api, tree, make_officer, django_assert_max_num_queries):
    api.force_authenticate(make_officer("reform_officer", tree.province))
    for _ in range(2):
        ProcedureVersionFactory(procedure=ProcedureFactory(owner_agency=tree.province))
    with django_assert_max_num_queries(10) as few:
        api.get("/api/v1/procedures/")
    for _ in range(15):
        ProcedureVersionFactory(procedure=ProcedureFactory(owner_agency=tree.province))
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api.get("/api/v1/procedures/").json()
    assert len(body["results"]) == 17


def test_cursor_pagination(api, tree, make_officer):
    api.force_authenticate(make_officer("reform_officer", tree.province))
    for _ in range(5):
        ProcedureVersionFactory(procedure=ProcedureFactory(owner_agency=tree.province))
    body = api.get("/api/v1/procedures/", {"page_size": 2}).json()
    seen = [p["code"] for p in body["results"]]
    while body["next"]:
        body = api.get(body["next"]).json()
        seen += [p["code"] for p in body["results"]]
    assert seen == sorted(Procedure.objects.values_list("code", flat=True))
    assert "count" not in body


def test_detail_nests_the_current_version(api, tree, make_officer, catalogue):
    api.force_authenticate(make_officer("reform_officer", tree.province))
    body = api.get("/api/v1/procedures/1.001193/").json()
    assert [v["number"] for v in body["versions"]] == [1, 2]
    assert body["versions"][0]["effective_to"] == "2025-12-31"
    current = body["current_version"]
    assert current["number"] == 2
    assert current["fees"] == [
        {"name": "Lệ phí cấp phép", "kind": "fee", "amount": 8000, "note": ""}
    ]
    assert [s["budget"] for s in current["workflow"]] == ["1", "2", "1"]
    assert current["components"][0]["copy_kind"] == "original"
    assert current["result"] == {"name": "Giấy phép", "paper": True, "electronic": True}
    assert current["cutoff"] == "15:00"
    assert body["handling_agencies"] == [{"code": "000.00.61.H97", "name": "Xã Tân Phú"}]


def test_version_detail(api, tree, make_officer, catalogue):
    api.force_authenticate(make_officer("reform_officer", tree.province))
    body = api.get("/api/v1/procedures/1.001193/versions/1/").json()
    assert (body["number"], body["effective_from"]) == (1, "2025-07-01")
    assert api.get("/api/v1/procedures/1.001193/versions/9/").status_code == 404


def test_fields(api, tree, make_officer, catalogue):
    api.force_authenticate(make_officer("receiver", tree.commune))
    body = api.get("/api/v1/fields/").json()
    assert [f["code"] for f in body["results"]] == ["HOTICH", "XAYDUNG"]


def test_import_needs_the_import_permission(api, tree, make_officer):
    api.force_authenticate(make_officer("reform_officer", tree.province))
    response = api.post("/api/v1/procedures/import", [row()], format="json")
    assert response.status_code == 403
    assert response.json()["detail_vi"]


def test_import_succeeds_with_counts(api, tree, make_officer):
    api.force_authenticate(make_officer("admin", tree.province))
    response = api.post("/api/v1/procedures/import", {"procedures": [row()]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"created": 1, "new_versions": 0, "unchanged": 0, "updated": 0}


def test_import_errors_are_bilingual_and_nothing_is_written(api, tree, make_officer):
    api.force_authenticate(make_officer("admin", tree.province))
    bad = row("1.000002", promised_time={"value": 9, "unit": "working_days"})
    response = api.post("/api/v1/procedures/import", [row("1.000001"), bad], format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_import"
    assert body["detail_vi"].startswith("Dữ liệu nhập có 1 lỗi")
    [error] = body["errors"]
    assert (error["row"], error["column"]) == (2, "promised_time.value")
    assert error["message_vi"].startswith("Thời hạn cam kết (9 ngày làm việc)")
    assert error["message_en"].startswith("The promised time (9 working days)")
    assert not Procedure.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"a string"', "application/json"),
        ("null", "application/json"),
        ("", "application/json"),
        ('{"procedures": {"a": 1}}', "application/json"),
        ('{"procedures": [], "previous_versions": 5}', "application/json"),
        ("code=1", "application/x-www-form-urlencoded"),
        ('[{"code": [], "name": {}, "workflow": [1], "fees": "x"}]', "application/json"),
    ],
)
def test_garbage_import_is_4xx_never_5xx(api, tree, make_officer, body, content_type):
    api.force_authenticate(make_officer("admin", tree.province))
    response = api.generic("POST", "/api/v1/procedures/import", body, content_type=content_type)
    assert 400 <= response.status_code < 500
    assert response.json()["detail_vi"]
