"""Lifecycle actions: transitions, optimistic concurrency, roles, the clock, apologies."""

from __future__ import annotations

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from caicach.accounts.errors import ForbiddenError
from caicach.calendars.services import calendar_for
from caicach.core.audit import Actor
from caicach.core.errors import ConflictError
from caicach.core.models import AuditEntry
from caicach.dossiers import clock, services
from caicach.dossiers.models import ClockEntry, Dossier, DossierEvent
from caicach.dossiers.services import DossierInputError, DossierNotFoundError
from caicach.dossiers.tests.factories import act, receive, vn

pytestmark = pytest.mark.django_db


def ledger(dossier: Dossier) -> list[clock.ClockEvent]:
    return [
        clock.ClockEvent(
            at=e.at,
            kind=e.kind,
            step_order=e.step_order,
            agency=str(e.agency_id) if e.agency_id else None,
            new_due=e.new_due,
            reason=e.reason,
        )
        for e in ClockEntry.objects.filter(dossier=dossier).order_by("id")
    ]


def kinds(dossier: Dossier) -> list[str]:
    return list(
        ClockEntry.objects.filter(dossier=dossier).order_by("id").values_list("kind", flat=True)
    )


def test_a_dossier_goes_from_receipt_to_return(tree, officers, version):
    o = officers
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False) as traveller:
        d = receive(o.receiver, version, tree.dept_a)
        traveller.move_to(vn(2025, 6, 2, 10))
        d = act(o.receiver, d, "assign", agency=tree.unit_a.code, assignee=o.processor.pk)
        assert (d.state, d.current_agency, d.current_step, d.assigned_to) == (
            "assigned",
            tree.unit_a,
            2,
            o.processor,
        )
        traveller.move_to(vn(2025, 6, 2, 11))
        d = act(o.processor, d, "accept")
        d = act(o.processor, d, "appraise", note="Hồ sơ hợp lệ.")
        traveller.move_to(vn(2025, 6, 3, 9))
        d = act(o.processor, d, "submit_for_approval")
        assert (d.state, d.current_step) == ("awaiting_approval", 3)
        traveller.move_to(vn(2025, 6, 3, 10))
        d = act(o.leader, d, "approve")
        traveller.move_to(vn(2025, 6, 3, 11))
        d = act(o.processor, d, "mark_result_ready")
        assert (d.state, d.current_agency, d.timeliness) == ("result_ready", tree.dept_a, "early")
        assert d.finished_at == vn(2025, 6, 3, 11)
        traveller.move_to(vn(2025, 6, 4, 14))
        d = act(o.receiver, d, "return_result")
    assert (d.state, d.version, d.returned_at) == ("returned", 8, vn(2025, 6, 4, 14))
    assert kinds(d) == [
        "received",
        "step_started",
        "step_finished",
        "step_started",
        "step_finished",
        "step_started",
        "finished",
        "finished",
    ]
    # The ledger obeys the clock's rules; the time is attributed to each step and unit.
    segments = clock.build_segments(ledger(d))
    assert [(s.step_order, s.agency, s.start, s.end) for s in segments] == [
        (1, str(tree.dept_a.pk), vn(2025, 6, 2, 9), vn(2025, 6, 2, 10)),
        (2, str(tree.unit_a.pk), vn(2025, 6, 2, 10), vn(2025, 6, 3, 9)),
        (3, str(tree.unit_a.pk), vn(2025, 6, 3, 9), vn(2025, 6, 3, 11)),
    ]
    events = list(DossierEvent.objects.filter(dossier=d).values_list("action", "to_state"))
    assert events == [
        ("receive", "received"),
        ("assign", "assigned"),
        ("accept", "processing"),
        ("appraise", "processing"),
        ("submit_for_approval", "awaiting_approval"),
        ("approve", "approved"),
        ("mark_result_ready", "result_ready"),
        ("return_result", "returned"),
    ]
    assert (
        AuditEntry.objects.filter(object_id=str(d.pk), action__startswith="dossier.").count() == 8
    )


def test_a_transition_from_a_wrong_state_is_a_409_in_both_languages(tree, officers, version):
    d = receive(officers.receiver, version, tree.dept_a)
    with pytest.raises(ConflictError) as caught:
        act(officers.leader, d, "approve")
    assert caught.value.status == 409
    assert caught.value.code == "not_allowed"
    assert caught.value.message_vi == "Không thể phê duyệt khi hồ sơ đã được tiếp nhận."
    assert caught.value.message_en == "Cannot approve when the dossier has just been received."


def test_a_closed_dossier_refuses_everything(tree, officers, version):
    d = receive(officers.receiver, version, tree.dept_a)
    d = act(officers.receiver, d, "refuse", reason="Không thuộc thẩm quyền.")
    assert (d.state, d.timeliness) == ("refused", "early")
    assert kinds(d)[-1] == "finished"
    with pytest.raises(ConflictError) as caught:
        act(officers.receiver, d, "request_supplement", reason="x")
    assert caught.value.code == "terminal"
    assert "đã bị từ chối" in caught.value.message_vi


