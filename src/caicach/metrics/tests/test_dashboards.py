# ruff: noqa: F811  (pytest fixtures imported from test_kpis are parameters here)
"""The dashboards (issue 14): every number on the agency page equals what ``caicach kpi --json``
prints (``metrics.report.report``), the pages' query counts, scope, bad input, downloads, the
what-if, the leader's home block and the targets hook. The month is ``test_kpis``' hand-worked
July (department A: 2 finished, 1 on time by Decision 766, 4 received, 1 online)."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest

from caicach.agencies.tests.factories import AgencyFactory
from caicach.core import registry
from caicach.metrics import index766
from caicach.metrics.periods import parse_period
from caicach.metrics.report import report
from caicach.metrics.tests.test_kpis import july  # noqa: F401  (the hand-worked month)

pytestmark = pytest.mark.django_db

JULY = parse_period("2025-07")


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _row(page: str, attr: str, key: str) -> str:
    m = re.search(rf'<tr[^>]*{attr}="{re.escape(key)}"[^>]*>(.*?)</tr>', page, re.S)
    assert m, f"{attr}={key}"
    return m.group(1)


def _cell(row: str, cls: str) -> str:
    m = re.search(rf'<td class="num {cls}"[^>]*>(.*?)</td>', row, re.S)
    assert m, cls
    return _text(m.group(1))


def _vi(number: str | None) -> str:
    """How the Vietnamese page writes a decimal string of the report (comma decimals)."""
    return "—" if number is None else number.replace(".", ",")


def _rounded(value: str | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


@pytest.fixture
def leader_client(client: Any, officers: Any) -> Any:
    client.force_login(officers.leader)
    return client


def test_every_number_on_the_agency_page_is_the_kpi_commands(tree, july, leader_client):
    doc = report(tree.dept_a, JULY)
    page = leader_client.get(f"/chi-so/co-quan/{tree.dept_a.code}/?period=2025-07")
    assert page.status_code == 200
    html = page.content.decode()
    assert doc["kpis"], "the registry is empty"
    for row in doc["kpis"]:
        tr = _row(html, "data-kpi", row["code"])
        shown = _cell(tr, "value").rstrip("%")
        assert shown == _vi(_rounded(row["value"])), row["code"]
        parts = _text(re.search(r'<td class="num"><a class="numerator".*?</td>', tr, re.S).group(0))
        assert parts == f"{_vi(row['numerator'])} / {_vi(row['denominator'])}", row["code"]
        if row["value"] is None:
            assert row["reason_vi"] in _text(tr), row["code"]
    idx = doc["decision_766"]
    total = _text(re.search(r'<p id="index-total">(.*?)</p>', html, re.S).group(1))
    assert f"{_vi(idx['total'])} / {_vi(idx['max'])}" in total
    if idx["total_scaled"] is not None:
        assert _vi(idx["total_scaled"]) in total
    for group in idx["groups"]:
        tr = _row(html, "data-group", str(group["number"]))
        assert f"{_vi(group['points'])} / {_vi(group['max'])}" in _text(tr)
        for sub in group["subs"]:
            tr = _row(html, "data-sub", sub["id"])
            r = _cell(tr, "r").rstrip("%")
            assert r == _vi(sub["r"]), sub["id"]
            assert _cell(tr, "points") == f"{_vi(sub['points'])} / {_vi(sub['pmax'])}", sub["id"]
    # the hand-worked figures themselves (test_kpis): on time 1/2, online 1/4
    assert _cell(_row(html, "data-kpi", "on_time_766"), "value") == "50,00%"
    assert _cell(_row(html, "data-kpi", "online_share"), "value") == "25,00%"


def test_the_numbers_link_to_the_dossiers_they_count(tree, july, leader_client):
    base = f"/chi-so/co-quan/{tree.dept_a.code}/ho-so"
    page = leader_client.get(f"{base}/online_share/?period=2025-07&part=denominator")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<p id="behind-count"><strong>4</strong>' in html
    for d in july.values():
        assert f'href="/ho-so/{d.code}/"' in html
    late = leader_client.get(f"{base}/on_time_766/?period=2025-07&part=late").content.decode()
    assert july["d2"].code in late and july["d1"].code not in late
    assert leader_client.get(f"{base}/nope/?period=2025-07").status_code == 404
    csv = leader_client.get(f"{base}/online_share/?period=2025-07&part=denominator&tai=csv")
    assert csv["Content-Type"].startswith("text/csv") and july["d3"].code in csv.content.decode()


def test_query_counts_do_not_grow_with_the_agencies(
    tree,
    july,
    leader_client,
    officers,
    make_officer,
    client,
    django_assert_max_num_queries,
):
    url = f"/chi-so/co-quan/{tree.dept_a.code}/?period=2025-07"
    with django_assert_max_num_queries(32):
        assert leader_client.get(url).status_code == 200
    office = make_officer("reform_officer", tree.province, username="cchc")
    client.force_login(office)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/chi-so/?period=2025-07").status_code == 200
    before = len(few.captured_queries)
    for i in range(6):
        AgencyFactory(code=f"000.00.{10 + i}.H97", name=f"Sở thêm {i}", parent=tree.province,
                      valid_from=tree.province.valid_from)  # fmt: skip
    with django_assert_max_num_queries(before) as more:
        assert client.get("/chi-so/?period=2025-07").status_code == 200
    assert len(more.captured_queries) == before


def test_the_overview_shows_targets_lights_trends_and_who_pulls_down(
    tree, july, client, make_officer
):
    client.force_login(make_officer("reform_officer", tree.province, username="cchc"))
    html = client.get("/chi-so/?period=2025-07").content.decode()
    tr = _row(html, "data-code", "on_time_766")
    assert "50,00%" in _text(tr) and ">= 99" in _text(tr) and "✖ Chưa đạt" in _text(tr)
    assert tree.dept_a.name in _text(tr)  # the department pulling timeliness down
    assert "<svg" in html and "Số liệu 12 tháng" in html
    assert "07/25" in html  # the trend's last month
    tr = _row(html, "data-code", "766")
    assert "Chưa đặt mục tiêu" in _text(tr)
    csv = client.get("/chi-so/?period=2025-07&tai=csv&bang=chi-tieu")
    assert csv.status_code == 200 and "attachment" in csv["Content-Disposition"]
    xlsx = client.get("/chi-so/?period=2025-07&tai=xlsx&bang=keo-xuong")
    assert xlsx.content[:2] == b"PK"
    assert client.get("/chi-so/?period=2025-07&tai=csv&bang=nope").status_code == 400


def test_a_plan_target_replaces_the_default(tree, july, client, make_officer, monkeypatch):
    from datetime import date

    def plan(agency: Any, day: Any) -> list[dict[str, Any]]:
        return [
            {"kpi_code": "on_time_766", "comparison": ">=", "threshold": Decimal(45),
             "unit": "%", "due": date(2025, 12, 31), "status": "", "label_vi": "Đúng hạn (KH)",
             "label_en": "On time (plan)", "url": ""},
        ]  # fmt: skip

    monkeypatch.setattr(registry, "_targets_providers", [plan])
    client.force_login(make_officer("reform_officer", tree.province, username="cchc"))
    tr = _row(client.get("/chi-so/?period=2025-07").content.decode(), "data-code", "on_time_766")
    assert "Đúng hạn (KH)" in _text(tr) and "✔ Đạt" in _text(tr)


def test_bad_period_and_scope(tree, july, leader_client):
    page = leader_client.get(f"/chi-so/co-quan/{tree.dept_a.code}/?period=2025-13")
    assert page.status_code == 400 and "Tháng không hợp lệ" in page.content.decode()
    assert leader_client.get("/chi-so/?period=hôm-qua").status_code == 400
    assert leader_client.get(f"/chi-so/co-quan/{tree.dept_b.code}/").status_code == 404
    assert leader_client.get("/chi-so/co-quan/khong-co/").status_code == 404


def test_an_officer_without_reports_view_is_refused(tree, client, make_officer):
    client.force_login(make_officer("processor", tree.dept_a, username="cv"))
    assert client.get("/chi-so/").status_code == 403
    assert client.get(f"/chi-so/co-quan/{tree.dept_a.code}/").status_code == 403


def test_the_what_if(tree, july, leader_client):
    url = f"/chi-so/co-quan/{tree.dept_a.code}/gia-su/?period=2025-07&sub=2.1"
    html = leader_client.get(url + "&them=1").content.decode()
    expected = index766.what_if(1, 2, None, 20, 1)
    assert expected.gain == 10  # 1/2 → 2/2: R 50% → 100%, points 10 → 20 (linear, no T)
    assert "R từ 50,00% lên 100,00%" in _text(html) and "tăng 10,00 điểm" in _text(html)
    assert leader_client.get(url + "&them=-3").status_code == 400
    assert leader_client.get(url.replace("2.1", "1.1") + "&them=1").status_code == 400
    page = leader_client.get(f"/chi-so/co-quan/{tree.dept_a.code}/?period=2025-07")
    tr = _row(page.content.decode(), "data-sub", "2.1")
    assert "Cần thêm 1 hồ sơ để đạt đủ điểm." in _text(tr)


def test_every_table_downloads(tree, july, leader_client):
    base = f"/chi-so/co-quan/{tree.dept_a.code}/?period=2025-07"
    for name in ("kpi", "766", "xu-huong", "tre-theo-buoc", "tre-theo-don-vi", "don-vi"):
        for fmt in ("csv", "xlsx"):
            got = leader_client.get(f"{base}&tai={fmt}&bang={name}")
            assert got.status_code == 200, (name, fmt)
            assert f"{name}.{fmt}" in got["Content-Disposition"]
    csv = leader_client.get(f"{base}&tai=csv&bang=kpi").content.decode("utf-8-sig")
    assert "on_time_766" in csv and "50.00" in csv


def test_the_leader_home_shows_their_agency(tree, july, client, officers, make_officer):
    client.force_login(officers.leader)
    html = client.get("/").content.decode()
    assert 'id="home-metrics"' in html and tree.dept_a.name in html
    assert f"/chi-so/co-quan/{tree.dept_a.code}/" in html
    client.force_login(make_officer("processor", tree.dept_a, username="cv"))
    assert 'id="home-metrics"' not in client.get("/").content.decode()


def test_late_steps_from_the_clock_ledger(tree, july, leader_client):
    """D3 (received Wed 30/07 09:00, refused Wed 20/08 09:00) stayed 15 working days at step 1
    (reception, budget 1 working day) in department A: 14 working days late there. In July
    D2's step 1 ran 3 hours (its supplement pauses excluded): within its day."""
    from caicach.metrics.dashboards.lateness import late_steps

    august = late_steps(tree.dept_a, parse_period("2025-08"))
    assert august.late == 1 and august.read == 1 and august.no_budget == 0
    [step] = august.steps
    assert (step.step_order, step.agency_id, step.dossiers) == (1, tree.dept_a.pk, 1)
    assert step.late_days == Decimal("14.00")
    assert [(u.agency_code, u.dossiers) for u in august.by_unit] == [(tree.dept_a.code, 1)]
    july_late = late_steps(tree.dept_a, JULY)
    assert july_late.late == 1 and july_late.steps == []
    html = leader_client.get(f"/chi-so/co-quan/{tree.dept_a.code}/?period=2025-08")
    table = re.search(r'<table id="late-steps">(.*?)</table>', html.content.decode(), re.S)
    assert tree.dept_a.name in _text(table.group(1)) and "14,00" in _text(table.group(1))


def test_the_cache_serves_warm_pages_without_reading_the_rollups(
    tree, july, leader_client, settings, django_assert_max_num_queries
):
    from django.core.cache import cache

    cache.clear()
    settings.METRICS_DASHBOARD_CACHE_SECONDS = 60
    url = f"/chi-so/co-quan/{tree.dept_a.code}/?period=2025-07"
    first = leader_client.get(url).content.decode()
    with django_assert_max_num_queries(8) as warm:  # session, user, roles, the agency asked
        second = leader_client.get(url).content.decode()
    assert not any("metrics_dailyrollup" in q["sql"] for q in warm.captured_queries)
    assert _row(first, "data-kpi", "on_time_766") == _row(second, "data-kpi", "on_time_766")
    cache.clear()
