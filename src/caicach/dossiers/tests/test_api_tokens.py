"""Machine clients on the dossier API: OAuth2 client credentials with scopes, scoped to the
service account's agency like any officer; revocable, short-lived, audited, rate-limited; HTTP
Basic off by default (issue 17, item 7)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from caicach.accounts import machine_clients
from caicach.accounts.models import MachineClient
from caicach.core.audit import Actor
from caicach.core.models import AuditEntry
from caicach.dossiers.tests.factories import procedure_version, receive
from caicach.dossiers.tests.test_api import LIST, body, post

pytestmark = pytest.mark.django_db


def client_for(agency: Any, scopes: list[str], role: str = "receiver") -> tuple[str, str]:
    machine, secret = machine_clients.create_client(
        Actor.system("test"), name="Kiosk", agency=agency, role=role, scopes=scopes
    )
    return machine.application.client_id, secret


def token(client_id: str, secret: str, **data: str) -> Any:
    return APIClient().post(
        "/api/oauth/token/",
        {"grant_type": "client_credentials", **data},
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode(),
        REMOTE_ADDR="10.1.2.3",
    )


def bearer(client_id: str, secret: str, **data: str) -> APIClient:
    response = token(client_id, secret, **data)
    assert response.status_code == 200, response.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    return api


def test_a_token_reads_and_creates_within_the_agency(tree, officers, version):
    mine = receive(officers.receiver, version, tree.dept_a)
    foreign = receive(officers.receiver_b, procedure_version(tree.dept_b), tree.dept_b)
    api = bearer(*client_for(tree.dept_a, ["dossiers:read", "dossiers:write"]))
    listed = api.get(LIST)
    assert listed.status_code == 200
    assert [d["code"] for d in listed.json()["results"]] == [mine.code]
    assert api.get(f"{LIST}{mine.code}/").status_code == 200
    assert api.get(f"{LIST}{foreign.code}/").status_code == 404
    created = post(api, body(version, tree.dept_a))
    assert created.status_code == 201, created.json()
    # The service account is a receiver of department A: B is outside its scope.
    assert post(api, body(version, tree.dept_b), key="k2").status_code in (403, 404, 400)


def test_a_read_only_token_cannot_create(tree, version):
    api = bearer(*client_for(tree.dept_a, ["dossiers:read"]))
    assert api.get(LIST).status_code == 200
    response = post(api, body(version, tree.dept_a))
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert response.json()["detail_vi"]
    # Nor reach an area it holds no scope for.
    assert api.get("/api/v1/procedures/").status_code == 403


def test_a_client_gets_only_the_scopes_granted(tree):
    client_id, secret = client_for(tree.dept_a, ["dossiers:read"])
    assert token(client_id, secret, scope="dossiers:write").status_code == 400
    assert token(client_id, secret).json()["scope"] == "dossiers:read"
    assert token(client_id, "wrong").status_code == 401


def test_revoked_and_expired_tokens_are_401(tree):
    client_id, secret = client_for(tree.dept_a, ["dossiers:read"])
    issued = token(client_id, secret).json()["access_token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued}")
    assert api.get(LIST).status_code == 200
    revoked = APIClient().post(
        "/api/oauth/revoke_token/",
        {"token": issued, "client_id": client_id, "client_secret": secret},
    )
    assert revoked.status_code == 200
    response = api.get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail_vi"]

    other = bearer(client_id, secret)
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert other.get(LIST).status_code == 401
    assert APIClient(HTTP_AUTHORIZATION="Bearer nonsense").get(LIST).status_code == 401


def test_issue_and_revocation_are_audited(tree):
    client_id, secret = client_for(tree.dept_a, ["dossiers:read"])
    issued = token(client_id, secret).json()["access_token"]
    APIClient().post(
        "/api/oauth/revoke_token/",
        {"token": issued, "client_id": client_id, "client_secret": secret},
    )
    entries = list(AuditEntry.objects.filter(action__startswith="api_token.").order_by("id"))
    assert [e.action for e in entries] == ["api_token.issue", "api_token.revoke"]
    assert entries[0].agency_id == tree.dept_a.pk
    assert entries[0].ip_address == "10.1.2.3"
    assert client_id in entries[0].object_repr


def test_the_token_endpoint_is_rate_limited(tree, settings):
    settings.API_TOKEN_REQUESTS_PER_MINUTE = 3
    client_id, _ = client_for(tree.dept_a, ["dossiers:read"])
    codes = [token(client_id, "wrong").status_code for _ in range(5)]
    assert codes == [401, 401, 401, 429, 429]
    assert token(client_id, "wrong").json()["code"] == "too_many_requests"


def test_basic_is_refused_by_default(tree, officers, password):
    basic = base64.b64encode(f"{officers.receiver.username}:{password}".encode()).decode()
    response = APIClient().get(LIST, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_the_command_creates_and_revokes_a_client(tree, capsys):
    call_command(
        "apiclient", "create", "Kiosk", "--agency", tree.dept_a.code, "--role", "receiver",
        "--scope", "dossiers:read",
    )  # fmt: skip
    out = capsys.readouterr().out
    client_id = out.split("client_id: ")[1].split()[0]
    secret = out.split("client_secret: ")[1].split()[0]
    api = bearer(client_id, secret)
    assert api.get(LIST).status_code == 200
    machine = MachineClient.objects.get(application__client_id=client_id)
    assert machine.application.user.roles.get().agency == tree.dept_a
    call_command("apiclient", "revoke", client_id)
    assert api.get(LIST).status_code == 401
    assert token(client_id, secret).status_code in (400, 401)  # the service account is disabled