def test_a_stale_version_is_a_409_and_changes_nothing(tree, officers, version):
    d = receive(officers.receiver, version, tree.dept_a)
    act(officers.receiver, d, "assign")  # someone else moved it to version 2
    counts = (
        DossierEvent.objects.count(),
        ClockEntry.objects.count(),
        AuditEntry.objects.count(),
    )
    with pytest.raises(ConflictError) as caught:
        act(officers.leader, d, "assign", version=1)
    assert caught.value.code == "stale_version"
    assert "người khác cập nhật" in caught.value.message_vi
    assert "changed by someone else" in caught.value.message_en
    d.refresh_from_db()
    assert (d.state, d.version) == ("assigned", 2)
    assert counts == (
        DossierEvent.objects.count(),
        ClockEntry.objects.count(),
        AuditEntry.objects.count(),
    )


def test_a_role_the_table_does_not_allow_is_a_403(tree, officers, version):
    d = receive(officers.receiver, version, tree.dept_a)
    with pytest.raises(ForbiddenError) as caught:
        act(officers.processor, d, "assign")
    assert (caught.value.status, caught.value.code) == (403, "role")
    assert "phân công" in caught.value.message_vi


def test_an_officer_of_another_agency_cannot_see_or_act(tree, officers, version):
    d = receive(officers.receiver, version, tree.dept_a)
    with pytest.raises(DossierNotFoundError):
        act(officers.receiver_b, d, "assign")
    assert not services.visible_dossiers(officers.receiver_b).exists()
    assert services.visible_dossiers(officers.processor).get() == d


def test_a_supplement_pauses_and_its_arrival_restarts_the_time_limit(tree, officers, version):
    o = officers
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False) as traveller:
        d = receive(o.receiver, version, tree.dept_a)
        assert (d.due_at, d.legal_due_at) == (vn(2025, 6, 5, 17), vn(2025, 6, 6, 17))
        d = act(o.receiver, d, "assign")
        d = act(o.processor, d, "accept")
        traveller.move_to(vn(2025, 6, 3, 10))
        with pytest.raises(DossierInputError) as caught:
            act(o.processor, d, "request_supplement")
        assert caught.value.code == "reason_required"
        d = act(o.processor, d, "request_supplement", reason="Thiếu bản sao giấy khai sinh.")
        assert (d.state, d.supplement_requests) == ("awaiting_supplement", 1)
        assert kinds(d)[-1] == "paused"
        assert d.due_at == vn(2025, 6, 5, 17)  # unchanged while paused
        assert list(services.open_promises(None)) == []  # no running promise while paused
        traveller.move_to(vn(2025, 6, 9, 9))
        d = act(o.receiver, d, "supplement_received")
    # NĐ 61/2018 art. 19: counted again from the start: 3 (promised) and 4 (statutory) working
    # days from Mon 09/06.
    assert (d.state, d.current_agency, d.current_step) == ("received", tree.dept_a, 1)
    assert (d.due_at, d.legal_due_at) == (vn(2025, 6, 12, 17), vn(2025, 6, 13, 17))
    assert d.clock_started_at == vn(2025, 6, 9, 9)
    assert d.due_basis == "supplement"
    assert kinds(d)[-3:] == ["resumed", "step_finished", "step_started"]
    statutory = clock.StatutoryTime(version.statutory_value, version.statutory_unit)
    calendar = calendar_for(tree.dept_a)
    assert d.legal_due_at == clock.legal_due(
        d.received_at, statutory, version.cutoff, ledger(d), calendar
    )
    # Decision 766 subtracts the pause instead: finished on time against the first promise.
    verdict = clock.metric_766(
        d.received_at, vn(2025, 6, 5, 17), ledger(d), statutory, calendar, vn(2025, 6, 10, 9)
    )
    assert verdict.supplement_time == vn(2025, 6, 9, 9) - vn(2025, 6, 3, 10)


def test_an_online_dossier_gets_one_supplement_request_only(tree, officers, version):
    d = receive(officers.receiver, version, tree.dept_a, channel="online")
    d = act(officers.receiver, d, "request_supplement", reason="Thiếu ảnh.")
    d = act(officers.receiver, d, "supplement_received")
    with pytest.raises(ConflictError) as caught:
        act(officers.receiver, d, "request_supplement", reason="Lại thiếu.")
    assert caught.value.code == "online_supplement_once"


def test_a_second_request_at_the_counter_is_allowed_with_a_warning(tree, officers, version):
    d = receive(officers.receiver, version, tree.dept_a)
    d = act(officers.receiver, d, "request_supplement", reason="Thiếu ảnh.")
    d = act(officers.receiver, d, "supplement_received")
    d = act(officers.receiver, d, "request_supplement", reason="Lại thiếu.")
    assert d.supplement_requests == 2
    assert [w.code for w in d.warnings] == ["second_supplement_request"]
    event = DossierEvent.objects.filter(dossier=d).last()
    assert event.payload["warnings"] == ["second_supplement_request"]


