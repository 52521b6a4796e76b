"""Plan file import: all or nothing, errors by line and field in both languages (issue 15)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from caicach.core.audit import Actor
from caicach.core.models import AuditEntry
from caicach.plans.importer import PlanImportError, import_plan
from caicach.plans.models import Plan, ReportedIndicator, Target

GOOD = """\
format: caicach-plan/1
plan:
  code: kh-thu-2025
  kind: yearly
  title: Kế hoạch thử
  agency: 000.00.00.H90
  period: {start: 2025, end: 2025}
domains:
  - code: procedures
    targets:
      - code: "1"
        kpi: online_share
        comparison: at_least
        unit: "%"
        label: Hồ sơ trực tuyến
        stages: [{due: 2025, threshold: 50}]
"""


def _issues(text: str) -> list[Any]:
    with pytest.raises(PlanImportError) as caught:
        import_plan(text, Actor.system("test"))
    return caught.value.issues


@pytest.mark.django_db
def test_a_good_file_imports_and_is_audited(demo_tree: Any) -> None:
    result = import_plan(GOOD, Actor.system("test"))
    assert (result.targets, result.stages) == (1, 1)
    target = Target.objects.get()
    assert target.kpi_formula_version  # the registry's formula version is kept with it
    assert AuditEntry.objects.filter(action="plan.import").count() == 1


@pytest.mark.django_db
def test_a_target_with_no_unit_is_refused_with_its_line_and_nothing_written(
    demo_tree: Any,
) -> None:
    text = GOOD.replace('        unit: "%"\n', "")
    issues = _issues(text)
    assert [(i.line, i.field) for i in issues] == [(11, "domains[0].targets[0].unit")]
    assert "Thiếu giá trị" in issues[0].vi and "missing" in issues[0].en
    assert "Dòng 11" in str(issues[0]) and "line 11" in str(issues[0])
    assert not Plan.objects.exists() and not ReportedIndicator.objects.exists()
    assert not AuditEntry.objects.filter(action="plan.import").exists()


@pytest.mark.django_db
def test_a_stage_after_the_plans_end_is_refused(demo_tree: Any) -> None:
    issues = _issues(GOOD.replace("{due: 2025, threshold: 50}", "{due: 2026, threshold: 50}"))
    assert issues[0].field == "domains[0].targets[0].stages[0]"
    assert issues[0].line == 16
    assert "sau khi kế hoạch kết thúc" in issues[0].vi
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("old", "new", "field", "en"),
    [
        ("000.00.00.H90", "999.99.99.H00", "plan.agency", "No agency"),
        ("kpi: online_share", "kpi: made_up", "domains[0].targets[0].kpi", "No KPI"),
        (
            "kpi: online_share",
            "indicator: nothing",
            "domains[0].targets[0].indicator",
            "No reported",
        ),
        ('unit: "%"', "unit: days", "domains[0].targets[0].unit", "Unit is %"),
        (
            "comparison: at_least",
            "comparison: roughly",
            "domains[0].targets[0].comparison",
            "one of",
        ),
        ("threshold: 50", "threshold: 150", "domains[0].targets[0].stages[0]", "between 0 and 100"),
        ("code: procedures", "code: astrology", "domains[0].code", "one of"),
        ("format: caicach-plan/1", "format: other", "format", "Expected format"),
        (
            "period: {start: 2025, end: 2025}",
            "period: {start: 2025, end: 2024}",
            "plan.period.end",
            "ends first",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_values_are_named(demo_tree: Any, old: str, new: str, field: str, en: str) -> None:
    issues = _issues(GOOD.replace(old, new))
    assert any(i.field == field and en in i.en for i in issues), issues
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_syntax_errors_and_duplicates(demo_tree: Any) -> None:
    assert _issues("plan: [unclosed\n")[0].en.startswith("YAML syntax error")
    dup = GOOD.replace("  kind: yearly\n", "  kind: yearly\n  kind: resolution\n")
    issue = _issues(dup)[0]
    assert (issue.line, issue.field) == (5, "plan.kind") and "Duplicate" in issue.en
    assert _issues("")[0].en == "The file is empty."
    assert _issues(GOOD.replace("{due: 2025,", "{due: 2025-13-45,"))[0].en.startswith("Use dates")


@pytest.mark.django_db
def test_a_plan_imported_twice_is_refused(demo_tree: Any) -> None:
    import_plan(GOOD, Actor.system("test"))
    issues = _issues(GOOD)
    assert issues[0].field == "plan.code" and "already exists" in issues[0].en


@pytest.mark.django_db
def test_command_check_writes_nothing_and_import_reports_errors(
    demo_tree: Any, tmp_path: Path
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("plans", "import", str(good), "--check", stdout=out)
    assert "Hợp lệ: 1 chỉ tiêu" in out.getvalue()
    assert not Plan.objects.exists() and not ReportedIndicator.objects.exists()
    call_command("plans", "import", str(good), stdout=out)
    assert Plan.objects.count() == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("kh-thu-2025", "kh-khac").replace('unit: "%"', "unit: "))
    with pytest.raises(CommandError) as caught:
        call_command("plans", "import", str(bad))
    assert "nothing written" in str(caught.value) and "line 14" in str(caught.value)
    assert Plan.objects.count() == 1
