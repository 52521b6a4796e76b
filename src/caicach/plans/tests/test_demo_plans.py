"""The demo's plans: the province resolution and a commune's 2024 plan implementing it, with
two years of reported values, loaded fast and giving every status some life (issue 15)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest

from caicach.demo.plans import COMMUNE_PLAN, PROVINCE_PLAN, load_demo_plans
from caicach.plans.models import Plan, ReportedValue
from caicach.plans.queries import plan_targets


@pytest.mark.django_db
def test_demo_plans_load_fast_with_two_years_of_values(
    demo_tree: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    started = time.perf_counter()
    written = load_demo_plans()
    elapsed = time.perf_counter() - started
    print(f"demo plans: {written} values in {elapsed:.2f} s")
    assert elapsed < 10
    commune = Plan.objects.get(code=COMMUNE_PLAN)
    assert commune.implements is not None and commune.implements.code == PROVINCE_PLAN
    assert commune.targets.filter(refines__isnull=False).count() == 4
    years = set(ReportedValue.objects.values_list("period", flat=True))
    assert years == {"2024", "2025"}
    assert ReportedValue.objects.filter(state="submitted").exists()  # waiting for approval
    statuses = {
        r.status for r in plan_targets(Plan.objects.get(code=PROVINCE_PLAN), date(2026, 3, 1))
    }
    assert {"achieved", "off_track"} <= statuses
    assert load_demo_plans() == 0  # idempotent


@pytest.mark.django_db
def test_demo_reports_in_every_state(demo_tree: Any, settings: Any, tmp_path: Any) -> None:
    from caicach.demo.plans import load_demo_reports
    from caicach.plans.reporting.models import Report

    settings.MEDIA_ROOT = tmp_path
    load_demo_plans()
    started = time.perf_counter()
    written = load_demo_reports()
    print(f"demo reports: {written} in {time.perf_counter() - started:.2f} s")
    assert written >= 8
    states = set(Report.objects.values_list("status", flat=True))
    assert states == {"draft", "submitted", "returned", "approved"}
    assert load_demo_reports() == 0  # idempotent
