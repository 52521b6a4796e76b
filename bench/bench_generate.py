"""Benchmark: synthetic dossiers written per second by ``caicach demo generate``.

Usage::

    CAICACH_DATA_DIR=/tmp/gen-data .venv/bin/python bench/bench_generate.py \
        [--dossiers 100000] [--seed S] [--out bench/results/generate.json]

Writes into the configured database (the demo province must be loaded: ``caicach migrate``
then ``caicach demo load``; this script runs both, they are idempotent). Each run needs a seed
not generated before in that database (default: derived from the clock). Goal (issue): 5 million
dossiers in under 10 minutes, i.e. at least 8,300 dossiers per second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

GOAL_PER_SECOND = 5_000_000 / 600


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", type=Path, default=Path("bench/results/generate.json"))
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caicach.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    from caicach.demo.generator import generate_dossiers

    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", "load", stdout=open(os.devnull, "w"))  # noqa: SIM115
    seed = args.seed if args.seed is not None else int(time.time())
    result = generate_dossiers(args.dossiers, seed=seed, stdout=sys.stdout)
    rate = result.dossiers / result.seconds
    report = {
        "benchmark": "generate",
        "dossiers": result.dossiers,
        "seconds": round(result.seconds, 2),
        "dossiers_per_second": round(rate, 1),
        "extrapolated_5m_minutes": round(5_000_000 / rate / 60, 1),
        "goal_dossiers_per_second": round(GOAL_PER_SECOND, 1),
        "meets_goal": rate >= GOAL_PER_SECOND,
        "goal_10m_with_all_facts_dossiers_per_second": round(10_000_000 / 1200, 1),
        "extrapolated_10m_minutes": round(10_000_000 / rate / 60, 1),
        "events": result.events,
        "clock_entries": result.clock_entries,
        "components": result.components,
        "results": result.results,
        "stored_documents": result.stored_documents,
        "ratings": result.ratings,
        "payments_and_refunds": result.payments,
        # The machine is shared (other sessions' tests and builds): the load during the run.
        "load_average_after": list(os.getloadavg()),
        "seed": seed,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
