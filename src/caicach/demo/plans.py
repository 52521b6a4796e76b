"""The demo's reform plans (issue 15): the province's resolution to 2025 with its 2030
orientation (seed 001, ``plans/data/seeds``) and a commune's 2024 plan that implements it
(``data/plan_commune_2024.yaml``), with two years (2024, 2025) of reported values so every
plan screen has life: approved values spread around the thresholds (some met, some not), a few
2025 values still waiting for the reform office, each with a small PDF as evidence.

Values are drawn from a hash of (indicator, agency, year), so every load gives the same ones.
Idempotent: a plan already there is left alone.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from caicach.agencies.models import Agency
from caicach.core.audit import Actor
from caicach.plans.importer import import_plan
from caicach.plans.models import Plan, ReportedIndicator, ReportedValue, ReportState, Target

DATA = Path(__file__).parent / "data"
SEED = Path(__file__).parents[1] / "plans" / "data" / "seeds" / "001_nghi_quyet_cchc_2025_2030.yaml"
PROVINCE_PLAN = "nq-10-2021-cchc"
COMMUNE_PLAN = "kh-cchc-2024-xa-phong-my"
YEARS = (2024, 2025)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: Ranks and groups the demo province reached (lower is better).
RANKS = {
    "par_index_rank": (18, 14),
    "pci_rank": (33, 28),
    "papi_rank": (25, 31),
    "dti_rank": (29, 24),
    "pci_tier": (4, 3),
    "papi_tier": (3, 3),
}
EVIDENCE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _draw(*parts: object) -> float:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def _value(target: Target, agency: Agency, year: int, threshold: Decimal) -> Decimal:
    code = target.indicator.code if target.indicator else ""
    if code in RANKS:
        return Decimal(RANKS[code][YEARS.index(year)])
    if target.unit == "count":
        return Decimal(int(threshold) + int(_draw(code, agency.code, year) * 3) - 1)
    # Around the threshold: from 12 points under to 8 over, a little better in 2025.
    shift = Decimal(str(round(_draw(code, agency.code, year) * 20 - 12, 1)))
    shift += 3 if year == 2025 else 0
    return max(Decimal(0), min(Decimal(100), threshold + shift))


def _threshold_in(target: Target, year: int) -> Decimal:
    stages = [s for s in target.stages.all() if s.threshold is not None]
    if not stages:
        return Decimal(50)
    later = [s for s in stages if s.due.year >= year]
    return (later[0] if later else stages[-1]).threshold or Decimal(50)


def _agencies(target: Target, year: int) -> list[Agency]:
    from caicach.plans.values import scope_agencies

    first, last = date(year, 1, 1), date(year, 12, 31)
    return [
        a
        for a in scope_agencies(target, last)
        if a.valid_from <= last and (a.valid_to is None or a.valid_to >= first)
    ]


def load_demo_plans(stdout: Any = None) -> int:
    """The two plans and their reported values; the number of values written."""
    actor = Actor.system("demo")
    for code, path in ((PROVINCE_PLAN, SEED), (COMMUNE_PLAN, DATA / "plan_commune_2024.yaml")):
        if not Plan.objects.filter(code=code).exists():
            import_plan(path.read_text(encoding="utf-8"), actor)
    if ReportedValue.objects.exists():
        return 0
    evidence_name = default_storage.save(
        f"plans/evidence/{hashlib.sha256(EVIDENCE).hexdigest()}.pdf", ContentFile(EVIDENCE)
    )
    seen: set[tuple[int, int, str]] = set()
    rows = []
    targets = (
        Target.objects.filter(plan__code__in=[PROVINCE_PLAN, COMMUNE_PLAN], indicator__isnull=False)
        .select_related("plan__agency", "indicator", "scope_agency")
        .prefetch_related("stages")
    )
    for target in targets:
        indicator: ReportedIndicator = target.indicator  # type: ignore[assignment]
        for year in YEARS:
            if year > target.plan.horizon.year:
                continue
            for agency in _agencies(target, year):
                key = (indicator.pk, agency.pk, str(year))
                if key in seen:
                    continue
                seen.add(key)
                value = _value(target, agency, year, _threshold_in(target, year))
                waiting = year == 2025 and _draw("wait", agency.code, indicator.code) < 0.15
                rows.append(
                    ReportedValue(
                        indicator=indicator,
                        agency=agency,
                        period=str(year),
                        period_end=date(year, 12, 31),
                        value=value,
                        evidence=evidence_name,
                        evidence_name=f"bao-cao-{year}.pdf",
                        evidence_type="pdf",
                        note="Dữ liệu mẫu",
                        state=ReportState.SUBMITTED if waiting else ReportState.APPROVED,
                        submitted_at=datetime(year + 1, 1, 10, 9, 0, tzinfo=TZ),
                        reviewed_at=None if waiting else datetime(year + 1, 1, 20, 9, 0, tzinfo=TZ),
                    )
                )
    ReportedValue.objects.bulk_create(rows)
    if stdout is not None:
        stdout.write(f"Plans: {PROVINCE_PLAN}, {COMMUNE_PLAN}; {len(rows)} reported values\n")
    return len(rows)
