"""The scope walk of issue 17: every URL pattern of the site, its path parameters filled with
REAL objects of another agency (dept_b: its dossier, the dossier's stored scan, its register
export, its officer, its procedure, its agency code), requested (GET and POST) as an anonymous
visitor, a citizen and an officer of dept_a in every role. No answer may carry dept_b's
personal data or stored bytes, and no POST may change dept_b's dossier; every stored file is
also requested directly under ``/media/`` and gets nothing.

A route with parameters this walk cannot fill fails :func:`test_every_parameter_is_filled`, so a
new URL is walked too. Figures (requests, foreign data, foreign actions, 5xx) are printed with
``-s``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLResolver, get_resolver

from caicach.accounts.models import Role, UserKind
from caicach.accounts.tests.factories import UserFactory
from caicach.core.models import AuditEntry
from caicach.dossiers.models import Dossier, RegisterExport, RegisterExportStatus
from caicach.dossiers.tests.factories import procedure_version, receive
from caicach.payments.models import Payment

pytestmark = pytest.mark.django_db

SCAN_B = b"%PDF-1.7 dept_b secret scan 4f1c"
EXPORT_B = b"%PDF-1.7 dept_b secret register 9a2e"
#: dept_b's applicant: values found nowhere else (the API schema's examples use the factories').
APPLICANT_B = {
    "kind": "person",
    "full_name": "Trịnh Thị Riêng Tư",
    "id_number": "079301004417",
    "phone": "0913557719",
    "address": "88 Ngõ Kín, phường Bí Mật",
}
_PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


@dataclass
class WorldB:
    dossier: Dossier
    values: dict[str, str]
    secrets: list[bytes]
    files: list[str]
    receiver: Any


@pytest.fixture
def world_b(tree: Any, make_officer: Any, settings: Any, tmp_path: Path) -> WorldB:
    settings.MEDIA_ROOT = tmp_path / "media"
    receiver_b = make_officer("receiver", tree.dept_b, username="motcua.b", full_name="Bùi Bí Mật")
    version = procedure_version(tree.dept_b)
    dossier = receive(
        receiver_b,
        version,
        tree.dept_b,
        applicant=APPLICANT_B,
        components=[{"name": "Tờ khai", "content": SCAN_B, "filename": "b.pdf"}],
    )
    component = dossier.components.get()
    export = RegisterExport.objects.create(
        owner=receiver_b,
        agency=tree.dept_b,
        date_from=date(2025, 1, 1),
        date_to=date(2025, 12, 31),
        status=RegisterExportStatus.DONE,
        rows=1,
    )
    export.file.save("b.pdf", ContentFile(EXPORT_B))
    assignment = receiver_b.roles.get()
    payment = Payment.objects.create(
        dossier=dossier,
        agency=tree.dept_b,
        amount=50_000,
        channel="cash",
        paid_at=dossier.received_at,
        receipt_number="000001/2025",
    )
    plan_b, value_b, proposal_b = _plan_b(tree.dept_b)
    report_b, report_file_b = _report_b(plan_b)
    inspection_b = _inspection_b(tree.dept_b, plan_b, dossier)
    par_b = _par_b(tree.dept_b)
    values = {
        "report": str(report_b.pk),
        "report_file": str(report_file_b.pk),
        "duty": str(report_b.duty_id),
        "plan": str(plan_b.pk),
        "reported_value": str(value_b.pk),
        "proposal": str(proposal_b.pk),
        "payment": str(payment.pk),
        "dossier": dossier.code,
        "component": str(component.pk),
        "export": str(export.pk),
        "officer": str(receiver_b.pk),
        "assignment": str(assignment.pk),
        "procedure": version.procedure.code,
        "number": str(version.number),
        "agency": tree.dept_b.code,
        "year": "2025",
        "dossier_pk": str(dossier.pk),
        "content_type": str(ContentType.objects.get_for_model(Dossier).pk),
        "kpi": "online_share",  # its denominator counts dept_b's dossier (received)
        "period": str(dossier.received_on.year),
        "inspection": str(inspection_b.pk),
        "inspection_plan": str(inspection_b.plan_id),
        "inspection_item": str(inspection_b.checklist.get().pk),
        "inspection_finding": str(inspection_b.findings.get().pk),
        "par_index": str(par_b.index_id),
        "par_assessment": str(par_b.pk),
        "par_score": str(par_b.scores.get().pk),
    }
    secrets = [
        SCAN_B,
        EXPORT_B,
        APPLICANT_B["id_number"].encode(),
        APPLICANT_B["phone"].encode(),
        APPLICANT_B["full_name"].encode(),
        APPLICANT_B["address"].encode(),
        "Bùi Bí Mật".encode(),
        EVIDENCE_B,
        PLAN_B_TITLE.encode(),
        REPORT_B.encode(),
        FINDING_B.encode(),
        PAR_B.encode(),
        PAR_EVIDENCE_B,
    ]
    files = [
        component.file.name,
        export.file.name,
        value_b.evidence.name,
        report_file_b.file.name,
        par_b.scores.get().evidence.name,
    ]
    return WorldB(dossier, values, secrets, files, receiver_b)


EVIDENCE_B = b"%PDF-1.7 dept_b secret evidence 7d3b"
PLAN_B_TITLE = "Kế hoạch bí mật của Sở B"


def _plan_b(dept_b: Any) -> tuple[Any, Any, Any]:
    """dept_b's own reform plan, a reported value with its evidence, a corrective proposal."""
    from caicach.core.audit import Actor
    from caicach.plans.importer import import_plan
    from caicach.plans.models import CorrectiveProposal, ReportedIndicator, ReportedValue

    text = (
        "format: caicach-plan/1\n"
        f"plan: {{code: kh-so-b, kind: yearly, title: {PLAN_B_TITLE}, agency: {dept_b.code},"
        " period: {start: 2025, end: 2025}}\n"
        "domains:\n  - code: digital_government\n    targets:\n"
        "      - {code: '1', indicator: online_meetings, comparison: at_least, unit: '%',"
        " label: Họp trực tuyến, stages: [{due: 2025, threshold: 80}]}\n"
    )
    plan = import_plan(text, Actor.system("test")).plan
    value = ReportedValue(
        indicator=ReportedIndicator.objects.get(code="online_meetings"),
        agency=dept_b,
        period="2025",
        period_end=date(2025, 12, 31),
        value=50,
        submitted_at="2026-01-05T08:00:00+07:00",
        evidence_type="pdf",
    )
    value.evidence.save("b-evidence.pdf", ContentFile(EVIDENCE_B), save=False)
    value.save()
    target = plan.targets.get()
    proposal = CorrectiveProposal.objects.create(
        target=target, agency=dept_b, title=PLAN_B_TITLE, deadline=date(2025, 12, 31)
    )
    return plan, value, proposal


