"""The access log of personal data (Decree 13/2023/NĐ-CP, art. 26-27 and issue 17 item 6).

Every time an officer opens a stored scan of a dossier, or sees an applicant's personal data
unmasked (:func:`caicach.dossiers.privacy.disclosure_for` is ``FULL``: whole CCCD, phone,
address), one entry is appended to the hash-chained, append-only audit trail
(:func:`caicach.core.audit.record`; a database trigger refuses update and delete): who
(``actor``), when (``at``), from where (``ip_address``), what (``action`` = ``access.scan``,
``access.personal_data`` or ``access.form``, a printed one-stop form, which carries the
applicant's address and phone; ``object_*``), which dossier (``changes["dossier"]``) and through
which page or API path (``changes["path"]``). The reform office and the province's admin read
it on the audit page (``core:audit``, filter by action ``access.``).

Deviation from issue 17's wording ("separate from the change trail"): the entries are in the
same trail, told apart by the ``access.`` prefix of their action, so one verified chain proves
that neither changes nor views were removed.
"""

from __future__ import annotations

from typing import Any

from caicach.core.audit import Actor, record
from caicach.dossiers.models import Dossier, DossierComponent

SCAN = "access.scan"
PERSONAL_DATA = "access.personal_data"
FORM = "access.form"


def _changes(request: Any, dossier: Dossier, **extra: Any) -> dict[str, Any]:
    return {"dossier": dossier.code, "path": getattr(request, "path", "")[:300], **extra}


def scan_viewed(request: Any, component: DossierComponent) -> None:
    """An officer opened the stored file of ``component``."""
    dossier = component.dossier
    record(
        Actor.from_request(request),
        SCAN,
        component,
        agency=dossier.deciding_agency,
        changes=_changes(request, dossier, component=component.name, sha256=component.sha256),
    )


def personal_data_viewed(request: Any, dossier: Dossier) -> None:
    """An officer was shown the applicant of ``dossier`` unmasked."""
    record(
        Actor.from_request(request),
        PERSONAL_DATA,
        dossier,
        agency=dossier.deciding_agency,
        changes=_changes(request, dossier),
    )


def form_printed(request: Any, dossier: Dossier, form: str) -> None:
    """An officer printed (or reprinted) form ``form`` of ``dossier``: the forms carry the
    applicant's name, ID, address and phone (NĐ 61/2018 forms 01-06)."""
    record(
        Actor.from_request(request),
        FORM,
        dossier,
        agency=dossier.deciding_agency,
        changes=_changes(request, dossier, form=form),
    )
