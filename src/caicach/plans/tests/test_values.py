"""Target values and statuses from live KPIs and approved reported values, per-tier scopes,
corrective proposals, reported values with evidence, and the dashboards' targets provider
(issue 15)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.agencies.tests.factories import AgencyFactory
from caicach.core import registry
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError, ConflictError
from caicach.core.models import AuditEntry
from caicach.metrics.models import DailyRollup
from caicach.plans import proposals, reports
from caicach.plans.importer import import_plan
from caicach.plans.models import (
    CorrectiveProposal,
    ReportedIndicator,
    ReportedValue,
    Target,
    Task,
)
from caicach.plans.values import evaluate_target

ACTOR = Actor.system("test")
PDF = b"%PDF-1.4\n%test\n"

PLAN = """\
format: caicach-plan/1
plan:
  code: nq-thu
  kind: resolution
  title: Nghị quyết thử
  agency: 000.00.00.H97
  period: {start: 2021, end: 2025, orientation: 2030}
domains:
  - code: procedures
    targets:
      - {code: online, kpi: online_share, comparison: at_least, unit: "%", label: Hồ sơ trực tuyến,
         stages: [{due: 2024, threshold: 40}, {due: 2025, threshold: 70}]}
  - code: digital_government
    targets:
      - {code: files-xa, indicator: work_files_online, comparison: at_least, unit: "%",
         scope: {tier: commune, share: 100}, label: Hồ sơ công việc trên mạng — cấp xã,
         stages: [{due: 2024, threshold: 60}]}
      - {code: par, indicator: par_index_rank, comparison: rank_at_or_above, unit: rank,
         label: PAR INDEX, stages: [{due: 2025, threshold: 15}],
         trajectory: {kind: relative, start: 2026, until: 2027, step: -1}}
