"""The dossier app's service API: what pages, the API, commands and other apps call.

Each function lives in the subsystem that owns the rule (one job per module):

========================  ==================================================================
``inputs``                cleaning and checking a receipt's applicant, documents and files
``scope``                 who sees a dossier, with which workflow roles one acts on it
``intake``                :func:`receive_dossier` (NĐ 61/2018 arts. 15-18)
``lifecycle``             :func:`perform_action` and one handler per action (arts. 17-20)
``work``                  the unit of work one action shares with its handlers
``referrals``             consultations, replies, transfers to a lead agency (art. 19)
``history``               the history line of each change, announced on the event seam
``promises``              the promised due dates a calendar amendment may move (§4.4)
``deadlines``             running, paused, overdue, due soon (pure; one definition)
``reports``               the register (PDF/XLSX, background exports) and the apology figures
``exchange``              JSON Lines import and export
``lookup``                the public look-up by code and token
========================  ==================================================================

Every writer runs in one transaction that writes the change, its history line
(:class:`~caicach.dossiers.models.DossierEvent`, announced as a domain event), its clock-ledger
entries and the audit entry, so all of them commit or roll back together. Errors are bilingual
(:class:`~caicach.core.errors.BilingualError`): 400 bad input (:class:`DossierInputError`), 403
missing role, 404 outside the caller's scope (:class:`DossierNotFoundError`), 409 for a stale
``version`` or an action the state does not allow.
"""

from __future__ import annotations

from caicach.dossiers.inputs import (
    ALLOWED_CONTENT_TYPES,
    EXTENSIONS,
    MAX_COMPONENT_BYTES,
    MAX_COMPONENTS,
    SIGNATURES,
    ApplicantInput,
    ComponentInput,
    DossierInputError,
    clean_key,
    sniff,
)
from caicach.dossiers.intake import forget_version_rules, receive_dossier
from caicach.dossiers.lifecycle import perform_action
from caicach.dossiers.promises import open_promises, promises_wanted
from caicach.dossiers.referrals import (
    TRANSFER_MODES,
    AgencyReferralLateness,
    late_referrals_by_agency,
)
from caicach.dossiers.results import attach_result, digitisation_by_tier, result_file
from caicach.dossiers.scope import (
    ROLE_ACTIONS,
    ComponentFileNotFoundError,
    DossierNotFoundError,
    acting_roles,
    answerable_referrals,
    component_file,
    visible_dossiers,
)
from caicach.dossiers.work import NOTE_REQUIRED, REASON_REQUIRED

__all__ = [
    "ALLOWED_CONTENT_TYPES",
    "EXTENSIONS",
    "MAX_COMPONENTS",
    "MAX_COMPONENT_BYTES",
    "NOTE_REQUIRED",
    "REASON_REQUIRED",
    "ROLE_ACTIONS",
    "SIGNATURES",
    "TRANSFER_MODES",
    "AgencyReferralLateness",
    "ApplicantInput",
    "ComponentFileNotFoundError",
    "ComponentInput",
    "DossierInputError",
    "DossierNotFoundError",
    "acting_roles",
    "answerable_referrals",
    "attach_result",
    "clean_key",
    "component_file",
    "digitisation_by_tier",
    "forget_version_rules",
    "late_referrals_by_agency",
    "open_promises",
    "perform_action",
    "promises_wanted",
    "receive_dossier",
    "result_file",
    "sniff",
    "visible_dossiers",
]
