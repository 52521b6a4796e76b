"""The public transparency page and the open-data API (issue 14): aggregates equal to
``metrics.compute``, no personal data, served from the cache with no query, 304 on a matching
ETag, open without signing in, 429/503 with Retry-After, a bad period a 400 in Vietnamese.

Hand-made July 2025 (official calendar, procedures promise 3 working days), as in
``test_kpi_api``: dept_a receives A1 (counter, refused early), A2 (online, refused early), A3
(counter, still open); the commune C1 (online, refused early); dept_b B1 (online, refused early).
Province: received 5, 3 online (60%), finished 4, all on time.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.cache import caches
from django.db import OperationalError
from django.test import Client

from caicach.calendars.services import calendar_for
from caicach.dossiers.tests.factories import (
    CITIZEN_ID,
    PERSON,
    PHONE,
    act,
    procedure_version,
    receive,
    vn,
)
from caicach.metrics import compute, index766_reads
from caicach.metrics.figures import Figure
from caicach.metrics.periods import Period, parse_period
from caicach.metrics.public import cache, service
from caicach.metrics.public.service import RATES, TREND, default_period
from caicach.metrics.rollup import rebuild, snapshot

pytestmark = pytest.mark.django_db

PAGE = "/cong-khai/"
API = "/api/v1/open-data/kpis/"
JULY = parse_period("2025-07")


@pytest.fixture(autouse=True)
def _fresh_public_cache() -> Any:
    caches["public"].clear()
    yield
    caches["public"].clear()


def _finish(user: Any, version: Any, agency: Any, day: int, channel: str) -> Any:
    with time_machine.travel(vn(2025, 7, day, 9), tick=False) as t:
        d = receive(user, version, agency, channel=channel)
        t.move_to(vn(2025, 7, day, 15))
        return act(user, d, "refuse", reason="Không đủ điều kiện.")


@pytest.fixture
def july(tree: Any, officers: Any, version: Any, make_officer: Any) -> dict[str, Any]:
    o = officers
    a1 = _finish(o.receiver, version, tree.dept_a, 1, "counter")
    a2 = _finish(o.receiver, version, tree.dept_a, 2, "online")
    with time_machine.travel(vn(2025, 7, 10, 9), tick=False):
        a3 = receive(o.receiver, version, tree.dept_a)
    calendar_for(tree.commune)
    commune_version = procedure_version(tree.commune)
    clerk_c = make_officer("receiver", tree.commune, username="motcua_xa")
    c1 = _finish(clerk_c, commune_version, tree.commune, 3, "online")
    calendar_for(tree.dept_b)
    b_version = procedure_version(tree.dept_b)
    clerk_b = make_officer("receiver", tree.dept_b, username="motcua_b")
    b1 = _finish(clerk_b, b_version, tree.dept_b, 4, "online")
    rebuild()
    snapshot(JULY.last)
    caches["public"].clear()
    return {"a1": a1, "a2": a2, "a3": a3, "c1": c1, "b1": b1, "officers": o}


def _api(client: Client, **params: str) -> Any:
    return client.get(API, params)


# -- the figures ------------------------------------------------------------------------------


def test_every_published_figure_equals_metrics_compute(tree, july):
    body = _api(Client(), period="2025-07").json()
    assert body["period"] == "2025-07" and body["formula_version"]
    assert body["licence"]["name"] == "CC BY 4.0"
    by_code = {a["code"]: a for a in body["agencies"]}
    # The province and the agencies directly under it; not the unit inside dept_a.
    assert set(by_code) == {a.code for a in (tree.province, tree.dept_a, tree.dept_b, tree.commune)}
    assert next(a["code"] for a in body["agencies"]) == tree.province.code
    for agency in (tree.province, tree.dept_a, tree.dept_b, tree.commune):
        row = by_code[agency.code]
        for code in RATES:
            fig = compute.kpi(code, agency, JULY)
            assert isinstance(fig, Figure)
            got = row["kpis"][code]
            assert Decimal(got["numerator"]) == Decimal(fig.numerator), (agency, code)
            assert Decimal(got["denominator"]) == Decimal(fig.denominator), (agency, code)
            assert got["value"] == (None if fig.value is None else str(fig.rounded())), code
        on_time = compute.kpi("on_time_766", agency, JULY)
        received = compute.kpi("online_share", agency, JULY)
        assert int(row["counts"]["received"]) == received.denominator
        assert int(row["counts"]["finished"]) == on_time.denominator
        assert int(row["counts"]["on_time"]) == on_time.numerator
        assert int(row["counts"]["late"]) == on_time.denominator - on_time.numerator
        expected = index766_reads.index_for(agency, JULY).as_dict()
        assert row["index766"]["total"] == expected["total"]
        assert row["index766"]["total_scaled"] == expected["total_scaled"]
        assert [g["points"] for g in row["index766"]["groups"]] == [
            g["points"] for g in expected["groups"]
        ]
    province = by_code[tree.province.code]
    assert province["counts"] == {"received": "5", "finished": "4", "on_time": "4", "late": "0"}
    assert province["kpis"]["online_share"]["value"] == "60.00"
    assert by_code[tree.dept_a.code]["counts"]["received"] == "3"


def test_the_trend_is_each_months_compute(tree, july):
    body = _api(Client(), period="2025-07", agency=tree.dept_a.code).json()
    months = [m["period"] for m in body["trend"]]
    assert months[0] == "2024-08" and months[-1] == "2025-07" and len(months) == 12
    july_row = body["trend"][-1]["kpis"]
    for code in TREND:
        fig = compute.kpi(code, tree.dept_a, JULY)
        assert july_row[code]["value"] == (None if fig.value is None else str(fig.rounded()))
    june = compute.kpi("on_time_766", tree.dept_a, parse_period("2025-06"))
    assert june.value is None and body["trend"][-2]["kpis"]["on_time_766"]["value"] is None


def test_the_page_shows_the_same_numbers(tree, july):
    r = Client().get(PAGE, {"period": "2025-07"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "UBND tỉnh Thử" in html and "Sở Tư pháp" in html and "Xã Tân Phú" in html
    assert "60,00" in html  # the province's online share, Vietnamese decimal comma
    assert f"/cong-khai/co-quan/{tree.dept_a.code}/" in html
    assert "<svg" in html and "2024-08" in html  # the trend chart and its table
    agency_page = Client().get(f"/cong-khai/co-quan/{tree.dept_a.code}/", {"period": "2025-07"})
    assert agency_page.status_code == 200
    assert "Sở Tư pháp" in agency_page.content.decode()


def test_default_period_is_the_last_complete_month():
    assert default_period(date(2026, 1, 15)) == Period.month(2025, 12)
    assert default_period(date(2026, 10, 1)) == Period.month(2026, 9)


# -- no personal data -------------------------------------------------------------------------


def test_no_personal_data_in_the_page_the_json_or_the_csv(tree, july):
    c = Client()
    answers = [
        c.get(PAGE, {"period": "2025-07"}).content,
        c.get(f"/cong-khai/co-quan/{tree.dept_a.code}/", {"period": "2025-07"}).content,
        c.get(PAGE, {"period": "2025-07", "tai": "csv"}).content,
        _api(c, period="2025-07").content,
        _api(c, period="2025-07", format="csv").content,
        _api(c, period="2025-07", agency=tree.dept_a.code).content,
    ]
    secrets = [PERSON["full_name"], PHONE, CITIZEN_ID, PERSON["address"], "motcua", "chuyenvien"]
    secrets += [d.code for key, d in july.items() if key != "officers"]
    secrets += [u.get_full_name() or u.username for u in (july["officers"].receiver,)]
    for body in answers:
        text = body.decode("utf-8")
        for secret in secrets:
            assert secret not in text, secret


# -- the cache ----------------------------------------------------------------------------------


def test_a_warm_page_and_api_read_no_database(tree, july, django_assert_num_queries):
    c = Client()
    first = c.get(PAGE, {"period": "2025-07"})
    api_first = _api(c, period="2025-07")
    csv_first = _api(c, period="2025-07", format="csv")
    with django_assert_num_queries(0):
        again = c.get(PAGE, {"period": "2025-07"})
        api_again = _api(c, period="2025-07")
        csv_again = _api(c, period="2025-07", format="csv")
        sorted_page = c.get(PAGE, {"period": "2025-07", "sort": "-on_time_766", "q": "so tu"})
    assert again.content == first.content and api_again.content == api_first.content
    assert csv_again.content == csv_first.content
    assert sorted_page.status_code == 200
    assert again["Cache-Control"].startswith("public, max-age=")
    assert again["ETag"] and api_again["ETag"]


def test_if_none_match_answers_304(tree, july, django_assert_num_queries):
    c = Client()
    first = c.get(PAGE, {"period": "2025-07"})
    api_first = _api(c, period="2025-07")
    with django_assert_num_queries(0):
        page = c.get(PAGE, {"period": "2025-07"}, HTTP_IF_NONE_MATCH=first["ETag"])
        api = c.get(API, {"period": "2025-07"}, HTTP_IF_NONE_MATCH=f"W/{api_first['ETag']}")
    assert page.status_code == 304 and page["ETag"] == first["ETag"] and not page.content
    assert api.status_code == 304
    other = c.get(PAGE, {"period": "2025-07"}, HTTP_IF_NONE_MATCH='"stale"')
    assert other.status_code == 200


def test_a_rebuild_makes_the_cached_answers_stale(tree, july, django_capture_on_commit_callbacks):
    c = Client()
    before = _api(c, period="2025-07").json()
    old = cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        rebuild()
    assert cache.generation() != old
    after = _api(c, period="2025-07").json()
    assert after["computed_at"] >= before["computed_at"]


def test_a_cache_that_cannot_be_written_costs_speed_not_the_answer(tree, july, monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("read-only file system")

    monkeypatch.setattr(caches["public"], "set", refuse)
    monkeypatch.setattr(caches["public"], "add", refuse)
    assert Client().get(PAGE, {"period": "2025-07"}).status_code == 200
    assert _api(Client(), period="2025-07").status_code == 200


def test_the_cache_lifetime_depends_on_whether_the_period_is_over(settings):
    settings.PUBLIC_CACHE_SECONDS, settings.PUBLIC_CACHE_CLOSED_SECONDS = 11, 22
    assert cache.seconds(JULY) == 22
    assert cache.seconds(parse_period("2100")) == 11


# -- open to everyone, and safe -------------------------------------------------------------


def test_anonymous_and_signed_in_visitors_get_the_page(tree, july, client):
    assert Client().get(PAGE, {"period": "2025-07"}).status_code == 200
    client.force_login(july["officers"].receiver)
    signed_in = client.get(PAGE, {"period": "2025-07"})
    assert signed_in.status_code == 200
    assert "motcua_a" not in signed_in.content.decode()


def test_a_bad_period_is_a_400_in_vietnamese(tree):
    r = Client().get(PAGE, {"period": "2025-13"})
    assert r.status_code == 400 and "Tháng không hợp lệ" in r.content.decode()
    api = _api(Client(), period="tháng bảy")
    assert api.status_code == 400
    body = api.json()
    assert body["code"] == "invalid_period" and body["detail_vi"].startswith("Kỳ báo cáo")
    assert body["detail"].startswith("Invalid period")


def test_an_unknown_agency_is_a_404(tree):
    assert Client().get("/cong-khai/co-quan/KHONG-CO/", {"period": "2025-07"}).status_code == 404
    r = _api(Client(), period="2025-07", agency="KHONG-CO")
    assert r.status_code == 404 and r.json()["code"] == "unknown_agency"


def test_too_many_uncached_requests_are_429_with_retry_after(tree, settings):
    settings.PUBLIC_COMPUTE_LIMIT = 2
    c = Client()
    assert c.get(PAGE, {"period": "2025-01"}).status_code == 200
    assert _api(c, period="2025-02").status_code == 200
    page = c.get(PAGE, {"period": "2025-03"})
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    api = _api(c, period="2025-04")
    assert api.status_code == 429 and api.json()["code"] == "too_many_requests"
    assert int(api["Retry-After"]) > 0
    # What is cached is still served.
    assert c.get(PAGE, {"period": "2025-01"}).status_code == 200


def test_a_database_failure_is_a_503_with_retry_after_never_a_500(tree, monkeypatch):
    def broken(period: Period) -> Any:
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(service, "overview_document", broken)
    monkeypatch.setattr("caicach.metrics.public.views.overview_document", broken)
    monkeypatch.setattr("caicach.metrics.api.open_data.overview_document", broken)
    page = Client().get(PAGE, {"period": "2025-07"})
    assert page.status_code == 503 and int(page["Retry-After"]) > 0
    api = _api(Client(), period="2025-07")
    assert api.status_code == 503 and api.json()["code"] == "busy"


def test_no_free_slot_is_a_503(tree, monkeypatch):
    slots = cache._semaphore()
    taken = [slots.acquire(blocking=False) for _ in range(10)]
    try:
        r = Client().get(PAGE, {"period": "2025-07"})
        assert r.status_code == 503 and r["Retry-After"]
    finally:
        for ok in taken:
            if ok:
                slots.release()


# -- sorting and search -----------------------------------------------------------------------


def test_search_ignores_diacritics_and_sorting_is_done_on_the_server(tree, july):
    c = Client()
    found = c.get(PAGE, {"period": "2025-07", "q": "tan phu"}).content.decode()
    table = found[found.index('id="bang"') :]
    assert "Xã Tân Phú" in table and "Sở Xây dựng" not in table
    by_received = c.get(PAGE, {"period": "2025-07", "sort": "-received"}).content.decode()
    table = by_received[by_received.index("<tbody>", by_received.index('id="bang"')) :]
    assert table.index("Sở Tư pháp") < table.index("Sở Xây dựng")  # 3 received before 1
    communes = c.get(PAGE, {"period": "2025-07", "cap": "xa"}).content.decode()
    table = communes[communes.index('id="bang"') :]
    assert "Xã Tân Phú" in table and "Sở Tư pháp" not in table


def test_the_table_downloads_as_csv_and_xlsx(tree, july):
    c = Client()
    csv_body = c.get(PAGE, {"period": "2025-07", "tai": "csv"})
    assert csv_body.status_code == 200 and csv_body["Content-Type"].startswith("text/csv")
    assert "Sở Tư pháp" in csv_body.content.decode("utf-8-sig")
    xlsx = c.get(PAGE, {"period": "2025-07", "tai": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_api_speaks_csv_by_parameter_or_accept(tree, july):
    by_param = _api(Client(), period="2025-07", format="csv")
    by_accept = Client().get(API, {"period": "2025-07"}, HTTP_ACCEPT="text/csv")
    for r in (by_param, by_accept):
        assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
        lines = r.content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("period,agency_code,agency_name,level,indicator")
        assert any(",on_time_766," in line for line in lines)
        assert any(",index766.total," in line for line in lines)
    body = json.loads(_api(Client(), period="2025-07").content)
    assert body["agencies"][0]["kpis"]["on_time_766"]["denominator"] == "4"
