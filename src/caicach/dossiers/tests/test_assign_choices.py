"""The officers offered for an assignment: each processor once, with their first unit, only
where the user may assign and, for one dossier, only of its units (least privilege)."""

from __future__ import annotations

from caicach.accounts.models import RoleAssignment
from caicach.dossiers.tests.factories import procedure_version, receive
from caicach.dossiers.views import _assign_choices


def test_a_processor_in_two_agencies_is_offered_once_with_the_first(tree, make_officer):
    leader = make_officer("agency_leader", tree.province, username="lanhdao_tinh")
    processor = make_officer("processor", tree.dept_a, username="chuyenvien", full_name="Lê Văn C")
    RoleAssignment.objects.create(user=processor, role="processor", agency=tree.dept_b)

    officers, _units = _assign_choices(leader)

    assert officers == [(str(processor.pk), f"Lê Văn C · {tree.dept_a.name}")]


def test_only_where_the_user_may_assign_not_the_wider_view_scope(tree, make_officer):
    """Least privilege (issue 17): an inspector of the province who is also a receiver of
    department A is offered department A's processors only."""
    user = make_officer("inspector", tree.province, username="thanhtra_tinh")
    RoleAssignment.objects.create(user=user, role="receiver", agency=tree.dept_a)
    mine = make_officer("processor", tree.dept_a, username="cv_a", full_name="A")
    make_officer("processor", tree.dept_b, username="cv_b", full_name="B")

    officers, units = _assign_choices(user)

    assert officers == [(str(mine.pk), f"A · {tree.dept_a.name}")]
    assert [code for code, _label in units] == [tree.dept_a.code, tree.unit_a.code]


def test_an_inspector_only_is_offered_nobody(tree, make_officer):
    user = make_officer("inspector", tree.province, username="thanhtra")
    make_officer("processor", tree.dept_a, username="cv_a")
    assert _assign_choices(user) == ([], [])


def test_for_one_dossier_only_its_units_officers(tree, make_officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    leader = make_officer("agency_leader", tree.province, username="lanhdao_tinh")
    receiver = make_officer("receiver", tree.dept_a, username="motcua")
    mine = make_officer("processor", tree.dept_a, username="cv_a", full_name="A")
    make_officer("processor", tree.dept_b, username="cv_b", full_name="B")
    dossier = receive(receiver, procedure_version(tree.dept_a), tree.dept_a)

    everywhere, _units = _assign_choices(leader)
    officers, units = _assign_choices(leader, dossier)

    assert len(everywhere) == 2
    assert officers == [(str(mine.pk), f"A · {tree.dept_a.name}")]
    assert tree.dept_b.code not in [code for code, _label in units]