FINDING_B = "Phát hiện bí mật của Sở B"


def _inspection_b(dept_b: Any, plan_b: Any, dossier: Any) -> Any:
    """An inspection of dept_b (its own plan), with a sampled dossier, a checklist item and a
    finding (plans/inspections)."""
    from caicach.plans.inspections.models import (
        ChecklistItem,
        Finding,
        Inspection,
        InspectionPlan,
        SampledDossier,
    )

    iplan = InspectionPlan.objects.create(
        agency=dept_b, year=2025, title=PLAN_B_TITLE, reform_plan=plan_b
    )
    inspection = Inspection.objects.create(
        plan=iplan,
        agency=dept_b,
        scheduled_on=date(2025, 10, 1),
        team=PLAN_B_TITLE,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 9, 30),
    )
    SampledDossier.objects.create(inspection=inspection, dossier=dossier, picked_by="random")
    ChecklistItem.objects.create(inspection=inspection, question=FINDING_B)
    Finding.objects.create(inspection=inspection, description=FINDING_B, severity="high")
    return inspection


PAR_B = "Lý do bí mật của Sở B"
PAR_EVIDENCE_B = b"%PDF-1.7 dept_b secret par evidence 5e7a"


def _par_b(dept_b: Any) -> Any:
    """dept_b's PAR-Index assessment: one manual criterion with evidence and a reason."""
    from caicach.plans.parindex.models import (
        ParAssessment,
        ParCriterion,
        ParIndexSet,
        ParScore,
    )

    index = ParIndexSet.objects.create(
        year=2025, tier="department", title="Chỉ số", maximum=5, source=""
    )
    criterion = ParCriterion.objects.create(
        index=index, code="1", name="A", depth=1, maximum=5, rule={"kind": "manual"}
    )
    assessment = ParAssessment.objects.create(index=index, agency=dept_b)
    score = ParScore(
        assessment=assessment,
        criterion=criterion,
        self_points=3,
        no_evidence_reason=PAR_B,
        evidence_type="pdf",
    )
    score.evidence.save("par-b.pdf", ContentFile(PAR_EVIDENCE_B), save=False)
    score.save()
    return assessment


