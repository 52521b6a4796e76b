"""A small plan with tasks, duties and the initiative/dialogue targets, on the shared test tree
(province H97, Sở Tư pháp, Sở Xây dựng, Xã Tân Phú)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from caicach.agencies.models import Agency
from caicach.core.audit import Actor
from caicach.plans.importer import import_plan
from caicach.plans.models import Plan, Task

PLAN = """\
format: caicach-plan/1
plan:
  code: kh-viec
  kind: yearly
  title: Kế hoạch CCHC thử
  agency: 000.00.00.H97
  period: {start: 2024, end: 2026}
domains:
  - code: direction
    targets:
      - {code: dt, indicator: leader_dialogues, comparison: at_least, unit: count,
         label: Đối thoại, stages: [{due: 2024, threshold: 2}, {due: 2025, threshold: 2}]}
      - {code: sk, indicator: reform_initiatives, comparison: at_least, unit: count,
         label: Sáng kiến, stages: [{due: 2025, threshold: 1}]}
    tasks:
      - {title: Rà soát thủ tục tư pháp, lead: 000.00.01.H97, supporting: [000.00.02.H97],
         deadline: 2025-03-31}
      - {title: Số hóa hồ sơ xây dựng, lead: 000.00.02.H97, deadline: 2025-06-30}
      - {title: Tuyên truyền CCHC, lead: 000.00.01.H97, deadline: 2025-12-31}
      - {title: Việc của Ban Chỉ đạo, lead_label: Ban Chỉ đạo CCHC, deadline: 2025-01-31}
duties:
  - {subject: Báo cáo CCHC quý, reporter: 000.00.01.H97, recipient: 000.00.00.H97,
     frequencies: [quarterly]}
"""

TODAY = date(2025, 5, 15)


@pytest.fixture(name="work_plan")
def work_plan_fixture(tree: Any) -> Plan:
    Agency.objects.update(valid_from=date(2020, 1, 1))
    for agency in vars(tree).values():
        agency.refresh_from_db()
    import_plan(PLAN, Actor.system("test"))
    return Plan.objects.get(code="kh-viec")


def task(title: str) -> Task:
    return Task.objects.get(title=title)
