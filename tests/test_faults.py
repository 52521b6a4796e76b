"""The web server killed in the middle of intakes (issue: "the server killed in the middle of an
intake: a clean retry, no dossier lost, duplicated or half-written").

A real gunicorn serves the test database (committed data: ``transaction=True``); the test sends
receipts over HTTP, SIGKILLs the whole server, starts it again and retries every request with
its Idempotency-Key. Afterwards each submission has exactly one complete dossier, the codes of
the day have no gap, and the audit chain verifies.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from caicach.accounts.tests.factories import bearer_token
from caicach.core.audit import verify_chain
from caicach.core.models import AuditEntry
from caicach.dossiers.models import (
    Applicant,
    ClockEntry,
    DailySequence,
    Dossier,
    DossierComponent,
    DossierEvent,
    IdempotencyRecord,
)
from caicach.dossiers.tests.factories import procedure_version
from caicach.notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Loi-Giua-Chung@2026"  # meets the policy checked at sign-in
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url() -> str:
    """The test database as a URL, for the server subprocess."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    host = s["HOST"] or "localhost"
    if host.startswith("/"):  # a socket folder
        return f"postgresql://{auth}@:{s['PORT'] or 5432}/{s['NAME']}?host={host}"
    return f"postgresql://{auth}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


class Server:
    """gunicorn on a free loopback port, in its own process group (killed as a whole)."""

    def __init__(self, media: Path) -> None:
        self.port = _free_port()
        self.media = media
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "caicach.settings.test",
            "DATABASE_URL": _database_url(),
            "DATABASE_CONN_MAX_AGE": "0",
            "MEDIA_ROOT": str(self.media),
        }
        command = [
            sys.executable, "-m", "gunicorn", "caicach.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "8",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gunicorn exited"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("gunicorn did not start")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, no atexit, open transactions simply vanish."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "media")
    yield running
    running.stop()


def _post(port: int, token: str, body: dict[str, Any], key: str) -> tuple[int, dict[str, Any]]:
    """One receipt over a fresh connection, with a machine client's bearer token; (0, {}) when
    the server died under it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(
            "POST",
            "/api/v1/dossiers/",
            json.dumps(body),
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
                "Host": "127.0.0.1",
            },
        )
        response = conn.getresponse()
        data = response.read()
        try:
            return response.status, json.loads(data) if data else {}
        except ValueError:  # not JSON (a proxy's or a dying server's page): keep the status
            return response.status, {"body": data[:200].decode(errors="replace")}
    except (OSError, http.client.HTTPException):
        return 0, {}
    finally:
        conn.close()


def _fire(port: int, token: str, requests: list[tuple[dict[str, Any], str]]) -> list[Any]:
    """Send all requests at once from threads; return their (status, body) in order."""
    results: list[Any] = [None] * len(requests)

    def send(i: int) -> None:
        results[i] = _post(port, token, *requests[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    return [results, threads]


def _join(fired: list[Any]) -> list[tuple[int, dict[str, Any]]]:
    results, threads = fired
    for t in threads:
        t.join(30)
    return list(results)


def _body(version: Any, agency: Any, i: int) -> dict[str, Any]:
    return {
        "procedure": version.procedure.code,
        "channel": "counter",
        "receiving_agency": agency.code,
        "applicant": {
            "full_name": f"Nguyễn Văn Thử {i}",
            "id_number": "001085012345",
            "phone": "0912345678",
            "email": f"thu{i}@example.vn",
        },
        "components": [
            {"name": "Tờ khai", "content": base64.b64encode(b"%PDF-1.4 " + bytes([i])).decode()}
        ],
    }


def _wait_for_lock_waiters(url_kwargs: dict[str, Any], n: int) -> None:
    """Until ``n`` server sessions wait on a lock inside receive_dossier: one on the audit
    chain's (everything else written), the others on the day's counter row it holds."""
    deadline = time.monotonic() + 60  # generous: a loaded CI machine starts the server slowly
    with psycopg.connect(**url_kwargs, autocommit=True) as watch:
        while time.monotonic() < deadline:
            waiting = watch.execute(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE wait_event = 'advisory') "
                "FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            ).fetchone()
            if waiting and waiting[0] >= n and waiting[1] == 1:
                return
            time.sleep(0.05)
    raise AssertionError(f"fewer than {n} receipts reached the audit step")


def _assert_intact(keys: list[str], user: Any) -> None:
    records = IdempotencyRecord.objects.filter(user=user, key__in=keys)
    assert records.count() == len(keys)
    assert not records.filter(dossier__isnull=True).exists()
    assert Dossier.objects.count() == len(keys)  # nothing lost, nothing duplicated
    assert Applicant.objects.count() == len(keys)  # no orphan half of a receipt
    for dossier in Dossier.objects.all():
        assert DossierComponent.objects.filter(dossier=dossier).count() == 1
        assert DossierEvent.objects.filter(dossier=dossier, action="receive").count() == 1
        assert ClockEntry.objects.filter(dossier=dossier, kind="received").count() == 1
        assert (
            AuditEntry.objects.filter(action="dossier.received", object_id=str(dossier.pk)).count()
            == 1
        )
        assert Notification.objects.filter(dossier=dossier).count() == 2  # e-mail and SMS
    sequences = sorted(Dossier.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, len(keys) + 1))  # gap-free
    assert DailySequence.objects.get().last == len(keys)
    assert list(verify_chain()) == []


def test_killed_mid_intake_then_retried(tree: Any, make_officer: Any, server: Server) -> None:
    version = procedure_version(tree.dept_a)
    receiver = make_officer("receiver", tree.dept_a, username="motcua_faults")
    token = bearer_token(receiver)  # HTTP Basic is off (API_BASIC_AUTH)
    requests = [(_body(version, tree.dept_a, i), str(uuid.uuid4())) for i in range(24)]
    s = connection.settings_dict
    url_kwargs = {
        "dbname": s["NAME"],
        "user": s["USER"],
        "password": s["PASSWORD"] or None,
        "host": s["HOST"] or None,
        "port": s["PORT"] or None,
    }
    server.start()

    # 1. Killed while receipts are in flight: some answered, some committed without an answer,
    # some rolled back.
    first = _join(_fire_then_kill(server, token, requests[:12]))
    answered = {key: body["code"] for (status, body), (_, key) in zip(first, requests[:12], strict=True)
                if status == 201}  # fmt: skip

    # 2. Killed while receipts wait inside their transaction, everything but the audit entry
    # written: this session holds the audit chain's lock.
    server.start()
    with psycopg.connect(**url_kwargs, autocommit=True) as blocker:
        blocker.execute("SELECT pg_advisory_lock(7260001)")
        fired = _fire(server.port, token, requests[12:])
        _wait_for_lock_waiters(url_kwargs, 3)
        server.kill()
        blocker.execute("SELECT pg_advisory_unlock(7260001)")
    assert all(status == 0 for status, _ in _join(fired))

    # 3. Restart and retry every request with its own key.
    server.start()
    retried = [_post(server.port, token, body, key) for body, key in requests]
    assert [status for status, _ in retried] == [201] * len(requests), retried
    for (_, body), (_, key) in zip(retried, requests, strict=True):
        if key in answered:
            assert body["code"] == answered[key]  # the same dossier as the first answer
    assert len({body["code"] for _, body in retried}) == len(requests)
    # A second retry of everything is a pure replay.
    again = [_post(server.port, token, body, key) for body, key in requests[:3]]
    assert [b["code"] for _, b in again] == [b["code"] for _, b in retried[:3]]
    server.stop()
    _assert_intact([key for _, key in requests], receiver)


def _fire_then_kill(server: Server, token: str, requests: list[tuple[dict[str, Any], str]]) -> Any:
    fired = _fire(server.port, token, requests)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and Dossier.objects.count() < 3:
        time.sleep(0.01)
    server.kill()
    return fired
