"""The proof the issue asks for: what an officer, a citizen and a stranger can reach.

* an officer of agency A (every role) can neither list, read nor change anything of agency B,
  through the pages and through the API;
* the inspector reads everything in scope and changes nothing;
* a citizen account gets nothing, and a user who is not signed in gets only public pages, on
  every URL of the site: the URL patterns are walked, so new pages are covered automatically;
* the admin of the province root sees everything.

With the ``tree`` fixture: province → dept_a (→ unit_a), dept_b, commune.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from rest_framework.test import APIClient

from caicach.accounts.access import PERMISSIONS
from caicach.accounts.middleware import is_public
from caicach.accounts.models import Role, RoleAssignment, User, UserKind
from caicach.accounts.tests.factories import UserFactory
from caicach.agencies.models import Agency
from caicach.core.audit import Actor, record
from caicach.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ALL_ROLES = [role.value for role in Role]
CODE_B = "000.00.02.H97"


@dataclass
class World:
    tree: Any
    officer_b: User
    assignment_b: RoleAssignment
    officer_a: User


@pytest.fixture
def world(tree, make_officer) -> World:
    officer_b = make_officer("processor", tree.dept_b, username="canbo.b", full_name="Bùi Xây Dựng")
    officer_a = make_officer("processor", tree.unit_a, username="canbo.a", full_name="Đặng Tư Pháp")
    record(Actor.system("test"), "agency.update", tree.dept_b, agency=tree.dept_b, changes={"x": 1})
    return World(tree, officer_b, officer_b.roles.get(), officer_a)


def b_fields(agency: Agency) -> tuple[Any, ...]:
    agency.refresh_from_db()
    return (agency.name, agency.code, agency.parent_id, agency.valid_to, agency.successor_id)


def assert_b_absent(html: str, world: World) -> None:
    for text in (world.tree.dept_b.name, CODE_B, world.officer_b.full_name, "canbo.b"):
        assert text not in html, text


# -- an officer of dept_a, in every role, against dept_b -----------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_officer_of_a_cannot_list_read_or_change_b(client, world, make_officer, role):
    tree = world.tree
    officer = make_officer(role, tree.dept_a, username=f"a.{role}")
    client.force_login(officer)
    before = b_fields(tree.dept_b)
    entries_before = AuditEntry.objects.count()

    # Lists: pages and API.
    for url in ("/co-quan/", "/co-quan/?dissolved=1", "/co-quan/?q=xay+dung", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_b_absent(response.content.decode(), world)
    api = APIClient()
    api.force_login(officer)
    listed = api.get("/api/v1/agencies/", {"page_size": 500}).json()["results"]
    assert {row["code"] for row in listed} == {tree.dept_a.code, tree.unit_a.code}
    assert api.get("/api/v1/agencies/", {"q": "xay dung"}).json()["results"] == []
    me = api.get("/api/v1/me/").json()
    assert CODE_B not in str(me["permissions"])

    # Reading B: not found, in pages and API alike (its existence is not revealed).
    assert client.get(f"/co-quan/{CODE_B}/").status_code == 404
    assert client.get(f"/co-quan/{CODE_B}/sua/").status_code == 404
    assert api.get(f"/api/v1/agencies/{CODE_B}/").status_code == 404

    # Changing B: every way in is refused and B stays as it was.
    edit = client.post(f"/co-quan/{CODE_B}/sua/", {"name": "Đã bị sửa", "code": CODE_B})
    assert edit.status_code == 404
    assert (
        api.patch(f"/api/v1/agencies/{CODE_B}/", {"name": "Đã bị sửa"}, format="json").status_code
        == 404
    )
    child = {
        "parent": tree.dept_b.pk,
        "code": "000.01.02.H97",
        "name": "Phòng lạ",
        "kind": "unit",
        "level": "province",
        "valid_from": "2025-07-01",
    }
    assert client.post("/co-quan/them/", child).status_code in (400, 403)
    assert api.post(
        "/api/v1/agencies/", {**child, "parent": CODE_B}, format="json"
    ).status_code in (400, 403)
    merge = {
        "predecessors": [tree.dept_b.pk],
        "successor": tree.dept_a.pk,
        "effective_on": "2026-01-01",
    }
    assert client.post("/co-quan/sap-nhap/", merge).status_code in (400, 403)
    merge_api = {
        "predecessors": [CODE_B],
        "successor": tree.dept_a.code,
        "effective_on": "2026-01-01",
    }
    assert api.post("/api/v1/agencies/merge/", merge_api, format="json").status_code in (400, 403)
    assert b_fields(tree.dept_b) == before
    assert not Agency.objects.filter(code="000.01.02.H97").exists()

    # B's officers: not listed, not readable, not changeable.
    people = client.get("/tai-khoan/can-bo/")
    assert people.status_code in (200, 403)
    assert_b_absent(people.content.decode(), world)
    b = world.officer_b
    assert client.get(f"/tai-khoan/can-bo/{b.pk}/").status_code in (403, 404)
    for url, data in (
        (f"/tai-khoan/can-bo/{b.pk}/vai-tro/", {"role": "admin", "agency": tree.dept_a.pk}),
        (f"/tai-khoan/can-bo/{b.pk}/vai-tro/{world.assignment_b.pk}/xoa/", {}),
        (f"/tai-khoan/can-bo/{b.pk}/trang-thai/", {"active": "0"}),
        # Nor can A's officers be given a role over B.
        (
            f"/tai-khoan/can-bo/{world.officer_a.pk}/vai-tro/",
            {"role": "admin", "agency": tree.dept_b.pk},
        ),
        (
            "/tai-khoan/can-bo/them/",
            {"username": "x", "full_name": "X", "role": "admin", "agency": tree.dept_b.pk},
        ),
    ):
        assert client.post(url, data).status_code in (400, 403, 404), url
    b.refresh_from_db()
    assert b.is_active and list(b.roles.all()) == [world.assignment_b]
    assert (
        not RoleAssignment.objects.filter(agency=tree.dept_b)
        .exclude(pk=world.assignment_b.pk)
        .exists()
    )
    assert not User.objects.filter(username="x").exists()

    # B's audit entries stay out of A's trail.
    trail = client.get("/nhat-ky/")
    assert trail.status_code in (200, 403)
    assert_b_absent(trail.content.decode(), world)
    assert AuditEntry.objects.count() == entries_before


# -- the inspector: reads, never changes ------------------------------------------------------


def test_read_only_roles_hold_no_change_action():
    for action, roles in PERMISSIONS.items():
        if not action.endswith(".view"):
            assert Role.INSPECTOR not in roles, action


def test_inspector_reads_everything_in_scope_and_changes_nothing(client, world, make_officer):
    tree = world.tree
    inspector = make_officer("inspector", tree.province, username="thanhtra")
    client.force_login(inspector)
    api = APIClient()
    api.force_login(inspector)
    for url in (
        "/co-quan/",
        f"/co-quan/{CODE_B}/",
        "/tai-khoan/can-bo/",
        f"/tai-khoan/can-bo/{world.officer_b.pk}/",
        "/nhat-ky/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert api.get(f"/api/v1/agencies/{CODE_B}/").status_code == 200

    before = b_fields(tree.dept_b)
    entries = AuditEntry.objects.count()
    valid_edit = {
        "parent": tree.province.pk,
        "code": CODE_B,
        "name": "Sở Xây dựng (sửa)",
        "kind": "department",
        "level": "province",
        "valid_from": "2025-07-01",
    }
    refused = [
        client.get(f"/co-quan/{CODE_B}/sua/"),
        client.post(f"/co-quan/{CODE_B}/sua/", valid_edit),
        client.post(
            "/co-quan/them/", {**valid_edit, "code": "000.01.02.H97", "parent": tree.dept_b.pk}
        ),
        client.post(
            "/co-quan/sap-nhap/",
            {
                "predecessors": [tree.dept_b.pk],
                "successor": tree.dept_a.pk,
                "effective_on": "2026-01-01",
            },
        ),
        client.post(
            "/tai-khoan/can-bo/them/",
            {"username": "x", "full_name": "X", "role": "receiver", "agency": tree.dept_b.pk},
        ),
        client.post(
            f"/tai-khoan/can-bo/{world.officer_b.pk}/vai-tro/",
            {"role": "admin", "agency": tree.dept_b.pk},
        ),
        client.post(f"/tai-khoan/can-bo/{world.officer_b.pk}/vai-tro/{world.assignment_b.pk}/xoa/"),
        client.post(f"/tai-khoan/can-bo/{world.officer_b.pk}/trang-thai/", {"active": "0"}),
        api.patch(f"/api/v1/agencies/{CODE_B}/", {"name": "X"}, format="json"),
        api.post(
            "/api/v1/agencies/",
            {**valid_edit, "code": "000.01.02.H97", "parent": CODE_B},
            format="json",
        ),
        api.post(
            "/api/v1/agencies/merge/",
            {"predecessors": [CODE_B], "successor": tree.dept_a.code, "effective_on": "2026-01-01"},
            format="json",
        ),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert b_fields(tree.dept_b) == before
    assert AuditEntry.objects.count() == entries
    world.officer_b.refresh_from_db()
    assert world.officer_b.is_active and world.officer_b.roles.count() == 1


# -- the admin of the province root sees everything ---------------------------------------


def test_province_admin_sees_everything(client, world, make_officer):
    tree = world.tree
    admin = make_officer("admin", tree.province, username="qt.tinh")
    client.force_login(admin)
    html = client.get("/co-quan/").content.decode()
    everything = (tree.province, tree.dept_a, tree.unit_a, tree.dept_b, tree.commune)
    for agency in everything:
        assert agency.name in html
        assert client.get(f"/co-quan/{agency.code}/").status_code == 200
        assert client.get(f"/co-quan/{agency.code}/sua/").status_code == 200
    people = client.get("/tai-khoan/can-bo/").content.decode()
    assert world.officer_a.full_name in people and world.officer_b.full_name in people
    api = APIClient()
    api.force_login(admin)
    codes = {row["code"] for row in api.get("/api/v1/agencies/").json()["results"]}
    assert codes == {a.code for a in everything}


# -- every URL of the site, for strangers and citizens -------------------------------------

#: Sample values for URL parameters, by parameter name, then by converter.
SAMPLES_BY_NAME = {"code": CODE_B, "format": "json", "year": "2025"}
SAMPLES_BY_CONVERTER = {"int": "1", "agency_code": CODE_B, "str": "x", "slug": "x", "path": "1"}
_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")


@dataclass(frozen=True)
class Route:
    path: str
    pattern: URLPattern
    view_name: str


def _fill_route(text: str) -> str:
    def sample(m: re.Match[str]) -> str:
        converter = m["converter"] or "str"
        return SAMPLES_BY_NAME.get(m["name"]) or SAMPLES_BY_CONVERTER.get(converter, "1")

    return _ROUTE_PARAM.sub(sample, text)


def _fill_regex(text: str) -> str:
    def sample(m: re.Match[str]) -> str:
        if re.fullmatch(r"[\w|]+", m["body"]):  # an alternation of literals: take the first
            return m["body"].split("|")[0]
        return SAMPLES_BY_NAME.get(m["name"], "1")

    text = _REGEX_GROUP.sub(sample, text)
    return text.replace("^", "").replace("$", "").replace("\\", "").replace("/?", "/")


def site_routes() -> Iterator[Route]:
    """Every URL pattern of the site, as a concrete path that resolves back to it."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for entry in patterns:
            piece = str(entry.pattern)
            filled = _fill_regex(piece) if "(?P<" in piece or "^" in piece else _fill_route(piece)
            if isinstance(entry, URLResolver):
                space = (
                    f"{namespace}:{entry.namespace}"
                    if namespace and entry.namespace
                    else entry.namespace or namespace
                )
                yield from walk(entry.url_patterns, prefix + filled, space or "")
            else:
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
                yield Route("/" + prefix + filled, entry, name)

    yield from walk(get_resolver().url_patterns, "", "")


