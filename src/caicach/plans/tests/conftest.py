"""Fixtures of the plans tests: the demo province's agency tree and the catalogue's field
codes the seed plans name."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from caicach.agencies.models import Agency
from caicach.core.audit import Actor
from caicach.demo.services import load_agencies
from caicach.plans.importer import import_plan
from caicach.plans.models import Plan
from caicach.procedures.models import Field

FIELDS = {"DATDAI": "Đất đai", "XAYDUNG": "Hoạt động xây dựng", "DAUTU": "Đầu tư tại Việt Nam"}


@pytest.fixture
def demo_tree(db: Any) -> None:
    load_agencies()
    for code, name in FIELDS.items():
        Field.objects.get_or_create(code=code, defaults={"name": name})


@pytest.fixture
def plan(tree: Any) -> Plan:
    """The small test plan (``test_values.PLAN``) on the shared tree, in operation since 2020."""
    from caicach.plans.tests.test_values import PLAN

    Agency.objects.update(valid_from=date(2020, 1, 1))
    import_plan(PLAN, Actor.system("test"))
    return Plan.objects.get(code="nq-thu")
