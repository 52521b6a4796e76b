"""Print the PostgreSQL plans (EXPLAIN ANALYZE) of the inbox and API list queries per officer.

Usage::

    CAICACH_DATA_DIR=/tmp/gen-data .venv/bin/python bench/explain_inbox.py [--user admin]

The database side of ``bench_inbox.py`` (the same queries, without the page rendering), with
the index each one reads; writes JSON. For checking the plans after changing ``DossierQuerySet.visible_to``, the tab filters or the indexes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", action="append")
    parser.add_argument("--out", type=Path, default=Path("bench/results/explain_inbox.json"))
    parser.add_argument("--quiet", action="store_true", help="only the summary, not the plans")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caicach.settings.dev")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from caicach.accounts.models import User
    from caicach.dossiers.models import Dossier
    from caicach.dossiers.search import search
    from caicach.dossiers.views import TABS, _due_page, _tab_filter

    now = timezone.now()
    users = args.user or [
        "xa.tiepnhan", "tiepnhan", "thuly", "truongphong", "giamdoc", "cchc", "thanhtra", "admin"
    ]  # fmt: skip
    rows = []
    for username in users:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        base = Dossier.objects.visible_to(user)
        sample = base.select_related("applicant").order_by("-id").first()
        queries = {f"inbox {t.key}": _tab_filter(base, t.key, now, user) for t in TABS}
        if sample is not None:
            for label, q in (
                ("code", sample.code),
                ("name", "nguyen van hung"),
                ("cccd", sample.applicant.id_number),
                ("phone", sample.applicant.phone),
                ("phone prefix", "0912"),
            ):
                queries[f"inbox search {label}"] = search(base, q)
                queries[f"api search {label}"] = search(base, q)
        running = ["received", "assigned", "processing", "consulting", "transferred", "approved"]
        queries["api list"] = base
        queries["api open states"] = base.filter(state__in=["processing", "received"])
        queries["api awaiting approval"] = base.filter(state="awaiting_approval")
        queries["api overdue"] = base.filter(state__in=running, due_at__lt=now)
        queries["api channel post"] = base.filter(channel="post")
        for label, qs in queries.items():
            # the inbox's query shape (views._keyset): the page's ids, then the rows
            page = qs.order_by("-id")[:51] if label.startswith("api") else _due_page(qs, 51)
            sql, params = page.query.sql_with_params()
            with connection.cursor() as c:
                c.execute("EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF) " + sql, params)
                plan = [r[0] for r in c.fetchall()]
            ms = float(re.search(r"Execution Time: ([0-9.]+)", plan[-1]).group(1))  # type: ignore[union-attr]
            scans = sorted(
                {m for line in plan for m in re.findall(r"(?:Index Scan on|using) (\w+)", line)}
            )
            rows.append({"user": username, "query": label, "execution_ms": ms, "indexes": scans})
            print(f"{username:<12} {label:<26} {ms:>8.1f} ms  {' '.join(scans)}")
            if not args.quiet:
                print("\n".join(plan))
    report = {
        "benchmark": "explain_inbox",
        "dossiers_in_database": Dossier.objects.count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "worst_execution_ms": max((r["execution_ms"] for r in rows), default=None),
        "results": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
