"""Benchmark: due-date computations per second on one core.

Usage::

    .venv/bin/python bench/bench_due_dates.py [--out bench/results/due_dates.json] [--n 200000]

Builds the official calendar, draws ``n`` seeded random (received, working days) pairs with
received instants in 2024-01-01 .. 2026-10-31, as UTC-aware datetimes (the way they come back
from the database, so the conversion to Asia/Ho_Chi_Minh is included), and times
``due_in_working_days`` with ``time.perf_counter``: one warm-up pass, then the best of 3 runs.
Goal: at least 200,000 computations per second.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from caicach.calendars.rules import (
    VN_TZ,
    DueResult,
    WorkCalendar,
    due_in_working_days,
    official_calendar,
)

GOAL = 200_000


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _pairs(n: int, seed: int) -> list[tuple[datetime, int]]:
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC) - timedelta(hours=7)
    seconds = int((datetime(2026, 10, 31, 17, tzinfo=UTC) - start).total_seconds())
    return [
        (start + timedelta(seconds=rng.randrange(seconds)), rng.randint(1, 30)) for _ in range(n)
    ]


def _run(
    fn: Callable[[datetime, int, WorkCalendar], DueResult],
    pairs: Sequence[tuple[datetime, int]],
    cal: WorkCalendar,
) -> float:
    t0 = time.perf_counter()
    for received, n in pairs:
        fn(received, n, cal)
    return time.perf_counter() - t0


def _best(pairs: Sequence[tuple[datetime, int]], cal: WorkCalendar, runs: int) -> float:
    _run(due_in_working_days, pairs[: max(1, len(pairs) // 10)], cal)  # warm-up
    return min(_run(due_in_working_days, pairs, cal) for _ in range(runs))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench/results/due_dates.json"))
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20260423)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    cal = official_calendar()
    pairs = _pairs(args.n, args.seed)
    best = _best(pairs, cal, args.runs)
    local_pairs = [(r.astimezone(VN_TZ), n) for r, n in pairs]
    best_local = _best(local_pairs, cal, args.runs)

    result = {
        "benchmark": "due_dates",
        "computations_per_second": round(args.n / best),
        "n": args.n,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "cpu": _cpu(),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "function": "due_in_working_days",
        "input_timezone": "UTC",
        "computations_per_second_vn_local_input": round(args.n / best_local),
        "best_seconds": round(best, 4),
        "runs": args.runs,
        "seed": args.seed,
        "calendar_version": cal.version,
        "goal": GOAL,
        "meets_goal": args.n / best >= GOAL,
    }
    text = json.dumps(result, ensure_ascii=False, indent=2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
