"""Fixtures of the plans tests: the demo province's agency tree and the catalogue's field
codes the seed plans name."""

from __future__ import annotations

from typing import Any

import pytest

from caicach.demo.services import load_agencies
from caicach.procedures.models import Field

FIELDS = {"DATDAI": "Đất đai", "XAYDUNG": "Hoạt động xây dựng", "DAUTU": "Đầu tư tại Việt Nam"}


@pytest.fixture
def demo_tree(db: Any) -> None:
    load_agencies()
    for code, name in FIELDS.items():
        Field.objects.get_or_create(code=code, defaults={"name": name})