def _value(prefix: str, name: str, v: dict[str, str]) -> str | None:
    """The real dept_b object for parameter ``name`` of a pattern under ``prefix``."""
    if name == "code":
        if re.search(r"metrics/kpis/$", prefix):
            return v["kpi"]
        if re.search(r"ho-so/$|dossiers/$|tra-cuu/$|lookup/$", prefix):
            return v["dossier"]
        if re.search(r"thu-tuc/$|procedures/$", prefix):
            return v["procedure"]
        return v["agency"]
    if name == "agency_code":
        return v["agency"]
    if name == "kpi":  # the dashboards' dossiers behind a KPI (/chi-so/co-quan/…/ho-so/<kpi>/)
        return v["kpi"]
    if name in ("component",) or (name == "pk" and "giay-to" in prefix):
        return v["component"]
    if name == "pk" and ("so-theo-doi/tep" in prefix or "register-exports" in prefix):
        return v["export"]
    if name == "pk" and "can-bo" in prefix:
        return v["officer"]
    if "ke-hoach/bao-cao/" in prefix and name in ("pk", "file_id", "number", "duty_id", "period"):
        key = {"pk": "report", "file_id": "report_file", "duty_id": "duty"}
        return {"number": "1", "period": "2025"}.get(name) or v[key[name]]
    if name == "pk" and "ke-hoach/so-lieu" in prefix:
        return v["reported_value"]
    if name == "pk" and "ke-hoach/de-xuat" in prefix:
        return v["proposal"]
    if name == "pk" and "ke-hoach/chi-so-cchc/danh-gia/" in prefix:
        return v["par_assessment"]
    if name == "pk" and "ke-hoach/chi-so-cchc/diem/" in prefix:
        return v["par_score"]
    if name == "pk" and "ke-hoach/chi-so-cchc/" in prefix:
        return v["par_index"]
    if name == "pk" and "ke-hoach/kiem-tra/" in prefix:
        return v["inspection"]
    if name == "plan_pk":
        return v["inspection_plan"]
    if name == "item_pk":
        return v["inspection_item"]
    if name == "finding_pk":
        return v["inspection_finding"]
    if name == "pk" and ("ke-hoach/" in prefix or "plans/" in prefix):
        return v["plan"]
    if name == "assignment_pk":
        return v["assignment"]
    if name == "payment_id":
        return v["payment"]
    if name == "number":
        return v["number"]
    if name == "year":
        return v["year"]
    if name == "object_id":
        return v["dossier_pk"]
    if name == "content_type_id":
        return v["content_type"]
    if name == "action":
        return "assign"
    if name == "tier":  # the fair rankings (/xep-hang/<tier>/<code>/)
        return "so-nganh"
    if name == "form":
        return "receipt"
    if name == "fmt":
        return "xlsx"
    if name == "app_label":
        return "dossiers"
    if name == "url":
        return "x/"
    if name == "pk":  # the TOTP device views of the admin: no device of dept_b
        return "1"
    return None


