"""One query vocabulary (caicach.dossiers.deadlines + DossierQuerySet): hand-worked tables, a
property, and the inbox tab, the API filter and the report agreeing on "overdue"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from caicach.calendars.rules import VN_TZ
from caicach.calendars.services import calendar_for
from caicach.dossiers import reports
from caicach.dossiers.deadlines import (
    RUNNING_STATES,
    deadline_badge,
    due_soon_until,
    is_overdue,
)
from caicach.dossiers.models import Dossier
from caicach.dossiers.reports import GroupBy, Metric, Period
from caicach.dossiers.tests.factories import act, receive, vn
from caicach.dossiers.workflow import DossierState

CLOSE = vn(2025, 4, 29, 17)  # a promised instant: Tuesday 29 April 2025, office close


@pytest.mark.parametrize(
    ("state", "at", "expected"),
    [
        ("processing", vn(2025, 4, 29, 16, 59), False),
        ("processing", CLOSE, False),  # at the due instant: still within time (BLDS art. 148)
        ("processing", CLOSE + timedelta(seconds=1), True),
        ("awaiting_supplement", vn(2025, 5, 30), False),  # paused: the clock stops (NĐ 61 art. 19)
        ("result_ready", vn(2025, 5, 30), False),  # processing ended (TT 01/2018 art. 13)
        ("returned", vn(2025, 5, 30), False),
        ("approved", vn(2025, 5, 30), True),  # approved but no result yet: still running
    ],
)
def test_overdue_table(state, at, expected):
    assert is_overdue(state, CLOSE, at) is expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("at", "days", "until"),
    [
        # Friday 25/4/2025. Saturday 26/4 is a make-up working day (the 2025 decision that
        # gave Friday 2/5 off), so +1 is Saturday 26, +2 Monday 28, +3 Tuesday 29.
        (vn(2025, 4, 25, 10), 1, vn(2025, 4, 27, 0)),
        (vn(2025, 4, 25, 10), 2, vn(2025, 4, 29, 0)),
        (vn(2025, 4, 25, 10), 3, vn(2025, 4, 30, 0)),
        # +4: 30/4 and 1/5 are public holidays, 2/5 the bridge day off, then the weekend.
        (vn(2025, 4, 25, 10), 4, vn(2025, 5, 6, 0)),
        # 0: today when it is a working day, else the next working day.
        (vn(2025, 4, 25, 10), 0, vn(2025, 4, 26, 0)),
        (vn(2025, 4, 27, 10), 0, vn(2025, 4, 29, 0)),  # Sunday -> Monday 28
        # Read in Vietnam time: 23:30 UTC on Thursday is 06:30 on Friday there.
        (datetime(2025, 4, 24, 23, 30, tzinfo=UTC), 1, vn(2025, 4, 27, 0)),
    ],
)
def test_due_soon_until_table(at, days, until):
    assert due_soon_until(at, calendar_for(None), days) == until


RUNNING_VALUES = sorted(s.value for s in RUNNING_STATES)
ALL_STATES = sorted(s.value for s in DossierState)
instants = st.datetimes(
    min_value=datetime(2025, 1, 2),  # noqa: DTZ001 (hypothesis bounds are naive)
    max_value=datetime(2026, 12, 1),  # noqa: DTZ001
    timezones=st.just(VN_TZ),
)


@given(state=st.sampled_from(ALL_STATES), due=instants, at=instants, soon_days=st.integers(0, 5))
def test_badge_property(state, due, at, soon_days):
    """The badge says "overdue" exactly when is_overdue does, "soon" never for a dossier whose
    clock is not running, and a later "soon" bound never turns "soon" off."""
    until = at + timedelta(days=soon_days)
    badge = deadline_badge(state, due, at, until)
    assert (badge == "overdue") == is_overdue(state, due, at)
    if state not in RUNNING_VALUES:
        assert badge == ""
    if badge == "soon":
        assert at <= due < until
        assert deadline_badge(state, due, at, until + timedelta(days=1)) == "soon"


@pytest.mark.django_db
def test_inbox_tab_api_filter_and_report_agree_on_overdue(client, tree, officers, version):
    o = officers
    late = [
        receive(o.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 10)),
        receive(o.receiver, version, tree.dept_a, received_at=vn(2025, 6, 2, 9)),
    ]
    processing = receive(o.receiver, version, tree.dept_a, received_at=vn(2025, 6, 3, 9))
    processing = act(o.receiver, processing, "assign", agency=tree.unit_a.code)
    late.append(processing)
    paused = receive(o.receiver, version, tree.dept_a, received_at=vn(2025, 6, 4, 9))
    with time_machine.travel(vn(2025, 6, 4, 10), tick=False):
        act(o.receiver, paused, "request_supplement", reason="Thiếu bản sao.")
    fresh = receive(o.receiver, version, tree.dept_a)  # received now: due in the future
    now = timezone.now()
    expected = {d.code for d in late}

    vocabulary = {d.code for d in Dossier.objects.overdue(now)}
    client.force_login(o.leader)
    html = client.get(reverse("dossiers:inbox"), {"tab": "qua-han"}).content.decode()
    inbox = set(re.findall(r"000\.00\.\d\d\.H97-\d{6}-\d{4}", html))
    api = APIClient()
    api.force_authenticate(o.leader)
    listed = {
        row["code"] for row in api.get("/api/v1/dossiers/", {"overdue": "true"}).json()["results"]
    }
    period = Period(date(2025, 1, 1), now.astimezone(VN_TZ).date())
    figure = reports.apology_stats(o.leader, tree.dept_a, period, now=now)
    behind = reports.metric_dossiers(
        o.leader, tree.dept_a, period, GroupBy.DECIDING, Metric.OVERDUE_UNAPOLOGISED, now=now
    )

    assert vocabulary == inbox == listed == {d.code for d in behind} == expected
    assert figure.totals["overdue_unapologised"] == len(expected)
    assert fresh.code not in inbox and paused.code not in inbox
