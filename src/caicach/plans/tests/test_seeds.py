"""The five seed plans (shared/seeds/*.txt) ship as plan files that import cleanly, each with
every numeric target of its text (issue 15, "The seeds as plan files").

Counts, by hand from the texts:
* 000 (Quảng Trị action programme 2021-2025): 1 one-stop 100%, 2 time cut 25%, 3 on time 99%
  yearly, 4 e-one-stop 100%, 5 online 100%, 6 national portal 80%, 7 online dossiers 50%,
  8 mobile 100%, 9 satisfaction 90%, 10 health/education 85%, 11 self-financing 20%,
  12 conversion 100%, 13 digital transformation 100%, 14 PCI "khá", 15 PAR top 20,
  16 PAPI top 20 → 16; nine solutions → 9 tasks.
* 001 (Sóc Trăng 10-NQ/TU, 17 goal groups): G1 2, G2 1, G3 2, G4 3 tiers, G5 3, G6 1, G7 1,
  G8 3, G9 1, G10 1, G11 3 tiers, G12 1, G13 2, G14 2, G15 1, G16 1, G17 4 ranks + PCI and
  PAPI groups = 6 → 34.
* 002 (Thạch Hà 2024): II.1 5 (1.1, 1.2, 1.3 ×2, 1.4), II.2 3, II.3 8 (3.1 ×2, 3.2 ×4, 3.3,
  3.4), II.5 1, II.6 5, II.7 5 (7.1, 7.2, 7.3 ×3) → 27.
* 003 (Bình Định 2021): inspections 3, procedures 6 (simplified 20%, vertical 80%, online 60%,
  portal 50%, level 4 10%, online dossiers 30%), leaders 1, degrees 1, work files 3 tiers,
  reports 1 → 15.
* 004 (Bắc Kạn 2021-2025): satisfaction 4, civil service 3, finance 2, reports 1, work files 3,
  meetings 1, PCI 2 (rank +1/year on average, "khá" group) → 16.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from caicach.core.audit import Actor
from caicach.core.models import AuditEntry
from caicach.plans.importer import import_plan
from caicach.plans.models import Plan, ReportingDuty, Stage, Target, Task

SEEDS = Path(__file__).parents[1] / "data" / "seeds"
# Seed 001 first: seed 002 implements it.
EXPECTED = [
    ("001_nghi_quyet_cchc_2025_2030.yaml", "nq-10-2021-cchc", 34, 2, 1),
    ("000_chuong_trinh_hanh_dong_2021_2025.yaml", "ctht-nq-01-2021-2025", 16, 9, 0),
    ("002_ke_hoach_cchc_2024_huyen.yaml", "kh-cchc-2024-hoa-phong", 27, 55, 4),
    ("003_ke_hoach_cchc_2021.yaml", "kh-cchc-2021", 15, 4, 0),
    ("004_nghi_quyet_cchc_pci_2021_2025.yaml", "nq-bch-2021-cchc-pci", 16, 1, 0),
]


@pytest.mark.django_db
def test_the_five_seeds_import_with_every_target(demo_tree: Any) -> None:
    actor = Actor.system("test")
    for name, code, targets, tasks, duties in EXPECTED:
        result = import_plan((SEEDS / name).read_text(), actor)
        assert (result.targets, result.tasks, result.duties) == (targets, tasks, duties), name
        plan = Plan.objects.get(code=code)
        assert plan.targets.count() == targets
        assert Task.objects.filter(plan=plan).count() == tasks
        assert ReportingDuty.objects.filter(plan=plan).count() == duties
    assert len(list(SEEDS.glob("*.yaml"))) == 5
    assert AuditEntry.objects.filter(action="plan.import").count() == 5
    # Every target is measured by a KPI or a reported indicator, and has a stage.
    assert not Target.objects.filter(kpi_code="", indicator__isnull=True).exists()
    assert not Target.objects.filter(stages__isnull=True).exists()


@pytest.mark.django_db
def test_trajectories_are_stored_as_rule_and_stages(demo_tree: Any) -> None:
    actor = Actor.system("test")
    import_plan((SEEDS / EXPECTED[0][0]).read_text(), actor)
    commune = Target.objects.get(plan__code="nq-10-2021-cchc", code="4-xa")
    # Sóc Trăng goal 4: 15% for communes in 2021, then +20 points a year: 15, 35, 55, 75, 95.
    assert commune.trajectory["step"] == 20
    stages = list(commune.stages.values_list("due", "threshold"))
    assert stages == [
        (date(y, 12, 31), Decimal(v))
        for y, v in zip(range(2021, 2026), (15, 35, 55, 75, 95), strict=True)
    ]
    province = Target.objects.get(plan__code="nq-10-2021-cchc", code="4-tinh")
    # 30, 50, 70, 90, then 110 capped at 100.
    assert province.stages.last().threshold == 100
    assert (province.scope_kind, commune.scope_tier) == ("tier", "commune")
    # Goal 17: PAR top 15 in 2025, then one rank better each year to 2030 (relative stages).
    par = Target.objects.get(plan__code="nq-10-2021-cchc", code="17-par")
    rows = list(par.stages.values_list("due", "threshold", "step"))
    assert rows[0] == (date(2025, 12, 31), Decimal(15), None)
    assert rows[1:] == [(date(y, 12, 31), None, Decimal(-1)) for y in range(2026, 2031)]
    assert Stage.objects.filter(target__plan__code="nq-10-2021-cchc").count() > 34