def test_an_apology_sets_a_new_date_once(tree, officers, version):
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False) as traveller:
        d = receive(officers.receiver, version, tree.dept_a)
        traveller.move_to(vn(2025, 6, 3, 10))
        with pytest.raises(DossierInputError):  # a new date before the current one
            act(officers.leader, d, "apologise", reason="Chờ xác minh.", new_due=vn(2025, 6, 4, 17))
        with pytest.raises(DossierInputError):
            act(officers.leader, d, "apologise", new_due=vn(2025, 6, 10, 17))  # no reason
        d = act(
            officers.leader, d, "apologise", reason="Chờ xác minh.", new_due=vn(2025, 6, 10, 17)
        )
        assert (d.state, d.apologies, d.due_basis) == ("received", 1, "apology")
        # The apology moves the current promise only: the receipt's promise and the
        # statutory due stay (issue 13; regulations §2.4).
        assert d.due_at == vn(2025, 6, 10, 17)
        assert d.legal_due_at == vn(2025, 6, 6, 17)
        assert d.first_due_at == vn(2025, 6, 5, 17)
        extended = ClockEntry.objects.filter(dossier=d).last()
        assert (extended.kind, extended.new_due) == ("extended", vn(2025, 6, 10, 17))
        with pytest.raises(ConflictError) as caught:
            act(officers.leader, d, "apologise", reason="Lần nữa.", new_due="2025-06-12T17:00")
        assert caught.value.code == "apology_once"
        assert "một lần" in caught.value.message_vi


def test_an_apology_must_come_a_working_day_before_the_due_date(tree, officers, version):
    with time_machine.travel(vn(2025, 6, 2, 9), tick=False) as traveller:
        d = receive(officers.receiver, version, tree.dept_a)  # due Thu 05/06 17:00
        traveller.move_to(vn(2025, 6, 5, 9))
        with pytest.raises(ConflictError) as caught:
            act(officers.leader, d, "apologise", reason="Muộn.", new_due=vn(2025, 6, 10, 17))
    assert caught.value.code == "apology_too_late"
    assert d.apologies == 0


def test_the_receiving_desk_acts_on_a_dossier_held_elsewhere(tree, officers, make_officer, version):
    """NĐ 118/2025: a commune desk receives for department A; once the department holds the
    dossier, the desk still records the withdrawal (it acts at the receiving agency)."""
    desk = make_officer("receiver", tree.commune, username="motcua_xa")
    d = receive(desk, version, tree.commune, deciding_agency=tree.dept_a)
    assert (d.receiving_agency, d.deciding_agency) == (tree.commune, tree.dept_a)
    assert d.code.startswith("000.00.61.H97-")
    d = act(desk, d, "assign", agency=tree.unit_a.code)
    assert d.current_agency == tree.unit_a
    with pytest.raises(ForbiddenError):  # the desk does not process
        act(desk, d, "accept")
    d = act(desk, d, "withdraw", note="Công dân nộp đơn rút hồ sơ.")
    assert (d.state, kinds(d)[-1]) == ("withdrawn", "finished")


def test_the_history_and_the_ledger_are_append_only(tree, officers, version):
    d = receive(officers.receiver, version, tree.dept_a)
    for table in ("dossiers_dossierevent", "dossiers_clockentry"):
        for sql in (f"UPDATE {table} SET at = now()", f"DELETE FROM {table}"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    with pytest.raises(DatabaseError), transaction.atomic():
        DossierEvent.objects.filter(dossier=d).update(note="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        ClockEntry.objects.filter(dossier=d).delete()
    assert ClockEntry.objects.filter(dossier=d).count() == 2
    assert DossierEvent.objects.get(dossier=d).note == ""


def test_bad_action_input_is_refused(tree, officers, version):
    d = receive(officers.receiver, version, tree.dept_a)
    with pytest.raises(DossierInputError):
        act(officers.receiver, d, "fly")
    with pytest.raises(DossierInputError):
        act(officers.receiver, d, "receive")
    with pytest.raises(DossierInputError):
        act(officers.receiver, d, "assign", agency="000.00.99.X00")
    with pytest.raises(DossierInputError):  # outside the deciding agency
        act(officers.receiver, d, "assign", agency=tree.dept_b.code)
    with pytest.raises(DossierInputError):  # not a processor of the unit
        act(officers.receiver, d, "assign", assignee=officers.processor_b.pk)
    with pytest.raises(DossierNotFoundError):
        services.perform_action(Actor(user=officers.receiver), "nope", "assign", expected_version=1)
    d.refresh_from_db()
    assert d.version == 1
