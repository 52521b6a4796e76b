# ruff: noqa: F811 - `june` is the fixture imported from test_reports
"""Long dossier register PDFs (TT 01/2018 form 06, TT 03/2025 form 07) rendered by a background
job: the threshold, the job enqueued with its audit entry, the file for its requester only, the
page (htmx polling) and the API (202 + Location). Small registers: the thresholds are patched."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob
from rest_framework.test import APIClient

from caicach.core.audit import Actor
from caicach.core.models import AuditEntry
from caicach.dossiers import reports
from caicach.dossiers.models import RegisterExport, RegisterExportStatus
from caicach.dossiers.tests.test_reports import JUNE, june  # noqa: F401 - the June fixture

JOB = "dossiers.render_register"


@pytest.fixture
def long_registers(monkeypatch: Any) -> None:
    """Registers of more than 2 dossiers go to the background job (June has 4 for dept A)."""
    monkeypatch.setattr(reports.register_jobs, "PDF_SYNC_MAX_ROWS", 2)


def _exports_audited() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="dossier.register_export").order_by("id"))


@pytest.mark.django_db
def test_up_to_the_threshold_the_pdf_is_rendered_in_the_request(tree, officers, june):
    result = reports.register_pdf_or_export(
        officers.receiver, Actor(user=officers.receiver), tree.dept_a, JUNE
    )
    assert isinstance(result, bytes) and result.startswith(b"%PDF")
    assert not RegisterExport.objects.exists()
    assert not ProcrastinateJob.objects.filter(task_name=JOB).exists()


@pytest.mark.django_db
def test_a_longer_register_is_one_job_with_its_audit_entry(tree, officers, june, long_registers):
    actor = Actor(user=officers.receiver)
    export = reports.register_pdf_or_export(officers.receiver, actor, tree.dept_a, JUNE)
    assert isinstance(export, RegisterExport)
    assert export.status == RegisterExportStatus.PENDING and export.rows == 4
    assert (export.owner, export.agency) == (officers.receiver, tree.dept_a)
    jobs = list(ProcrastinateJob.objects.filter(task_name=JOB))
    assert [j.args for j in jobs] == [{"export_id": export.pk}]
    [entry] = _exports_audited()
    assert entry.changes["export"] == export.pk and entry.changes["format"] == "pdf"
    # Asking again while it is being made: the same file, no second job or entry.
    again = reports.register_pdf_or_export(officers.receiver, actor, tree.dept_a, JUNE)
    assert again.pk == export.pk
    assert ProcrastinateJob.objects.filter(task_name=JOB).count() == 1
    assert len(_exports_audited()) == 1


@pytest.mark.django_db
def test_a_file_unfinished_for_too_long_is_given_up_and_asked_again(
    tree, officers, june, long_registers
):
    actor = Actor(user=officers.receiver)
    stuck = reports.register_pdf_or_export(officers.receiver, actor, tree.dept_a, JUNE)
    RegisterExport.objects.filter(pk=stuck.pk).update(
        status=RegisterExportStatus.RUNNING,
        created_at=stuck.created_at - reports.REGISTER_EXPORT_STALE - timedelta(seconds=1),
    )
    fresh = reports.register_pdf_or_export(officers.receiver, actor, tree.dept_a, JUNE)
    assert fresh.pk != stuck.pk and fresh.status == RegisterExportStatus.PENDING
    stuck.refresh_from_db()
    assert stuck.status == RegisterExportStatus.FAILED and stuck.error
    assert ProcrastinateJob.objects.filter(task_name=JOB).count() == 2


@pytest.mark.django_db
def test_a_rollback_leaves_no_file_no_job_no_entry(tree, officers, june, long_registers):
    with pytest.raises(RuntimeError), transaction.atomic():
        reports.register_pdf_or_export(
            officers.receiver, Actor(user=officers.receiver), tree.dept_a, JUNE
        )
        raise RuntimeError("the request failed after")
    assert not RegisterExport.objects.exists()
    assert not ProcrastinateJob.objects.filter(task_name=JOB).exists()
    assert not _exports_audited()


@pytest.mark.django_db
def test_the_job_renders_the_file_once(tree, officers, june, long_registers):
    export = reports.request_register_pdf(
        officers.receiver, Actor(user=officers.receiver), tree.dept_a, JUNE, 4
    )
    reports.build_register_export(export.pk)
    export.refresh_from_db()
    assert export.status == RegisterExportStatus.DONE and export.finished_at is not None
    with export.file.open("rb") as handle:
        assert handle.read(4) == b"%PDF"
    name = export.file.name
    reports.build_register_export(export.pk)  # a second run (retry) changes nothing
    export.refresh_from_db()
    assert export.file.name == name and export.status == RegisterExportStatus.DONE


@pytest.mark.django_db
def test_files_past_the_retention_are_deleted_and_answer_410(
    tree, officers, june, long_registers, settings, django_capture_on_commit_callbacks
):
    settings.REGISTER_EXPORT_RETENTION_DAYS = 7
    actor = Actor(user=officers.receiver)
    old, recent = (
        reports.request_register_pdf(officers.receiver, actor, tree.dept_a, period, 4)
        for period in (JUNE, reports.Period(JUNE.start, JUNE.end - timedelta(days=1)))
    )
    for export in (old, recent):
        reports.build_register_export(export.pk)
        export.refresh_from_db()
    RegisterExport.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    storage, name = old.file.storage, old.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.expire_register_exports() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == RegisterExportStatus.EXPIRED and not old.file
    assert not storage.exists(name)
    assert recent.status == RegisterExportStatus.DONE and storage.exists(recent.file.name)
    # Its owner is told it is gone (410), on the page and through the API.
    api = APIClient()
    api.force_authenticate(officers.receiver)
    response = api.get(f"/api/v1/register-exports/{old.pk}.pdf")
    assert response.status_code == 410 and response.json()["code"] == "register_export_expired"
    assert api.get(f"/api/v1/register-exports/{recent.pk}.pdf").status_code == 200
    # A second run deletes nothing more.
    assert reports.expire_register_exports() == 0


@pytest.mark.django_db
def test_the_job_records_why_it_failed(tree, officers, june, long_registers, monkeypatch):
    too_long = reports.request_register_pdf(
        officers.receiver, Actor(user=officers.receiver), tree.dept_a, JUNE, 4
    )
    monkeypatch.setattr(reports.register, "PDF_MAX_ROWS", 3)  # the register grew past the bound
    reports.build_register_export(too_long.pk)
    too_long.refresh_from_db()
    assert too_long.status == RegisterExportStatus.FAILED and "XLSX" in too_long.error
    assert not too_long.file
    # The owner's scope no longer covers the agency (a receiver of department B).
    out_of_scope = RegisterExport.objects.create(
        owner=officers.receiver_b, agency=tree.dept_a, date_from=JUNE.start, date_to=JUNE.end
    )
    reports.build_register_export(out_of_scope.pk)
    out_of_scope.refresh_from_db()
    assert out_of_scope.status == RegisterExportStatus.FAILED and "phạm vi" in out_of_scope.error


@pytest.mark.django_db
def test_more_than_the_bound_is_refused_before_any_job(tree, officers, june, monkeypatch):
    monkeypatch.setattr(reports.register_jobs, "PDF_SYNC_MAX_ROWS", 1)
    monkeypatch.setattr(reports.register, "PDF_MAX_ROWS", 3)
    with pytest.raises(reports.TooManyRowsError):
        reports.register_pdf_or_export(
            officers.receiver, Actor(user=officers.receiver), tree.dept_a, JUNE
        )
    assert not RegisterExport.objects.exists() and not _exports_audited()


@pytest.mark.django_db
def test_the_page_follows_the_file_and_offers_it_to_its_owner_only(
    client, tree, officers, june, long_registers, django_assert_max_num_queries
):
    client.force_login(officers.receiver)
    url = reverse("dossiers:register")
    period = {"from": "2025-06-01", "to": "2025-06-30"}
    response = client.get(url, {**period, "tai": "pdf"})
    assert response.status_code == 302 and response["Location"].endswith("#register-exports")
    assert "tai=" not in response["Location"]  # reloading does not ask again
    page = client.get(response["Location"]).content.decode()
    assert "chế độ nền" in page and "Đang chờ" in page
    assert 'hx-trigger="every 3s"' in page  # polls while the file is being made
    export = RegisterExport.objects.get()
    reports.build_register_export(export.pk)
    fragment_url = reverse("dossiers:register_exports")
    for _ in range(3):  # more files, same number of queries
        RegisterExport.objects.create(
            owner=officers.receiver, agency=tree.dept_a, date_from=JUNE.start, date_to=JUNE.end
        )
    with django_assert_max_num_queries(8):
        fragment = client.get(fragment_url).content.decode()
    assert fragment.count('data-testid="register-export"') == 4
    assert "Đã xong" in fragment
    file_url = reverse("dossiers:register_export_file", args=[export.pk])
    assert file_url in fragment
    download = client.get(file_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert _exports_audited()[-1].changes["export"] == export.pk
    # A file still being made: 409 with the reason, not a 500.
    waiting = RegisterExport.objects.filter(status=RegisterExportStatus.PENDING).first()
    response = client.get(reverse("dossiers:register_export_file", args=[waiting.pk]))
    assert response.status_code == 409 and "chưa sẵn sàng" in response.content.decode()
    # Another officer of the same department neither sees nor downloads it.
    client.force_login(officers.processor)
    assert 'register-export"' not in client.get(fragment_url).content.decode()
    response = client.get(file_url)
    assert response.status_code == 404 and "Không tìm thấy tệp" in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_202_with_a_location_to_poll(tree, officers, june, long_registers):
    api = APIClient()
    api.force_authenticate(officers.receiver)
    response = api.get(
        f"/api/v1/registers/{tree.dept_a.code}.pdf", {"from": "2025-06-01", "to": "2025-06-30"}
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and body["rows"] == 4 and body["file"] is None
    location = response["Location"]
    assert location.endswith(f"/api/v1/register-exports/{body['id']}/")
    assert api.get(location).json()["status"] == "pending"
    response = api.get(f"/api/v1/register-exports/{body['id']}.pdf")
    assert response.status_code == 409
    assert response.json()["code"] == "register_export_not_ready"
    reports.build_register_export(body["id"])
    status = api.get(location).json()
    assert status["status"] == "done" and status["file"].endswith(f"/{body['id']}.pdf")
    response = api.get(status["file"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    other = APIClient()
    other.force_authenticate(officers.processor)
    response = other.get(location)
    assert response.status_code == 404 and response.json()["detail_vi"]
    assert other.get(status["file"]).status_code == 404
    for missing in (0, 10**30):  # beyond a bigint: still a 404, not a database error
        response = api.get(f"/api/v1/register-exports/{missing}/")
        assert response.status_code == 404 and response.json()["code"].startswith("register")
