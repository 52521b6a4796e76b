"""Issue 16, in a real browser: an at-risk dossier says why (the remaining steps' budgets
exceed the working time left), with the steps. Desktop and 390 px."""

from __future__ import annotations

from decimal import Decimal

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


@pytest.mark.parametrize("width", [1280, 390])
def test_at_risk_is_explained(page: Page, live_server, tree, make_officer, password, width):  # noqa: F811
    receiver = make_officer("receiver", tree.dept_a, username="motcua")
    version = procedure_version(
        tree.dept_a,
        name="Cấp giấy phép hoạt động",
        statutory_value=Decimal(20),
        promised_value=Decimal(15),
    )
    version.steps.filter(order=2).update(budget=Decimal(16), name="Thẩm định hồ sơ")
    dossier = receive(receiver, version, tree.dept_a)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    expect(page.locator("#clock-h")).to_contain_text("Có nguy cơ trễ hạn")
    reason = page.locator("#risk-reason")
    expect(reason).to_contain_text("các bước còn lại của quy trình cần")
    expect(reason).to_contain_text("Thẩm định hồ sơ")
    reason.scroll_into_view_if_needed()
    shoot(page, f"risk_reason_{width}")
