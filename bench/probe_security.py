"""Issue 17's abuse probes, measured in process on a test database; writes JSON.

Usage::

    .venv/bin/python bench/probe_security.py [--out bench/results/probe_security.json]

Probes (each an answer the issue asks for, counted):

* look-up brute force: 60 wrong phone guesses on a real dossier code from one address: how
  many are answered (should be ``LOOKUP_MAX_FAILURES``, 20) and how many are 429;
* body limit: a 31 MiB JSON intake: 413 in the API's JSON shape, not an HTML 400 or a 500;
* deep JSON: an intake nested 100,000 levels: 400, not a ``RecursionError`` 500;
* token vs Basic: 30 ``GET /api/v1/dossiers/`` with an OAuth2 bearer token, then 5 with HTTP
  Basic (switched on for this probe only; off by default): mean milliseconds per request.

Runs through pytest (the project's fixtures and test database) (its ``tree`` and ``make_officer``).
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
RESULTS: dict[str, Any] = {}

if "django" in sys.modules and "pytest_django" in sys.modules:  # collected by pytest
    from caicach.conftest import make_officer, tree  # noqa: F401


@pytest.mark.django_db
def test_probe(tree: Any, make_officer: Any, settings: Any, tmp_path: Path) -> None:
    from django.test import Client

    from caicach.accounts.tests.factories import PASSWORD, bearer_token
    from caicach.dossiers.tests.factories import procedure_version, receive

    settings.MEDIA_ROOT = tmp_path
    receiver = make_officer("receiver", tree.dept_a, username="probe.receiver")
    version = procedure_version(tree.dept_a)
    dossier = receive(receiver, version, tree.dept_a)
    client = Client(REMOTE_ADDR="203.0.113.9")

    statuses: dict[str, int] = {}
    for i in range(60):
        r = client.get(f"/api/v1/lookup/{dossier.code}/", {"phone_last4": f"{i:04d}"})
        statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
    RESULTS["lookup_brute_force"] = {
        "guesses": 60,
        "by_status": statuses,
        "answered": 60 - statuses.get("429", 0),
        "limit": settings.LOOKUP_MAX_FAILURES,
    }

    token = bearer_token(receiver)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    big = b'{"procedure": "' + b"x" * (31 * 1024 * 1024) + b'"}'
    r = client.post("/api/v1/dossiers/", big, content_type="application/json", **auth)
    RESULTS["body_limit"] = {
        "bytes": len(big),
        "status": r.status_code,
        "json": r["Content-Type"].startswith("application/json"),
        "body": r.content[:200].decode(errors="replace"),
    }

    deep = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    r = client.post("/api/v1/dossiers/", deep, content_type="application/json", **auth)
    RESULTS["deep_json"] = {
        "levels": 100_000,
        "status": r.status_code,
        "json": r["Content-Type"].startswith("application/json"),
    }

    def timed(n: int, headers: dict[str, str]) -> dict[str, Any]:
        codes: dict[str, int] = {}
        start = time.perf_counter()
        for _ in range(n):
            code = str(Client().get("/api/v1/dossiers/", **headers).status_code)
            codes[code] = codes.get(code, 0) + 1
        ms = (time.perf_counter() - start) * 1000 / n
        return {
            "requests": n,
            "mean_ms": round(ms, 1),
            "req_per_s": round(1000 / ms, 1),
            "by_status": codes,
        }

    RESULTS["token"] = timed(30, auth)
    basic = base64.b64encode(f"probe.receiver:{PASSWORD}".encode()).decode()
    RESULTS["basic_default_off"] = timed(1, {"HTTP_AUTHORIZATION": f"Basic {basic}"})
    settings.API_BASIC_AUTH = True
    RESULTS["basic_switched_on"] = timed(5, {"HTTP_AUTHORIZATION": f"Basic {basic}"})
    out = Path(os.environ.get("PROBE_OUT", ROOT / "bench" / "results" / "probe_security.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(RESULTS, indent=2, ensure_ascii=False) + "\n")


def main() -> int:
    out = ROOT / "bench" / "results" / "probe_security.json"
    if "--out" in sys.argv:
        out = Path(sys.argv[sys.argv.index("--out") + 1]).resolve()
    os.environ["PROBE_OUT"] = str(out)
    code = pytest.main([__file__, "-q", "--ds=caicach.settings.test", "-p", "no:cacheprovider"])
    print(out.read_text() if out.exists() else "no result")
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
