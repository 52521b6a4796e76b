"""Officer management: scoped lists, accounts, roles, deactivation; every change audited."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied

from caicach.accounts import services
from caicach.accounts.errors import FieldError
from caicach.accounts.models import RoleAssignment, User, UserKind
from caicach.accounts.tests.factories import UserFactory
from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.core.audit import Actor
from caicach.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(tree, make_officer):
    return make_officer("admin", tree.dept_a, username="qta", full_name="Quản Trị A")


@pytest.fixture
def people(tree, make_officer):
    return {
        "a": make_officer("processor", tree.unit_a, username="thuly.a", full_name="Đặng Thụ Lý"),
        "b": make_officer("processor", tree.dept_b, username="thuly.b", full_name="Bùi Xây Dựng"),
    }


def test_temporary_passwords_meet_the_rules():
    for _ in range(20):
        validate_password(services.generate_temporary_password())


def test_list_shows_only_officers_in_scope(client, tree, admin_a, people):
    client.force_login(admin_a)
    html = client.get("/tai-khoan/can-bo/").content.decode()
    assert "Đặng Thụ Lý" in html and "Bùi Xây Dựng" not in html


def test_search_without_diacritics(client, tree, make_officer, people):
    client.force_login(make_officer("admin", tree.province, username="qt"))
    html = client.get("/tai-khoan/can-bo/", {"q": "dang thu"}).content.decode()
    assert "Đặng Thụ Lý" in html and "Bùi Xây Dựng" not in html
    html = client.get("/tai-khoan/can-bo/", {"q": "THULY.B"}).content.decode()
    assert "Bùi Xây Dựng" in html and "Đặng Thụ Lý" not in html


def test_list_query_count_is_flat(client, tree, make_officer, django_assert_max_num_queries):
    admin = make_officer("admin", tree.province, username="qt")
    for n in range(30):
        make_officer("receiver", tree.commune, username=f"tn{n}")
    client.force_login(admin)
    client.get("/tai-khoan/can-bo/")
    with django_assert_max_num_queries(5):
        response = client.get("/tai-khoan/can-bo/")
    assert response.content.decode().count("Cán bộ một cửa") == 30


def test_roles_without_officers_view_get_403(client, tree, make_officer):
    client.force_login(make_officer("receiver", tree.dept_a, username="tn"))
    assert client.get("/tai-khoan/can-bo/").status_code == 403
    assert client.get("/tai-khoan/can-bo/them/").status_code == 403


def test_create_officer_shows_the_temporary_password_once(client, tree, admin_a):
    client.force_login(admin_a)
    response = client.post(
        "/tai-khoan/can-bo/them/",
        {
            "username": "moi",
            "full_name": "Nguyễn Văn Mới",
            "role": "receiver",
            "agency": tree.unit_a.pk,
        },
    )
    assert response.status_code == 302
    officer = User.objects.get(username="moi")
    assert officer.must_change_password and officer.kind == UserKind.OFFICER
    page = client.get(response["Location"]).content.decode()
    assert "Mật khẩu tạm" in page
    temporary = html.unescape(page.split('<code style="font-size: 17px">')[1].split("</code>")[0])
    assert officer.check_password(temporary)
    assert temporary not in client.get(response["Location"]).content.decode()
    entry = AuditEntry.objects.get(action="officer.create")
    assert entry.agency == tree.unit_a and temporary not in str(entry.changes)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "thuly.a"}, "đã được dùng"),
        ({"username": "THULY.A"}, "đã được dùng"),
        ({"username": "có dấu"}, "chỉ gồm chữ, số"),
        ({"full_name": "  "}, "Trường này là bắt buộc"),
    ],
)
def test_create_officer_errors(client, tree, admin_a, people, data, message):
    client.force_login(admin_a)
    payload = {"username": "moi", "full_name": "Mới", "role": "receiver", "agency": tree.unit_a.pk}
    payload.update(data)
    response = client.post("/tai-khoan/can-bo/them/", payload)
    assert response.status_code == 400 and message in response.content.decode()


def test_create_officer_outside_scope_is_refused(client, tree, admin_a):
    client.force_login(admin_a)
    response = client.post(
        "/tai-khoan/can-bo/them/",
        {"username": "moi", "full_name": "Mới", "role": "receiver", "agency": tree.dept_b.pk},
    )
    assert response.status_code == 400  # dept_b is not even a choice
    assert not User.objects.filter(username="moi").exists()
    with pytest.raises(PermissionDenied):
        services.create_officer(
            Actor(user=admin_a),
            username="moi",
            full_name="Mới",
            role="receiver",
            agency=tree.dept_b,
        )


def test_add_and_remove_roles(client, tree, admin_a, people):
    officer = people["a"]
    client.force_login(admin_a)
    response = client.post(
        f"/tai-khoan/can-bo/{officer.pk}/vai-tro/",
        {"role": "unit_leader", "agency": tree.unit_a.pk, "valid_from": "2025-07-01"},
    )
    assert response.status_code == 302
    added = RoleAssignment.objects.get(user=officer, role="unit_leader")
    assert added.valid_from == date(2025, 7, 1)
    duplicate = client.post(
        f"/tai-khoan/can-bo/{officer.pk}/vai-tro/",
        {"role": "unit_leader", "agency": tree.unit_a.pk},
    )
    assert duplicate.status_code == 400 and "đã có vai trò này" in duplicate.content.decode()
    client.post(f"/tai-khoan/can-bo/{officer.pk}/vai-tro/{added.pk}/xoa/")
    assert not RoleAssignment.objects.filter(pk=added.pk).exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["officer.role_add", "officer.role_remove"]


def test_the_last_role_cannot_be_removed(client, tree, admin_a, people):
    officer = people["a"]
    assignment = officer.roles.get()
    client.force_login(admin_a)
    response = client.post(
        f"/tai-khoan/can-bo/{officer.pk}/vai-tro/{assignment.pk}/xoa/", follow=True
    )
    assert "vai trò cuối cùng" in response.content.decode()
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_nobody_changes_their_own_roles(tree, admin_a):
    with pytest.raises(PermissionDenied):
        services.assign_role(Actor(user=admin_a), admin_a, "admin", tree.unit_a)
    with pytest.raises(PermissionDenied):
        services.set_active(Actor(user=admin_a), admin_a, False)


def test_no_roles_at_dissolved_agencies(tree, admin_a, people):
    old = Agency.objects.create(
        code="000.02.01.H97",
        name="Phòng Đã Giải Thể",
        kind=AgencyKind.UNIT,
        level=AgencyLevel.PROVINCE,
        parent=tree.dept_a,
        valid_from=date(2020, 1, 1),
        valid_to=date(2024, 12, 31),
    )
    with pytest.raises(FieldError) as caught:
        services.assign_role(Actor(user=admin_a), people["a"], "receiver", old)
    assert caught.value.field == "agency"


def test_citizens_get_no_roles(tree, admin_a):
    citizen = UserFactory(username="dan", kind=UserKind.CITIZEN)
    with pytest.raises(FieldError):
        services.assign_role(Actor(user=admin_a), citizen, "receiver", tree.dept_a)


def test_deactivation_ends_sessions_and_is_audited(client, tree, admin_a, people):
    officer = people["a"]
    other = client.__class__()
    other.force_login(officer)
    assert other.get("/co-quan/").status_code == 200
    client.force_login(admin_a)
    client.post(f"/tai-khoan/can-bo/{officer.pk}/trang-thai/", {"active": "0"})
    officer.refresh_from_db()
    assert not officer.is_active
    assert other.get("/co-quan/").status_code == 302  # signed out at once
    assert AuditEntry.objects.filter(action="officer.deactivate").exists()
    client.post(f"/tai-khoan/can-bo/{officer.pk}/trang-thai/", {"active": "1"})
    officer.refresh_from_db()
    assert officer.is_active


def test_deactivation_needs_scope_over_every_role(client, tree, admin_a, people):
    both = people["a"]
    RoleAssignment.objects.create(user=both, role="receiver", agency=tree.dept_b)
    client.force_login(admin_a)
    page = client.get(f"/tai-khoan/can-bo/{both.pk}/").content.decode()
    assert "Ngừng hoạt động</button>" not in page
    assert "1 vai trò ở cơ quan ngoài phạm vi của bạn" in page and tree.dept_b.name not in page
    assert (
        client.post(f"/tai-khoan/can-bo/{both.pk}/trang-thai/", {"active": "0"}).status_code == 403
    )
    both.refresh_from_db()
    assert both.is_active


def test_officers_out_of_scope_are_404(client, tree, admin_a, people):
    client.force_login(admin_a)
    b = people["b"]
    assert client.get(f"/tai-khoan/can-bo/{b.pk}/").status_code == 404
    assignment = b.roles.get()
    for url, data in (
        (f"/tai-khoan/can-bo/{b.pk}/vai-tro/", {"role": "admin", "agency": tree.dept_a.pk}),
        (f"/tai-khoan/can-bo/{b.pk}/vai-tro/{assignment.pk}/xoa/", {}),
        (f"/tai-khoan/can-bo/{b.pk}/trang-thai/", {"active": "0"}),
    ):
        assert client.post(url, data).status_code == 404
    b.refresh_from_db()
    assert b.is_active and b.roles.count() == 1


def test_leaders_see_officers_but_cannot_change_them(client, tree, make_officer, people):
    client.force_login(make_officer("agency_leader", tree.dept_a, username="gd"))
    officer = people["a"]
    page = client.get(f"/tai-khoan/can-bo/{officer.pk}/")
    assert page.status_code == 200 and "Thêm vai trò" not in page.content.decode()
    response = client.post(
        f"/tai-khoan/can-bo/{officer.pk}/vai-tro/", {"role": "admin", "agency": tree.unit_a.pk}
    )
    assert response.status_code == 403
    assert officer.roles.count() == 1
