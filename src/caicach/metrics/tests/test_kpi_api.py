"""The KPI read API (issue 13, "The kpi command and the API"): registry, one KPI with its
breakdown and frozen value, every KPI of an agency, the dossiers behind a number; scope,
bilingual 4xx, bounded queries.

Hand-made July 2025 (official 2025 calendar; the procedures promise 3 working days):

=====  ========  =======  =====================  ==============================
 id    agency    channel  received (VN time)     then
=====  ========  =======  =====================  ==============================
 A1    dept_a    counter  Tue 01/07 09:00        refused 01/07 15:00 (early)
 A2    dept_a    online   Wed 02/07 09:00        refused 02/07 15:00 (early)
 A3    dept_a    counter  Thu 10/07 09:00        open; promised 15/07: overdue 31/07
 C1    commune   online   Thu 03/07 09:00        refused 03/07 15:00 (early)
 B1    dept_b    online   Fri 04/07 09:00        refused 04/07 15:00 (early)
=====  ========  =======  =====================  ==============================

dept_a: received 3 (1 online), finished 2 (2 on time), open at 31/07 1 (overdue 1).
Province: received 5 (3 online: 60%), finished 4.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from caicach.calendars.services import calendar_for
from caicach.dossiers.tests.factories import CITIZEN_ID, PHONE, act, procedure_version, receive, vn
from caicach.metrics.freeze import close_period
from caicach.metrics.periods import parse_period
from caicach.metrics.registry import FORMULA_VERSION, all_kpis
from caicach.metrics.rollup import rebuild, snapshot

pytestmark = pytest.mark.django_db

URL = "/api/v1/metrics/kpis/"
JULY = parse_period("2025-07")
#: Every KPI whose two measures count rows (dossiers or procedure versions).
COUNTED = [
    "on_time_766",
    "on_time_legal",
    "early",
    "overdue_open",
    "online_share",
    "digitised",
    "reuse",
    "apologies",
    "procedures_online",
    "time_cut_25",
]


def _client(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


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
    rebuild()  # the rollups as a nightly rebuild leaves them (equal to the kept-current ones)
    snapshot(JULY.last)
    return {"a1": a1, "a2": a2, "a3": a3, "c1": c1, "b1": b1}


@pytest.fixture
def inspector(tree: Any, make_officer: Any) -> Any:
    """A read-only role over the whole province."""
    return make_officer("inspector", tree.province, username="thanhtra_kpi")


@pytest.fixture
def leader_b(tree: Any, make_officer: Any) -> Any:
    return make_officer("agency_leader", tree.dept_b, username="lanhdao_b_kpi")


# -- the registry -------------------------------------------------------------------------------


def test_the_registry_lists_every_kpi_with_its_definition(tree, inspector):
    r = _client(inspector).get(URL)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["formula_version"] == FORMULA_VERSION
    rows = {k["code"]: k for k in body["kpis"]}
    assert set(rows) == {k.code for k in all_kpis()}
    on_time = rows["on_time_766"]
    assert on_time["numerator"] == "finished_on_time" and on_time["denominator"] == "finished"
    assert on_time["numerator_vi"] and on_time["denominator_vi"] and on_time["rule"]
    assert on_time["unit"] == "%" and on_time["target"] == ">= 99%" and on_time["version"] == 1
    assert on_time["source"] == "rollup" and on_time["count_measures"] is True
    assert rows["avg_processing_days"]["count_measures"] is False
    assert rows["procedures_online"]["source"] == "catalogue"


# -- one KPI ------------------------------------------------------------------------------------


def test_one_kpi_with_its_figure_versions_and_links(tree, july, officers):
    r = _client(officers.leader).get(
        URL + "online_share/", {"agency": tree.dept_a.code, "period": "2025-07"}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["numerator"], body["denominator"]) == ("1", "3")
    assert body["value"].startswith("33.333") and body["value_rounded"] == "33.33"
    assert body["reason_vi"] == "" and body["formula_version"] == FORMULA_VERSION
    assert body["kpi_version"] == 1 and body["agency"]["code"] == tree.dept_a.code
    assert body["by"] is None and "rows" not in body and body["frozen"] is None
    links = body["links"]
    assert links["numerator"].startswith("http://testserver/api/v1/metrics/kpis/online_share/")
    assert "part=numerator" in links["numerator"] and "part=denominator" in links["denominator"]
    behind = _client(officers.leader).get(links["denominator"])
    assert behind.status_code == 200 and behind.json()["count"] == 3


def test_no_data_is_null_with_the_reason_in_both_languages(tree, july, officers):
    r = _client(officers.leader).get(
        URL + "on_time_766/", {"agency": tree.dept_a.code, "period": "2025-06"}
    )
    body = r.json()
    assert r.status_code == 200 and body["value"] is None and body["value_rounded"] is None
    assert "mẫu số bằng 0" in body["reason_vi"] and "denominator is zero" in body["reason_en"]


@pytest.mark.parametrize("by", ["channel", "procedure", "field", "tier"])
@pytest.mark.parametrize("code", ["online_share", "on_time_legal", "overdue_open", "reuse"])
def test_breakdown_rows_add_up_to_the_total(
    tree, july, inspector, code, by, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        r = _client(inspector).get(
            URL + f"{code}/", {"agency": tree.province.code, "period": "2025-07", "by": by}
        )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["by"] == by and body["rows"]
    assert sum(int(row["numerator"]) for row in body["rows"]) == int(body["numerator"])
    assert sum(int(row["denominator"]) for row in body["rows"]) == int(body["denominator"])
    assert all(row["label"] and row["label_en"] for row in body["rows"])


def test_breakdown_labels(tree, july, inspector, version):
    c = _client(inspector)
    params = {"agency": tree.province.code, "period": "2025-07"}
    rows = c.get(URL + "online_share/", {**params, "by": "channel"}).json()["rows"]
    online = next(r for r in rows if r["key"] == "online")
    assert online["label"] == "Trực tuyến" and online["numerator"] == "3"
    assert online["label_en"] == "Online"
    rows = c.get(URL + "online_share/", {**params, "by": "procedure"}).json()["rows"]
    mine = next(r for r in rows if r["key"] == version.procedure_id)
    assert mine["label"] == f"{version.procedure.code} · {version.procedure.name}"
    assert mine["denominator"] == "3"
    rows = c.get(URL + "online_share/", {**params, "by": "field"}).json()["rows"]
    assert any(r["label"].endswith(version.procedure.field.name) for r in rows)
    rows = c.get(URL + "online_share/", {**params, "by": "tier"}).json()["rows"]
    tiers = {r["key"]: r for r in rows}
    assert tiers["commune"]["label"] == "Cấp xã" and tiers["commune"]["denominator"] == "1"
    assert tiers["commune"]["label_en"] == "Commune level"
    assert tiers["province"]["denominator"] == "4"


def test_a_catalogue_kpi_and_its_versions(tree, july, inspector, version):
    c = _client(inspector)
    params = {"agency": tree.dept_a.code, "period": "2025-07"}
    body = c.get(URL + "procedures_online/", params).json()
    assert (body["numerator"], body["denominator"]) == ("1", "1")  # the factory's: full online
    rows = c.get(URL + "procedures_online/", {**params, "by": "procedure"}).json()["rows"]
    assert [r["denominator"] for r in rows] == ["1"]
    behind = c.get(URL + "procedures_online/dossiers/", {**params, "part": "denominator"})
    assert behind.status_code == 200, behind.content
    page = behind.json()
    assert page["kind"] == "procedure_version" and page["count"] == 1
    assert page["results"][0]["procedure_code"] == version.procedure.code
    assert page["results"][0]["url"].endswith(f"/versions/{version.number}/")


def test_a_closed_month_shows_its_frozen_value_and_revisions(tree, july, officers, version):
    close_period(JULY, [tree.dept_a])
    c = _client(officers.leader)
    params = {"agency": tree.dept_a.code, "period": "2025-07"}
    frozen = c.get(URL + "online_share/", params).json()["frozen"]
    assert (frozen["numerator"], frozen["denominator"]) == ("1.0000", "3.0000")
    assert frozen["formula_version"] == FORMULA_VERSION and frozen["revisions"] == []
    assert frozen["catalogue_version"] and frozen["closed_at"]
    # A late import: one more online dossier of July, then the month closed again.
    with time_machine.travel(vn(2025, 7, 20, 9), tick=False) as t:
        late = receive(officers.receiver, version, tree.dept_a, channel="online")
        t.move_to(vn(2025, 7, 20, 15))
        act(officers.receiver, late, "refuse", reason="x")
    close_period(JULY, [tree.dept_a], cause="late import")
    body = c.get(URL + "online_share/", params).json()
    assert (body["numerator"], body["denominator"]) == ("2", "4")
    assert body["frozen"]["numerator"] == "1.0000"  # the published value stays
    [revision] = body["frozen"]["revisions"]
    assert (revision["numerator"], revision["denominator"]) == ("2.0000", "4.0000")
    assert revision["cause"] == "late import" and revision["value"].startswith("50")
    # The quarter is not a closed month: nothing frozen; every KPI shows its own.
    assert c.get(URL + "online_share/", {**params, "period": "2025-Q3"}).json()["frozen"] is None
    every = c.get(URL + "all/", params).json()["kpis"]
    assert {k["code"] for k in every if k["frozen"]} == {k.code for k in all_kpis()}


# -- every KPI of an agency ---------------------------------------------------------------------


def test_every_kpi_of_an_agency_equals_each_one(
    tree, july, inspector, django_assert_max_num_queries
):
    c = _client(inspector)
    params = {"agency": tree.province.code, "period": "2025-07"}
    with django_assert_max_num_queries(20):
        r = c.get(URL + "all/", params)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["formula_version"] == FORMULA_VERSION and body["period"] == "2025-07"
    rows = {k["code"]: k for k in body["kpis"]}
    assert set(rows) == {k.code for k in all_kpis()}
    assert (rows["online_share"]["numerator"], rows["online_share"]["denominator"]) == ("3", "5")
    for code, row in rows.items():
        one = c.get(URL + f"{code}/", params).json()
        assert (row["numerator"], row["denominator"], row["value"]) == (
            one["numerator"],
            one["denominator"],
            one["value"],
        ), code
        assert (row["value"] is None) == bool(row["reason_en"]) == bool(row["reason_vi"]), code
        assert row["links"] == one["links"], code


# -- the dossiers behind a number ---------------------------------------------------------------


@pytest.mark.parametrize("code", COUNTED)
def test_the_list_counts_what_the_number_counts(tree, july, inspector, code):
    c = _client(inspector)
    for agency in (tree.province, tree.dept_a, tree.commune):
        params = {"agency": agency.code, "period": "2025-07"}
        figure = c.get(URL + f"{code}/", params).json()
        for part in ("numerator", "denominator"):
            r = c.get(URL + f"{code}/dossiers/", {**params, "part": part})
            assert r.status_code == 200, r.content
            assert r.json()["count"] == int(figure[part]), (code, agency.code, part)


def test_the_rows_behind_are_the_dossiers_with_the_name_only(tree, july, officers):
    c = _client(officers.leader)
    params = {"agency": tree.dept_a.code, "period": "2025-07"}
    r = c.get(URL + "overdue_open/dossiers/", params)
    body = r.json()
    assert body["kind"] == "dossier" and body["part"] == "numerator"
    assert body["measure"] == "overdue_at_end"
    assert [row["code"] for row in body["results"]] == [july["a3"].code]
    r = c.get(URL + "on_time_legal/dossiers/", {**params, "part": "denominator"})
    rows = r.json()["results"]
    assert [row["code"] for row in rows] == [july["a1"].code, july["a2"].code]
    row = rows[0]
    assert row["applicant_name"] == "Nguyễn Văn An" and row["deciding_agency"] == tree.dept_a.code
    assert row["url"].endswith(f"/api/v1/dossiers/{july['a1'].code}/")
    assert CITIZEN_ID.encode() not in r.content and PHONE.encode() not in r.content
    assert CITIZEN_ID[-4:] not in r.json().__repr__()  # the name only, not even masked digits


def test_the_list_pages_with_a_bounded_number_of_queries(
    tree, july, inspector, django_assert_max_num_queries
):
    c = _client(inspector)
    params = {"agency": tree.province.code, "period": "2025-07", "part": "denominator"}
    c.get(URL + "online_share/dossiers/", params)  # the caller's roles, cached on the user
    counts = []
    for size in (1, 50):
        with django_assert_max_num_queries(8) as queries:
            r = c.get(URL + "online_share/dossiers/", {**params, "page_size": size})
        assert r.status_code == 200
        assert r.json()["count"] == 5 and len(r.json()["results"]) == min(size, 5)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts  # one page read, whatever its size
    first = c.get(URL + "online_share/dossiers/", {**params, "page_size": 2}).json()
    second = c.get(first["next"]).json()
    assert second["previous"] and len(second["results"]) == 2
    codes = [row["code"] for row in first["results"] + second["results"]]
    assert len(set(codes)) == 4


# -- scope and errors ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["online_share/", "online_share/dossiers/", "all/"])
def test_another_agencys_officer_gets_404(tree, july, leader_b, path):
    r = _client(leader_b).get(URL + path, {"agency": tree.dept_a.code, "period": "2025-07"})
    assert r.status_code == 404
    body = r.json()
    assert body["code"] == "agency_not_found" and body["detail"] and body["detail_vi"]
    assert july["a1"].code.encode() not in r.content
    # their own agency: only their dossier
    r = _client(leader_b).get(URL + "online_share/dossiers/", {"period": "2025-07"})
    assert [row["code"] for row in r.json()["results"]] == [july["b1"].code]


def test_a_unit_leader_sees_the_unit_not_the_department(tree, july, make_officer):
    unit_leader = make_officer("unit_leader", tree.unit_a, username="lanhdao_phong_kpi")
    c = _client(unit_leader)
    r = c.get(URL + "online_share/", {"period": "2025-07"})
    assert r.status_code == 200 and r.json()["agency"]["code"] == tree.unit_a.code
    r = c.get(URL + "online_share/", {"agency": tree.dept_a.code, "period": "2025-07"})
    assert r.status_code == 404


@pytest.mark.parametrize("path", ["", "online_share/", "online_share/dossiers/", "all/"])
def test_without_reports_view_anywhere_it_is_403(tree, july, officers, path):
    r = _client(officers.receiver).get(URL + path, {"period": "2025-07"})
    assert r.status_code == 403
    assert r.json()["detail"] and r.json()["detail_vi"]


@pytest.mark.parametrize("path", ["", "online_share/", "online_share/dossiers/", "all/"])
def test_anonymous_is_refused(tree, path):
    r = APIClient().get(URL + path, {"period": "2025-07"})
    assert r.status_code in (401, 403) and r.json()["detail_vi"]


@pytest.mark.parametrize(
    ("path", "params", "status", "code", "vi", "en"),
    [
        ("online_share/", {"period": "2025-13"}, 400, "invalid_period", "Tháng", "Invalid month"),
        ("online_share/", {}, 400, "invalid_period", "Chưa nhập kỳ", "No period"),
        ("all/", {"period": "Q3"}, 400, "invalid_period", "không hợp lệ", "Invalid period"),
        ("nope/", {"period": "2025-07"}, 404, "unknown_kpi", "Không có chỉ số", "No KPI"),
        ("nope/dossiers/", {"period": "2025-07"}, 404, "unknown_kpi", "chỉ số", "No KPI"),
        ("x" * 300 + "/", {"period": "2025-07"}, 404, "unknown_kpi", "chỉ số", "No KPI"),
        (
            "online_share/",
            {"period": "2025-07", "by": "colour"},
            400,
            "invalid_breakdown",
            "Không phân tổ",
            "Cannot break down",
        ),
        (
            "procedures_online/",
            {"period": "2025-07", "by": "channel"},
            400,
            "invalid_breakdown",
            "chỉ phân tổ theo procedure hoặc field",
            "break it down by procedure or field",
        ),
        (
            "online_share/dossiers/",
            {"period": "2025-07", "part": "total"},
            400,
            "invalid_part",
            "Không có phần",
            "No part",
        ),
        (
            "online_share/",
            {"period": "2025-07", "agency": "nope"},
            404,
            "agency_not_found",
            "Không tìm thấy cơ quan",
            "No agency",
        ),
        (
            "online_share/dossiers/",
            {"period": "2025-07", "agency": "000.00.02.H97"},  # dept_b
            404,
            "agency_not_found",
            "Không tìm thấy cơ quan",
            "No agency",
        ),
        (
            "all/",
            {"period": "2025-07", "agency": "000.00.00.H97"},  # the province, above dept_a
            404,
            "agency_not_found",
            "Không tìm thấy cơ quan",
            "No agency",
        ),
    ],
)
def test_bad_input_is_a_bilingual_4xx(tree, officers, path, params, status, code, vi, en):
    r = _client(officers.leader).get(URL + path, params)
    assert r.status_code == status, r.content
    body = r.json()
    assert body["code"] == code
    assert vi in body["detail_vi"] and en in body["detail"]
    assert body["detail"] != body["detail_vi"]
    assert len(r.content) < 2000  # the bad input is not echoed at length


def test_bad_page_is_a_bilingual_404(tree, july, officers):
    r = _client(officers.leader).get(
        URL + "online_share/dossiers/", {"period": "2025-07", "page": "99"}
    )
    assert r.status_code == 404 and r.json()["detail_vi"] and r.json()["detail"]


def test_a_custom_period(tree, july, officers):
    r = _client(officers.leader).get(URL + "online_share/", {"period": "2025-07-01..2025-07-02"})
    body = r.json()
    assert r.status_code == 200 and (body["numerator"], body["denominator"]) == ("1", "2")
    assert body["first"] == date(2025, 7, 1).isoformat() and body["frozen"] is None


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("online_share/", {"period": "2025-07" + "9" * 5000}),
        ("online_share/", {"period": "2025-07", "agency": "Sở ☃" * 100}),
        ("online_share/", {"period": "2025-07", "by": "ké" * 1000}),
        ("online_share/dossiers/", {"period": "2025-07", "part": "ph\u1ea7n" * 1000}),
        ("online_share/dossiers/", {"period": "2025-07", "page": "abc"}),
        ("online_share/dossiers/", {"period": "2025-07", "page_size": "-3"}),
        ("online_share/dossiers/", {"period": "2025-07", "page_size": "999999"}),
        ("all/", {"period": "9999-99"}),
        ("%E2%98%83/", {"period": "2025-07"}),
    ],
)
def test_odd_input_is_never_a_500(tree, july, officers, path, params):
    r = _client(officers.leader).get(URL + path, params)
    assert r.status_code in (200, 400, 404), r.content
    assert len(r.content) < 20_000
    if r.status_code != 200:
        assert r.json()["detail"] and r.json()["detail_vi"]
