"""`caicach demo load` builds the demo province, and a second run changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command

from caicach.accounts.access import can, scope
from caicach.accounts.models import RoleAssignment, User
from caicach.agencies.models import Agency, AgencyKind
from caicach.core.audit import Actor
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


@pytest.mark.django_db
def test_every_level_of_the_demo_can_finish_a_dossier(capsys, settings, tmp_path):
    """Issue 16: a commune dossier goes from receipt to return with the commune's demo logins,
    and the provincial service centre receives for a department (two-tier government)."""
    from caicach.dossiers.intake_forms import receivable_procedures
    from caicach.dossiers.tests.factories import PERSON, act

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", "load")
    out = capsys.readouterr().out
    for login in ("xa.thuly", "xa.truongphong", "xa.chutich", "chutich"):
        assert login in out
    users = {u.username: u for u in User.objects.all()}

    def receive(receiver: User, code: str, desk: Agency) -> Any:
        from caicach.dossiers import services

        version = Procedure.objects.get(code=code).current_version
        components = [
            {"name": c.name, "store_reference": f"KHO-{i:04d}"}
            for i, c in enumerate(version.components.filter(required=True))
        ]
        return services.receive_dossier(
            Actor(user=receiver),
            procedure_code=code,
            channel="counter",
            applicant=PERSON,
            components=components,
            served_at=None,
            receiving_agency=desk,
        )

    commune = RoleAssignment.objects.get(user=users["xa.tiepnhan"]).agency
    commune_procedures = receivable_procedures(users["xa.tiepnhan"]).filter(
        handling_agency_kinds__contains=["commune"]
    )
    code = commune_procedures.first().code
    dossier = receive(users["xa.tiepnhan"], code, commune)
    dossier = act(users["xa.chutich"], dossier, "assign", assignee=users["xa.thuly"].pk)
    dossier = act(users["xa.thuly"], dossier, "accept")
    dossier = act(users["xa.thuly"], dossier, "submit_for_approval")
    dossier = act(users["xa.chutich"], dossier, "approve")
    dossier = act(users["xa.tiepnhan"], dossier, "return_result")
    assert dossier.state == "returned"

    # The provincial centre's counter lists the departments' procedures and receives one.
    centre = RoleAssignment.objects.get(user=users["tiepnhan"]).agency
    department = RoleAssignment.objects.get(user=users["giamdoc"]).agency
    theirs = receivable_procedures(users["tiepnhan"]).filter(handling_agencies=department)
    assert theirs.exists()
    dossier = receive(users["tiepnhan"], theirs.first().code, centre)
    assert dossier.deciding_agency == department
