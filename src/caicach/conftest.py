"""Fixtures shared by every app's tests: a small agency tree and officers in it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from caicach.accounts.models import RoleAssignment, User
from caicach.accounts.tests.factories import PASSWORD, UserFactory
from caicach.agencies.models import Agency, AgencyKind, AgencyLevel
from caicach.agencies.tests.factories import AgencyFactory


@dataclass
class Tree:
    """Province H97 with two departments (A, B), a unit under A, and one commune."""

    province: Agency
    dept_a: Agency
    unit_a: Agency
    dept_b: Agency
    commune: Agency


@pytest.fixture
def tree(db: Any) -> Tree:
    province = AgencyFactory(
        code="000.00.00.H97", name="UBND tỉnh Thử", kind=AgencyKind.PEOPLE_COMMITTEE
    )
    dept_a = AgencyFactory(code="000.00.01.H97", name="Sở Tư pháp", parent=province)
    unit_a = AgencyFactory(
        code="000.01.01.H97", name="Phòng Hành chính tư pháp", kind=AgencyKind.UNIT, parent=dept_a
    )
    dept_b = AgencyFactory(code="000.00.02.H97", name="Sở Xây dựng", parent=province)
    commune = AgencyFactory(
        code="000.00.61.H97",
        name="Xã Tân Phú",
        kind=AgencyKind.COMMUNE,
        level=AgencyLevel.COMMUNE,
        parent=province,
    )
    return Tree(province, dept_a, unit_a, dept_b, commune)


@pytest.fixture
def make_officer(db: Any) -> Callable[..., User]:
    """``make_officer("admin", agency, username="x")``: a user with one role over ``agency``."""

    def make(role: str, agency: Agency, **fields: Any) -> User:
        user = UserFactory(**fields)
        RoleAssignment.objects.create(user=user, role=role, agency=agency)
        return user

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD
