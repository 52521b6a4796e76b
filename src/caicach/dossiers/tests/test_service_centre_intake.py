"""Issue 16: since 07/2025 a provincial service centre receives for every authority of the
province (NĐ 118/2025), and every officer reads the whole public catalogue, while receiving
and changing stay scoped (least privilege)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caicach.accounts.access import can, receipt_reach, scope_agency_ids
from caicach.agencies.models import AgencyKind, AgencyLevel
from caicach.agencies.tests.factories import AgencyFactory
from caicach.dossiers.intake_forms import receivable_procedures
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import CITIZEN_ID, PHONE, procedure_version
from caicach.procedures.models import Procedure

pytestmark = pytest.mark.django_db

URL = "/ho-so/tiep-nhan/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def centre(tree: Any) -> Any:
    return AgencyFactory(
        code="000.00.30.H97",
        name="Trung tâm Phục vụ hành chính công tỉnh Thử",
        kind=AgencyKind.SERVICE_CENTRE,
        level=AgencyLevel.PROVINCE,
        parent=tree.province,
        valid_from=tree.province.valid_from,
    )


@pytest.fixture
def centre_receiver(centre: Any, make_officer: Any) -> Any:
    return make_officer("receiver", centre, username="tiepnhan_tt")


def _post(version: Any, **extra: Any) -> dict[str, Any]:
    component = version.components.get()
    data = {
        "idempotency_key": "khoa-trung-tam-01",
        "procedure": version.procedure.code,
        "channel": "counter",
        "kind": "person",
        "full_name": "Nguyễn Văn An",
        "id_number": CITIZEN_ID,
        "phone": PHONE,
        f"tp-{component.pk}-tep": SimpleUploadedFile("to-khai.pdf", PDF, "application/pdf"),
    }
    data.update(extra)
    return data


def test_the_provincial_centre_reaches_every_authority_of_the_province(
    tree, centre, centre_receiver, officers
):
    dept_a = procedure_version(tree.dept_a)
    dept_b = procedure_version(tree.dept_b)
    subtrees, _singles = receipt_reach(centre_receiver)
    assert subtrees == [tree.province.path]
    codes = set(receivable_procedures(centre_receiver).values_list("code", flat=True))
    assert {dept_a.procedure.code, dept_b.procedure.code} <= codes
    # A department's own desk still receives only for its department.
    mine = set(receivable_procedures(officers.receiver_b).values_list("code", flat=True))
    assert dept_b.procedure.code in mine and dept_a.procedure.code not in mine
    # Reaching a procedure is not receiving at another desk.
    assert can(centre_receiver, "dossiers.receive", centre)
    assert not can(centre_receiver, "dossiers.receive", tree.dept_a)


def test_the_centre_receives_a_department_dossier_from_the_page(
    client, tree, centre, centre_receiver
):
    version = procedure_version(tree.dept_a, name="Cấp phiếu lý lịch tư pháp")
    client.force_login(centre_receiver)
    html = client.get(URL).content.decode()
    assert version.procedure.code in html
    response = client.post(URL, _post(version))
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert dossier.receiving_agency == centre
    assert dossier.deciding_agency == tree.dept_a


def test_a_procedure_of_several_authorities_asks_which_one_decides(
    client, tree, centre, centre_receiver
):
    other = AgencyFactory(
        code="000.00.62.H97",
        name="Xã Hòa Bình",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=tree.province,
        valid_from=tree.province.valid_from,
    )
    version = procedure_version(tree.commune)
    version.procedure.handling_agencies.add(other)
    client.force_login(centre_receiver)
    html = client.get(URL, {"procedure": version.procedure.code}).content.decode()
    assert "Cơ quan giải quyết hồ sơ" in html and "Xã Hòa Bình" in html
    response = client.post(URL, _post(version))
    assert response.status_code == 400
    assert "Chưa chọn cơ quan giải quyết." in response.content.decode()
    assert not Dossier.objects.exists()
    response = client.post(URL, _post(version, deciding_agency=str(other.pk)))
    assert response.status_code == 302
    assert Dossier.objects.get().deciding_agency == other


def test_every_officer_reads_the_whole_catalogue_but_changes_only_their_own(
    client, tree, officers, make_officer
):
    theirs = procedure_version(tree.dept_b)
    mine = procedure_version(tree.dept_a)
    processor = officers.processor  # department A
    assert set(Procedure.objects.visible_to(processor)) == {theirs.procedure, mine.procedure}
    assert scope_agency_ids(processor, "procedures.view") is None
    client.force_login(processor)
    html = client.get("/thu-tuc/").content.decode()
    assert theirs.procedure.code in html
    assert "Chưa có thủ tục nào trong phạm vi" not in html
    detail = client.get(f"/thu-tuc/{theirs.procedure.code}/")
    assert detail.status_code == 200
    # Reading is not changing, nor receiving.
    assert client.get(f"/thu-tuc/{theirs.procedure.code}/phien-ban-moi/").status_code == 403
    assert theirs.procedure not in receivable_procedures(officers.receiver)
    # Citizens and anonymous users get nothing from the officers' scope.
    assert not Procedure.objects.visible_to(None).exists()
