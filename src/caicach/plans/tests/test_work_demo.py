"""The demo's plan work (issue 15): task progress, initiatives and dialogues give the inbox and
the leader's page life; loaded once, fast."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from caicach.agencies.models import Agency
from caicach.demo.plans import PROVINCE, load_demo_plans, load_demo_work
from caicach.plans.models import Task
from caicach.plans.tests.conftest import demo_tree  # noqa: F401
from caicach.plans.work.models import Dialogue, Initiative, TaskUpdate
from caicach.plans.work.queries import overdue_q


@pytest.mark.django_db
def test_demo_work(
    client: Any,
    demo_tree: Any,  # noqa: F811
    make_officer: Any,
    settings: Any,
    tmp_path: Any,
    django_assert_max_num_queries: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    started = time.perf_counter()
    load_demo_plans()
    print(f"demo plans and work: {time.perf_counter() - started:.2f} s")
    assert Dialogue.objects.count() == 4 and Initiative.objects.exclude(level="").count() == 2
    assert TaskUpdate.objects.exists()
    assert Task.objects.filter(overdue_q(timezone.localdate())).exists()
    assert load_demo_work() == 0  # idempotent
    client.force_login(make_officer("agency_leader", Agency.objects.get(code=PROVINCE)))
    # Every target of the province's resolution is evaluated (277 queries measured: the live
    # ones read their months per agency of a tier), as on the plan's own page.
    with django_assert_max_num_queries(300):
        page = client.get(reverse("plans:leader"))
    assert page.status_code == 200
    assert 'data-count="overdue"><b>0</b>' not in page.content.decode()
