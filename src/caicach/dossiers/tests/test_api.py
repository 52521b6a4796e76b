"""The dossier API: receipt with Idempotency-Key, scoped reads, filters, actions, errors."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import (
    CITIZEN_ID,
    ORGANISATION,
    PERSON,
    procedure_version,
    receive,
    vn,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/dossiers/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def body(version: Any, agency: Any, **overrides: Any) -> dict[str, Any]:
    values = {
        "procedure": version.procedure.code,
        "channel": "counter",
        "receiving_agency": agency.code,
        "applicant": PERSON,
        "components": [
            {
                "name": "Tờ khai",
                "content": base64.b64encode(b"%PDF-1.7 form").decode(),
                "filename": "to-khai.pdf",
                "content_type": "application/pdf",
            }
        ],
    }
    values.update(overrides)
    return values


def post(api: APIClient, data: Any, key: str | None = "key-1", **extra: Any) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(LIST, data, format="json", **headers, **extra)


def action(api: APIClient, code: str, name: str, data: Any) -> Any:
    return api.post(f"{LIST}{code}/actions/{name}/", data, format="json")


# -- receipt ------------------------------------------------------------------------------------


def test_receipt_creates_a_dossier(api, tree, officers, version):
    api.force_authenticate(officers.receiver)
    response = post(api, body(version, tree.dept_a))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["code"].startswith("000.00.01.H97-")
    assert data["state"] == "received"
    assert data["version"] == 1
    assert data["procedure"] == {
        "code": version.procedure.code,
        "name": version.name,
        "version": version.number,
    }
    assert data["applicant"]["id_number"] == CITIZEN_ID
    assert data["components"][0]["has_file"] is True
    assert data["components"][0]["size"] == 13
    assert data["allowed_actions"] == ["assign", "request_supplement", "refuse", "withdraw"]
    assert response["Location"] == f"{LIST}{data['code']}/"


def test_idempotency_key_is_required(api, tree, officers, version):
    api.force_authenticate(officers.receiver)
    response = post(api, body(version, tree.dept_a), key=None)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_required"
    assert "Idempotency-Key" in response.json()["errors_vi"]
    assert post(api, body(version, tree.dept_a), key="x" * 300).status_code == 400
    assert not Dossier.objects.exists()


def test_the_same_key_twice_makes_one_dossier(api, tree, officers, version):
    api.force_authenticate(officers.receiver)
    first = post(api, body(version, tree.dept_a), key="abc-123")
    again = post(api, body(version, tree.dept_a), key="abc-123")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["code"] == first.json()["code"]
    assert again["Idempotent-Replayed"] == "true"
    assert Dossier.objects.count() == 1
    other = post(api, body(version, tree.dept_a, channel="post"), key="abc-123")
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert other.json()["detail_vi"]
    assert Dossier.objects.count() == 1


def test_an_invalid_citizen_id_names_the_field(api, tree, officers, version):
    api.force_authenticate(officers.receiver)
    bad = {**PERSON, "id_number": "001085"}
    response = post(api, body(version, tree.dept_a, applicant=bad))
    assert response.status_code == 400
    data = response.json()
    assert "12" in data["errors"]["applicant.id_number"][0]
    assert "12 chữ số" in data["errors_vi"]["applicant.id_number"][0]
    assert data["detail_vi"] and data["detail"]


def test_an_unknown_procedure_is_a_bilingual_400(api, tree, officers, version):
    api.force_authenticate(officers.receiver)
    response = post(api, body(version, tree.dept_a, procedure="9.999999"))
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_procedure"
    assert "Không tìm thấy thủ tục" in response.json()["detail_vi"]


def test_receiving_outside_ones_scope_is_a_403(api, tree, officers, version):
    api.force_authenticate(officers.receiver_b)
    assert post(api, body(version, tree.dept_a)).status_code == 403
    api.force_authenticate(officers.processor)
    assert post(api, body(version, tree.dept_a)).status_code == 403
    assert (
        post(api, body(version, tree.dept_a, receiving_agency="000.00.99.X00")).status_code == 400
    )
    assert not Dossier.objects.exists()


# -- reads ----------------------------------------------------------------------------------------


@pytest.fixture
def three(tree, officers, version):
    """Two dossiers at department A (a person in April 2025, an organisation now) and one at
    department B, for a procedure department B handles."""
    old = receive(officers.receiver, version, tree.dept_a, received_at=vn(2025, 4, 25, 10))
    org = receive(officers.receiver, version, tree.dept_a, applicant=ORGANISATION)
    other = receive(officers.receiver_b, procedure_version(tree.dept_b), tree.dept_b)
    return old, org, other


def codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["code"] for row in response.json()["results"]]


def test_officers_see_only_their_agencies_dossiers(api, tree, officers, three):
    old, org, other = three
    api.force_authenticate(officers.processor)
    assert codes(api.get(LIST)) == [org.code, old.code]  # newest first
    assert api.get(f"{LIST}{other.code}/").status_code == 404
    assert api.get(f"{LIST}{other.code}/events/").status_code == 404
    response = action(api, other.code, "accept", {"version": 1})
    assert response.status_code == 404
    assert response.json()["detail_vi"]
    api.force_authenticate(officers.receiver_b)
    assert codes(api.get(LIST)) == [other.code]
    assert api.get(f"{LIST}{old.code}/").status_code == 404
    assert action(api, old.code, "assign", {"version": 1}).status_code == 404
    assert Dossier.objects.get(pk=old.pk).state == "received"


def test_list_filters(api, tree, officers, three):
    old, org, _ = three
    api.force_authenticate(officers.receiver)
    assert codes(api.get(LIST, {"q": "nguyen van an"})) == [old.code]
    assert codes(api.get(LIST, {"q": "NGUYỄN  An"})) == [old.code]
    assert codes(api.get(LIST, {"q": CITIZEN_ID})) == [old.code]
    assert codes(api.get(LIST, {"q": "+84 912 345 678"})) == [old.code]
    assert codes(api.get(LIST, {"q": old.code.lower()})) == [old.code]
    assert codes(api.get(LIST, {"q": "0100109106"})) == [org.code]
    assert codes(api.get(LIST, {"q": "khong co ai"})) == []
    assert codes(api.get(LIST, {"overdue": "true"})) == [old.code]
    assert codes(api.get(LIST, {"overdue": "false"})) == [org.code]
    assert codes(api.get(LIST, {"state": "received"})) == [org.code, old.code]
    assert codes(api.get(LIST, {"state": ["assigned", "processing"]})) == []
    assert api.get(LIST, {"state": "flying"}).status_code == 400
    assert codes(api.get(LIST, {"overdue": "maybe"})) == [org.code, old.code]  # ignored


def test_list_query_count_does_not_grow(
    api, tree, officers, version, django_assert_max_num_queries
):
    api.force_authenticate(officers.receiver)
    for _ in range(2):
        receive(officers.receiver, version, tree.dept_a)
    api.get(LIST)  # warm the caches (role assignments, calendar)
    with CaptureQueriesContext(connection) as few:
        assert len(codes(api.get(LIST))) == 2
    for _ in range(10):
        receive(officers.receiver, version, tree.dept_a, applicant=ORGANISATION)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(codes(api.get(LIST))) == 12


def test_detail_and_history(api, tree, officers, three):
    old, _, _ = three
    api.force_authenticate(officers.leader)
    data = api.get(f"{LIST}{old.code.lower()}/").json()
    assert data["code"] == old.code
    assert data["due_at"] == "2025-04-29T17:00:00+07:00"
    assert data["legal_due_at"] == "2025-05-05T17:00:00+07:00"
    assert data["overdue"] is True
    # apologise is offered; its guards (once, a working day ahead) run on submit
    assert data["allowed_actions"] == ["assign", "stop", "apologise"]
    history = api.get(f"{LIST}{old.code}/events/").json()["results"]
    assert [(e["action"], e["to_state"]) for e in history] == [("receive", "received")]
    assert history[0]["actor"] == officers.receiver.username
    assert "ip_address" not in history[0]


# -- actions ------------------------------------------------------------------------------------


def test_actions_move_the_dossier_and_refuse_conflicts(api, tree, officers, version):
    dossier = receive(officers.receiver, version, tree.dept_a)
    api.force_authenticate(officers.receiver)
    response = action(api, dossier.code, "assign", {"version": 1, "agency": tree.unit_a.code})
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["version"]) == ("assigned", 2)
    assert response.json()["warnings"] == []

    stale = action(api, dossier.code, "assign", {"version": 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert "người khác" in stale.json()["detail_vi"]
    assert "someone else" in stale.json()["detail"]

    api.force_authenticate(officers.leader)
    wrong = action(api, dossier.code, "approve", {"version": 2})
    assert wrong.status_code == 409
    assert wrong.json() == {
        "detail": "Cannot approve when the dossier is assigned and awaiting acceptance.",
        "detail_vi": "Không thể phê duyệt khi hồ sơ đã được phân công, chờ thụ lý.",
        "code": "not_allowed",
    }
    api.force_authenticate(officers.receiver)
    assert action(api, dossier.code, "accept", {"version": 2}).status_code == 403
    assert action(api, dossier.code, "fly", {"version": 2}).status_code == 404
    assert action(api, dossier.code, "receive", {"version": 2}).status_code == 404
    assert action(api, dossier.code, "assign", {}).status_code == 400
    no_reason = action(api, dossier.code, "withdraw", {"version": 2})
    assert no_reason.status_code == 200  # a withdrawal needs no reason
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version) == ("withdrawn", 3)


def test_a_missing_reason_names_the_field(api, tree, officers, version):
    dossier = receive(officers.receiver, version, tree.dept_a)
    api.force_authenticate(officers.receiver)
    response = action(api, dossier.code, "request_supplement", {"version": 1})
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    assert response.json()["errors_vi"] == {"reason": ["Cần nêu lý do."]}


# -- garbage never makes a 500 ----------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "procedure": JSON,
        "channel": JSON,
        "receiving_agency": JSON,
        "served_at": JSON,
        "deciding_agency": JSON,
        "applicant": JSON | st.fixed_dictionaries({}, optional={k: JSON for k in PERSON}),
        "components": JSON
        | st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "name": JSON,
                    "component": JSON,
                    "content": JSON,
                    "content_type": JSON,
                    "store_reference": JSON,
                },
            ),
            max_size=3,
        ),
    },
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=FIELDS | JSON)
def test_garbage_receipts_never_crash(api, tree, officers, version, data):
    api.force_authenticate(officers.receiver)
    response = post(api, data, key=str(uuid.uuid4()))
    assert response.status_code < 500


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "version": JSON,
            "note": JSON,
            "reason": JSON,
            "agency": JSON,
            "assignee": JSON,
            "new_due": JSON,
        },
    )
    | JSON,
    name=st.sampled_from(["assign", "apologise", "request_supplement", "refuse", "x"]),
)
def test_garbage_actions_never_crash(api, tree, officers, version, data, name):
    # hypothesis reuses the test's database transaction: the first example makes the dossier
    dossier = Dossier.objects.first() or receive(officers.receiver, version, tree.dept_a)
    api.force_authenticate(officers.leader)
    assert action(api, dossier.code, name, data).status_code < 500


def test_malformed_requests_never_crash(api, tree, officers, version):
    dossier = receive(officers.receiver, version, tree.dept_a)
    api.force_authenticate(officers.leader)
    url = f"{LIST}{dossier.code}/actions/apologise/"
    for payload, content_type in [
        ("{not json", "application/json"),
        ("[]", "application/json"),
        ("version=1", "text/plain"),
        ('{"version": 1, "reason": "x", "new_due": "tomorrow"}', "application/json"),
        ('{"version": 1, "reason": "x", "new_due": "2025-13-45T99:00"}', "application/json"),
        ('{"version": 99999999999999999999}', "application/json"),
        ('{"version": 1, "assignee": "abc"}', "application/json"),
    ]:
        assert api.post(url, payload, content_type=content_type).status_code < 500
    for query in ({"cursor": "garbage"}, {"page_size": "-3"}, {"q": "x" * 500}, {"q": "%_\\"}):
        assert api.get(LIST, query).status_code < 500
    # A NUL anywhere in the request is refused at the door (core.input_guard).
    for url in (f"{LIST}%00%2F../", f"{LIST}a%00b/", f"{LIST}a%00b/events/"):
        assert api.get(url).status_code == 400
    assert api.get(f"{LIST}{'9' * 500}/").status_code == 404
    assert action(api, "a\x00b", "assign", {"version": 1}).status_code == 400
    assert (
        action(api, dossier.code, "assign", {"version": 1, "agency": "a\x00b"}).status_code == 400
    )
    assert api.get(LIST, {"q": "a\x00b"}).status_code == 400
    api.force_authenticate(officers.receiver)
    garbled = body(version, tree.dept_a)
    garbled["components"][0]["content"] = "!!!not-base64!!!"
    assert post(api, garbled).status_code == 400
    assert (
        api.post(LIST, "{", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k").status_code
        == 400
    )


def test_receipt_with_a_nul_character_in_an_agency_code_is_400_not_500(
    api, tree, officers, version
):
    # The agency fields looked the code up in PostgreSQL, which refuses NUL (a 500).
    api.force_authenticate(officers.receiver)
    response = post(api, body(version, tree.dept_a, receiving_agency="000.00.01\x00.H97"))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["receiving_agency"]
    assert not Dossier.objects.exists()