"""


@pytest.fixture
def plan(tree: Any) -> Any:
    Agency.objects.update(valid_from=date(2020, 1, 1))
    for agency in vars(tree).values():
        agency.refresh_from_db()
    tree.commune2 = AgencyFactory(
        code="000.00.62.H97",
        name="Xã Tân Lập",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=tree.province,
        valid_from=date(2020, 1, 1),
    )
    import_plan(PLAN, ACTOR)
    return tree


def _rollup(agency: Agency, day: date, received: int, online: int) -> None:
    DailyRollup.objects.create(
        day=day,
        agency=agency,
        procedure_id=1,
        version_id=1,
        channel="online",
        received=received,
        received_online=online,
    )


def _approved(indicator: str, agency: Agency, period: str, value: str, end: date) -> None:
    ReportedValue.objects.create(
        indicator=ReportedIndicator.objects.get(code=indicator),
        agency=agency,
        period=period,
        period_end=end,
        value=Decimal(value),
        state="approved",
        submitted_at="2025-01-05T08:00:00+07:00",
    )


@pytest.mark.django_db
def test_live_target_past_stage_on_the_year_and_next_stage_on_the_trend(plan: Any) -> None:
    # 2024: 3 of 10 received online = 30% < 40 → the 2024 stage is off track (judged on the year).
    _rollup(plan.province, date(2024, 6, 1), 10, 3)
    # 2025: January to June, 30, 34, 38, 42, 46, 50% (of 50 a month): +4 points a month.
    for month, online in enumerate((15, 17, 19, 21, 23, 25), start=1):
        _rollup(plan.dept_a, date(2025, month, 10), 50, online)
    target = Target.objects.get(code="online")
    result = evaluate_target(target, date(2025, 7, 15))
    first, second = result.stages
    assert (first.status, first.evaluation.method, first.evaluation.latest.value) == (
        "off_track",
        "final",
        Decimal(30),
    )
    # Six monthly points; the line rises ~4 points a month from 50% at the end of June, so by
    # 31/12 it is at ~74% ≥ 70, while the latest value (50) is below: on track.
    ev = second.evaluation
    assert (second.status, ev.method, ev.points) == ("on_track", "linear_trend", 6)
    assert Decimal(72) < ev.projected < Decimal(76)
    assert result.status == "on_track" and result.current == 1


@pytest.mark.django_db
def test_tier_target_needs_the_share_of_agencies(plan: Any) -> None:
    _approved("work_files_online", plan.commune, "2024", "70", date(2024, 12, 31))
    _approved("work_files_online", plan.commune2, "2024", "50", date(2024, 12, 31))
    target = Target.objects.get(code="files-xa")
    result = evaluate_target(target, date(2025, 3, 1))
    # 100% of communes must meet 60: Tân Lập (50) does not → off track.
    assert result.status == "off_track"
    assert {a.code: s for a, s in result.agencies} == {
        "000.00.61.H97": "achieved",
        "000.00.62.H97": "off_track",
    }
    # Half of them is enough: k = ceil(2 × 50 / 100) = 1, the best → achieved.
    target.share_required = Decimal(50)
    assert evaluate_target(target, date(2025, 3, 1)).status == "achieved"
    # Per agency, as the dashboards ask.
    assert evaluate_target(target, date(2025, 3, 1), agency=plan.commune).status == "achieved"


@pytest.mark.django_db
def test_a_value_not_yet_approved_does_not_count(plan: Any) -> None:
    _approved("work_files_online", plan.commune, "2024", "70", date(2024, 12, 31))
    ReportedValue.objects.create(
        indicator=ReportedIndicator.objects.get(code="work_files_online"),
        agency=plan.commune2,
        period="2024",
        period_end=date(2024, 12, 31),
        value=Decimal(90),
        state="submitted",
        submitted_at="2025-01-05T08:00:00+07:00",
    )
    result = evaluate_target(Target.objects.get(code="files-xa"), date(2025, 3, 1))
    # Tân Lập has no approved value: it cannot show it meets → the target is off track.
    assert dict((a.code, s) for a, s in result.agencies)["000.00.62.H97"] == "no_data"
    assert result.status == "off_track"


@pytest.mark.django_db
def test_relative_rank_stages_resolve_from_last_years_rank(plan: Any) -> None:
    _approved("par_index_rank", plan.province, "2025", "14", date(2025, 12, 31))
    _approved("par_index_rank", plan.province, "2026", "12", date(2026, 12, 31))
    result = evaluate_target(Target.objects.get(code="par"), date(2027, 3, 1))
    thresholds = [s.threshold for s in result.stages]
    # 2025: top 15 (14 ✓); 2026: 14 - 1 = 13 (12 ✓); 2027: 12 - 1 = 11, no value yet.
    assert thresholds == [15, 13, 11]
    assert [s.status for s in result.stages] == ["achieved", "achieved", "at_risk"]


@pytest.mark.django_db
def test_corrective_proposal_accept_and_dismiss(plan: Any, make_officer: Any) -> None:
    # Online share stuck at 10% all year: the 70% stage for 2025 is off track.
    for month in range(1, 7):
        _rollup(plan.province, date(2025, month, 3), 10, 1)
    office = make_officer("reform_officer", plan.province)
    leader = make_officer("agency_leader", plan.dept_a)
    made = proposals.propose_all(ACTOR, date(2025, 7, 15))
    assert len(made) == 1
    proposal = made[0]
    assert proposal.agency == plan.province
    assert proposal.figures["threshold"] == "70.00" and proposal.figures["method"] == "linear_trend"
    assert proposal.figures["latest"] == "10"
    assert proposals.propose_all(ACTOR, date(2025, 7, 16)) == []  # one open at a time
    with pytest.raises(PermissionDenied):
        proposals.accept(proposal.pk, leader, ACTOR)
    with pytest.raises(BilingualError):
        proposals.dismiss(proposal.pk, office, ACTOR, "  ")
    task = proposals.accept(proposal.pk, office, ACTOR)
    assert (task.lead_agency, task.plan.code) == (plan.province, "nq-thu")
    assert task.deadline == date(2025, 8, 14)
    with pytest.raises(ConflictError):
        proposals.dismiss(proposal.pk, office, ACTOR, "late")
    again = proposals.propose_all(ACTOR, date(2025, 7, 20))[0]
    proposals.dismiss(again.pk, office, ACTOR, "Đã có nhiệm vụ khắc phục")
    again.refresh_from_db()
    assert (again.state, again.reason) == ("dismissed", "Đã có nhiệm vụ khắc phục")
    actions = list(
        AuditEntry.objects.filter(action__startswith="plan.proposal").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(
        [
            "plan.proposal.create",
            "plan.proposal.accept",
            "plan.proposal.create",
            "plan.proposal.dismiss",
        ]
    )
    assert Task.objects.filter(proposal__isnull=False).count() == 1
    assert CorrectiveProposal.objects.count() == 2


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.django_db
def test_reported_value_submit_approve_return(
    plan: Any, make_officer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    indicator = ReportedIndicator.objects.get(code="work_files_online")
    leader = make_officer("agency_leader", plan.commune)
    other = make_officer("agency_leader", plan.commune2)
    office = make_officer("reform_officer", plan.province)
    inspector = make_officer("inspector", plan.province)
    args = {"indicator": indicator, "agency": plan.commune, "period": "2025"}
    # A forbidden type: a clear message, nothing written.
    with pytest.raises(BilingualError) as caught:
        reports.submit_value(leader, ACTOR, value="70", evidence=("x.exe", b"MZ\x90\x00"), **args)
    assert caught.value.code == "evidence_type" and "không được phép" in caught.value.message_vi
    with pytest.raises(BilingualError):
        reports.submit_value(leader, ACTOR, value="170", evidence=("a.pdf", PDF), **args)
    with pytest.raises(BilingualError):
        reports.submit_value(leader, ACTOR, value="70", evidence=None, **args)
    with pytest.raises(PermissionDenied):
        reports.submit_value(other, ACTOR, value="70", evidence=("a.pdf", PDF), **args)
    with pytest.raises(PermissionDenied):
        reports.submit_value(inspector, ACTOR, value="70", evidence=("a.pdf", PDF), **args)
    assert not ReportedValue.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="plan.value").exists()
    row = reports.submit_value(leader, ACTOR, value="70,5", evidence=("bc.docx", _docx()), **args)
    assert (row.value, row.evidence_type, row.state) == (Decimal("70.50"), "docx", "submitted")
    # Stored under the server's name (SHA-256 of the bytes), the client's name kept apart.
    stem = row.evidence.name.rsplit("/", 1)[1]
    assert len(stem) == len("x" * 64 + ".docx") and row.evidence_name == "bc.docx"
    with pytest.raises(ConflictError):
        reports.submit_value(leader, ACTOR, value="71", evidence=("a.pdf", PDF), **args)
    with pytest.raises(PermissionDenied):
        reports.approve(row.pk, leader, ACTOR)
    with pytest.raises(BilingualError):
        reports.give_back(row.pk, office, ACTOR, "")
    reports.give_back(row.pk, office, ACTOR, "Thiếu chữ ký")
    row = reports.submit_value(leader, ACTOR, value="72", evidence=("a.pdf", PDF), **args)
    assert (row.state, row.review_comment) == ("submitted", "")
    reports.approve(row.pk, office, ACTOR)
    row.refresh_from_db()
    assert row.state == "approved" and row.reviewed_by == office
    actions = list(
        AuditEntry.objects.filter(action__startswith="plan.value").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        ["plan.value.submit", "plan.value.return", "plan.value.submit", "plan.value.approve"]
    )


@pytest.mark.django_db
def test_targets_provider_for_the_dashboards(plan: Any) -> None:
    _approved("work_files_online", plan.commune, "2024", "70", date(2024, 12, 31))
    rows = registry.targets_for(plan.province, date(2025, 3, 1))
    assert {r["label_vi"] for r in rows} == {"Hồ sơ trực tuyến", "PAR INDEX"}
    assert all(set(r) == set(registry.TARGET_KEYS) for r in rows)
    online = next(r for r in rows if r["kpi_code"] == "online_share")
    assert (online["comparison"], online["threshold"], online["due"], online["status"]) == (
        ">=",
        Decimal(70),
        date(2025, 12, 31),
        "no_data",
    )
    assert online["url"].startswith("/")
    # The commune sees the tier target of its province's plan, evaluated for it alone.
    (row,) = registry.targets_for(plan.commune, date(2025, 3, 1))
    assert (row["kpi_code"], row["status"], row["due"]) == ("", "achieved", date(2024, 12, 31))
    assert registry.targets_provider()  # the plans app registered its provider


@pytest.mark.django_db
def test_the_daily_job_and_the_command_propose(plan: Any, capsys: Any) -> None:
    import time_machine
    from django.core.management import call_command

    from caicach.plans.tasks import propose_corrections

    for month in range(1, 7):
        _rollup(plan.province, date(2025, month, 3), 10, 1)
    with time_machine.travel(date(2025, 7, 15)):
        assert propose_corrections() == 1
        call_command("plans", "propose")
    assert "new proposals: 0" in capsys.readouterr().out
    assert CorrectiveProposal.objects.count() == 1


@pytest.mark.django_db
def test_grouped_months_agree_with_kpi(plan: Any) -> None:
    """The one-query monthly read gives what ``metrics.compute.kpi`` gives for each window."""
    from caicach.metrics.compute import kpi
    from caicach.metrics.periods import Period
    from caicach.plans.values import _Series

    for i, (day, received, online) in enumerate(
        [
            (date(2024, 1, 31), 10, 3),
            (date(2024, 2, 1), 7, 7),
            (date(2024, 12, 31), 5, 0),
            (date(2025, 3, 15), 9, 4),
            (date(2025, 6, 30), 4, 4),
        ]
    ):
        _rollup(plan.dept_a if i % 2 else plan.unit_a, day, received, online)
    target = Target.objects.get(code="online")
    series = _Series(target, plan.province, date(2025, 7, 15))
    windows = [
        (date(2024, 1, 1), date(2024, 12, 31)),
        (date(2024, 7, 1), date(2025, 6, 30)),
        (date(2025, 3, 1), date(2025, 3, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2025, 5, 1), date(2025, 5, 31)),  # nothing: no data, not 0
    ]
    for first, last in windows:
        expected = kpi("online_share", plan.province, Period(first, last))
        assert series._window(first, last) == expected.value, (first, last)
    assert series._window(date(2025, 5, 1), date(2025, 5, 31)) is None


@pytest.mark.django_db
def test_evidence_over_the_limit_is_refused(plan: Any, make_officer: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(reports, "MAX_EVIDENCE_BYTES", 10)
    leader = make_officer("agency_leader", plan.commune)
    with pytest.raises(BilingualError) as caught:
        reports.submit_value(
            leader,
            ACTOR,
            indicator=ReportedIndicator.objects.get(code="work_files_online"),
            agency=plan.commune,
            period="2025",
            value="70",
            evidence=("big.pdf", PDF + b"x" * 20),
        )
    assert caught.value.code == "evidence_too_large"
    assert not ReportedValue.objects.exists()
