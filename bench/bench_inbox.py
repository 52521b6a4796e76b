"""Benchmark: latency of the inbox pages and the API list (with search) over generated data.

Usage::

    CAICACH_DATA_DIR=/tmp/gen-data .venv/bin/python bench/bench_inbox.py \
        [--repeat 30] [--out bench/results/inbox.json]

Runs in-process with the Django test client against the configured database (generate data
first: ``caicach demo generate --dossiers 200000``). For each demo officer and each request
(the inbox tabs, a name search on the page, the API list plain and with ``q``), one warm-up
then ``--repeat`` timed requests; reports p50/p95/max in milliseconds, the HTTP status, and the
number of dossiers in the database.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

USERS = ("xa.tiepnhan", "tiepnhan", "giamdoc", "admin")
PAGES = (
    ("inbox all", "/ho-so/?tab=tat-ca"),
    ("inbox processing", "/ho-so/?tab=dang-xu-ly"),
    ("inbox overdue", "/ho-so/?tab=qua-han"),
    ("inbox search name", "/ho-so/?tab=tat-ca&q=nguyen+van+hung"),
    ("api list", "/api/v1/dossiers/"),
    ("api search name", "/api/v1/dossiers/?q=tran+thi+lan"),
    ("api search phone", "/api/v1/dossiers/?q=0912"),
    ("api open states", "/api/v1/dossiers/?state=processing&state=received"),
)


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path("bench/results/inbox.json"))
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caicach.settings.dev")
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from caicach.accounts.models import User
    from caicach.dossiers.models import Dossier

    setup_test_environment()  # allows the "testserver" host
    rows = []
    for username in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        for name, url in PAGES:
            status = client.get(url).status_code  # warm-up
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                status = response.status_code
            rows.append(
                {
                    "user": username,
                    "request": name,
                    "url": url,
                    "status": status,
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(_pct(times, 0.95), 1),
                    "max_ms": round(max(times), 1),
                }
            )
            print(f"{username:<12} {name:<20} {status} p50 {rows[-1]['p50_ms']:>7} ms "
                  f"p95 {rows[-1]['p95_ms']:>7} ms")  # fmt: skip
    report = {
        "benchmark": "inbox",
        "dossiers_in_database": Dossier.objects.count(),
        "repeat": args.repeat,
        "results": rows,
        "worst_p95_ms": max((r["p95_ms"] for r in rows), default=None),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
