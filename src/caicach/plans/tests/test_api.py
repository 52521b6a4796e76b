"""The read-only plans API: scoped, bilingual errors, bounded queries (issue 15)."""

from __future__ import annotations

from typing import Any

import pytest

from caicach.agencies.models import Agency
from caicach.plans.models import Plan


@pytest.mark.django_db
def test_plans_and_targets(
    client: Any,
    plan: Plan,
    tree: Any,
    make_officer: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(make_officer("inspector", tree.province))
    with django_assert_max_num_queries(10):
        listing = client.get("/api/v1/plans/").json()
    assert [p["code"] for p in listing["results"]] == ["nq-thu"]
    assert listing["results"][0]["agency"] == "000.00.00.H97"
    with django_assert_max_num_queries(25):
        rows = client.get(f"/api/v1/plans/{plan.pk}/targets/").json()
    online = next(r for r in rows if r["code"] == "online")
    assert online["kpi_code"] == "online_share" and online["unit"] == "%"
    assert [s["threshold"] for s in online["stages"]] == ["40.00", "70.00"]
    assert online["stages"][0]["evaluation"]["method"] == "none"
    par = next(r for r in rows if r["code"] == "par")
    assert par["trajectory"]["kind"] == "relative" and par["stages"][1]["step"] == "-1.00"


@pytest.mark.django_db
def test_errors_are_bilingual(client: Any, plan: Plan, tree: Any, make_officer: Any) -> None:
    client.force_login(make_officer("receiver", tree.dept_a))
    refused = client.get("/api/v1/plans/")
    assert refused.status_code == 403 and refused.json()["detail_vi"]
    other = Agency.objects.create(
        code="000.00.00.H98",
        name="UBND tỉnh Khác",
        kind="people_committee",
        level="province",
        valid_from="2020-01-01",
    )
    client.force_login(make_officer("inspector", other))
    missing = client.get(f"/api/v1/plans/{plan.pk}/targets/")
    assert missing.status_code == 404
    body = missing.json()
    assert body["detail_vi"].startswith("Không có kế hoạch") and body["detail"].startswith(
        "No such"
    )
