"""Background jobs of the metrics (Procrastinate, found by its Django app's autodiscovery)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from caicach.core import jobs


@app.task(name="metrics.render_report", queue=jobs.BATCH)
def render_report(file_id: int) -> None:
    """Render a long monthly 766 or quarterly one-stop report (DOCX or PDF) asked for by an
    officer and store it (:func:`caicach.metrics.documents.jobs.build_report_file`). Not retried:
    a failure is recorded on the row and the officer asks again."""
    from caicach.metrics.documents.jobs import build_report_file

    build_report_file(file_id)