def test_every_route_resolves_to_itself():
    """If this fails, add a sample value above so the new URL is checked too."""
    lost = []
    for route in site_routes():
        try:
            match = resolve(route.path)
        except Resolver404:
            lost.append(route.path)
            continue
        if match.func is not route.pattern.callback and route.pattern.name is not None:
            lost.append(route.path)
    assert lost == []


def _public(route: Route) -> bool:
    return is_public(route.pattern.callback, route.view_name) or route.view_name == "admin:login"


def _is_api(route: Route) -> bool:
    return getattr(route.pattern.callback, "cls", None) is not None


def _to_login(response: Any) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and ("/dang-nhap/" in location or "/login/" in location)


def test_strangers_get_nothing_but_public_pages(tree):
    client = Client()
    checked = 0
    problems = []
    for route in site_routes():
        if _public(route):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(route.path)
            ok = response.status_code in (401, 403) if _is_api(route) else _to_login(response)
            if not ok:
                problems.append(f"{method.upper()} {route.path} → {response.status_code}")
            checked += 1
    assert problems == []
    assert checked > 40


def test_public_pages_answer_strangers(tree):
    client = Client()
    for path in ("/tai-khoan/dang-nhap/", "/healthz", "/api/schema/", "/api/docs/"):
        assert client.get(path).status_code == 200, path


