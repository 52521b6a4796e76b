"""Benchmark: latency of the inbox pages and the API list (with search) over generated data.

Usage::

    CAICACH_DATA_DIR=/tmp/gen-data .venv/bin/python bench/bench_inbox.py \
        [--repeat 30] [--out bench/results/inbox.json]

Runs in-process with the Django test client against the configured database (generate data
first: ``caicach demo generate --dossiers 200000``). For each demo officer and each request
(every inbox tab and its second page, searches by code, name without diacritics, CCCD and
phone on the page and the API, the API list plain and with its filters), one warm-up
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

USERS = ("xa.tiepnhan", "tiepnhan", "thuly", "truongphong", "giamdoc", "cchc", "thanhtra", "admin")
TABS = ("moi", "dang-xu-ly", "sap-den-han", "qua-han", "cho-bo-sung", "cho-phe-duyet", "y-kien",
        "tat-ca")  # fmt: skip
PAGES = (
    *((f"inbox {tab}", f"/ho-so/?tab={tab}") for tab in TABS),
    ("inbox search name", "/ho-so/?tab=tat-ca&q=nguyen+van+hung"),
    ("inbox filter channel", "/ho-so/?tab=dang-xu-ly&kenh=post"),
    ("inbox all with old", "/ho-so/?tab=tat-ca&cu=1"),
    ("api list", "/api/v1/dossiers/"),
    ("api search name", "/api/v1/dossiers/?q=tran+thi+lan"),
    ("api search phone prefix", "/api/v1/dossiers/?q=0912"),
    ("api open states", "/api/v1/dossiers/?state=processing&state=received"),
    ("api awaiting approval", "/api/v1/dossiers/?state=awaiting_approval"),
    ("api overdue", "/api/v1/dossiers/?overdue=true"),
    ("api channel post", "/api/v1/dossiers/?channel=post"),
)


def _samples(user: object) -> list[tuple[str, str]]:
    """Requests built from a dossier in the user's scope: its code, the applicant's name without
    diacritics, CCCD and phone, on the inbox and the API; the inbox "all" tab's second page."""
    from urllib.parse import urlencode

    from caicach.core.text import normalise
    from caicach.dossiers.models import Dossier

    d = (
        Dossier.objects.visible_to(user)
        .select_related("applicant")
        .order_by("-id")
        .only("code", "applicant__full_name", "applicant__id_number", "applicant__phone")
        .first()
    )
    if d is None:
        return []
    out = []
    for label, q in (
        ("code", d.code),
        ("name", normalise(d.applicant.full_name)),
        ("cccd", d.applicant.id_number),
        ("phone", d.applicant.phone),
    ):
        out.append((f"inbox search {label}", "/ho-so/?" + urlencode({"tab": "tat-ca", "q": q})))
        out.append((f"api search {label}", "/api/v1/dossiers/?" + urlencode({"q": q})))
    return out


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
    load_before = os.getloadavg()
    rows = []
    for username in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        pages = [*PAGES, *_samples(user)]
        first = client.get("/ho-so/?tab=tat-ca")
        cursor = first.context["next_url"] if first.context else ""
        if cursor:
            pages.append(("inbox all page 2", "/ho-so/" + cursor))
        for name, url in pages:
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
            print(f"{username:<12} {name:<24} {status} p50 {rows[-1]['p50_ms']:>7} ms "
                  f"p95 {rows[-1]['p95_ms']:>7} ms")  # fmt: skip
    report = {
        "benchmark": "inbox",
        "dossiers_in_database": Dossier.objects.count(),
        "repeat": args.repeat,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "goal_p95_ms": 100,
        "over_goal": [f"{r['user']} {r['request']}" for r in rows if r["p95_ms"] >= 100],
        "results": rows,
        "worst_p95_ms": max((r["p95_ms"] for r in rows), default=None),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
