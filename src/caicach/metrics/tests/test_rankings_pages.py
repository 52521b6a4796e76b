"""Fair ranking pages (/xep-hang/, issue 14): the hand-built case where raw and fair ranks
disagree read from the rollups, folded up the tree; who sees which tier; bad input; exports;
query counts; the raw rate equal to ``caicach kpi``."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from caicach.metrics import compute
from caicach.metrics.periods import parse_period
from caicach.metrics.rankings import query
from caicach.metrics.tests.ranking_data import build_province

pytestmark = pytest.mark.django_db

JULY = "2025-07"


@pytest.fixture(autouse=True)
def _no_stale_ranking() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def province(tree: Any) -> Any:
    return build_province(tree)


def _url(tier: str, **params: str) -> str:
    from urllib.parse import urlencode

    return reverse("rankings:table", args=[tier]) + "?" + urlencode(params)


def test_raw_and_fair_ranks_disagree_on_the_page(
    client: Any, province: Any, make_officer: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(make_officer("reform_officer", province.province, username="cchc"))
    url = _url("so-nganh", kpi="on_time_766", period=JULY, compare="previous")
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    rows = response.context["rows"]
    # Fair: A (68/66 = 1.03) 1st, C (87/87 = 1) 2nd, B (85/87 = 0.98) 3rd; raw: C, B, A.
    assert [(r["agency"].code, r["s"].rank, r["s"].raw_rank) for r in rows] == [
        ("000.00.01.H97", 1, 3),
        ("000.00.03.H97", 2, 1),
        ("000.00.02.H97", 3, 2),
    ]
    # The province reference includes the communes' copies, at 90% too: copy 180 + 36 + 9 = 225
    # of 250; A's expected = 80 × 60% + 20 × 90% = 66.
    a = rows[0]
    assert a["raw"] == "68,0" and a["expected"] == "66,0"
    assert a["s"].expected == pytest.approx(66)
    # Each name leads to the unit's "why"; beside it, its page of the dashboards.
    assert a["page"] == "/chi-so/co-quan/000.00.01.H97/?period=2025-07"
    assert client.get(a["page"]).status_code == 200
    body = response.content.decode()
    assert "Xếp hạng công bằng" in body and "<svg" in body
    assert "(thô 3)" in body
    # A went from 50% to 68% raw (one mix): in "most improved" against June.
    improved = response.context["improved"]
    assert [x["agency"].code for x in improved] == ["000.00.01.H97"]
    assert improved[0]["i"].significant


def test_the_raw_rate_is_what_caicach_kpi_prints(province: Any) -> None:
    period = parse_period(JULY)
    table = query.fair_table("so-nganh", "on_time_766", period)
    for agency in (province.dept_a, province.dept_b, province.dept_c):
        figure = compute.kpi("on_time_766", agency, period)
        s = table.ranking.by_unit[str(agency.pk)]
        assert s.raw_rate is not None and figure.value is not None  # type: ignore[union-attr]
        assert Decimal(s.raw_rate.numerator * 100) / s.raw_rate.denominator == figure.value  # type: ignore[union-attr]


def test_communes_with_too_few_dossiers_are_listed_apart(
    client: Any, province: Any, make_officer: Any
) -> None:
    client.force_login(make_officer("reform_officer", province.province, username="cchc"))
    response = client.get(_url("xa-phuong", kpi="on_time_766", period=JULY))
    assert response.status_code == 200
    assert [r["agency"].code for r in response.context["rows"]] == ["000.00.61.H97"]
    assert [r["agency"].code for r in response.context["apart"]] == ["000.00.62.H97"]
    assert "Quá ít hồ sơ, không xếp hạng" in response.content.decode()


def test_why_names_the_procedures(client: Any, province: Any, make_officer: Any) -> None:
    client.force_login(make_officer("reform_officer", province.province, username="cchc"))
    url = reverse("rankings:why", args=["so-nganh", province.dept_b.code])
    response = client.get(url, {"kpi": "on_time_766", "period": JULY})
    assert response.status_code == 200
    body = response.content.decode()
    # B: land 4 of 10 where 60% predicts 6 (-2.0).
    assert "Chuyển nhượng đất" in body and "-2.0" in body
    assert "Hạng 3/3" in body


def test_the_page_in_english(client: Any, province: Any, make_officer: Any, settings: Any) -> None:
    client.force_login(make_officer("reform_officer", province.province, username="cchc"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(_url("so-nganh", kpi="on_time_766", period=JULY)).content.decode()
    assert "Fair rankings" in body and "Mix-adjusted rate (%)" in body and "68.0" in body
    url = reverse("rankings:why", args=["so-nganh", province.dept_a.code])
    body = client.get(url, {"kpi": "on_time_766", "period": JULY}).content.decode()
    assert "Its mix of procedures at the province&#x27;s rates predicts 66.0%" in body


def test_csv_and_xlsx_exports(client: Any, province: Any, make_officer: Any) -> None:
    client.force_login(make_officer("reform_officer", province.province, username="cchc"))
    response = client.get(_url("so-nganh", kpi="on_time_766", period=JULY, tai="csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Hạng" and [r[2] for r in rows[1:]] == [
        "000.00.01.H97",
        "000.00.03.H97",
        "000.00.02.H97",
    ]
    response = client.get(_url("so-nganh", kpi="on_time_766", period=JULY, tai="xlsx"))
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_the_766_total_is_ranked_without_adjustment(
    client: Any, province: Any, make_officer: Any
) -> None:
    client.force_login(make_officer("reform_officer", province.province, username="cchc"))
    response = client.get(_url("so-nganh", kpi="766", period=JULY))
    assert response.status_code == 200
    assert "không điều chỉnh theo cơ cấu thủ tục" in response.content.decode()
    assert len(response.context["index"]) == 3


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "2025-13"}, "Tháng không hợp lệ"),
        ({"period": "hôm qua"}, "Kỳ báo cáo không hợp lệ"),
        ({"kpi": "khong-co"}, "Không có chỉ số"),
        ({"kpi": "avg_processing_days"}, "không xếp hạng được"),
        ({"compare": "x"}, "Không có cách so sánh"),
    ],
)
def test_bad_input_is_a_400_with_the_reason(
    client: Any, province: Any, make_officer: Any, params: dict[str, str], message: str
) -> None:
    client.force_login(make_officer("reform_officer", province.province, username="cchc"))
    response = client.get(_url("so-nganh", **params))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get(reverse("rankings:table", args=["huyen"])).status_code == 404


def test_who_sees_what(client: Any, province: Any, make_officer: Any) -> None:
    why = "rankings:why"
    q = {"kpi": "on_time_766", "period": JULY}
    # A commune leader: the commune ranking, the why of their own commune only.
    client.force_login(make_officer("agency_leader", province.commune, username="ctxa"))
    assert client.get(_url("xa-phuong", **q)).status_code == 200
    assert client.get(_url("so-nganh", **q)).status_code == 403
    assert client.get(reverse("rankings:tiers")).status_code == 302
    assert client.get(reverse(why, args=["xa-phuong", province.commune.code]), q).status_code == 200
    assert (
        client.get(reverse(why, args=["xa-phuong", province.commune2.code]), q).status_code == 404
    )
    assert client.get(reverse(why, args=["so-nganh", province.dept_a.code]), q).status_code == 403
    response = client.get(_url("xa-phuong", **q))
    links = [r["link"] for r in [*response.context["rows"], *response.context["apart"]]]
    assert links[0] and not links[1]  # Tân Phú (own) linked, Bình An not
    pages = [r["page"] for r in [*response.context["rows"], *response.context["apart"]]]
    assert pages[0] and not pages[1]
    # A department leader: the departments' ranking; not the communes'.
    client.force_login(make_officer("agency_leader", province.dept_a, username="gdso"))
    assert client.get(_url("so-nganh", **q)).status_code == 200
    assert client.get(_url("xa-phuong", **q)).status_code == 403
    assert client.get(reverse(why, args=["so-nganh", province.dept_b.code]), q).status_code == 404
    # A unit leader under a department: reports.view, but no tier.
    client.force_login(make_officer("unit_leader", province.unit_a, username="tp"))
    assert client.get(reverse("rankings:tiers")).status_code == 403
    assert client.get(_url("so-nganh", **q)).status_code == 403
    # A receiver: no reports.view at all.
    client.force_login(make_officer("receiver", province.dept_a, username="motcua"))
    assert client.get(_url("so-nganh", **q)).status_code == 403
    client.logout()
    assert client.get(_url("so-nganh", **q)).status_code == 302  # to the login page


def test_a_ranking_is_computed_once_then_read_from_the_cache(
    province: Any, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.METRICS_RANKING_CACHE_SECONDS = 300
    period = parse_period(JULY)
    first = query.fair_table("so-nganh", "on_time_766", period)
    with django_assert_num_queries(0):
        again = query.fair_table("so-nganh", "on_time_766", period)
    assert [s.unit for s in again.ranking.ranked] == [s.unit for s in first.ranking.ranked]
    settings.METRICS_RANKING_CACHE_SECONDS = 0
    with django_assert_num_queries(5):  # units, the tree, July, the comparison, the names
        query.fair_table("so-nganh", "on_time_766", period)


def test_nested_units_are_folded_without_counting_a_row_twice(province: Any) -> None:
    """The database folds rows into units when each agency belongs to one; an agency in two
    ranked units (the province and a department) is folded in Python, the reference intact."""
    period, k = parse_period(JULY), query.get("on_time_766")
    p, a = province.province.pk, province.dept_a.pk
    flat_cells, flat_ref = query._cells(k, period, {province.unit_a.pk: [a], a: [a]})
    nested_cells, nested_ref = query._cells(k, period, {province.unit_a.pk: [p, a], a: [p, a]})
    assert flat_ref == nested_ref  # land 60/100, copy 225/250, each row once
    assert sorted(c for c in nested_cells if c[0] == str(a)) == sorted(flat_cells)
    assert sum(c[3] for c in nested_cells if c[0] == str(p)) == 100  # A's 80 land + 20 copy


def test_comparison_periods() -> None:
    p = parse_period
    assert query.comparison_period(p("2025-07"), "year") == p("2024-07")
    assert query.comparison_period(p("2024-02"), "year") == p("2023-02")
    assert query.comparison_period(p("2025-01"), "previous") == p("2024-12")
    assert query.comparison_period(p("2025-Q1"), "previous") == p("2024-Q4")
    assert query.comparison_period(p("2025-H2"), "previous") == p("2025-H1")
    assert query.comparison_period(p("2025"), "previous") == p("2024")
    assert query.comparison_period(p("2025-07-11..2025-07-20"), "previous") == p(
        "2025-07-01..2025-07-10"
    )
    assert query.comparison_period(p("2024-02-29..2024-03-01"), "year") == p(
        "2023-02-28..2023-03-01"
    )
