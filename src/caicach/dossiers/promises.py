"""The dossiers' answer to the calendar: which promised due dates an amendment may move
(regulations §4.4), subscribed to :class:`~caicach.calendars.events.OpenPromisesWanted`.
"""

from __future__ import annotations

from collections.abc import Iterator

from caicach.agencies.models import Agency
from caicach.calendars.events import OpenPromisesWanted
from caicach.calendars.services import OpenPromise
from caicach.dossiers.models import (
    Dossier,
    DueBasis,
)


def promises_wanted(query: OpenPromisesWanted) -> Iterator[OpenPromise]:
    """Answer of the dossiers to the calendar's question (subscribed in ``DossiersConfig``)."""
    return open_promises(query.scope_agency)


def open_promises(scope_agency: Agency | None) -> Iterator[OpenPromise]:
    """Promised due dates a calendar change of ``scope_agency`` may move (regulations §4.4).

    Open dossiers whose clock runs and whose date was counted by the calendar: not while
    waiting for a supplement (recounted on return), not once the result is ready, not when an
    apology set the date by hand. Counted from ``clock_started_at`` on the receiving agency's
    calendar, as at receipt.
    """
    rows = Dossier.objects.running().exclude(due_basis=DueBasis.APOLOGY)
    if scope_agency is not None:
        rows = rows.filter(receiving_agency__path__startswith=scope_agency.path)
    for code, started, value, unit, cutoff, due_at, label, agency_id in rows.values_list(
        "code",
        "clock_started_at",
        "procedure_version__promised_value",
        "procedure_version__statutory_unit",
        "procedure_version__cutoff",
        "due_at",
        "calendar_version",
        "receiving_agency_id",
    ).iterator(chunk_size=2000):
        yield OpenPromise(
            key=code,
            received=started,
            value=value,
            unit=unit,
            cutoff=cutoff,
            due=due_at,
            calendar_version=label,
            agency_id=agency_id,
        )
