"""Issue 16, in a real browser: the desk asks for a supplement per document with a reason each,
then attaches the supplied file when it arrives; the page explains the recounted dates and
offers the supplement request (02) and the new receipt (01). Desktop and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from caicach.dossiers.tests.factories import procedure_version, receive
from tests.browser.conftest import login
from tests.browser.shots import shoot

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize("width", [1280, 390])
def test_supplement_per_document(page: Page, live_server, tree, make_officer, password, width):  # noqa: F811
    receiver = make_officer("receiver", tree.dept_a, username="motcua")
    version = procedure_version(tree.dept_a, name="Cấp bản sao trích lục hộ tịch")
    version.components.create(
        order=2, name="Giấy khai sinh", copy_kind="copy", quantity=1, required=False
    )
    dossier = receive(receiver, version, tree.dept_a)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    page.locator("summary", has_text="Yêu cầu bổ sung").click()
    box = page.locator("details[open]")
    box.get_by_role("checkbox", name="Tờ khai").check()
    box.get_by_label("Lý do bổ sung “Tờ khai”").fill("Thiếu chữ ký người khai")
    box.get_by_role("checkbox", name="Giấy khai sinh").check()
    box.get_by_label("Lý do bổ sung “Giấy khai sinh”").fill("Bản chụp mờ")
    shoot(page, f"supplement_request_{width}")
    box.get_by_role("button", name="Xác nhận: Yêu cầu bổ sung").click()
    expect(page.locator("#forms")).to_contain_text("Mẫu 02")
    expect(page.locator("#timeline")).to_contain_text("Tờ khai: Thiếu chữ ký người khai")

    page.locator("summary", has_text="Nhận hồ sơ bổ sung").click()
    box = page.locator("details[open]")
    box.get_by_label("Tờ khai *").set_input_files(
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    box.get_by_label("Mã giấy tờ “Giấy khai sinh” trong kho dữ liệu số hóa").fill("KHO-0002")
    shoot(page, f"supplement_received_form_{width}")
    box.get_by_role("button", name="Xác nhận: Nhận hồ sơ bổ sung").click()
    expect(page.get_by_role("status").filter(has_text="Đã thực hiện")).to_be_visible()
    expect(page.locator("#due-notes")).to_contain_text(
        "Ngày hẹn trả đã tính lại sau khi bổ sung hồ sơ"
    )
    assert Dossier.objects.get().components.count() == 3
    page.locator("#clock-h").scroll_into_view_if_needed()
    shoot(page, f"supplement_done_{width}")
