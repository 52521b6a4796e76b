"""Issue 16, in a real browser: the provincial service centre's counter lists the departments'
procedures and receives a dossier for one (NĐ 118/2025: receipt regardless of administrative
boundary), choosing the deciding authority when the procedure has several; a department's
processor reads the whole public catalogue. Desktop and a 390 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from caicach.agencies.models import AgencyKind, AgencyLevel
from caicach.agencies.tests.factories import AgencyFactory
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from caicach.dossiers.tests.factories import CITIZEN_ID, procedure_version
from caicach.procedures.services import search_text
from tests.browser.conftest import login
from tests.browser.shots import shoot

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _named(version, name):
    procedure = version.procedure
    procedure.name = name
    procedure.search_text = search_text(procedure.code, name, procedure.field.name)
    procedure.save()
    return version


@pytest.fixture
def centre(tree, make_officer):  # noqa: F811
    centre = AgencyFactory(
        code="000.00.30.H97",
        name="Trung tâm Phục vụ hành chính công tỉnh Thử",
        kind=AgencyKind.SERVICE_CENTRE,
        level=AgencyLevel.PROVINCE,
        parent=tree.province,
        valid_from=tree.province.valid_from,
    )
    make_officer("receiver", centre, username="tiepnhan", full_name="Phạm Thị Một Cửa")
    make_officer("processor", tree.unit_a, username="thuly", full_name="Hoàng Văn Thụ Lý")
    other = AgencyFactory(
        code="000.00.62.H97",
        name="Xã Hòa Bình",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=tree.province,
        valid_from=tree.province.valid_from,
    )
    department = _named(
        procedure_version(tree.dept_a, name="Cấp phiếu lý lịch tư pháp"),
        "Cấp phiếu lý lịch tư pháp",
    )
    commune = _named(procedure_version(tree.commune, name="Đăng ký khai sinh"), "Đăng ký khai sinh")
    commune.procedure.handling_agencies.add(other)
    _named(procedure_version(tree.dept_b, name="Cấp giấy phép xây dựng"), "Cấp giấy phép xây dựng")
    return department, commune, other


@pytest.mark.parametrize("width", [1280, 390])
def test_the_centre_receives_for_a_department(page: Page, live_server, centre, password, width):
    department, commune, other = centre
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "tiepnhan", password)
    page.goto(f"{live_server.url}/ho-so/tiep-nhan/")
    picker = page.get_by_label("Thủ tục hành chính")
    expect(picker.locator("option")).to_have_count(4)  # the placeholder and three procedures
    picker.select_option(department.procedure.code)
    checklist = page.locator("#checklist")
    expect(checklist).to_contain_text("Tờ khai")
    expect(page.get_by_label("Cơ quan giải quyết hồ sơ")).to_have_count(0)  # only one decides
    page.get_by_label("Họ tên người nộp / tên tổ chức").fill("Nguyễn Văn An")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill(CITIZEN_ID)
    page.get_by_label("Điện thoại").fill("0912345678")
    checklist.get_by_label("Tờ khai").set_input_files(
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    shoot(page, f"centre_intake_form_{width}")
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    dossier = Dossier.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(dossier.code)
    assert dossier.deciding_agency.name == "Sở Tư pháp"
    shoot(page, f"centre_received_{width}")

    # A procedure every commune decides: the counter chooses which one.
    page.goto(f"{live_server.url}/ho-so/tiep-nhan/")
    page.get_by_label("Thủ tục hành chính").select_option(commune.procedure.code)
    deciding = page.get_by_label("Cơ quan giải quyết hồ sơ")
    expect(deciding).to_be_visible()
    deciding.select_option(label="Xã Hòa Bình")
    page.get_by_label("Họ tên người nộp / tên tổ chức").fill("Trần Thị Bình")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill(CITIZEN_ID)
    page.locator("#checklist").get_by_label("Tờ khai").set_input_files(
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    shoot(page, f"centre_intake_deciding_{width}")
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("000.00.30.H97")
    assert Dossier.objects.filter(deciding_agency=other).count() == 1


@pytest.mark.parametrize("width", [1280, 390])
def test_a_processor_reads_the_whole_catalogue(page: Page, live_server, centre, password, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "thuly", password)
    page.goto(f"{live_server.url}/thu-tuc/")
    table = page.locator("tbody")
    expect(table).to_contain_text("Cấp giấy phép xây dựng")
    expect(table).to_contain_text("Đăng ký khai sinh")
    expect(page.get_by_text("Chưa có thủ tục nào trong phạm vi")).to_have_count(0)
    shoot(page, f"catalogue_processor_{width}")
    page.get_by_role("link", name="Cấp giấy phép xây dựng").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cấp giấy phép xây dựng")
    expect(page.get_by_role("link", name="Công bố phiên bản mới")).to_have_count(0)
