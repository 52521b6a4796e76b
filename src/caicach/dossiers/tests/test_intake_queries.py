"""What one API intake costs in queries: intake throughput depends on it (bench/bench_intake.py).

The budget below is the current count; a change that adds a query per intake must say why.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from caicach.core.audit import verify_chain
from caicach.dossiers.tests.factories import PERSON

pytestmark = pytest.mark.django_db

#: Authentication and scope (4), idempotency claim (1), catalogue and calendar reads (3:
#: procedure version in force, handling agencies, current calendar; a version's components
#: and steps are cached per process), applicant, counter, dossier, components, clock entries,
#: event (6), outbox: the rows in one INSERT and their jobs in one call (2), idempotency link
#: (1), audit lock and entry (2), transaction (2), the metrics' daily rollup upserted in the
#: same transaction (1, issue 13).
INTAKE_QUERIES = 22


def _body(version: Any, agency: Any, n: int) -> dict[str, Any]:
    return {
        "procedure": version.procedure.code,
        "channel": "counter",
        "receiving_agency": agency.code,
        "applicant": {**PERSON, "email": "an@example.vn"},
        "components": [
            {"name": "Tờ khai", "content": base64.b64encode(b"%PDF-1.7 " + bytes([n])).decode()},
            {"name": "Giấy ủy quyền", "store_reference": f"KHO-{n}"},
            {"name": "Ảnh", "store_reference": f"KHO-{n}-2"},
        ],
    }


def test_one_intake_has_a_fixed_query_budget(
    tree: Any, officers: Any, version: Any, django_assert_max_num_queries: Any
) -> None:
    api = APIClient()
    api.force_login(officers.receiver)
    first = api.post(
        "/api/v1/dossiers/", _body(version, tree.dept_a, 0), format="json",
        HTTP_IDEMPOTENCY_KEY="warm",
    )  # fmt: skip
    assert first.status_code == 201, first.content  # caches warm (calendar, roles)
    with django_assert_max_num_queries(INTAKE_QUERIES):
        response = api.post(
            "/api/v1/dossiers/", _body(version, tree.dept_a, 1), format="json",
            HTTP_IDEMPOTENCY_KEY="measured",
        )  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    # The answer built without reading back is the one a read gives.
    detail = api.get(response["Location"]).json()
    for field in ("code", "due_at", "legal_due_at", "components", "applicant", "procedure"):
        assert data[field] == detail[field], field
    assert data["allowed_actions"] == detail["allowed_actions"]
    # A replay answers the same dossier.
    with CaptureQueriesContext(connection):
        replay = api.post(
            "/api/v1/dossiers/", _body(version, tree.dept_a, 1), format="json",
            HTTP_IDEMPOTENCY_KEY="measured",
        )  # fmt: skip
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["code"] == data["code"]
    assert list(verify_chain()) == []


def test_receive_answer_equals_detail_serializer(tree: Any, officers: Any, version: Any) -> None:
    """The lean 201 answer is field for field what the detail serializer gives."""
    from rest_framework.test import APIRequestFactory, force_authenticate

    from caicach.dossiers.api.serializers import DossierDetailSerializer
    from caicach.dossiers.api.views import DossierDetail
    from caicach.dossiers.models import Dossier

    api = APIClient()
    api.force_login(officers.receiver)
    response = api.post(
        "/api/v1/dossiers/", _body(version, tree.dept_a, 7), format="json",
        HTTP_IDEMPOTENCY_KEY="lean",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    request = APIRequestFactory().get(response["Location"])
    force_authenticate(request, officers.receiver)
    view = DossierDetail()
    drf_request = view.initialize_request(request)
    drf_request.user = officers.receiver
    dossier = Dossier.objects.get(code=data["code"])
    full = DossierDetailSerializer(dossier, context={"request": drf_request}).data
    assert list(data) == list(full)
    assert data == api.get(response["Location"]).json()
