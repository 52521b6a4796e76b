"""The plan pages: scoped by role, query counts bounded, bad input refused with a message and
nothing written (issue 15)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caicach.agencies.models import Agency
from caicach.plans.models import Plan, ReportedValue


@pytest.mark.django_db
def test_pages_for_the_reform_office(
    client: Any, plan: Plan, make_officer: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(make_officer("reform_officer", plan.agency))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("plans:list"))
    assert page.status_code == 200 and "Nghị quyết thử" in page.content.decode()
    # Three targets: the live one reads its months in one grouped query (and the agencies
    # behind the figure); the reported ones their approved values in one query each.
    with django_assert_max_num_queries(25):
        page = client.get(reverse("plans:detail", args=[plan.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Hồ sơ trực tuyến" in html and 'data-status="no_data"' in html
    assert "Chưa có số liệu" in html  # the status in words, not colour only


@pytest.mark.django_db
def test_scoping(client: Any, plan: Plan, tree: Any, make_officer: Any) -> None:
    # A commune's leader reads the province's resolution that binds the commune.
    client.force_login(make_officer("agency_leader", tree.commune))
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200
    # A receiver has no plans.view at all.
    client.force_login(make_officer("receiver", tree.dept_a))
    assert client.get(reverse("plans:list")).status_code == 403
    # Another province's officer does not see it.
    other = Agency.objects.create(
        code="000.00.00.H98",
        name="UBND tỉnh Khác",
        kind="people_committee",
        level="province",
        valid_from=date(2020, 1, 1),
    )
    client.force_login(make_officer("inspector", other))
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 404


@pytest.mark.django_db
def test_submit_and_approve_through_the_pages(
    client: Any, plan: Plan, tree: Any, make_officer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    leader = make_officer("agency_leader", tree.commune)
    client.force_login(leader)
    form = {
        "indicator": "work_files_online",
        "agency": tree.commune.code,
        "period": "2024",
        "value": "65",
    }
    bad = client.post(
        reverse("plans:values"),
        {**form, "evidence": SimpleUploadedFile("virus.exe", b"MZ\x90\x00bad", "application/pdf")},
    )
    assert bad.status_code == 400
    assert "không được phép" in bad.content.decode()
    assert not ReportedValue.objects.exists()
    ok = client.post(
        reverse("plans:values"),
        {**form, "evidence": SimpleUploadedFile("bc.pdf", b"%PDF-1.4 x", "application/pdf")},
    )
    assert ok.status_code == 302
    row = ReportedValue.objects.get()
    # The leader cannot approve; the inspector reads the evidence; the reform office approves.
    assert (
        client.post(reverse("plans:review", args=[row.pk]), {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(make_officer("inspector", tree.province))
    evidence = client.get(reverse("plans:evidence", args=[row.pk]))
    assert evidence.status_code == 200 and evidence["X-Content-Type-Options"] == "nosniff"
    assert b"".join(evidence.streaming_content).startswith(b"%PDF")
    client.force_login(make_officer("reform_officer", tree.province))
    assert 'name="decision" value="approve"' in client.get(reverse("plans:values")).content.decode()
    client.post(reverse("plans:review", args=[row.pk]), {"decision": "approve"})
    row.refresh_from_db()
    assert row.state == "approved"


@pytest.mark.parametrize(
    ("field", "bad", "message"),
    [
        ("value", "NaN", "phải là một số"),
        ("value", "1e999999", "phải là một số"),
        ("value", "-3", "khoảng 0-100"),
        ("period", "2025-13", "Tháng không hợp lệ"),
        ("period", "2025-01-01..2025-02-01", "tháng, quý, 6 tháng hoặc năm"),
        ("agency", "000.00.02.H97", "Chọn chỉ tiêu và cơ quan"),
        ("note", "a\x00b", None),
    ],
)
@pytest.mark.django_db
def test_bad_reported_values_change_nothing(
    client: Any, plan: Plan, tree: Any, make_officer: Any, field: str, bad: str, message: Any
) -> None:
    client.force_login(make_officer("agency_leader", tree.commune))
    form = {
        "indicator": "work_files_online",
        "agency": tree.commune.code,
        "period": "2024",
        "value": "65",
        "evidence": SimpleUploadedFile("bc.pdf", b"%PDF-1.4 x", "application/pdf"),
        field: bad,
    }
    response = client.post(reverse("plans:values"), form)
    assert response.status_code == 400
    if message:
        assert message in response.content.decode()
    assert not ReportedValue.objects.exists()
