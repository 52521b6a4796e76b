"""The public transparency page in a real browser (issue 14): no sign-in, the province's figures,
the trend chart with its table, the agencies' table sorted and searched on the server, an
agency's own page; on a desktop and on a 390 px phone."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection
from playwright.sync_api import Page, expect

from caicach.agencies.models import AgencyKind, AgencyLevel
from caicach.agencies.tests.factories import AgencyFactory
from caicach.dossiers.tests.conftest import (  # noqa: F401 - agencies in operation since 2020
    _fresh_calendar_lookup,
    _media_in_tmp,
    tree,
)
from tests.browser.conftest import SHOTS

pytestmark = pytest.mark.django_db(transaction=True)

COMMUNES = ["Xã Đắk Hà", "Phường Hải Châu", "Xã Tân Lập", "Phường Bến Thành", "Xã Ea Kar"]


def _figures(tree) -> None:  # noqa: F811
    """Twelve months of rollups (as a rebuild leaves them) for every agency under the province."""
    since = date(2020, 1, 1)
    AgencyFactory(code="000.00.03.H97", name="Sở Tài nguyên và Môi trường",
                  parent=tree.province, valid_from=since)  # fmt: skip
    for i, name in enumerate(COMMUNES):
        AgencyFactory(code=f"000.00.{70 + i}.H97", name=name, kind=AgencyKind.COMMUNE,
                      level=AgencyLevel.COMMUNE, parent=tree.province, valid_from=since)  # fmt: skip
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO metrics_dailyrollup (day, agency_id, procedure_id, version_id, channel,
                received, received_online, finished, finished_online, finished_early,
                finished_on_time, finished_legal_on_time, processing_days, supplement_requests,
                apologised, apologies, reused, digitised, received_full_online,
                received_full_online_eligible, electronic_result, fee_bearing, paid_online, rated,
                rated_satisfied, transfers, transfers_electronic)
            SELECT (DATE '2024-08-01' + (m || ' month')::interval)::date + (d % 28), a.id, 1, 1, 'counter',
                   10 + a.id % 7, 4 + (a.id + m) % 6, 10 + a.id % 5, 3, 2,
                   8 + (a.id + m + d) % 3, 9, 20, 1, 0, 0, 4, 5 + m % 4, 2, 6, 3, 5, 2 + m % 3,
                   4, 3 + (d % 2), 0, 0
            FROM agencies_agency a, generate_series(0, 11) m, generate_series(0, 3) d
            WHERE a.kind <> 'unit' AND a.parent_id IS NOT NULL
            ON CONFLICT DO NOTHING
            """
        )
    caches["public"].clear()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_public_page_without_signing_in(page: Page, live_server, tree, width):  # noqa: F811
    _figures(tree)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/cong-khai/?period=2025-07")
    expect(page.locator("h1")).to_contain_text("kết quả giải quyết thủ tục hành chính kỳ 2025-07")
    expect(page.locator("#tinh")).to_be_visible()
    expect(page.locator("figure svg")).to_be_visible()
    table = page.locator("table.public-table tbody tr")
    expect(table).to_have_count(3 + 1 + len(COMMUNES))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"public-{width}.png"), full_page=True)
    # Sort by the on-time rate (largest first), on the server.
    page.locator("table.public-table thead").get_by_role("link", name="Tỷ lệ đúng hạn").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Tỷ lệ đúng hạn")
    # Search without diacritics.
    page.get_by_label("Tìm cơ quan").fill("hai chau")
    page.get_by_role("button", name="Lọc").click()
    expect(table).to_have_count(1)
    expect(table.first).to_contain_text("Phường Hải Châu")
    table.first.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("Phường Hải Châu")
    expect(page.locator("figure svg")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"public-agency-{width}.png"), full_page=True)
    # English through the language links.
    page.get_by_role("link", name="EN").click()
    expect(page.locator("h1")).to_contain_text("2025-07")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h2").first).to_contain_text("Figures of the period")
    page.screenshot(path=str(SHOTS / f"public-agency-en-{width}.png"), full_page=True)
