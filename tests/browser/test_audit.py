"""The audit trail page in a real browser (issue 16): rows in words, filtered by action, on a
desktop and on a 390 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from caicach.core.audit import Actor
from caicach.dossiers import services
from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from caicach.dossiers.tests.factories import procedure_version, receive
from tests.browser.conftest import SHOTS, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_trail_in_words(page: Page, live_server, tree, make_officer, password, width):  # noqa: F811
    receiver = make_officer("receiver", tree.dept_a, username="motcua")
    processor = make_officer("processor", tree.dept_a, username="chuyenvien")
    make_officer("admin", tree.province, username="qtv")
    version = procedure_version(tree.dept_a, name="Cấp bản sao trích lục hộ tịch")
    dossier = receive(receiver, version, tree.dept_a)
    services.perform_action(
        Actor(user=receiver), dossier.code, "assign", expected_version=1, assignee=processor.pk
    )
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "qtv", password)
    page.goto(f"{live_server.url}/nhat-ky/")
    page.get_by_label("Hành động").select_option(label="Phân công")
    page.get_by_role("button", name="Lọc").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Phân công")
    expect(rows.first).to_contain_text("trạng thái: Đã tiếp nhận → Đã phân công")
    expect(page.locator("body")).not_to_contain_text("dossier.assign")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"audit-{width}.png"), full_page=True)
