"""Agency boundaries on actions (issue 17 item 4): the agencies an intake, an assignment, a step
or agency transfer and a consultation may name, from the procedure's competent authorities, the
workflow and the holder (:mod:`caicach.dossiers.targets`), through the services and the API."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from rest_framework.test import APIClient

from caicach.agencies.models import AgencyKind, AgencyLevel
from caicach.agencies.tests.factories import AgencyFactory
from caicach.dossiers import targets
from caicach.dossiers.services import DossierInputError
from caicach.dossiers.tests.factories import PERSON, act, procedure_version, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune_b(tree: Any) -> Any:
    return AgencyFactory(
        code="000.00.62.H97",
        name="Xã Tân Quý",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=tree.province,
        valid_from=tree.commune.valid_from,
    )


@pytest.fixture
def commune_version(tree: Any) -> Any:
    """A commune-level procedure: every commune handles it for its own area."""
    v = procedure_version(tree.commune)
    v.procedure.handling_agencies.clear()
    v.procedure.handling_agency_kinds = [AgencyKind.COMMUNE.value]
    v.procedure.save()
    return v


@pytest.fixture
def commune_officers(tree: Any, make_officer: Any) -> Any:
    class CommuneOfficers:
        desk = make_officer("receiver", tree.commune, username="motcua_xa")
        processor = make_officer("processor", tree.commune, username="chuyenvien_xa")

    return CommuneOfficers


def refused(error: Any, field_name: str) -> None:
    assert error.value.status == 400
    assert error.value.code == "agency_not_allowed"
    assert field_name in error.value.errors_vi and field_name in error.value.errors_en


# -- intake: the deciding agency -----------------------------------------------------------------


def test_a_commune_desk_cannot_make_another_commune_decide(
    tree, commune_b, commune_version, commune_officers
):
    with pytest.raises(DossierInputError) as error:
        receive(commune_officers.desk, commune_version, tree.commune, deciding_agency=commune_b)
    refused(error, "deciding_agency")
    assert "Xã Tân Quý" in error.value.errors_vi["deciding_agency"]
    # By default, and by name, its own commune decides.
    assert receive(commune_officers.desk, commune_version, tree.commune).deciding_agency == (
        tree.commune
    )
    d = receive(commune_officers.desk, commune_version, tree.commune, deciding_agency=tree.commune)
    assert d.deciding_agency == tree.commune


def test_a_department_that_does_not_handle_the_procedure_cannot_decide(tree, officers, version):
    with pytest.raises(DossierInputError) as error:
        receive(officers.receiver, version, tree.dept_a, deciding_agency=tree.dept_b)
    refused(error, "deciding_agency")
    # A commune desk still receives for the named handling agency (NĐ 118/2025).
    assert targets.deciding_choices(version.procedure, tree.commune) == [tree.dept_a]


def test_a_desk_of_no_competent_authority_must_name_one(tree, make_officer, version):
    """Two named authorities, the desk belongs to neither: no silent default to the desk."""
    version.procedure.handling_agencies.add(tree.dept_b)
    desk = make_officer("receiver", tree.commune, username="motcua_xa")
    with pytest.raises(DossierInputError) as error:
        receive(desk, version, tree.commune)
    assert error.value.code == "deciding_required"
    assert receive(desk, version, tree.commune, deciding_agency=tree.dept_b).deciding_agency == (
        tree.dept_b
    )


def test_the_api_refuses_another_commune_as_deciding_agency(
    tree, commune_b, commune_version, commune_officers
):
    api = APIClient()
    api.force_authenticate(commune_officers.desk)
    response = api.post(
        "/api/v1/dossiers/",
        {
            "procedure": commune_version.procedure.code,
            "channel": "counter",
            "receiving_agency": tree.commune.code,
            "deciding_agency": commune_b.code,
            "applicant": PERSON,
            "components": [
                {
                    "name": "Tờ khai",
                    "content": base64.b64encode(b"%PDF-1.7 form").decode(),
                    "filename": "to-khai.pdf",
                    "content_type": "application/pdf",
                }
            ],
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "agency_not_allowed"
    assert "Xã Tân Quý" in body["errors_vi"]["deciding_agency"][0]
    assert "Xã Tân Quý" in body["errors"]["deciding_agency"][0]


# -- processing: assign and transfer_step --------------------------------------------------------


def test_a_commune_processor_cannot_move_a_dossier_to_another_commune(
    tree, commune_b, commune_version, commune_officers
):
    o = commune_officers
    d = receive(o.desk, commune_version, tree.commune)
    with pytest.raises(DossierInputError) as error:
        act(o.desk, d, "assign", agency=commune_b.code)
    refused(error, "agency")
    d = act(o.desk, d, "assign", assignee=o.processor.pk)
    d = act(o.processor, d, "accept")
    with pytest.raises(DossierInputError) as error:
        act(o.processor, d, "transfer_step", agency=commune_b.code)
    refused(error, "agency")
    assert "liên thông" in error.value.errors_vi["agency"]
    # Within its own commune the step moves on.
    d = act(o.processor, d, "transfer_step", agency=tree.commune.code)
    assert (d.current_agency, d.current_step) == (tree.commune, 3)


def test_the_workflow_steps_agency_may_take_the_dossier(tree, officers, version):
    """A step that names its agency sends the dossier there, even outside the holder's tree."""
    step = version.steps.get(order=3)
    step.agency = tree.dept_b
    step.save()
    d = receive(officers.receiver, version, tree.dept_a)
    d = act(officers.receiver, d, "assign", agency=tree.unit_a.code, assignee=officers.processor.pk)
    d = act(officers.processor, d, "accept")
    assert tree.dept_b in targets.move_choices(d, step)
    d = act(officers.processor, d, "transfer_step", agency=tree.dept_b.code)
    assert d.current_agency == tree.dept_b


# -- inter-agency transfer and consultation ----------------------------------------------------


def test_a_transfer_goes_only_to_a_competent_authority(tree, officers, version):
    d = receive(officers.receiver, version, tree.dept_a)
    d = act(officers.receiver, d, "assign", agency=tree.unit_a.code, assignee=officers.processor.pk)
    d = act(officers.processor, d, "accept")
    with pytest.raises(DossierInputError) as error:
        act(officers.processor, d, "transfer_agency", agency=tree.dept_b.code)
    refused(error, "agency")
    # Any agency in operation may still be asked for an opinion (NĐ 61/2018 art. 19).
    d = act(
        officers.processor, d, "consult", agencies=[tree.dept_b.code], deadline_days=2, note="Q"
    )
    assert d.state == "consulting"
    assert not targets.is_competent(version.procedure, tree.dept_b)
    assert targets.is_competent(version.procedure, tree.unit_a)
