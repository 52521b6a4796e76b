"""Background jobs of the calendar (Procrastinate, found by its Django app's autodiscovery)."""

from __future__ import annotations

from procrastinate.contrib.django import app

from caicach.calendars.impact import record_impact
from caicach.core import jobs


@app.task(name="calendars.report_calendar_impact", queue=jobs.BATCH, retry=3)
def report_calendar_impact(version_id: int) -> None:
    """Store which promised due dates a new calendar version moves (``CalendarImpact``), for the
    calendar page and for the dossier work to recompute and notify."""
    record_impact(version_id)
