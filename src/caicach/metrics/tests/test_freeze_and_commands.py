from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from caicach.dossiers.tests.factories import act, receive, vn
from caicach.metrics.freeze import close_period
from caicach.metrics.models import FrozenValue, Revision
from caicach.metrics.periods import parse_period

pytestmark = pytest.mark.django_db


def test_closing_a_month_freezes_and_a_later_change_is_a_revision(tree, officers, version):
    with time_machine.travel(vn(2025, 7, 1, 9), tick=False) as t:
        d = receive(officers.receiver, version, tree.dept_a)
        t.move_to(vn(2025, 7, 1, 15))
        act(officers.receiver, d, "refuse", reason="Không đủ điều kiện.")
    july = parse_period("2025-07")
    first = close_period(july, [tree.dept_a])
    assert first.frozen > 0 and first.revised == 0
    frozen = FrozenValue.objects.get(period="2025-07", agency=tree.dept_a, kpi="on_time_766")
    assert (frozen.numerator, frozen.denominator, frozen.value) == (1, 1, 100)
    assert frozen.formula_version and frozen.catalogue_version
    again = close_period(july, [tree.dept_a])
    assert again.revised == 0 and again.unchanged == first.frozen
    # A late import: a dossier of July received afterwards.
    with time_machine.travel(vn(2025, 7, 2, 9), tick=False) as t:
        late = receive(officers.receiver, version, tree.dept_a, channel="online")
        t.move_to(vn(2025, 8, 30, 9))
        act(officers.receiver, late, "refuse", reason="x")
    third = close_period(july, [tree.dept_a], cause="late import")
    assert third.revised >= 1
    revision = Revision.objects.get(frozen__kpi="online_share", frozen__agency=tree.dept_a)
    assert (revision.numerator, revision.denominator, revision.cause) == (1, 2, "late import")
    frozen.refresh_from_db()
    assert frozen.value == 100  # the published value never changes silently


def test_the_kpi_command(tree, officers, version, django_assert_max_num_queries):
    with time_machine.travel(vn(2025, 7, 1, 9), tick=False):
        receive(officers.receiver, version, tree.dept_a, channel="online")
    out = StringIO()
    # About three reads a KPI (its dirty months, then the monthly and/or daily rows), not per row.
    with django_assert_max_num_queries(90):
        call_command(
            "kpi", "--agency", tree.province.code, "--period", "2025-Q3", "--json", stdout=out
        )
    doc = json.loads(out.getvalue())
    rows = {r["code"]: r for r in doc["kpis"]}
    assert doc["period"] == "2025-Q3" and doc["formula_version"]
    assert (rows["online_share"]["numerator"], rows["online_share"]["value"]) == ("1", "100")
    assert rows["on_time_766"]["value"] is None and rows["on_time_766"]["reason_en"]
    text = StringIO()
    call_command("kpi", "--agency", tree.province.code, "--period", "2025-07", stdout=text)
    assert "online_share" in text.getvalue()


@pytest.mark.parametrize(
    ("args", "vi", "en"),
    [
        (
            ["--agency", "000.00.00.H97", "--period", "2025-13"],
            "Tháng không hợp lệ",
            "Invalid month",
        ),
        (["--agency", "NOPE", "--period", "2025-07"], "Không có cơ quan", "No agency"),
    ],
)
def test_the_kpi_command_refuses_bad_input_in_both_languages(tree, args, vi, en):
    with pytest.raises(CommandError) as caught:
        call_command("kpi", *args)
    assert vi in str(caught.value) and en in str(caught.value)


def test_metrics_rebuild_and_close_commands(tree, officers, version):
    with time_machine.travel(vn(2025, 7, 1, 9), tick=False):
        receive(officers.receiver, version, tree.dept_a)
    out = StringIO()
    call_command("metrics", "rebuild", stdout=out)
    assert json.loads(out.getvalue())["rollup_rows"] == 1
    out = StringIO()
    call_command("metrics", "close", "2025-07", stdout=out)
    assert "frozen" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("metrics", "close", "2025-7")


def test_hooks_add_sections_to_the_report(tree, monkeypatch: Any):
    from caicach.metrics import compute
    from caicach.metrics.report import report

    monkeypatch.setattr(compute, "report_hooks", [lambda a, p: {"index_766": {"total": 1}}])
    assert report(tree.province, parse_period("2025-07"))["index_766"] == {"total": 1}
