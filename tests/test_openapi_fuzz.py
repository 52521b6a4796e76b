"""Schemathesis against the committed OpenAPI file: no operation answers a 5xx.

Every operation of ``docs/openapi.yaml`` is generated (valid and invalid inputs, hypothesis
derandomized, a fixed budget of examples) and sent, in process through Django's WSGI handler
on the test database, as each of: nobody (anonymous), a receiver, a processor, an agency leader
and the province's admin (each with an OAuth2 bearer token of every scope, as machine clients
sign in). Path parameters are half the
time replaced by real objects (dossiers received through the service, the procedure, the
agencies), so the operations reach their rules and not only their 404.

Checks: ``not_a_server_error`` and ``content_type_conformance``. Budget on CI: the spec's
explicit examples, schemathesis' coverage phase (boundary and invalid values derived from the
schema for every parameter: empty, too long, wrong type, NUL and non-ASCII text — issue 17 asked
for it) and ``FUZZ_EXAMPLES`` (5) generated cases per operation, each sent as the five callers:
about two minutes on the shared 2-core machine (23 s without the coverage phase). A deeper run,
e.g. before a release::

    FUZZ_EXAMPLES=40 pytest tests/test_openapi_fuzz.py
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance

from caicach.accounts.tests.factories import bearer_token
from caicach.calendars.services import calendar_for, clear_cache
from caicach.dossiers.tests.factories import procedure_version, receive

ROOT = Path(__file__).resolve().parent.parent
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))


config = schemathesis.Config()
config.projects.default.phases.update(
    phases=os.environ.get("FUZZ_PHASES", "examples,coverage,fuzzing").split(",")
)
schema = schemathesis.openapi.from_path(ROOT / "docs" / "openapi.yaml", config=config)

#: The response checks. Status code conformance is not among them: the 401/403 of signing in
#: and the 400 of query validation are documented on few operations.
CHECKS = [not_a_server_error, content_type_conformance]
ROLES = ("anonymous", "receiver", "processor", "agency_leader", "admin")


@dataclass
class World:
    users: dict[str, Any]
    tokens: dict[str, str]
    app: Any


@pytest.fixture
def world(tree, make_officer, settings: Any, tmp_path: Path) -> Iterator[World]:
    settings.MEDIA_ROOT = tmp_path / "media"
    clear_cache()
    calendar_for(tree.dept_a)
    version = procedure_version(tree.dept_a)
    users: dict[str, Any] = {"anonymous": None}
    for role in ROLES[1:3]:
        users[role] = make_officer(role, tree.dept_a, username=f"fuzz.{role}")
    users["agency_leader"] = make_officer("agency_leader", tree.dept_a, username="fuzz.leader")
    users["admin"] = make_officer("admin", tree.province, username="fuzz.admin")
    dossiers = [receive(users["receiver"], version, tree.dept_a) for _ in range(2)]
    REAL.clear()
    REAL.update(
        {
            "dossier": [d.code for d in dossiers],
            "procedure": [version.procedure.code],
            "agency": [a.code for a in vars(tree).values()],
            "number": [version.number],
            "year": [2025, 2026],
            "version": [1, 2],
            "kpi": ["online_share", "overdue_open", "procedures_online"],
        }
    )
    # Django's handler closes the connection at the end of a request: that would end the
    # test's transaction. The test client does the same as here.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        tokens = {role: bearer_token(user) for role, user in users.items() if user is not None}
        yield World(users, tokens, WSGIHandler())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        clear_cache()


#: Real values by kind, filled by the ``world`` fixture before any example is drawn.
REAL: dict[str, list[Any]] = {}
#: Body fields that name an object, and the kind of object.
BODY_REFERENCES = {
    "procedure": "procedure",
    "receiving_agency": "agency",
    "served_at": "agency",
    "deciding_agency": "agency",
    "agency": "agency",
    "parent": "agency",
    "successor": "agency",
    "version": "version",
}


def _real_key(path: str, name: str) -> str | None:
    if name == "code":
        for prefix, key in (
            ("/api/v1/dossiers/", "dossier"),
            ("/api/v1/lookup/", "dossier"),
            ("/api/v1/procedures/", "procedure"),
            ("/api/v1/agencies/", "agency"),
            ("/api/v1/metrics/kpis/", "kpi"),
        ):
            if path.startswith(prefix):
                return key
        return None
    return name if name in {"number", "year"} else None


def _sometimes_real(generated: dict[str, Any], kinds: dict[str, str]) -> Any:
    """The generated values, or the same with some of them replaced by real objects."""
    if not kinds or not REAL:  # the explicit examples are drawn at collection, before data
        return st.just(generated)
    replaced = st.fixed_dictionaries(
        {name: st.sampled_from([generated[name], *REAL[kind]]) for name, kind in kinds.items()}
    ).map(lambda values: {**generated, **values})
    return st.one_of(st.just(generated), replaced)


@schema.hook("flatmap_path_parameters")
def _real_path_parameters(ctx: Any, parameters: dict[str, Any]) -> Any:
    if not parameters:
        return st.just(parameters)
    path = ctx.operation.path
    kinds = {name: kind for name in parameters if (kind := _real_key(path, name))}
    return _sometimes_real(parameters, kinds)


@schema.hook("flatmap_body")
def _real_body_references(ctx: Any, body: Any) -> Any:
    if not isinstance(body, dict):
        return st.just(body)
    kinds = {name: BODY_REFERENCES[name] for name in body if name in BODY_REFERENCES}
    return _sometimes_real(body, kinds)


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error(case: Any, world: World) -> None:
    for role in ROLES:
        # Anonymous: whatever Authorization header was generated (garbage credentials too).
        response = case.call(app=world.app, headers=_auth(world.tokens.get(role)))
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as error:
            error.add_note(f"Sent as: {role}")
            raise
