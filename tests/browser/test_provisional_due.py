"""Issue 16, in a real browser: a due date past the official calendar (shipped data: 2024-2026)
carries a "tạm tính" badge with its reason, on the dossier page and in the inbox. Desktop and
390 px. Twenty working days from any day from December 2026 on end after 2026."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
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
def test_provisional_due_is_marked(page: Page, live_server, tree, make_officer, password, width):  # noqa: F811
    receiver = make_officer("receiver", tree.dept_a, username="motcua")
    version = procedure_version(
        tree.dept_a,
        name="Cấp giấy phép hoạt động",
        statutory_value=Decimal(20),
        promised_value=Decimal(20),
    )
    dossier = receive(receiver, version, tree.dept_a)
    assert dossier.due_provisional
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "motcua", password)
    page.goto(f"{live_server.url}/ho-so/{dossier.code}/")
    badges = page.locator("#due-dates .badge.provisional")
    expect(badges).to_have_count(2)
    year = timezone.localtime(dossier.legal_due_at).year
    expect(badges.first).to_have_attribute(
        "title", f"Lịch nghỉ năm {year} chưa được công bố chính thức"
    )
    reason = page.locator("#provisional-reason")
    expect(reason).to_contain_text(f"lịch nghỉ năm {year} chưa được công bố chính thức")
    reason.scroll_into_view_if_needed()
    shoot(page, f"provisional_due_{width}")
