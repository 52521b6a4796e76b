"""Benchmark: seconds per row of the dossier register PDF (``documents.render_register``).

Usage::

    CAICACH_DATA_DIR=/tmp/gen-data .venv/bin/python bench/bench_register.py \
        [--rows 500 2000] [--out bench/results/register.json]

Reads the first N dossiers (register order) of the receiving agency that received the most
(generate data first: ``caicach demo generate --dossiers 200000``), with the same query and
prefetches as ``reports.register_pdf``, and renders them with WeasyPrint. Each size runs in a
fresh child process so its peak memory (``ru_maxrss``) is its own. Reports per size: the
seconds spent building the HTML (template), laying it out (WeasyPrint ``render``) and writing
the PDF, milliseconds per row, pages, PDF size and peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caicach.settings.dev")
    import django

    django.setup()


def _busiest_agency() -> int:
    from django.db.models import Count

    from caicach.dossiers.models import Dossier

    top = (
        Dossier.objects.order_by()
        .values("receiving_agency")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if top is None:
        raise SystemExit("no dossiers: run `caicach demo generate` first")
    return int(top["receiving_agency"])


def _one(rows: int, agency_id: int) -> dict[str, object]:
    """Render ``rows`` rows in this process; print the figures as JSON."""
    _setup()
    from django.db.models import Prefetch

    from caicach.agencies.models import Agency
    from caicach.dossiers import documents
    from caicach.dossiers.models import Dossier, DossierComponent
    from caicach.dossiers.reports import register

    agency = Agency.objects.select_related("parent").get(pk=agency_id)
    queryset = (
        Dossier.objects.filter(receiving_agency=agency)
        .select_related("procedure_version", "applicant", "deciding_agency")
        .only(*register.REGISTER_COLUMNS)
        .order_by("received_on", "sequence")
        .prefetch_related(Prefetch("components", DossierComponent.objects.only("id", "dossier_id")))
    )
    dossiers = list(queryset[:rows])
    first, last = dossiers[0].received_on, dossiers[-1].received_on
    t0 = time.perf_counter()
    html = documents.render_register_html(agency, first, last, dossiers)
    t1 = time.perf_counter()
    from weasyprint import HTML

    # What documents._pdf does, in two steps: layout, then writing the PDF.
    document = HTML(string=html, base_url=documents.FONT_DIR.as_uri() + "/").render()
    t_layout = time.perf_counter()
    pdf = bytes(document.write_pdf())
    t2 = time.perf_counter()
    return {
        "rows": len(dossiers),
        "html_s": round(t1 - t0, 3),
        "layout_s": round(t_layout - t1, 3),
        "write_s": round(t2 - t_layout, 3),
        "total_s": round(t2 - t0, 3),
        "ms_per_row": round((t2 - t0) * 1000 / len(dossiers), 2),
        "pages": len(document.pages),
        "pdf_bytes": len(pdf),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--out", type=Path, default=Path("bench/results/register.json"))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--agency", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--label", default="", help="a note stored in the report")
    args = parser.parse_args(argv)

    if args.one:
        print(json.dumps(_one(args.one, args.agency)))
        return 0

    _setup()
    from caicach.agencies.models import Agency
    from caicach.dossiers.models import Dossier

    agency_id = _busiest_agency()
    agency = Agency.objects.get(pk=agency_id)
    received = Dossier.objects.filter(receiving_agency_id=agency_id).count()
    load_before = os.getloadavg()
    results = []
    for rows in args.rows:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(rows), "--agency", str(agency_id)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{result['rows']:>6} rows  {result['total_s']:>8} s  {result['ms_per_row']:>7} ms/row  "
            f"{result['pages']:>4} pages  {result['peak_rss_mb']:>7} MB"
        )
    report = {
        "benchmark": "register_pdf",
        "label": args.label,
        "agency": agency.code,
        "dossiers_received_by_agency": received,
        "dossiers_in_database": Dossier.objects.count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "goal_ms_per_row": 5,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
