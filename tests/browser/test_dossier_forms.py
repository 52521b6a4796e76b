"""Issue 16, in a real browser: the dossier page offers the forms that apply (01 and 06 for a
new dossier, 02 once a supplement was asked for), each opens as a PDF and can be printed again;
a form that does not apply, typed as a page URL, is a Vietnamese page. Desktop and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from caicach.dossiers.tests.factories import procedure_version, receive
from tests.browser.conftest import login
from tests.browser.shots import shoot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dossier(tree, make_officer):  # noqa: F811
    receiver = make_officer("receiver", tree.dept_a, username="motcua", full_name="Phạm Một Cửa")
    version = procedure_version(tree.dept_a, name="Cấp bản sao trích lục hộ tịch")
    return receive(receiver, version, tree.dept_a)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_page_offers_the_forms_that_apply(page: Page, live_server, dossier, password, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    forms = page.locator("#forms")
    expect(forms.get_by_role("link")).to_have_count(2)
    receipt = forms.get_by_role("link", name="Mẫu 01 · Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    expect(forms.get_by_role("link", name="Mẫu 06 · Phiếu kiểm soát quá trình giải quyết hồ sơ"))
    forms.scroll_into_view_if_needed()
    shoot(page, f"dossier_forms_{width}")
    href = receipt.get_attribute("href")
    assert href == f"/ho-so/{dossier.code}/bieu-mau/receipt.pdf"
    for _ in range(2):  # print, then reprint
        response = page.request.get(f"{live_server.url}{href}")
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"

    # The supplement request (02) appears once asked for.
    page.locator("summary", has_text="Yêu cầu bổ sung").click()
    box = page.locator("details[open]")
    box.get_by_role("checkbox", name="Tờ khai").check()
    box.get_by_label("Lý do bổ sung “Tờ khai”").fill("Thiếu chữ ký")
    box.get_by_role("button", name="Xác nhận: Yêu cầu bổ sung").click()
    expect(page.locator("#forms")).to_contain_text(
        "Mẫu 02 · Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
    )

    # A form that does not apply, typed by hand: a Vietnamese page, not JSON.
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/bieu-mau/refusal.pdf")
    expect(page.get_by_role("heading", level=1)).to_have_text("Không in được biểu mẫu")
    expect(page.get_by_role("alert")).to_contain_text("Hồ sơ không bị từ chối")
    expect(page.get_by_role("link", name="Mẫu 02 · Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"))
    shoot(page, f"dossier_form_unavailable_{width}")
