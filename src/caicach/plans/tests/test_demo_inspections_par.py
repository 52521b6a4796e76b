"""The demo's inspections and PAR-Index (issue 15): loaded by the demo reform officer through
the services, fast and idempotent."""

from __future__ import annotations

import time
from typing import Any

import pytest

from caicach.agencies.models import Agency
from caicach.demo.plans import load_demo_inspections, load_demo_par_index, load_demo_plans
from caicach.plans.inspections.models import Finding, Inspection
from caicach.plans.parindex.models import ParAssessment, ParScore


@pytest.mark.django_db
def test_demo_inspections_and_par_index(
    demo_tree: Any, make_officer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    make_officer("reform_officer", Agency.objects.get(code="000.00.00.H90"))
    started = time.perf_counter()
    load_demo_plans()
    print(f"demo plans + inspections + PAR-Index: {time.perf_counter() - started:.2f} s")
    assert Inspection.objects.count() == 2
    assert Finding.objects.filter(task__isnull=False).count() == 2
    assert ParAssessment.objects.count() == 5
    assert ParScore.objects.exclude(appraised_points=None).exists()
    assert ParScore.objects.exclude(appraisal_comment="").exists()  # one adjustment
    assert load_demo_inspections() == 0 and load_demo_par_index() == 0  # idempotent
