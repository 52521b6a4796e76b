"""The Decision 766 API: scope, bilingual 4xx, a bounded number of queries (issue 13)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from caicach.metrics import index766

URL = "/api/v1/metrics/766/"


@pytest.fixture
def inspector(tree: Any, make_officer: Any) -> Any:
    return make_officer("inspector", tree.province, username="thanhtra766")


@pytest.fixture
def leader_a(tree: Any, make_officer: Any) -> Any:
    return make_officer("agency_leader", tree.dept_a, username="lanhdao766")


def _client(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_one_agency(tree, inspector):
    r = _client(inspector).get(URL, {"agency": tree.dept_a.code, "period": "2025-07"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["agency"] == tree.dept_a.code and body["period"] == "2025-07"
    assert body["formula_version"] == index766.FORMULA_VERSION
    assert [g["number"] for g in body["groups"]] == [1, 2, 3, 4, 5, 6]
    pakn = next(s for g in body["groups"] for s in g["subs"] if s["id"] == "5.2")
    assert pakn["points"] is None and pakn["reason_vi"] and pakn["reason_en"]


def test_every_agency_in_scope_with_few_queries(
    tree, inspector, leader_a, django_assert_max_num_queries
):
    # 13: the rollups add one read (the months still marked dirty, issue 14).
    with django_assert_max_num_queries(13):
        r = _client(inspector).get(URL + "all/", {"period": "2025-Q3"})
    assert r.status_code == 200, r.content
    codes = [x["agency"] for x in r.json()["results"]]
    assert tree.province.code in codes and tree.commune.code in codes and len(codes) == 5
    # a department's leader sees their subtree only
    r = _client(leader_a).get(URL + "all/", {"period": "2025"})
    assert {x["agency"] for x in r.json()["results"]} == {tree.dept_a.code, tree.unit_a.code}


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"period": "2025-13"}, 400, "invalid_period"),
        ({"period": ""}, 400, "invalid_period"),
        ({"period": "2025-07", "agency": "nope"}, 404, "agency_not_found"),
    ],
)
def test_bilingual_errors(tree, leader_a, params, status, code):
    r = _client(leader_a).get(URL, params)
    assert r.status_code == status
    body = r.json()
    assert body["code"] == code and body["detail"] and body["detail_vi"]
    assert body["detail"] != body["detail_vi"]


def test_out_of_scope_is_404(tree, leader_a):
    r = _client(leader_a).get(URL, {"period": "2025-07", "agency": tree.dept_b.code})
    assert r.status_code == 404 and r.json()["detail_vi"]


def test_what_if_errors_and_no_data(tree, leader_a):
    c = _client(leader_a)
    r = c.get(URL + "what-if/", {"period": "2025-07", "sub": "9.9", "extra": "3"})
    assert r.status_code == 400 and r.json()["code"] == "unknown_sub_indicator"
    r = c.get(URL + "what-if/", {"period": "2025-07", "sub": "4.2", "extra": "-1"})
    assert r.status_code == 400 and r.json()["detail_vi"]
    r = c.get(URL + "what-if/", {"period": "2025-07", "sub": "5.2", "extra": "3"})
    assert r.status_code == 200 and r.json()["points_after"] is None and r.json()["reason_en"]


def test_anonymous_is_refused(tree):
    r = APIClient().get(URL, {"period": "2025-07"})
    assert r.status_code in (401, 403) and r.json()["detail_vi"]
