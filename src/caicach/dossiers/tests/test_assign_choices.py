"""The officers offered for a bulk assignment: each processor once, with their first unit."""

from __future__ import annotations

from caicach.accounts.models import RoleAssignment
from caicach.dossiers.views import _assign_choices


def test_a_processor_in_two_agencies_is_offered_once_with_the_first(tree, make_officer):
    leader = make_officer("agency_leader", tree.province, username="lanhdao_tinh")
    processor = make_officer("processor", tree.dept_a, username="chuyenvien", full_name="Lê Văn C")
    RoleAssignment.objects.create(user=processor, role="processor", agency=tree.dept_b)

    officers, _units = _assign_choices(leader)

    assert officers == [(str(processor.pk), f"Lê Văn C · {tree.dept_a.name}")]
