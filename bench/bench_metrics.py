"""Benchmark: rollup rebuild time and KPI latency (issue 13, "Speed").

Usage::

    CAICACH_DATA_DIR=/tmp/metrics-data .venv/bin/python bench/bench_metrics.py \
        [--dossiers 100000] [--samples 300] [--out bench/results/metrics.json]

Prepares its database (``migrate``, ``demo load``), generates dossiers with ``caicach demo
generate`` until the table holds ``--dossiers`` (the generator's ``DossiersLoaded`` keeps the
rollups current), then times ``metrics.rollup.rebuild()`` (one ``INSERT … SELECT … GROUP BY``
plus the month-end snapshots) and ``metrics.compute.kpi`` for random (KPI, agency, period)
triples: p50/p95/max in ms. Goals: any KPI for any agency and period under 100 ms; a full rebuild
of 10 million dossiers under 60 s on 2 cores (scale the figure: the rebuild is linear).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("bench/results/metrics.json"))
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caicach.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from caicach.agencies.models import Agency
    from caicach.demo.generator import generate_dossiers
    from caicach.dossiers.models import Dossier
    from caicach.metrics.compute import kpi
    from caicach.metrics.periods import parse_period
    from caicach.metrics.registry import all_kpis
    from caicach.metrics.rollup import rebuild

    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", "load", stdout=open(os.devnull, "w"))  # noqa: SIM115
    have = Dossier.objects.count()
    generated_s = None
    if have < args.dossiers:
        result = generate_dossiers(args.dossiers - have, seed=int(time.time()), stdout=sys.stdout)
        generated_s = round(result.seconds, 2)
    total = Dossier.objects.count()
    with connection.cursor() as cur:
        cur.execute("ANALYZE dossiers_dossier")
    timings = rebuild()
    with connection.cursor() as cur:
        cur.execute("ANALYZE metrics_dailyrollup")
        cur.execute("SELECT min(day), max(day) FROM metrics_dailyrollup")
        first, last = cur.fetchone()
    rng = random.Random(args.seed)
    agencies = list(Agency.objects.all())
    months = sorted({f"{d.year}-{d.month:02d}" for d in (first, last)})
    labels = [*months, f"{first.year}", f"{last.year}-Q{(last.month - 1) // 3 + 1}"]
    codes = [k.code for k in all_kpis()]
    latencies: list[float] = []
    for _ in range(args.samples):
        code, agency, label = rng.choice(codes), rng.choice(agencies), rng.choice(labels)
        started = time.perf_counter()
        kpi(code, agency, parse_period(label))
        latencies.append((time.perf_counter() - started) * 1000)
    report = {
        "benchmark": "metrics",
        "dossiers": total,
        "generated_s": generated_s,
        "rebuild": timings,
        "rebuild_s_per_million": round(timings["rollup_s"] / max(total, 1) * 1e6, 2),
        "kpi_ms": {
            "samples": len(latencies),
            "p50": round(_pct(latencies, 0.5), 2),
            "p95": round(_pct(latencies, 0.95), 2),
            "max": round(max(latencies), 2),
        },
        "agencies": len(agencies),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "note": "2 shared cores; other helpers' tests ran at the same time",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
