"""Consultations with a deadline and parallel inter-agency transfers (NĐ 61/2018 art. 19,
*lấy ý kiến* and *liên thông* with a lead agency): services, scoping, API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import DatabaseError, transaction
from rest_framework.test import APIClient

from caicach.accounts.errors import ForbiddenError
from caicach.core.errors import ConflictError
from caicach.core.models import AuditEntry
from caicach.dossiers import services
from caicach.dossiers.api.filters import search
from caicach.dossiers.models import Dossier, DossierEvent, Referral
from caicach.dossiers.services import DossierInputError, DossierNotFoundError
from caicach.dossiers.tests.factories import act, receive, vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def more(tree: Any, make_officer: Any) -> Any:
    class More:
        commune_processor = make_officer("processor", tree.commune, username="chuyenvien_xa")
        leader_b = make_officer("unit_leader", tree.dept_b, username="lanhdao_b")

    return More


@pytest.fixture
def processing(tree: Any, officers: Any, version: Any) -> Any:
    """A dossier of department A in processing at unit A, on Monday 2 June 2025. Department B
    handles the procedure too (a *liên thông* procedure): it may take the dossier over."""
    version.procedure.handling_agencies.add(tree.dept_b)

    def make(at: Any = None) -> Dossier:
        with time_machine.travel(at or vn(2025, 6, 2, 9), tick=False):
            d = receive(officers.receiver, version, tree.dept_a)
            d = act(
                officers.receiver,
                d,
                "assign",
                agency=tree.unit_a.code,
                assignee=officers.processor.pk,
            )
            return act(officers.processor, d, "accept")

    return make


def visible(user: Any, dossier: Dossier) -> bool:
    return services.visible_dossiers(user).filter(pk=dossier.pk).exists()


# -- consultation ------------------------------------------------------------------------------


def test_consult_reply_then_resume(tree, officers, more, processing):
    d = processing()
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False) as t:
        d = act(
            officers.processor,
            d,
            "consult",
            agencies=[tree.dept_b.code, tree.commune.code],
            deadline_days=2,
            note="Đề nghị cho ý kiến về vị trí công trình.",
        )
        assert d.state == "consulting"
        asked = list(Referral.objects.filter(dossier=d).order_by("agency__code"))
        assert [(r.agency, r.kind) for r in asked] == [
            (tree.dept_b, "consultation"),
            (tree.commune, "consultation"),
        ]
        # 2 working days from Monday 10:00: end of office hours on Wednesday.
        assert {r.due_at.date() for r in asked} == {vn(2025, 6, 4).date()}
        assert all(r.question.startswith("Đề nghị") and r.is_open for r in asked)

        # Scoping: the asked agencies see it, an unrelated one does not.
        assert visible(officers.processor_b, d)
        assert visible(more.commune_processor, d)
        # ... also through a word search, whose index reads the scope's agency keys.
        assert d in search(services.visible_dossiers(more.commune_processor), "nguyen van an")
        assert services.acting_roles(officers.processor_b, d) == ["consultee"]

        # The holder cannot resume while answers are due and the deadline runs.
        t.move_to(vn(2025, 6, 3, 9))
        with pytest.raises(ConflictError) as info:
            act(officers.processor, d, "answer_consultation", note="Tiếp tục.")
        assert info.value.code == "consultation_pending"
        assert "Sở Xây dựng" in info.value.message_vi and "Xã Tân Phú" in info.value.message_vi
        assert "Sở Xây dựng" in info.value.message_en

        # Department B answers; the state does not change.
        d = act(officers.processor_b, d, "reply", note="Đồng ý, không có ý kiến khác.")
        assert d.state == "consulting"
        answered = Referral.objects.get(dossier=d, agency=tree.dept_b)
        assert (answered.answered_by, answered.answered_late) == (officers.processor_b, False)
        assert answered.answer == "Đồng ý, không có ý kiến khác."
        event = DossierEvent.objects.filter(dossier=d).last()
        assert (event.action, event.from_state, event.to_state, event.agency) == (
            "reply",
            "consulting",
            "consulting",
            tree.dept_b,
        )
        assert event.payload["referral"] == answered.pk
        audit = AuditEntry.objects.filter(action="dossier.reply").last()
        assert audit.changes["referrals"] == [
            {"answered": tree.dept_b.code, "referral": answered.pk, "late": False}
        ]
        # Answer once.
        with pytest.raises(ConflictError) as info:
            act(officers.processor_b, d, "reply", note="Lần hai.")
        assert info.value.code == "already_answered"
        with pytest.raises(ConflictError) as info:
            act(officers.processor_b, d, "reply", note="Lần hai.", referral=answered.pk)
        assert info.value.code == "already_answered"

        # Still waiting for the commune.
        with pytest.raises(ConflictError):
            act(officers.processor, d, "answer_consultation", note="Tiếp tục.")
        d = act(more.commune_processor, d, "reply", note="Xã đồng ý.")
        d = act(officers.processor, d, "answer_consultation", note="Đã có đủ ý kiến.")
    assert d.state == "processing"
    assert services.late_referrals_by_agency() == []


def test_silence_past_the_deadline_counts_as_agreement(tree, officers, processing):
    d = processing()
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False) as t:
        d = act(
            officers.processor,
            d,
            "consult",
            agency=tree.dept_b.code,
            deadline=vn(2025, 6, 3, 16).isoformat(),
            note="Xin ý kiến.",
        )
        t.move_to(vn(2025, 6, 3, 16, 1))
        d = act(officers.processor, d, "answer_consultation", note="Quá hạn, coi như đồng ý.")
    assert d.state == "processing"
    r = Referral.objects.get(dossier=d)
    assert r.deemed_agreed_at == vn(2025, 6, 3, 16, 1) and r.answered_at is None
    assert DossierEvent.objects.filter(dossier=d).last().payload["deemed_agreed"] == [
        tree.dept_b.code
    ]
    [row] = services.late_referrals_by_agency(now=vn(2025, 6, 4, 9))
    assert (row.agency_code, row.total, row.late, row.open_overdue) == (tree.dept_b.code, 1, 1, 0)
    # A late answer is still recorded, and marked late.
    with time_machine.travel(vn(2025, 6, 4, 9), tick=False):
        d = act(officers.processor_b, d, "reply", note="Trả lời muộn.")
    r.refresh_from_db()
    assert r.answered_late and d.state == "processing"


def test_consult_one_more_from_consulting(tree, officers, processing):
    d = processing()
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        d = act(
            officers.processor,
            d,
            "consult",
            agencies=[tree.dept_b.code],
            deadline_days=1,
            note="Q1",
        )
        d = act(
            officers.processor,
            d,
            "consult",
            agencies=[tree.commune.code],
            deadline_days=3,
            note="Q2",
        )
        assert d.state == "consulting"
        assert Referral.objects.filter(dossier=d).count() == 2
        with pytest.raises(DossierInputError) as info:
            act(
                officers.processor,
                d,
                "consult",
                agencies=[tree.dept_b.code],
                deadline_days=1,
                note="Q3",
            )
        assert info.value.code == "already_consulted"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"agencies": []}, "agencies_required"),
        ({"agencies": ["999.99.99.X00"]}, "invalid"),
        ({"agencies": "000.00.02.H97", "deadline": "2020-01-01T10:00"}, "deadline_past"),
        ({"agencies": ["000.00.02.H97"]}, "deadline_required"),
        ({"agencies": ["000.00.02.H97"], "deadline_days": 0}, "deadline_days_invalid"),
        ({"agencies": ["000.00.02.H97"], "deadline_days": "x"}, "deadline_days_invalid"),
        (
            {"agencies": ["000.00.02.H97"], "deadline_days": 2, "deadline": "2030-01-01T10:00"},
            "deadline_ambiguous",
        ),
        ({"agencies": ["000.01.01.H97"], "deadline_days": 2}, "self_consultation"),
    ],
)
def test_bad_consultations_are_refused_and_write_nothing(tree, officers, processing, params, code):
    d = processing()
    with (
        time_machine.travel(vn(2025, 6, 2, 10), tick=False),
        pytest.raises(DossierInputError) as info,
    ):
        act(officers.processor, d, "consult", note="Câu hỏi", **params)
    assert info.value.code == code
    assert info.value.message_vi and info.value.message_en
    assert not Referral.objects.filter(dossier=d).exists()
    assert Dossier.objects.get(pk=d.pk).version == d.version


def test_unrelated_agency_neither_sees_nor_replies(tree, officers, more, processing):
    d = processing()
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        d = act(
            officers.processor, d, "consult", agencies=[tree.dept_b.code], deadline_days=2, note="Q"
        )
        assert not visible(more.commune_processor, d)
        with pytest.raises(DossierNotFoundError):
            act(more.commune_processor, d, "reply", note="Không liên quan.")
        # The asked agency may not do the holder's actions.
        with pytest.raises(ForbiddenError):
            act(officers.processor_b, d, "answer_consultation", note="x")


def test_answered_referral_is_frozen_in_the_database(tree, officers, processing):
    d = processing()
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        d = act(
            officers.processor, d, "consult", agencies=[tree.dept_b.code], deadline_days=2, note="Q"
        )
        act(officers.processor_b, d, "reply", note="A")
    r = Referral.objects.get(dossier=d)
    with pytest.raises(DatabaseError), transaction.atomic():
        Referral.objects.filter(pk=r.pk).update(answer="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        Referral.objects.filter(pk=r.pk).delete()


# -- parallel transfer ---------------------------------------------------------------------------


def test_parallel_transfer_waits_for_supporting_agencies(tree, officers, more, processing):
    d = processing()
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False) as t:
        d = act(
            officers.processor,
            d,
            "transfer_agency",
            mode="parallel",
            lead_agency=tree.dept_b.code,
            supporting_agencies=[tree.commune.code],
            deadline_days=2,
            note="Xã xác nhận hiện trạng đất.",
        )
        assert (d.state, d.current_agency) == ("transferred", tree.dept_b)
        r = Referral.objects.get(dossier=d)
        assert (r.kind, r.agency, r.requesting_agency) == ("cooperation", tree.commune, tree.unit_a)
        assert visible(more.commune_processor, d) and visible(officers.processor_b, d)
        # The supporting agency may answer while the lead has not accepted yet; here later.
        d = act(officers.processor_b, d, "accept")
        t.move_to(vn(2025, 6, 5, 9))  # past the deadline: cooperation still blocks
        with pytest.raises(ConflictError) as info:
            act(officers.processor_b, d, "submit_for_approval")
        assert info.value.code == "cooperation_pending"
        assert "Xã Tân Phú" in info.value.message_vi and "Xã Tân Phú" in info.value.message_en
        d = act(more.commune_processor, d, "reply", note="Đất không tranh chấp.")
        r.refresh_from_db()
        assert r.answered_late
        d = act(officers.processor_b, d, "submit_for_approval")
    assert d.state == "awaiting_approval"
    [row] = services.late_referrals_by_agency(tree.province)
    assert (row.agency_code, row.late) == (tree.commune.code, 1)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"mode": "both", "agency": "000.00.02.H97"}, "mode_invalid"),
        ({"mode": "parallel", "supporting_agencies": ["000.00.61.H97"]}, "agency_required"),
        ({"mode": "parallel", "lead_agency": "000.00.02.H97"}, "agencies_required"),
        (
            {
                "mode": "parallel",
                "lead_agency": "000.00.02.H97",
                "supporting_agencies": ["000.00.02.H97"],
                "deadline_days": 2,
            },
            "supporting_is_lead",
        ),
        (
            {
                "mode": "parallel",
                "lead_agency": "000.00.02.H97",
                "supporting_agencies": ["000.00.61.H97"],
            },
            "deadline_required",
        ),
        (
            {"agency": "000.00.02.H97", "supporting_agencies": ["000.00.61.H97"]},
            "supporting_needs_parallel",
        ),
    ],
)
def test_bad_parallel_transfers(tree, officers, processing, params, code):
    d = processing()
    with (
        time_machine.travel(vn(2025, 6, 2, 10), tick=False),
        pytest.raises(DossierInputError) as info,
    ):
        act(officers.processor, d, "transfer_agency", note="Nhiệm vụ", **params)
    assert info.value.code == code
    assert not Referral.objects.exists()


def test_sequential_transfer_is_unchanged(tree, officers, processing):
    d = processing()
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        d = act(officers.processor, d, "transfer_agency", agency=tree.dept_b.code)
    assert (d.state, d.current_agency, d.assigned_to) == ("transferred", tree.dept_b, None)
    assert not Referral.objects.exists()


# -- API -----------------------------------------------------------------------------------------


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_api_consult_reply_and_detail(
    api, tree, officers, processing, django_assert_max_num_queries
):
    d = processing()
    url = f"/api/v1/dossiers/{d.code}/"
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        api.force_authenticate(officers.processor)
        bad = api.post(
            f"{url}actions/consult/",
            {"version": d.version, "note": "Q", "agencies": [], "deadline_days": 2},
            format="json",
        )
        assert bad.status_code == 400, bad.json()
        assert bad.json()["code"] == "agencies_required" and bad.json()["detail_vi"]
        past = api.post(
            f"{url}actions/consult/",
            {
                "version": d.version,
                "note": "Q",
                "agencies": [tree.dept_b.code],
                "deadline": "2025-06-01T10:00:00+07:00",
            },
            format="json",
        )
        assert past.status_code == 400 and past.json()["code"] == "deadline_past"
        unknown = api.post(
            f"{url}actions/consult/",
            {"version": d.version, "note": "Q", "agencies": ["NOPE"], "deadline_days": 2},
            format="json",
        )
        assert unknown.status_code == 400 and "NOPE" in unknown.json()["detail_vi"]
        ok = api.post(
            f"{url}actions/consult/",
            {
                "version": d.version,
                "note": "Xin ý kiến",
                "agencies": [tree.dept_b.code],
                "deadline_days": 2,
            },
            format="json",
        )
        assert ok.status_code == 200, ok.json()
        [ref] = ok.json()["referrals"]
        assert (ref["agency"]["code"], ref["kind"], ref["status"]) == (
            tree.dept_b.code,
            "consultation",
            "open",
        )
        early = api.post(
            f"{url}actions/answer_consultation/",
            {"version": ok.json()["version"], "note": "Tiếp tục"},
            format="json",
        )
        assert early.status_code == 409 and early.json()["code"] == "consultation_pending"

        api.force_authenticate(officers.processor_b)
        with django_assert_max_num_queries(12):
            seen = api.get(url)
        assert seen.status_code == 200
        assert seen.json()["allowed_actions"] == ["reply"]
        replied = api.post(
            f"{url}actions/reply/",
            {"version": seen.json()["version"], "note": "Đồng ý", "referral": ref["id"]},
            format="json",
        )
        assert replied.status_code == 200, replied.json()
        assert replied.json()["referrals"][0]["status"] == "answered"
        assert replied.json()["referrals"][0]["answer"] == "Đồng ý"

        api.force_authenticate(officers.receiver_b)  # department B's desk: sees it too
        assert api.get(url).status_code == 200


def test_api_parallel_transfer(api, tree, officers, processing):
    d = processing()
    api.force_authenticate(officers.processor)
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        response = api.post(
            f"/api/v1/dossiers/{d.code}/actions/transfer_agency/",
            {
                "version": d.version,
                "note": "Phối hợp xác minh",
                "mode": "parallel",
                "lead_agency": tree.dept_b.code,
                "supporting_agencies": [tree.commune.code],
                "deadline": (vn(2025, 6, 2, 10) + timedelta(days=3)).isoformat(),
            },
            format="json",
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "transferred" and body["current_agency"]["code"] == tree.dept_b.code
    assert [r["kind"] for r in body["referrals"]] == ["cooperation"]


# -- pages and the control sheet ----------------------------------------------------------------


def test_inbox_tab_and_page_for_the_asked_agency(
    client, tree, officers, more, processing, django_assert_max_num_queries
):
    d = processing()
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        d = act(
            officers.processor,
            d,
            "consult",
            agencies=[tree.dept_b.code],
            deadline_days=2,
            note="Câu hỏi A",
        )
    client.force_login(officers.processor_b)
    with django_assert_max_num_queries(12):
        page = client.get("/ho-so/?tab=y-kien")
    assert page.status_code == 200 and d.code in page.content.decode()
    client.force_login(more.commune_processor)
    assert d.code not in client.get("/ho-so/?tab=y-kien").content.decode()
    client.force_login(officers.processor_b)
    detail = client.get(f"/ho-so/{d.code}/").content.decode()
    assert "Câu hỏi A" in detail and "Trả lời ý kiến" in detail
    assert "Quá hạn" in detail  # today is past the 2025 deadline: shown as overdue
    answered = client.post(
        f"/ho-so/{d.code}/thao-tac/reply/", {"version": d.version, "note": "Đồng ý."}
    )
    assert answered.status_code == 302
    assert d.code not in client.get("/ho-so/?tab=y-kien").content.decode()


def test_control_sheet_lists_the_answers(tree, officers, processing):
    from caicach.dossiers.documents import form_context, render_form_html

    d = processing()
    with time_machine.travel(vn(2025, 6, 2, 10), tick=False):
        d = act(
            officers.processor,
            d,
            "consult",
            agencies=[tree.dept_b.code],
            deadline_days=2,
            note="Câu hỏi B",
        )
        act(officers.processor_b, d, "reply", note="Ý kiến của Sở Xây dựng.")
    [row] = form_context(d, "control_sheet")["referrals"]
    assert (row["agency"], row["question"], row["answer"], row["status"]) == (
        "Sở Xây dựng",
        "Câu hỏi B",
        "Ý kiến của Sở Xây dựng.",
        "Đã trả lời",
    )
    assert "Ý kiến của Sở Xây dựng." in render_form_html(d, "control_sheet")
