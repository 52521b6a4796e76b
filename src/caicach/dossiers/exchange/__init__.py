"""The dossier exchange format: JSON Lines with the full history, read and written.

One line is one dossier (schema and examples: ``docs/formats/dossiers.md``): our field names,
the applicant (personal data: this is a migration format), the received documents (metadata and
SHA-256, never the file content), the history (``events``) and the clock ledger (``clock``),
plus a ``portal`` object with the national portal's sync fields (*MaHoSo*, *MaTTHC*,
*KenhThucHien*, ...), written on export and ignored on import (it is derived).

One job per module; this package re-exports their public names:

========================  ==================================================================
``export``                :func:`export_dossiers`: dossiers out as JSON Lines, streamed
``reader``                typed values out of one line, each problem a :class:`LineError`
``lookups``               what an import looks up, loaded once
``parse``                 one line into unsaved rows, part by part, every problem found
``importer``              :func:`import_dossiers`: all or nothing, idempotent by code
========================  ==================================================================

Personal data: the export is not a reader's surface but a transfer run on the server by a
system administrator (``caicach dossiers export``), so the applicant goes out whole, not
through :func:`caicach.dossiers.privacy.applicant_view`; the file is personal data (Decree
13/2023) and is handled as such.
"""

from __future__ import annotations

from caicach.dossiers.exchange.export import (
    PORTAL_CHANNEL,
    PORTAL_STATE,
    dossier_line,
    export_dossiers,
)
from caicach.dossiers.exchange.importer import (
    MAX_LINES,
    DossierImportError,
    ImportResult,
    import_dossiers,
)
from caicach.dossiers.exchange.reader import LineError

__all__ = [
    "MAX_LINES",
    "PORTAL_CHANNEL",
    "PORTAL_STATE",
    "DossierImportError",
    "ImportResult",
    "LineError",
    "dossier_line",
    "export_dossiers",
    "import_dossiers",
]
