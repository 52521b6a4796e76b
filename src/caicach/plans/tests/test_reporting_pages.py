"""The periodic reports' pages (issue 15): scoped by role, query counts bounded, bad input
refused with a message and nothing written, Word/PDF export of a report and of the
consolidated report, the completeness table as CSV/XLSX."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from caicach.core.audit import Actor
from caicach.plans.models import Plan, ReportingDuty
from caicach.plans.reporting import services
from caicach.plans.reporting.models import Report, ReportEvidence, ReportStatus

ACTOR = Actor.system("test")


@pytest.fixture
def reports(plan: Plan, tree: Any) -> ReportingDuty:
    duty = ReportingDuty.objects.create(
        plan=plan, subject="Báo cáo CCHC", reporters_below=True, frequencies=["yearly"]
    )
    services.generate(ACTOR, date(2024, 12, 31))
    return duty


def _one(tree: Any, duty: ReportingDuty, period: str = "2023", agency: Any = None) -> Report:
    return Report.objects.get(duty=duty, agency=agency or tree.commune, period=period)


@pytest.mark.django_db
def test_the_flow_through_the_pages(
    client: Any,
    tree: Any,
    reports: ReportingDuty,
    make_officer: Any,
    settings: Any,
    tmp_path: Any,
    django_assert_max_num_queries: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    report = _one(tree, reports)
    url = reverse("plans:reporting:detail", args=[report.pk])
    leader = make_officer("agency_leader", tree.commune)
    client.force_login(leader)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("plans:reporting:list"))
    assert page.status_code == 200 and "Báo cáo CCHC" in page.content.decode()
    # Only the commune's reports (2021..2024), none of the departments'.
    assert page.content.decode().count("data-report=") == 4
    # A draft shows the live figures: one read per KPI of the registry (``metrics.report``, as
    # ``caicach kpi`` prints them), a fixed number whatever the data.
    with django_assert_max_num_queries(85):
        assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "action": "evidence",
            "evidence": SimpleUploadedFile("x.pdf", b"MZ\x90bad", "application/pdf"),
        },
    )
    assert bad.status_code == 400 and "không được phép" in bad.content.decode()
    assert not ReportEvidence.objects.exists()
    ok = client.post(url, {"action": "submit", "n-procedures": "Kết quả thủ tục hành chính."})
    assert ok.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.versions_count == 1
    # The leader cannot review it.
    assert client.post(url, {"action": "approve"}).status_code == 403

    office = make_officer("reform_officer", tree.province)
    client.force_login(office)
    with django_assert_max_num_queries(10):
        queue = client.get(reverse("plans:reporting:queue"))
    assert "Xã Tân Phú" in queue.content.decode()
    no_reason = client.post(url, {"action": "return", "comment": ""})
    assert no_reason.status_code == 400 and "lý do" in no_reason.content.decode()
    assert client.post(url, {"action": "return", "comment": "Thiếu số liệu"}).status_code == 302
    client.force_login(leader)
    assert "Thiếu số liệu" in client.get(url).content.decode()
    client.post(url, {"action": "submit", "n-procedures": "Bổ sung số liệu."})
    client.force_login(office)
    assert client.post(url, {"action": "approve"}).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.versions_count) == (ReportStatus.APPROVED, 2)
    first = client.get(reverse("plans:reporting:version", args=[report.pk, 1]))
    assert "Kết quả thủ tục hành chính." in first.content.decode()
    assert "Bổ sung" not in first.content.decode()

    # Word and PDF of one version; the consolidated report of the approved ones.
    docx = client.get(reverse("plans:reporting:export", args=[report.pk, "docx"]) + "?v=1")
    assert docx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(docx.content)) as z:
        body = z.read("word/document.xml").decode()
    assert "Kết quả thủ tục hành chính." in body and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body
    pdf = client.get(reverse("plans:reporting:export", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    whole = client.get(reverse("plans:reporting:consolidated", args=[reports.pk, "2023", "docx"]))
    assert whole.status_code == 200
    with zipfile.ZipFile(io.BytesIO(whole.content)) as z:
        body = z.read("word/document.xml").decode()
    assert "Xã Tân Phú: " in body and "Bổ sung số liệu." in body
    # No approved report for 2022: nothing to combine.
    missing = reverse("plans:reporting:consolidated", args=[reports.pk, "2022", "pdf"])
    assert client.get(missing).status_code == 404


@pytest.mark.django_db
def test_not_due_and_scoping(
    client: Any, tree: Any, reports: ReportingDuty, make_officer: Any
) -> None:
    today = timezone.localdate()
    running = Report.objects.create(
        duty=reports,
        agency=tree.commune,
        period="dang-chay",
        period_kind="custom",
        period_first=today - timedelta(days=10),
        period_last=today + timedelta(days=10),
        due=today + timedelta(days=20),
    )
    client.force_login(make_officer("agency_leader", tree.commune))
    url = reverse("plans:reporting:detail", args=[running.pk])
    refused = client.post(url, {"action": "submit", "n-procedures": "Sớm quá"})
    assert refused.status_code == 400 and "chưa kết thúc" in refused.content.decode()
    running.refresh_from_db()
    assert running.status == ReportStatus.DRAFT and running.versions_count == 0
    # Another agency's leader neither reads nor writes the commune's report.
    client.force_login(make_officer("agency_leader", tree.dept_a))
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "save", "n-procedures": "x"}).status_code == 404
    # An inspector reads, cannot write; the review queue is the reform office's.
    client.force_login(make_officer("inspector", tree.province))
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "save", "n-procedures": "x"}).status_code == 403
    assert client.get(reverse("plans:reporting:queue")).status_code == 403
    running.refresh_from_db()
    assert running.narrative == {}


@pytest.mark.django_db
def test_completeness_page_and_downloads(
    client: Any,
    tree: Any,
    reports: ReportingDuty,
    make_officer: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(make_officer("reform_officer", tree.province))
    url = reverse("plans:reporting:completeness")
    with django_assert_max_num_queries(12):
        page = client.get(url + "?nam=2023")
    html = page.content.decode()
    assert page.status_code == 200 and "Xã Tân Phú" in html and "Sở Tư pháp" in html
    csv = client.get(url + "?nam=2023&tai=csv")
    assert csv.status_code == 200 and "Phải gửi" in csv.content.decode("utf-8-sig")
    xlsx = client.get(url + "?nam=2023&tai=xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


@pytest.mark.django_db
def test_ad_hoc_request(client: Any, tree: Any, reports: ReportingDuty, make_officer: Any) -> None:
    client.force_login(make_officer("reform_officer", tree.province))
    url = reverse("plans:reporting:queue")
    form = {
        "duty": reports.pk,
        "agency": tree.dept_b.code,
        "first": "2024-07-01",
        "last": "2024-08-15",
    }
    # Bad input: a range ending before it starts, a date that is not one; nothing written.
    before = Report.objects.count()
    bad = client.post(url, {**form, "last": "2024-06-01"})
    assert bad.status_code == 400 and "sau ngày đầu kỳ" in bad.content.decode()
    assert client.post(url, {**form, "first": "hôm qua"}).status_code == 400
    assert Report.objects.count() == before
    assert client.post(url, form).status_code == 302
    row = Report.objects.get(period="2024-07-01..2024-08-15")
    # 15/08/2024 is a Thursday: Fri 16, Mon 19, Tue 20, Wed 21, Thu 22 August (5 working days).
    assert (row.agency, row.due, row.status) == (tree.dept_b, date(2024, 8, 22), "draft")
    again = client.post(url, form)
    assert again.status_code == 400 and Report.objects.count() == before + 1
    # An agency's leader may not ask.
    client.force_login(make_officer("agency_leader", tree.dept_b))
    assert client.post(url, form).status_code == 403


@pytest.mark.django_db
def test_pages_in_english(
    client: Any, tree: Any, reports: ReportingDuty, make_officer: Any, settings: Any
) -> None:
    client.force_login(make_officer("reform_officer", tree.province))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("plans:reporting:list"))
    assert page.status_code == 200 and "Periodic reports" in page.content.decode()
    detail = client.get(reverse("plans:reporting:detail", args=[_one(tree, reports).pk]))
    assert (
        detail.status_code == 200 and "Figures of the period (automatic)" in detail.content.decode()
    )
    assert (
        "Reporting completeness"
        in client.get(reverse("plans:reporting:completeness")).content.decode()
    )
