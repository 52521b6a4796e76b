"""`caicach demo load` builds the demo province, and a second run changes nothing."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command

from caicach.accounts.access import can, scope
from caicach.accounts.models import RoleAssignment, User
from caicach.agencies.models import Agency, AgencyKind
from caicach.core.models import AuditEntry
from caicach.demo.services import DATA, DEMO_PASSWORD
from caicach.procedures.models import Field, Procedure, ProcedureVersion


@pytest.mark.django_db
def test_demo_province_loads_once_and_reloads_idempotently(capsys):
    call_command("demo", "load")
    out = capsys.readouterr().out
    agencies = json.loads((DATA / "agencies.json").read_text())
    catalogue = json.loads((DATA / "procedures.json").read_text())

    assert Agency.objects.count() == len(agencies)
    assert Agency.objects.filter(kind=AgencyKind.DEPARTMENT).count() >= 18
    new_communes = Agency.objects.filter(kind=AgencyKind.COMMUNE, valid_to__isnull=True)
    assert new_communes.count() >= 28
    merged = Agency.objects.filter(successor__isnull=False)
    assert merged.exists() and all(a.valid_to is not None for a in merged)
    assert Procedure.objects.count() == len(catalogue["procedures"])
    assert Field.objects.count() >= 15
    assert ProcedureVersion.objects.count() == len(catalogue["procedures"]) + len(
        catalogue["previous_versions"]
    )
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == {
        "receiver", "processor", "unit_leader", "agency_leader",
        "reform_officer", "inspector", "admin",
    }  # fmt: skip
    for user in User.objects.all():  # every demo login is printed and works
        assert user.username in out
        assert user.check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in out
    with pytest.raises(ValidationError):  # published: refused as anyone's own password
        validate_password(DEMO_PASSWORD)

    counts = (Agency.objects.count(), ProcedureVersion.objects.count(), User.objects.count())
    audit_before = AuditEntry.objects.count()
    call_command("demo", "load")
    assert (
        Agency.objects.count(),
        ProcedureVersion.objects.count(),
        User.objects.count(),
    ) == counts
    assert AuditEntry.objects.count() == audit_before  # nothing changed, nothing recorded


@pytest.mark.django_db
def test_demo_officers_see_only_their_scope(capsys):
    call_command("demo", "load")
    commune_receiver = User.objects.get(username="xa.tiepnhan")
    commune = RoleAssignment.objects.get(user=commune_receiver).agency
    visible = scope(Agency.objects.all(), commune_receiver, "agencies.view")
    assert set(visible.values_list("pk", flat=True)) == set(
        Agency.objects.subtree_of(commune).values_list("pk", flat=True)
    )
    admin = User.objects.get(username="admin")
    assert scope(Agency.objects.all(), admin, "agencies.view").count() == Agency.objects.count()
    inspector = User.objects.get(username="thanhtra")
    assert not can(inspector, "procedures.change", Agency.objects.get(parent__isnull=True))