def _fill(piece: str, prefix: str, values: dict[str, str], unfilled: list[str]) -> str:
    out = ""
    last = 0
    for m in _PARAM.finditer(piece):
        name = m["name"] or m["rname"]
        value = _value(prefix + out + piece[last : m.start()], name, values)
        if value is None:
            unfilled.append(f"{prefix}{piece} <{name}>")
            value = "1"
        out += piece[last : m.start()] + value
        last = m.end()
    out += piece[last:]
    return out.replace("^", "").replace("$", "").replace("\\", "")


def real_paths(values: dict[str, str]) -> tuple[list[str], list[str]]:
    """Every URL pattern as a path naming dept_b's objects; and the parameters not filled."""
    paths: list[str] = []
    unfilled: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            filled = _fill(str(entry.pattern), prefix, values, unfilled)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + filled)
            else:
                paths.append("/" + prefix + filled)

    walk(get_resolver().url_patterns, "")
    return paths, unfilled


def _with_query(path: str, values: dict[str, str]) -> str:
    """The figures' routes (``/api/v1/metrics/``) read their agency and period from the query:
    dept_b's agency, the year of its dossier, the denominator's rows."""
    if not path.startswith("/api/v1/metrics/"):
        return path
    query = f"agency={values['agency']}&period={values['period']}&part=denominator"
    return f"{path}?{query}&sub=3.3&extra=1" if "what-if" in path else f"{path}?{query}"


def test_every_parameter_is_filled(world_b):
    _paths, unfilled = real_paths(world_b.values)
    assert unfilled == [], "add the new parameter to _value so the walk covers it"


REPORT_B = "Báo cáo mật của Sở B 5e1c"


def _report_b(plan: Any) -> tuple[Any, Any]:
    """dept_b's submitted periodic report (plans.reporting) with an evidence file, version 1."""
    from caicach.plans.models import ReportingDuty
    from caicach.plans.reporting.models import Report, ReportEvidence, ReportVersion

    duty = ReportingDuty.objects.create(
        plan=plan, subject="Báo cáo năm", reporter=plan.agency, frequencies=["yearly"]
    )
    report = Report.objects.create(
        duty=duty, agency=plan.agency, period="2025", period_kind="year",
        period_first=date(2025, 1, 1), period_last=date(2025, 12, 31), due=date(2026, 1, 8),
        status="submitted", narrative={"procedures": REPORT_B}, versions_count=1,
    )  # fmt: skip
    ReportVersion.objects.create(
        report=report, number=1, submitted_at="2026-01-05T08:00:00+07:00",
        content={"narrative": {"procedures": REPORT_B}, "figures": [], "targets": [],
                 "evidence": [], "agency_name": "Sở B", "period": "2025"},
    )  # fmt: skip
    file = ReportEvidence(report=report, name="b.pdf", kind="pdf",
                          uploaded_at="2026-01-05T08:00:00+07:00")  # fmt: skip
    file.file.save("b-report.pdf", ContentFile(EVIDENCE_B), save=False)
    file.save()
    return report, file


def _callers(tree: Any, make_officer: Any) -> dict[str, Client]:
    callers = {"anonymous": Client()}
    citizen = UserFactory(username="dan.walk", kind=UserKind.CITIZEN)
    callers["citizen"] = Client()
    callers["citizen"].force_login(citizen)
    for role in Role:
        client = Client()
        client.force_login(make_officer(role.value, tree.dept_a, username=f"walk.{role.value}"))
        callers[f"dept_a {role.value}"] = client
    return callers


