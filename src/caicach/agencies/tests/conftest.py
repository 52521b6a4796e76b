"""Fixtures of the agency tests."""

from __future__ import annotations

from datetime import date

import pytest

from caicach.agencies.models import Agency, AgencyKind, AgencyLevel


@pytest.fixture
def many(tree):
    """Thirty communes, each with a one-stop desk, and merged predecessors: enough rows for an
    N+1 query to show."""
    rows = []
    for n in range(30):
        commune = Agency.objects.create(
            code=f"000.00.{70 + n:02d}.H97",
            name=f"Xã Thử {n}",
            kind=AgencyKind.COMMUNE,
            level=AgencyLevel.COMMUNE,
            parent=tree.province,
            valid_from=date(2025, 7, 1),
        )
        Agency.objects.create(
            code=f"000.01.{70 + n:02d}.H97",
            name=f"Bộ phận Một cửa xã Thử {n}",
            kind=AgencyKind.SERVICE_CENTRE,
            level=AgencyLevel.COMMUNE,
            parent=commune,
            valid_from=date(2025, 7, 1),
        )
        rows.append(commune)
    return rows
