"""The agency API: scoped, cursor-paginated reads; changes through the services; errors in
both languages."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def login(api, user):
    api.force_authenticate(user=None)
    api.force_login(user)
    return api


def codes(response):
    return [row["code"] for row in response.json()["results"]]


def test_list_is_scoped_and_in_tree_order(api, tree, make_officer):
    login(api, make_officer("processor", tree.dept_a, username="tl"))
    response = api.get("/api/v1/agencies/")
    assert response.status_code == 200
    assert codes(response) == [tree.dept_a.code, tree.unit_a.code]
    assert response.json()["results"][1]["parent"] == tree.dept_a.code


def test_list_pages_with_a_cursor(api, tree, make_officer, many, django_assert_max_num_queries):
    login(api, make_officer("admin", tree.province, username="qt"))
    api.get("/api/v1/agencies/")
    seen = []
    url = "/api/v1/agencies/?page_size=25"
    while url:
        with django_assert_max_num_queries(4):
            body = api.get(url).json()
        seen += [row["code"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == Agency.objects.count() == 65


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "commune"}, ["000.00.61.H97"]),
        ({"kind": "unit"}, ["000.01.01.H97"]),
        ({"parent": "000.00.01.H97"}, ["000.01.01.H97"]),
        ({"q": "xay dung"}, ["000.00.02.H97"]),
        ({"valid_on": "2025-06-30"}, ["000.00.62.H97"]),
    ],
)
def test_filters(api, tree, make_officer, params, expected):
    Agency.objects.create(
        code="000.00.62.H97",
        name="Xã Cũ",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.DISTRICT,
        parent=tree.province,
        valid_from=date(2020, 1, 1),
        valid_to=date(2025, 6, 30),
    )
    login(api, make_officer("admin", tree.province, username="qt"))
    response = api.get("/api/v1/agencies/", params)
    assert codes(response) == expected


def test_bad_filter_is_a_bilingual_400(api, tree, make_officer):
    login(api, make_officer("admin", tree.province, username="qt"))
    response = api.get("/api/v1/agencies/", {"valid_on": "hôm nay", "level": "huyen"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["detail"] and body["detail_vi"]
    assert set(body["errors"]) == {"valid_on", "level"}


def test_retrieve_out_of_scope_is_404(api, tree, make_officer):
    login(api, make_officer("admin", tree.dept_a, username="qt"))
    assert api.get(f"/api/v1/agencies/{tree.unit_a.code}/").status_code == 200
    for code in (tree.dept_b.code, tree.province.code, "999.99.99.Z99", "rac"):
        response = api.get(f"/api/v1/agencies/{code}/")
        assert response.status_code == 404
        assert response.json()["detail_vi"] == "Không tìm thấy."


def test_create_through_the_service(api, tree, make_officer):
    login(api, make_officer("admin", tree.dept_a, username="qt"))
    payload = {
        "code": "000.02.01.H97",
        "name": "Phòng Bổ trợ tư pháp",
        "kind": "unit",
        "level": "province",
        "parent": tree.dept_a.code,
        "valid_from": "2025-07-01",
    }
    response = api.post("/api/v1/agencies/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["parent"] == tree.dept_a.code and response.json()["depth"] == 2
    assert AuditEntry.objects.filter(action="agency.create").count() == 1


def test_create_with_a_bad_code_is_bilingual(api, tree, make_officer):
    login(api, make_officer("admin", tree.dept_a, username="qt"))
    payload = {
        "code": "000.00.09.H97",
        "name": "Phòng X",
        "kind": "unit",
        "level": "province",
        "parent": tree.dept_a.code,
        "valid_from": "2025-07-01",
    }
    response = api.post("/api/v1/agencies/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "code_mismatch"
    assert "không khớp với cơ quan cấp trên" in body["detail_vi"]
    assert "does not extend" in body["detail"]
    assert list(body["errors"]) == ["code"]


def test_create_under_out_of_scope_parent_looks_unknown(api, tree, make_officer):
    login(api, make_officer("admin", tree.dept_a, username="qt"))
    payload = {
        "code": "000.01.02.H97",
        "name": "Phòng X",
        "kind": "unit",
        "level": "province",
        "parent": tree.dept_b.code,
        "valid_from": "2025-07-01",
    }
    response = api.post("/api/v1/agencies/", payload, format="json")
    assert response.status_code == 400 and "parent" in response.json()["errors"]
    assert not Agency.objects.filter(code="000.01.02.H97").exists()


def test_patch_and_move(api, tree, make_officer):
    login(api, make_officer("admin", tree.province, username="qt"))
    response = api.patch(
        f"/api/v1/agencies/{tree.unit_a.code}/",
        {"parent": tree.dept_b.code, "code": "000.01.02.H97", "name": "Phòng Chuyển"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["code"] == "000.01.02.H97"
    tree.unit_a.refresh_from_db()
    assert tree.unit_a.parent == tree.dept_b and tree.unit_a.name == "Phòng Chuyển"


def test_patch_without_change_permission_is_403(api, tree, make_officer):
    login(api, make_officer("inspector", tree.province, username="tt"))
    response = api.patch(f"/api/v1/agencies/{tree.dept_a.code}/", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail_vi"] == "Bạn không có quyền thực hiện thao tác này."
    tree.dept_a.refresh_from_db()
    assert tree.dept_a.name == "Sở Tư pháp"


def test_put_and_delete_are_not_offered(api, tree, make_officer):
    login(api, make_officer("admin", tree.province, username="qt"))
    assert api.delete(f"/api/v1/agencies/{tree.dept_a.code}/").status_code == 405
    assert api.put(f"/api/v1/agencies/{tree.dept_a.code}/", {}, format="json").status_code == 405


def test_merge_endpoint(api, tree, make_officer):
    old = Agency.objects.create(
        code="000.00.62.H97",
        name="Xã Cũ",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=tree.province,
        valid_from=date(2020, 1, 1),
    )
    login(api, make_officer("admin", tree.province, username="qt"))
    response = api.post(
        "/api/v1/agencies/merge/",
        {"predecessors": [old.code], "successor": tree.commune.code, "effective_on": "2025-07-01"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()[0]["successor"] == tree.commune.code
    assert response.json()[0]["valid_to"] == "2025-06-30"


def test_schema_documents_the_endpoints(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/agencies/{code}/" in paths and "/api/v1/me/" in paths
    assert "/api/v1/agencies/merge/" in paths


def test_merge_with_a_nul_character_in_a_code_is_400_not_500(tree, make_officer):
    # Found by tests/test_openapi_fuzz.py: the code lookup sent NUL to PostgreSQL (a 500).
    api = APIClient()
    api.force_authenticate(make_officer("admin", tree.province))
    response = api.post(
        "/api/v1/agencies/merge/",
        {"predecessors": ["000.00\x0001.H97"], "successor": "\x00", "effective_on": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"predecessors", "successor"}
    assert body["errors_vi"]["successor"]
