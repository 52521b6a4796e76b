"""Calendar API: due dates, a year's days, versions; bilingual errors, scope, schema."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rest_framework.test import APIClient

from caicach.calendars import services
from caicach.core.audit import Actor

pytestmark = pytest.mark.django_db

DUE = "/api/v1/calendar/due"


@pytest.fixture
def api(tree: Any, make_officer: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_officer("receiver", tree.province))
    return client


def test_anonymous_gets_401_or_403() -> None:
    response = APIClient().get(DUE, {"received": "2025-04-25T10:00", "value": 3})
    assert response.status_code in {401, 403}


def test_due(api: APIClient) -> None:
    response = api.get(DUE, {"received": "2025-04-25T10:00", "value": "3", "unit": "working_days"})
    assert response.status_code == 200
    body = response.json()
    assert body["due"] == "2025-04-29T17:00:00+07:00"
    assert body["calendar_version"] == "official-2026.1"
    assert body["skipped"] == [
        {
            "date": "2025-04-27",
            "reason": "weekend",
            "label": "Chủ nhật (nghỉ cuối tuần)",
            "label_en": "Sunday (weekly rest day)",
        }
    ]
    assert body["explanation_vi"][0] == "Nhận hồ sơ lúc 10:00 thứ Sáu 25/04/2025."
    assert body["explanation_en"][0] == "Received at 10:00 on Friday 25/04/2025."


def test_due_defaults_to_working_days_and_reads_offsets(api: APIClient) -> None:
    body = api.get(DUE, {"received": "2025-04-25T03:00:00Z", "value": "3"}).json()
    assert body["due"] == "2025-04-29T17:00:00+07:00"
    late = api.get(DUE, {"received": "2025-04-25T14:00", "value": "1", "cutoff": "13:00"}).json()
    assert late["cutoff_applied"] is True
    assert late["due"] == "2025-04-28T17:00:00+07:00"  # effective Sat 26/4, then Mon 28/4


def test_due_with_an_agency(tree: Any, api: APIClient) -> None:
    services.add_day(
        Actor.system("t"), date(2025, 4, 28), "agency_off", "Nghỉ riêng", agency=tree.dept_a
    )
    body = api.get(
        DUE, {"received": "2025-04-25T10:00", "value": "3", "agency": tree.unit_a.code}
    ).json()
    assert body["due"] == "2025-05-05T17:00:00+07:00"
    assert any(s["reason"] == "agency_off" for s in body["skipped"])


def test_due_bad_params_are_400_in_both_languages(api: APIClient) -> None:
    response = api.get(DUE, {"value": "-3", "unit": "weeks", "cutoff": "x"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail_vi"] == "Dữ liệu không hợp lệ."
    assert set(body["errors"]) == {"received", "value", "unit", "cutoff"}
    assert body["errors_vi"]["value"] == ["Thời hạn không được âm."]
    assert body["errors"]["value"] == ["The time allowed cannot be negative."]
    far = api.get(DUE, {"received": "1900-01-01T10:00", "value": "3"})
    assert far.status_code == 400


@pytest.mark.parametrize("received", ["0001-01-01T00:00:00+00:53", "9999-12-31T23:00:00-05:00"])
def test_due_receipt_beyond_any_date_is_400_not_500(api: APIClient, received: str) -> None:
    # Found by tests/test_openapi_fuzz.py: converting to Vietnam time overflowed (a 500).
    response = api.get(DUE, {"received": received, "value": "0"})
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == ["received"]
    assert "outside the range of valid dates" in body["errors"]["received"][0]
    assert "nằm ngoài phạm vi ngày hợp lệ" in body["errors_vi"]["received"][0]


def test_due_agency_outside_scope_is_404(tree: Any, make_officer: Any) -> None:
    client = APIClient()
    client.force_authenticate(make_officer("receiver", tree.dept_a))
    response = client.get(
        DUE, {"received": "2025-04-25T10:00", "value": "3", "agency": tree.dept_b.code}
    )
    assert response.status_code == 404
    assert response.json()["detail_vi"].startswith("Không tìm thấy cơ quan")


def test_year(api: APIClient) -> None:
    response = api.get("/api/v1/calendar/2026/")
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2026 and body["provisional"] is False
    assert [d["date"] for d in body["worked_weekend_days"]] == ["2026-08-22"]
    assert body["days_off"][0] == {
        "date": "2026-01-01",
        "weekday": "Thứ Năm",
        "kind": "holiday",
        "label": "Tết Dương lịch",
        "label_en": "New Year's Day",
        "note": "",
    }
    tet = [d for d in body["days"] if d["kind"] == "tet"]
    assert len(tet) == 9 and not any(d["is_working"] for d in tet)
    assert body["office_hours"] == [["07:30", "11:30"], ["13:30", "17:00"]]
    assert api.get("/api/v1/calendar/1900/").status_code == 404


@pytest.mark.parametrize("year", [-383, 0, 10000, 47442, 10**12])
def test_year_beyond_any_date_is_404_not_500(api: APIClient, year: int) -> None:
    # Found by tests/test_openapi_fuzz.py: date(47442, 1, 1) raised ValueError (a 500), and
    # a negative year got Django's HTML 404 instead of the API's JSON.
    response = api.get(f"/api/v1/calendar/{year}/")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert body["detail"] == f"No calendar for the year {year}."
    assert body["detail_vi"] == f"Không có lịch cho năm {year}."


def test_versions(tree: Any, api: APIClient, make_officer: Any) -> None:
    system = Actor.system("t")
    services.add_day(system, date(2026, 11, 24), "holiday", "Ngày Văn hóa Việt Nam")
    services.add_day(system, date(2025, 5, 5), "agency_off", "Nghỉ", agency=tree.dept_b)
    body = api.get("/api/v1/calendar/versions/").json()
    rows = body["results"]
    assert [r["number"] for r in rows] == [3, 2, 1]
    assert rows[0]["scope"] == tree.dept_b.code
    assert rows[1]["parent"] == "official-2026.1" and rows[1]["is_current"] is True
    assert rows[2]["is_current"] is False and rows[2]["impact_count"] is None
    narrow = APIClient()
    narrow.force_authenticate(make_officer("receiver", tree.dept_a))
    assert [r["number"] for r in narrow.get("/api/v1/calendar/versions/").json()["results"]] == [
        2,
        1,
    ]