def test_no_other_partys_data_on_any_url(tree, make_officer, world_b):
    paths, _ = real_paths(world_b.values)
    callers = _callers(tree, make_officer)
    dossier = world_b.dossier
    before = (dossier.version, dossier.state, dossier.current_agency_id, dossier.assigned_to_id)
    last_before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    requests = 0
    foreign_data: list[str] = []
    server_errors: list[str] = []
    for who, client in callers.items():
        for path in paths:
            if path.endswith("/dang-xuat/") or "logout" in path:
                continue
            path = _with_query(path, world_b.values)
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                requests += 1
                if response.status_code >= 500:
                    server_errors.append(f"{who} {method.upper()} {path} {response.status_code}")
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                foreign_data.extend(
                    f"{who} {method.upper()} {path}: {secret[:20]!r}"
                    for secret in world_b.secrets
                    if secret in body
                )
    dossier.refresh_from_db()
    after = (dossier.version, dossier.state, dossier.current_agency_id, dossier.assigned_to_id)
    foreign_actions = int(after != before)
    foreign_actions += (
        AuditEntry.objects.exclude(action__startswith="access.")
        .filter(id__gt=last_before, object_id=str(dossier.pk), object_type="dossiers.dossier")
        .count()
    )
    # dept_b's reported value and corrective proposal are still waiting for dept_b's reviewers.
    from caicach.plans.models import CorrectiveProposal, ReportedValue

    foreign_actions += int(
        ReportedValue.objects.get(pk=world_b.values["reported_value"]).state != "submitted"
    )
    foreign_actions += int(
        CorrectiveProposal.objects.get(pk=world_b.values["proposal"]).state != "proposed"
    )
    from caicach.plans.reporting.models import Report

    foreign_actions += int(Report.objects.get(pk=world_b.values["report"]).status != "submitted")
    foreign_actions += AuditEntry.objects.filter(
        id__gt=last_before, action__startswith="plan."
    ).count()
    # No access-log entry for dept_b's data either: nobody of dept_a saw it.
    seen = AuditEntry.objects.filter(action__startswith="access.").count()
    print(
        f"\nscope walk: {len(paths)} routes x {len(callers)} callers, {requests} requests, "
        f"{len(foreign_data)} foreign data, {foreign_actions} foreign actions, "
        f"{len(server_errors)} 5xx, {seen} access entries"
    )
    assert foreign_data == []
    assert server_errors == []
    assert foreign_actions == 0
    assert seen == 0
    assert requests > 500


@pytest.mark.parametrize("who", ["anonymous", "officer of dept_a", "admin of the province"])
def test_every_stored_file_is_unreachable_by_its_name(client, tree, make_officer, world_b, who):
    """No URL serves a stored file by its storage name (issue 17 item 1), whoever asks."""
    if who == "officer of dept_a":
        client.force_login(make_officer("processor", tree.dept_a, username="cv.a"))
    elif who == "admin of the province":
        client.force_login(make_officer("admin", tree.province, username="qtv"))
    for name in world_b.files:
        for url in (f"/media/{name}", f"/{name}", f"/static/{name}", f"/media/../{name}"):
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert response.status_code in (302, 403, 404), url
            assert SCAN_B not in body and EXPORT_B not in body, url


def test_the_walk_has_teeth_dept_bs_own_officer_reads_it(client, world_b):
    """Control: the same filled paths do reach dept_b's data for dept_b's own receiver, so a
    clean walk means refused, not mis-addressed."""
    paths, _ = real_paths(world_b.values)
    client.force_login(world_b.receiver)
    found: set[bytes] = set()
    for path in paths:
        if "giay-to" in path or path.startswith(("/ho-so/0", "/api/v1/dossiers/")):
            response = client.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            found.update(secret for secret in world_b.secrets if secret in body)
    assert SCAN_B in found
    assert APPLICANT_B["id_number"].encode() in found


def test_the_walk_has_teeth_for_the_figures(client, tree, make_officer, world_b):
    """Control for the figures' routes: with the walk's query, dept_b's own leader reads the
    dossier behind dept_b's number (its applicant's name), so dept_a's 404s are refusals."""
    paths, _ = real_paths(world_b.values)
    client.force_login(make_officer("agency_leader", tree.dept_b, username="lanhdao.b.walk"))
    behind = [p for p in paths if p.startswith("/api/v1/metrics/kpis/") and "dossiers" in p]
    assert behind
    for path in behind:
        response = client.get(_with_query(path, world_b.values))
        assert response.status_code == 200, response.content
        assert APPLICANT_B["full_name"].encode() in response.content
