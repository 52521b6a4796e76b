"""Receipt: the code, the gap-free daily number, due dates, idempotency, validation."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from caicach.calendars import services as calendars
from caicach.calendars.events import OpenPromisesWanted
from caicach.calendars.services import calendar_for
from caicach.core import events
from caicach.core.audit import Actor
from caicach.core.errors import ConflictError
from caicach.core.models import AuditEntry
from caicach.dossiers import intake, services
from caicach.dossiers.models import ClockEntry, DailySequence, Dossier, DossierEvent
from caicach.dossiers.services import DossierInputError
from caicach.dossiers.tests.factories import (
    COMPONENTS,
    ORGANISATION,
    PERSON,
    procedure_version,
    receive,
    vn,
)

pytestmark = pytest.mark.django_db


def test_receipt_numbers_the_dossier_and_computes_both_due_dates(tree, officers, version):
    # Fri 25/04/2025 10:00; Sat 26/04 is worked (swap for Fri 02/05), so 3 working days end on
    # Tue 29/04 and the statutory 4 skip 30/04-04/05 and end on Mon 05/05 (office close 17:00).
    dossier = receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 10))
    assert dossier.code == "000.00.01.H97-250425-0001"
    assert (dossier.received_on, dossier.sequence) == (date(2025, 4, 25), 1)
    assert dossier.due_at == vn(2025, 4, 29, 17)
    assert dossier.due_at.isoformat() == "2025-04-29T17:00:00+07:00"
    assert dossier.legal_due_at == vn(2025, 5, 5, 17)
    assert dossier.calendar_version == calendar_for(tree.dept_a).version
    assert dossier.procedure_version == version
    assert dossier.state == "received"
    assert dossier.version == 1
    assert dossier.current_step == 1
    assert dossier.receiving_agency == dossier.served_at == dossier.current_agency == tree.dept_a
    assert dossier.deciding_agency == tree.dept_a  # the procedure's handling agency
    assert len(dossier.lookup_token) >= 20


def test_receipt_writes_ledger_history_and_audit_without_personal_data(tree, officers, version):
    dossier = receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 10))
    entries = list(ClockEntry.objects.filter(dossier=dossier).values_list("kind", "step_order"))
    assert entries == [("received", None), ("step_started", 1)]
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.action, event.from_state, event.to_state) == ("receive", "", "received")
    assert event.actor == officers.receiver
    assert event.ip_address == "10.0.0.1"
    audit = AuditEntry.objects.get(action="dossier.received", object_id=str(dossier.pk))
    assert audit.changes["due_at"] == "2025-04-29T17:00:00+07:00"
    text = str(audit.changes) + str(event.payload)
    assert PERSON["id_number"] not in text
    assert "Nguyễn" not in text


def test_numbers_run_per_agency_and_day(tree, officers, make_officer, version):
    receiver_c = make_officer("receiver", tree.commune)
    codes = [
        receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 9)).code,
        receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 16)).code,
        receive(receiver_c, version, tree.commune, received_at=vn(2025, 4, 25, 16)).code,
        # 23:30 on the 25th in Vietnam is still the 25th (16:30 UTC)
        receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 23, 30)).code,
        receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 28, 8)).code,
    ]
    assert codes == [
        "000.00.01.H97-250425-0001",
        "000.00.01.H97-250425-0002",
        "000.00.61.H97-250425-0001",
        "000.00.01.H97-250425-0003",
        "000.00.01.H97-250428-0001",
    ]


def test_a_rolled_back_receipt_gives_its_number_back(tree, officers, version):
    with (
        mock.patch.object(intake, "record", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 9))
    assert not Dossier.objects.exists()
    assert not DailySequence.objects.filter(last__gt=0).exists()
    dossier = receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 9))
    assert dossier.code.endswith("-0001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_receipts_get_gap_free_numbers(tree, make_officer):
    """8 desks × 10 receipts at once: numbers 0001..0080, no gap, no duplicate; a receipt that
    fails after taking its number gives it back."""
    calendar_for(tree.dept_a)
    version = procedure_version(tree.dept_a)
    receivers = [make_officer("receiver", tree.dept_a, username=f"desk{i}") for i in range(8)]
    received_at = vn(2025, 4, 25, 9)
    barrier = threading.Barrier(len(receivers))
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    failing = threading.local()
    real_search_text = intake.search_text

    def search_text(*args: Any) -> str:
        if getattr(failing, "now", False):
            raise RuntimeError("fails after taking its number")
        return real_search_text(*args)

    def desk(user: Any, index: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                if index == 0 and i == 5:  # one failure in the middle of the run
                    failing.now = True
                    with pytest.raises(RuntimeError):
                        receive(user, version, tree.dept_a, received_at=received_at)
                    failing.now = False
                dossier = receive(user, version, tree.dept_a, received_at=received_at)
                with lock:
                    codes.append(dossier.code)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(u, i)) for i, u in enumerate(receivers)]
    with mock.patch.object(intake, "search_text", search_text):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors
    assert sorted(codes) == [f"000.00.01.H97-250425-{n:04d}" for n in range(1, 81)]
    assert DailySequence.objects.get(agency=tree.dept_a, day=date(2025, 4, 25)).last == 80


def test_same_idempotency_key_and_body_returns_the_same_dossier(
    tree, officers, make_officer, version
):
    first = receive(officers.receiver, version, tree.dept_a, idempotency_key="k-1")
    again = receive(officers.receiver, version, tree.dept_a, idempotency_key="k-1")
    assert again.pk == first.pk
    assert (first.idempotent_replay, again.idempotent_replay) == (False, True)
    assert Dossier.objects.count() == 1
    # keys belong to their user: a colleague's "k-1" is another request
    colleague = make_officer("receiver", tree.dept_a, username="motcua_a2")
    other = receive(colleague, version, tree.dept_a, idempotency_key="k-1")
    assert other.pk != first.pk


def test_same_idempotency_key_with_another_body_is_a_conflict(tree, officers, version):
    receive(officers.receiver, version, tree.dept_a, idempotency_key="k-1")
    other_person = {**PERSON, "full_name": "Lê Thị Cúc"}
    with pytest.raises(ConflictError) as caught:
        receive(
            officers.receiver, version, tree.dept_a, idempotency_key="k-1", applicant=other_person
        )
    assert caught.value.status == 409
    assert caught.value.code == "idempotency_key_reused"
    assert Dossier.objects.count() == 1


@pytest.mark.parametrize(
    ("applicant", "field", "code"),
    [
        ({**PERSON, "id_number": "001085"}, "applicant.id_number", None),
        ({**PERSON, "id_number": "999085012345"}, "applicant.id_number", None),
        ({**PERSON, "id_number": ""}, "applicant.id_number", None),
        ({**PERSON, "phone": "0123"}, "applicant.phone", None),
        ({**ORGANISATION, "tax_code": "0100109107"}, "applicant.tax_code", None),
        ({**ORGANISATION, "tax_code": ""}, "applicant.tax_code", None),
        ({**PERSON, "kind": "robot"}, "applicant.kind", None),
    ],
)
def test_identity_numbers_are_validated(tree, officers, version, applicant, field, code):
    with pytest.raises(DossierInputError) as caught:
        receive(officers.receiver, version, tree.dept_a, applicant=applicant)
    assert field in caught.value.errors_vi
    assert field in caught.value.errors_en
    assert caught.value.status == 400
    assert not Dossier.objects.exists()


def test_an_organisation_and_normalised_identity(tree, officers, version):
    dossier = receive(
        officers.receiver,
        version,
        tree.dept_a,
        applicant={**ORGANISATION, "phone": "+84 912 345 678", "id_number": "0010 8501 2345"},
    )
    applicant = dossier.applicant
    assert (applicant.kind, applicant.tax_code) == ("organisation", "0100109106")
    assert (applicant.phone, applicant.id_number) == ("0912345678", "001085012345")
    assert "cong ty tnhh thu nghiem" in dossier.search_text
    assert "0100109106" in dossier.search_text


def test_unknown_procedure_is_a_bilingual_400(tree, officers, version):
    with pytest.raises(DossierInputError) as caught:
        services.receive_dossier(
            Actor(user=officers.receiver),
            procedure_code="9.999999",
            channel="counter",
            applicant=PERSON,
            components=COMPONENTS,
            served_at=None,
            receiving_agency=tree.dept_a,
        )
    assert caught.value.code == "unknown_procedure"
    assert "Không tìm thấy thủ tục" in caught.value.message_vi
    assert "No administrative procedure" in caught.value.message_en


def test_the_version_in_force_on_the_receipt_date_is_kept(tree, officers, version):
    version.effective_to = date(2025, 6, 30)
    version.save()
    newer = procedure_version(
        tree.dept_a, procedure=version.procedure, effective_from=date(2025, 7, 1)
    )
    old = receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 6, 30, 9))
    new = receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 7, 1, 9))
    assert (old.procedure_version, new.procedure_version) == (version, newer)


def test_receiving_agency_must_be_in_the_receivers_scope(tree, officers, version):
    with pytest.raises(PermissionDenied):
        receive(officers.receiver_b, version, tree.dept_a)
    with pytest.raises(PermissionDenied):
        receive(officers.processor, version, tree.dept_a)  # not a receiver
    assert not Dossier.objects.exists()


def test_an_incomplete_dossier_is_not_received(tree, officers, version):
    with pytest.raises(DossierInputError) as caught:
        receive(officers.receiver, version, tree.dept_a, components=[])
    assert caught.value.code == "missing_components"
    assert "Tờ khai" in caught.value.message_vi


def test_components_store_files_and_reused_documents(tree, officers, version):
    content = b"%PDF-1.7 scanned form"
    dossier = receive(
        officers.receiver,
        version,
        tree.dept_a,
        components=[
            {
                "name": "to khai",
                "content": content,
                "filename": "../../tờ khai.pdf",
                "content_type": "application/pdf",
            },
            {"name": "Giấy khai sinh", "store_reference": "KHO-KS-1"},
        ],
    )
    scanned, reused = dossier.components.order_by("order")
    assert scanned.component is not None and scanned.component.name == "Tờ khai"
    assert (scanned.size, scanned.content_type, scanned.reused) == (21, "application/pdf", False)
    assert len(scanned.sha256) == 64
    assert scanned.file.read() == content
    assert ".." not in scanned.file.name
    assert (reused.reused, reused.store_reference, reused.component) == (True, "KHO-KS-1", None)


@pytest.mark.parametrize(
    "component",
    [
        {"name": "Tờ khai"},  # neither file nor reference
        {"name": "Tờ khai", "content": b"x", "store_reference": "K"},  # both
        {"name": "Tờ khai", "content": b"", "content_type": "application/pdf"},
        {"name": "Tờ khai", "content": b"MZ", "content_type": "application/x-msdownload"},
        # disguised: text that claims to be a PDF is judged by its bytes
        {"name": "Tờ khai", "content": b"just text", "content_type": "application/pdf"},
        {"component_id": 999999, "store_reference": "K"},
    ],
)
def test_bad_components_are_refused(tree, officers, version, component):
    with pytest.raises(DossierInputError):
        receive(officers.receiver, version, tree.dept_a, components=[component])


def test_a_future_receipt_time_is_refused(tree, officers, version):
    with pytest.raises(DossierInputError) as caught:
        receive(officers.receiver, version, tree.dept_a, received_at=vn(2099, 1, 1, 9))
    assert "received_at" in caught.value.errors_en


def test_open_promises_feed_the_calendar_impact(tree, officers, version):
    # subscribed by DossiersConfig.ready
    assert services.promises_wanted in events.subscribers(OpenPromisesWanted)
    dossier = receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 10))
    promises = list(services.open_promises(tree.dept_a))
    assert [(p.key, p.due, p.agency_id) for p in promises] == [
        (dossier.code, vn(2025, 4, 29, 17), tree.dept_a.pk)
    ]
    assert list(services.open_promises(tree.dept_b)) == []
    # A day off announced late for department A moves the promise (regulations §4.4).
    new = calendars.add_day(
        Actor.system("test"), date(2025, 4, 28), "agency_off", "Nghỉ đột xuất", agency=tree.dept_a
    )
    changes = calendars.impact_of(new)
    assert [(c.key, c.old_due, c.new_due) for c in changes] == [
        (dossier.code, vn(2025, 4, 29, 17), vn(2025, 5, 5, 17))
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_dossier(tree, make_officer):
    """A client retrying while its first request is still running: the second request waits
    for the first and returns its dossier."""
    calendar_for(tree.dept_a)
    version = procedure_version(tree.dept_a)
    receiver = make_officer("receiver", tree.dept_a, username="desk")
    barrier = threading.Barrier(4)
    made: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def retry() -> None:
        try:
            barrier.wait()
            dossier = receive(receiver, version, tree.dept_a, idempotency_key="same-key")
            made.append((dossier.pk, dossier.idempotent_replay))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len({pk for pk, _ in made}) == 1
    assert sorted(replayed for _, replayed in made) == [False, True, True, True]
    assert Dossier.objects.count() == 1
