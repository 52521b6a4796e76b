"""What a reader may see of an applicant: the one place that decides it.

Nghị định 13/2023/NĐ-CP (Decree 13/2023 on personal data protection) lets personal data go only
to those who need it for the purpose it was collected for (art. 3: purpose limitation and
minimisation). Among the applicant's fields, the citizen ID (*số định danh cá nhân*), a
person's tax code, the phone number, the address and the e-mail are basic personal data
(art. 2.4); the name stays visible everywhere (the register, lists and forms need it to name
the dossier).

The rule, by reader (:func:`disclosure_for`):

* :attr:`Disclosure.FULL`: an officer who acts on the dossier in a workflow role (receiving
  desk, processor, leaders, administrator of the agency holding it, or an agency asked for an
  opinion that has not answered yet): the roles :func:`caicach.dossiers.services.acting_roles`
  computes once per request. They need the data to do the work.
* :attr:`Disclosure.MASKED`: an officer who may only *view* the dossier (inspector, reform
  office, another unit in scope, a leader of a parent agency without a role on it), and every
  printed form (:mod:`caicach.dossiers.documents`): the paper leaves the system, whoever prints
  it.
* :attr:`Disclosure.NONE`: the public look-up (:mod:`caicach.dossiers.lookup`) shows nothing
  of the applicant, not even the name.

The surfaces that show an applicant all go through :func:`applicant_view`: the dossier page
(template tag ``{% applicant_view %}`` of ``privacy_tags``), the API's dossier detail, action
answers and receipt answer (:mod:`caicach.dossiers.api.serializers`), and the printed forms.
The inbox, the API list and the dossier register show the name only. The JSON Lines export
(:mod:`caicach.dossiers.exchange`) is a migration transfer run by a system administrator on
the server (``caicach dossiers export``), not a reader: it carries the full data, and the file
must be handled as personal data. The Django admin site is the administrators' own tool.

The masks (pure functions, idempotent: masking a masked value changes nothing) keep the
length of identifiers, so a reader still sees which kind of number it was:

========================  ==========================  ===================================
field                     example                     masked
========================  ==========================  ===================================
citizen ID, tax code      ``001085012345``            ``••••••••2345`` (last 4 digits)
phone                     ``0912345678``              ``•••••••678`` (last 3 digits)
e-mail                    ``an.nguyen@gmail.com``     ``a•••@gmail.com``
address                   ``12 Lê Lợi, P. Bến Thành,  ``•••, P. Bến Thành, TP. HCM``
                          TP. HCM``                   (the ward and province only)
========================  ==========================  ===================================

The phone keeps only three digits: the last four are the public look-up's secret
(:func:`caicach.dossiers.lookup.find`). A value too short to keep anything safely is hidden
whole.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

__all__ = [
    "HIDDEN",
    "PRINTED_FORMS",
    "ApplicantView",
    "Disclosure",
    "applicant_view",
    "disclosure_for",
    "mask_address",
    "mask_citizen_id",
    "mask_email",
    "mask_phone",
]

#: The character standing for one hidden character.
HIDDEN = "•"
#: What stands for a hidden part of unknown length (e-mail local part, street address).
_HIDDEN_PART = HIDDEN * 3


class Disclosure(StrEnum):
    """How much of an applicant's personal data a reader gets."""

    FULL = "full"
    MASKED = "masked"
    NONE = "none"


#: The level of every printed form, whoever prints it: the paper leaves the system.
PRINTED_FORMS = Disclosure.MASKED


def _keep_last(value: str, keep: int) -> str:
    """``value`` with every character but the last ``keep`` hidden, the length kept; nothing
    is shown unless more characters are hidden than shown."""
    text = "".join(str(value or "").split())
    if not text:
        return ""
    shown = text[-keep:] if len(text) > 2 * keep else ""
    return HIDDEN * (len(text) - len(shown)) + shown


def mask_citizen_id(number: str) -> str:
    """The citizen ID with only its last four digits shown: ``001085012345`` →
    ``••••••••2345`` (Decree 13/2023: show personal data only to those who need it). Also the
    mask of a person's tax code, which is the same kind of identifier."""
    return _keep_last(number, 4)


def mask_phone(number: str) -> str:
    """The phone number with only its last three digits shown: ``0912345678`` →
    ``•••••••678``. Not four: those are the public look-up's key."""
    return _keep_last(number, 3)


def mask_email(address: str) -> str:
    """The e-mail with its local part reduced to the first character: ``an@gmail.com`` →
    ``a•••@gmail.com`` (the domain stays: it says where messages go, not who reads them)."""
    text = str(address or "").strip()
    if not text:
        return ""
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return _HIDDEN_PART
    return f"{local[0]}{_HIDDEN_PART}@{domain}"


def mask_address(address: str) -> str:
    """The address without its first part (house number, street): the last two
    comma-separated parts (ward and province) when there are three or more, the last one when
    there are two, nothing when there is one: ``12 Lê Lợi, phường Bến Thành`` →
    ``•••, phường Bến Thành``."""
    parts = [p.strip() for p in str(address or "").split(",") if p.strip()]
    if not parts:
        return ""
    kept = parts[-2:] if len(parts) >= 3 else parts[1:]
    return ", ".join([_HIDDEN_PART, *kept])


class _Applicant(Protocol):
    kind: str
    full_name: str
    id_number: str
    phone: str
    email: str
    address: str
    tax_code: str
    representative: str


@dataclass(frozen=True)
class ApplicantView:
    """The applicant as one reader may see it (the masks already applied). ``masked``: some
    field was hidden from this reader (the page then says so)."""

    kind: str
    full_name: str
    id_number: str
    phone: str
    email: str
    address: str
    tax_code: str
    representative: str
    disclosure: Disclosure

    @property
    def masked(self) -> bool:
        return self.disclosure is not Disclosure.FULL


def disclosure_for(roles: Collection[str]) -> Disclosure:
    """The level of an officer who may view the dossier and acts on it in ``roles`` (what
    :func:`caicach.dossiers.services.acting_roles` gives: computed once per request, no query
    here)."""
    return Disclosure.FULL if roles else Disclosure.MASKED


def applicant_view(applicant: _Applicant, disclosure: Disclosure) -> ApplicantView:
    """``applicant`` as a reader at ``disclosure`` may see it (the module docstring has the
    rule). Pure: no query."""
    if disclosure is Disclosure.FULL:
        return ApplicantView(
            kind=applicant.kind,
            full_name=applicant.full_name,
            id_number=applicant.id_number,
            phone=applicant.phone,
            email=applicant.email,
            address=applicant.address,
            tax_code=applicant.tax_code,
            representative=applicant.representative,
            disclosure=disclosure,
        )
    if disclosure is Disclosure.NONE:
        return ApplicantView(
            kind="",
            full_name="",
            id_number="",
            phone="",
            email="",
            address="",
            tax_code="",
            representative="",
            disclosure=disclosure,
        )
    person = applicant.kind != "organisation"
    return ApplicantView(
        kind=applicant.kind,
        full_name=applicant.full_name,
        id_number=mask_citizen_id(applicant.id_number),
        phone=mask_phone(applicant.phone),
        email=mask_email(applicant.email),
        address=mask_address(applicant.address),
        # An organisation's tax code is public (the business register); a person's is theirs.
        tax_code=mask_citizen_id(applicant.tax_code) if person else applicant.tax_code,
        representative=applicant.representative,
        disclosure=disclosure,
    )
