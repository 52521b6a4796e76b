"""Fixtures of the metrics tests: the shared tree (in operation since 2020), a procedure of
department A (statutory 4 working days, promised 3) and its officers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from caicach.agencies.models import Agency
from caicach.calendars.services import calendar_for, clear_cache
from caicach.dossiers.tests.factories import procedure_version


@pytest.fixture(autouse=True)
def _fresh_calendar_lookup() -> Any:
    clear_cache()
    yield
    clear_cache()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tree(tree: Any) -> Any:
    since = date(2020, 1, 1)
    for agency in vars(tree).values():
        agency.valid_from = since
    Agency.objects.filter(pk__in=[a.pk for a in vars(tree).values()]).update(valid_from=since)
    return tree


@pytest.fixture
def version(tree: Any) -> Any:
    calendar_for(tree.dept_a)
    return procedure_version(tree.dept_a)


@pytest.fixture
def officers(tree: Any, make_officer: Any) -> Any:
    class Officers:
        receiver = make_officer("receiver", tree.dept_a, username="motcua_a")
        processor = make_officer("processor", tree.dept_a, username="chuyenvien_a")
        leader = make_officer("agency_leader", tree.dept_a, username="lanhdao_a")

    return Officers
