"""Agency services: code rules, moves and re-coding, mergers and the history roll-up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from caicach.accounts.errors import FieldError
from caicach.agencies import services
from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.core.audit import Actor, verify_chain
from caicach.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")


def unit_fields(**overrides):
    fields = {
        "code": "000.02.01.H97",
        "name": "Phòng Bổ trợ tư pháp",
        "kind": AgencyKind.UNIT,
        "level": AgencyLevel.PROVINCE,
        "valid_from": date(2025, 7, 1),
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def admin_actor(tree, make_officer):
    return Actor(user=make_officer("admin", tree.province, username="qt"))


def test_create_under_parent_is_audited(tree, admin_actor):
    unit = services.create_agency(admin_actor, parent=tree.dept_a, **unit_fields())
    assert unit.path.startswith(tree.dept_a.path) and unit.depth == 2
    entry = AuditEntry.objects.get(action="agency.create")
    assert entry.agency_id == unit.pk and entry.actor_id == admin_actor.user.pk
    assert entry.changes["code"] == "000.02.01.H97" and entry.changes["parent"] == tree.dept_a.code
    assert list(verify_chain()) == []


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("12.00.01.H97", "không đúng định dạng"),
        ("000.00.03.H97", "không khớp với cơ quan cấp trên"),  # a sibling's code, not a child's
        ("000.02.01.H98", "không khớp"),  # another province
        ("001.02.01.H97", "không khớp"),  # two levels down
        ("000.01.01.H97", "đã được dùng"),  # unit_a's code
    ],
)
def test_create_refuses_bad_codes(tree, admin_actor, code, fragment):
    with pytest.raises(FieldError) as caught:
        services.create_agency(admin_actor, parent=tree.dept_a, **unit_fields(code=code))
    assert caught.value.field == "code"
    assert fragment in caught.value.message_vi
    assert caught.value.message_en
    assert not AuditEntry.objects.exists()


def test_mismatch_message_suggests_a_child_code(tree, admin_actor):
    with pytest.raises(FieldError) as caught:
        services.create_agency(admin_actor, parent=tree.dept_a, **unit_fields(code="000.00.09.H97"))
    assert "000.01.01.H97" in caught.value.message_vi  # the example shows the pattern


def test_lower_case_code_is_normalised(tree, admin_actor):
    unit = services.create_agency(
        admin_actor, parent=tree.dept_a, **unit_fields(code=" 000.02.01.h97 ")
    )
    assert unit.code == "000.02.01.H97"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "name"),
        ({"valid_to": date(2025, 6, 1)}, "valid_to"),
        ({"kind": AgencyKind.COMMUNE}, "level"),
        ({"kind": AgencyKind.DISTRICT, "level": AgencyLevel.PROVINCE}, "level"),
        # Districts were abolished on 1/7/2025: a district body must have ended by then.
        ({"level": AgencyLevel.DISTRICT, "valid_from": date(2020, 1, 1)}, "valid_to"),
    ],
)
def test_create_checks_fields(tree, admin_actor, overrides, field):
    with pytest.raises(FieldError) as caught:
        services.create_agency(admin_actor, parent=tree.dept_a, **unit_fields(**overrides))
    assert caught.value.field == field


def test_legacy_district_with_end_date_is_accepted(tree, admin_actor):
    district = services.create_agency(
        admin_actor,
        parent=tree.province,
        code="000.00.41.H97",
        name="UBND huyện Cũ",
        kind=AgencyKind.DISTRICT,
        level=AgencyLevel.DISTRICT,
        valid_from=date(2020, 1, 1),
        valid_to=date(2025, 6, 30),
    )
    assert district.level == AgencyLevel.DISTRICT


def test_create_needs_change_scope_on_the_parent(tree, make_officer):
    admin_a = Actor(user=make_officer("admin", tree.dept_a, username="qta"))
    with pytest.raises(PermissionDenied):
        services.create_agency(admin_a, parent=tree.dept_b, **unit_fields(code="000.01.02.H97"))
    leader = Actor(user=make_officer("agency_leader", tree.dept_a, username="ld"))
    with pytest.raises(PermissionDenied):
        services.create_agency(leader, parent=tree.dept_a, **unit_fields())
    assert not Agency.objects.filter(code__in=["000.01.02.H97", "000.02.01.H97"]).exists()


def test_roots_only_by_system_actors(tree, admin_actor):
    with pytest.raises(FieldError):
        services.create_agency(admin_actor, parent=None, **unit_fields(code="000.00.00.H98"))
    root = services.create_agency(
        SYSTEM,
        parent=None,
        **unit_fields(code="000.00.00.H98", kind=AgencyKind.PEOPLE_COMMITTEE),
    )
    assert root.depth == 0
    with pytest.raises(PermissionDenied):  # an anonymous actor is not a system actor
        services.create_agency(Actor(), parent=tree.dept_a, **unit_fields())


def test_update_records_a_diff(tree, admin_actor):
    services.update_agency(admin_actor, tree.dept_a, name="Sở Tư pháp tỉnh Thử", phone="0201")
    entry = AuditEntry.objects.get(action="agency.update")
    assert entry.changes == {"name": ["Sở Tư pháp", "Sở Tư pháp tỉnh Thử"], "phone": ["", "0201"]}
    tree.dept_a.refresh_from_db()
    assert tree.dept_a.name == "Sở Tư pháp tỉnh Thử"


def test_update_without_change_writes_no_entry(tree, admin_actor):
    services.update_agency(admin_actor, tree.dept_a, name=tree.dept_a.name)
    assert not AuditEntry.objects.exists()


def test_new_code_recodes_the_subtree(tree, admin_actor):
    services.update_agency(admin_actor, tree.dept_a, code="000.00.07.H97")
    tree.unit_a.refresh_from_db()
    assert tree.unit_a.code == "000.01.07.H97"
    entry = AuditEntry.objects.get(action="agency.update")
    assert entry.changes["recoded_descendants"] == {"000.01.01.H97": "000.01.07.H97"}


def test_move_recodes_and_keeps_paths(tree, admin_actor):
    unit = services.create_agency(
        admin_actor, parent=tree.unit_a, **unit_fields(code="001.01.01.H97")
    )
    with pytest.raises(FieldError):  # the old code does not fit under dept_b
        services.move_agency(admin_actor, tree.unit_a, tree.dept_b)
    services.move_agency(admin_actor, tree.unit_a, tree.dept_b, code="000.05.02.H97")
    tree.unit_a.refresh_from_db()
    unit.refresh_from_db()
    assert tree.unit_a.parent_id == tree.dept_b.pk
    assert tree.unit_a.path.startswith(tree.dept_b.path)
    assert unit.path.startswith(tree.unit_a.path) and unit.depth == 3
    assert unit.code == "001.05.02.H97"
    assert AuditEntry.objects.filter(action="agency.move").count() == 1


def test_move_under_own_subtree_is_refused(tree, admin_actor):
    with pytest.raises(FieldError) as caught:
        services.move_agency(admin_actor, tree.dept_a, tree.unit_a, code="001.01.01.H97")
    assert caught.value.field == "parent"


def test_move_needs_scope_on_both_sides(tree, make_officer):
    admin_a = Actor(user=make_officer("admin", tree.dept_a, username="qta"))
    with pytest.raises(PermissionDenied):
        services.move_agency(admin_a, tree.unit_a, tree.dept_b, code="000.01.02.H97")
    tree.unit_a.refresh_from_db()
    assert tree.unit_a.parent_id == tree.dept_a.pk


def commune(tree, code, name, **extra):
    return Agency.objects.create(
        code=code,
        name=name,
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=tree.province,
        valid_from=extra.pop("valid_from", date(2020, 1, 1)),
        **extra,
    )


def test_merge_ends_predecessors_and_rolls_history_up(tree, admin_actor):
    old_1 = commune(tree, "000.00.62.H97", "Xã Cũ Một")
    old_2 = commune(tree, "000.00.63.H97", "Xã Cũ Hai")
    desk = Agency.objects.create(
        code="000.01.62.H97",
        name="Bộ phận Một cửa xã Cũ Một",
        kind=AgencyKind.SERVICE_CENTRE,
        level=AgencyLevel.COMMUNE,
        parent=old_1,
        valid_from=date(2020, 1, 1),
    )
    merged = services.merge_agencies(admin_actor, [old_1, old_2], tree.commune, date(2025, 7, 1))
    assert {a.pk for a in merged} == {old_1.pk, old_2.pk}
    for agency in (old_1, old_2, desk):
        agency.refresh_from_db()
        assert agency.valid_to == date(2025, 6, 30)
    assert old_1.successor_id == tree.commune.pk and desk.successor_id is None
    assert services.rollup_ids(tree.commune) == {tree.commune.pk, old_1.pk, old_2.pk}
    assert set(services.history_agencies(tree.commune)) == {tree.commune, old_1, old_2}
    in_history = Agency.objects.filter(services.rollup_filter(tree.commune))
    assert desk in in_history and tree.dept_a not in in_history
    entry = AuditEntry.objects.get(action="agency.merge", object_id=str(old_1.pk))
    assert entry.changes["descendants_ended"] == ["000.01.62.H97"]
    assert AuditEntry.objects.filter(action="agency.merge_into").count() == 1


def test_history_is_transitive(tree, admin_actor):
    oldest = commune(tree, "000.00.64.H97", "Xã Rất Cũ", valid_from=date(2015, 1, 1))
    middle = commune(tree, "000.00.65.H97", "Xã Cũ")
    services.merge_agencies(admin_actor, [oldest], middle, date(2020, 1, 1))
    services.merge_agencies(admin_actor, [middle], tree.commune, date(2025, 7, 1))
    assert services.rollup_ids(tree.commune) == {tree.commune.pk, middle.pk, oldest.pk}
    oldest.refresh_from_db()
    assert oldest.final_successor() == tree.commune


@pytest.mark.parametrize(
    "case", ["empty", "into_itself", "already_merged", "too_early", "successor_not_yet", "cycle"]
)
def test_merge_refuses_inconsistent_requests(tree, admin_actor, case):
    old = commune(tree, "000.00.62.H97", "Xã Cũ")
    day = date(2025, 7, 1)
    predecessors, successor = [old], tree.commune
    if case == "empty":
        predecessors = []
    elif case == "into_itself":
        predecessors = [tree.commune]
    elif case == "already_merged":
        services.merge_agencies(admin_actor, [old], tree.commune, day)
        successor = tree.dept_b
    elif case == "too_early":
        day = date(2019, 1, 1)
    elif case == "successor_not_yet":
        day = date(2025, 6, 1)  # tree.commune starts on 1/7/2025
    elif case == "cycle":  # commune went into old on 1/8; old into commune on 15/7 would loop
        services.merge_agencies(admin_actor, [tree.commune], old, date(2025, 8, 1))
        predecessors, successor, day = [old], tree.commune, date(2025, 7, 15)
    before = AuditEntry.objects.count()
    with pytest.raises(FieldError):
        services.merge_agencies(admin_actor, predecessors, successor, day)
    assert AuditEntry.objects.count() == before


def test_merge_needs_change_scope(tree, make_officer):
    inspector = Actor(user=make_officer("inspector", tree.province, username="tt"))
    with pytest.raises(PermissionDenied):
        services.merge_agencies(
            inspector, [tree.dept_b], tree.dept_a, timezone.localdate() + timedelta(days=1)
        )
    tree.dept_b.refresh_from_db()
    assert tree.dept_b.successor_id is None and tree.dept_b.valid_to is None
