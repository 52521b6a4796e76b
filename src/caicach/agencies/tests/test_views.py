"""The agency pages: tree, search, detail, edit, create, merge."""

from __future__ import annotations

from datetime import date

import pytest

from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.agencies.views import build_tree
from caicach.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(tree, make_officer):
    return make_officer("admin", tree.province, username="qt")


def test_tree_lists_nested_agencies(client, tree, admin):
    client.force_login(admin)
    response = client.get("/co-quan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<ul class="tree">') >= 3  # province > department > unit
    for agency in (tree.province, tree.dept_a, tree.unit_a, tree.dept_b, tree.commune):
        assert agency.name in html


def test_tree_page_queries_do_not_grow_with_rows(
    client, tree, admin, many, django_assert_max_num_queries
):
    client.force_login(admin)
    client.get("/co-quan/")  # the first request settles the session
    # session, user, role assignments, agencies: whatever the number of rows
    with django_assert_max_num_queries(4):
        response = client.get("/co-quan/?dissolved=1")
    html = response.content.decode()
    assert html.count("Xã Thử") == 30 and html.count("Một cửa xã Thử") == 30
    with django_assert_max_num_queries(5):  # a search adds the branches above the matches
        assert "<mark>" in client.get("/co-quan/?q=mot cua").content.decode()


def test_dissolved_units_are_hidden_unless_asked(client, tree, admin):
    old = Agency.objects.create(
        code="000.00.62.H97",
        name="Xã Đã Nhập",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=tree.province,
        valid_from=date(2020, 1, 1),
        valid_to=date(2025, 6, 30),
        successor=tree.commune,
    )
    client.force_login(admin)
    assert old.name not in client.get("/co-quan/").content.decode()
    html = client.get("/co-quan/?dissolved=1").content.decode()
    assert old.name in html and "Đã sáp nhập vào Xã Tân Phú" in html


@pytest.mark.parametrize("query", ["tu phap", "TƯ PHÁP", "hanh chinh tu", "000.01.01"])
def test_search_ignores_diacritics_and_keeps_the_branch(client, tree, admin, query):
    client.force_login(admin)
    html = client.get("/co-quan/", {"q": query}).content.decode()
    assert "<mark>" in html
    assert tree.dept_a.name in html and tree.province.name in html  # the branch above
    assert tree.dept_b.name not in html and tree.commune.name not in html


def test_build_tree_makes_orphans_roots(tree):
    rows = [tree.dept_a, tree.unit_a, tree.commune]
    roots = build_tree(rows)
    assert [n.agency for n in roots] == [tree.dept_a, tree.commune]
    assert [n.agency for n in roots[0].children] == [tree.unit_a]


def test_detail_shows_children_officers_and_audit(client, tree, admin, make_officer):
    make_officer("processor", tree.dept_a, username="tl", full_name="Lê Thụ Lý")
    client.force_login(admin)
    client.post(
        f"/co-quan/{tree.dept_a.code}/sua/",
        {**form_data(tree.dept_a), "name": "Sở Tư pháp mới"},
    )
    html = client.get(f"/co-quan/{tree.dept_a.code}/").content.decode()
    assert tree.unit_a.name in html
    assert "Lê Thụ Lý" in html and "Chuyên viên thụ lý" in html
    assert "agency.update" in html and "Sở Tư pháp → Sở Tư pháp mới" in html


def test_detail_hides_officers_from_roles_without_officers_view(client, tree, make_officer):
    make_officer("processor", tree.dept_a, username="tl", full_name="Lê Thụ Lý")
    receiver = make_officer("receiver", tree.dept_a, username="tn")
    client.force_login(receiver)
    html = client.get(f"/co-quan/{tree.dept_a.code}/").content.decode()
    assert "Lê Thụ Lý" not in html and "Nhật ký thao tác" not in html and "/sua/" not in html


def test_detail_of_merged_unit_points_to_successor(client, tree, admin):
    old = Agency.objects.create(
        code="000.00.62.H97",
        name="Xã Đã Nhập",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=tree.province,
        valid_from=date(2020, 1, 1),
        valid_to=date(2025, 6, 30),
        successor=tree.commune,
    )
    client.force_login(admin)
    html = client.get(f"/co-quan/{old.code}/").content.decode()
    assert "Đơn vị kế thừa" in html and f"/co-quan/{tree.commune.code}/" in html
    html = client.get(f"/co-quan/{tree.commune.code}/").content.decode()
    assert "Các đơn vị đã sáp nhập vào đơn vị này" in html and old.name in html


def form_data(agency, **overrides):
    data = {
        "parent": agency.parent_id or "",
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "level": agency.level,
        "valid_from": agency.valid_from.isoformat(),
        "valid_to": agency.valid_to.isoformat() if agency.valid_to else "",
        "address": agency.address,
        "phone": agency.phone,
        "email": agency.email,
    }
    data.update(overrides)
    return data


def test_edit_saves_and_audits(client, tree, admin):
    client.force_login(admin)
    response = client.post(
        f"/co-quan/{tree.dept_a.code}/sua/", form_data(tree.dept_a, name="Sở Tư pháp tỉnh Thử")
    )
    assert response.status_code == 302
    tree.dept_a.refresh_from_db()
    assert tree.dept_a.name == "Sở Tư pháp tỉnh Thử"
    assert AuditEntry.objects.filter(action="agency.update", agency=tree.dept_a).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "000.00.1.H97"}, "không đúng định dạng"),
        ({"code": "000.01.02.H97"}, "không khớp với cơ quan cấp trên"),
        ({"code": "000.00.02.H97"}, "đã được dùng"),  # dept_b's code
        ({"valid_to": "2020-01-01"}, "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực"),
        ({"valid_from": "hôm qua"}, "Nhập một ngày hợp lệ"),
        ({"name": ""}, "Trường này là bắt buộc"),
        ({"email": "khong-phai-email"}, "địa chỉ email hợp lệ"),
    ],
)
def test_edit_shows_vietnamese_errors(client, tree, admin, overrides, message):
    client.force_login(admin)
    response = client.post(f"/co-quan/{tree.dept_a.code}/sua/", form_data(tree.dept_a, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    tree.dept_a.refresh_from_db()
    assert tree.dept_a.code == "000.00.01.H97" and tree.dept_a.valid_to is None


def test_edit_of_root_has_no_parent_field(client, tree, admin):
    client.force_login(admin)
    response = client.get(f"/co-quan/{tree.province.code}/sua/")
    assert 'name="parent"' not in response.content.decode()
    data = form_data(tree.province, name="UBND tỉnh Thử nghiệm")
    data.pop("parent")
    assert client.post(f"/co-quan/{tree.province.code}/sua/", data).status_code == 302


def test_create_under_parent(client, tree, admin):
    client.force_login(admin)
    page = client.get(f"/co-quan/them/?parent={tree.dept_b.code}").content.decode()
    assert f'value="{tree.dept_b.pk}" selected' in page
    response = client.post(
        "/co-quan/them/",
        {
            "parent": tree.dept_b.pk,
            "code": "000.01.02.H97",
            "name": "Phòng Quản lý xây dựng",
            "kind": AgencyKind.UNIT,
            "level": AgencyLevel.PROVINCE,
            "valid_from": "2025-07-01",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/co-quan/000.01.02.H97/"
    assert Agency.objects.get(code="000.01.02.H97").parent == tree.dept_b


def test_merge_page(client, tree, admin):
    old = Agency.objects.create(
        code="000.00.62.H97",
        name="Xã Cũ",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=tree.province,
        valid_from=date(2020, 1, 1),
    )
    client.force_login(admin)
    assert client.get(f"/co-quan/sap-nhap/?from={old.code}").status_code == 200
    response = client.post(
        "/co-quan/sap-nhap/",
        {"predecessors": [old.pk], "successor": tree.commune.pk, "effective_on": "2025-07-01"},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.successor == tree.commune and old.valid_to == date(2025, 6, 30)
    bad = client.post(
        "/co-quan/sap-nhap/",
        {
            "predecessors": [tree.commune.pk],
            "successor": tree.commune.pk,
            "effective_on": "2025-08-01",
        },
    )
    assert bad.status_code == 400 and "Đơn vị kế thừa không thể là" in bad.content.decode()


def test_inspector_reads_but_cannot_open_forms(client, tree, make_officer):
    client.force_login(make_officer("inspector", tree.province, username="tt"))
    assert client.get(f"/co-quan/{tree.dept_a.code}/").status_code == 200
    for url in (f"/co-quan/{tree.dept_a.code}/sua/", "/co-quan/them/", "/co-quan/sap-nhap/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Không có quyền truy cập" in response.content.decode()


def test_unknown_code_is_a_friendly_404(client, tree, admin):
    client.force_login(admin)
    response = client.get("/co-quan/999.99.99.Z99/")
    assert response.status_code == 404 and "Không tìm thấy trang" in response.content.decode()