def test_citizens_get_nothing(tree):
    citizen = UserFactory(username="dan", kind=UserKind.CITIZEN, full_name="Nguyễn Thị Dân")
    RoleAssignment.objects.create(user=citizen, role="admin", agency=tree.province)  # ignored
    client = Client()
    client.force_login(citizen)
    problems = []
    for route in site_routes():
        if _public(route) or route.view_name == "accounts:logout":
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(route.path)
            if response.status_code != 403:
                problems.append(f"{method.upper()} {route.path} → {response.status_code}")
    assert problems == []
    assert "Tài khoản này không phải tài khoản cán bộ" in client.get("/co-quan/").content.decode()
    api = APIClient()
    api.force_login(citizen)
    assert api.get("/api/v1/agencies/").json()["code"] == "not_officer"


def test_a_citizen_holding_a_role_still_gets_no_scope(tree):
    from caicach.accounts.access import allows, scope

    citizen = UserFactory(username="dan", kind=UserKind.CITIZEN)
    RoleAssignment.objects.create(user=citizen, role="admin", agency=tree.province)
    assert not allows(citizen, "agencies.view")
    assert not scope(Agency.objects.all(), citizen, "agencies.view").exists()


def test_expired_roles_give_no_scope(client, tree, make_officer):
    officer = make_officer("admin", tree.dept_b, username="cu")
    RoleAssignment.objects.filter(user=officer).update(valid_to=date(2025, 1, 1))
    client.force_login(officer)
    assert client.get(f"/co-quan/{CODE_B}/").status_code == 404
    assert client.get("/co-quan/").status_code == 403
