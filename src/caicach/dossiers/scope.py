"""Who may see a dossier and with which workflow roles one may act on it.

Permissions come from :mod:`caicach.accounts.access` only: ``dossiers.view`` scopes what an
officer sees (:meth:`~caicach.dossiers.models.DossierQuerySet.visible_to`), and one access
action per workflow role (:data:`ROLE_ACTIONS`) says with which role an officer acts. A
dossier outside the caller's scope is a 404 (:class:`DossierNotFoundError`): its existence is
not revealed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from caicach.accounts.access import can, can_any
from caicach.core.errors import BilingualError
from caicach.core.text import row_id
from caicach.dossiers.inputs import clean_key
from caicach.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierQuerySet,
    Referral,
)
from caicach.dossiers.workflow import (
    Role,
)

#: The access action that lets an officer act on a dossier in each workflow role, checked over
#: the agency holding the dossier (the receiving desk also acts at the receiving agency: it
#: records supplements, withdrawals and returns the result, NĐ 61/2018 arts. 17 and 20).
ROLE_ACTIONS: Mapping[str, str] = {
    Role.RECEIVER.value: "dossiers.receive",
    Role.PROCESSOR.value: "dossiers.process",
    Role.UNIT_LEADER.value: "dossiers.lead_unit",
    Role.AGENCY_LEADER.value: "dossiers.lead_agency",
    Role.ADMIN.value: "dossiers.administer",
}


class DossierNotFoundError(BilingualError):
    """No such dossier, or outside the caller's scope (its existence is not revealed)."""

    status = 404
    code = "not_found"

    def __init__(self, code: str) -> None:
        shown = clean_key(code) or "?"
        super().__init__(f"Không tìm thấy hồ sơ {shown}.", f"Dossier {shown} not found.")


# --------------------------------------------------------------------------------------------
# Scope and roles (through caicach.accounts.access only)
# --------------------------------------------------------------------------------------------


def visible_dossiers(user: Any) -> DossierQuerySet:
    """Dossiers the user may see: received, decided or currently held in their scope."""
    return Dossier.objects.visible_to(user)


class ComponentFileNotFoundError(BilingualError):
    """No stored file for that document of the dossier (a store reference has none)."""

    status = 404
    code = "component_file_not_found"

    def __init__(self) -> None:
        super().__init__(
            "Không tìm thấy tệp của giấy tờ này trong hồ sơ.",
            "No stored file for this document of the dossier.",
        )


def component_file(user: Any, code: str, component_id: Any) -> DossierComponent:
    """A document received with a dossier the user may see, whose file is stored (the scan or
    upload checked at intake: PDF, JPEG or PNG by content), for the officers who process it
    (Decree 13/2023/NĐ-CP: personal data only to those who need it: the dossier's scope).
    :class:`DossierNotFoundError` or :class:`ComponentFileNotFoundError` (404) otherwise."""
    key = clean_key(code, upper=True)
    dossier_id = (
        visible_dossiers(user).filter(code=key).values_list("pk", flat=True).first()
        if key
        else None
    )
    if dossier_id is None:
        raise DossierNotFoundError(code)
    pk = row_id(component_id)
    if pk is None:
        raise ComponentFileNotFoundError()
    component = (
        DossierComponent.objects.filter(dossier_id=dossier_id, pk=pk).exclude(file="").first()
    )
    if component is None:
        raise ComponentFileNotFoundError()
    return component


def may_view(user: Any, dossier: Dossier) -> bool:
    """The rule of :meth:`DossierQuerySet.visible_to` for one dossier: its three agencies, or
    an agency it was referred to (consultation, supporting agency)."""
    if can_any(
        user,
        "dossiers.view",
        [dossier.receiving_agency, dossier.deciding_agency, dossier.current_agency],
    ):
        return True
    return can_any(user, "dossiers.view", [r.agency for r in referrals_of(dossier)])


def referrals_of(dossier: Dossier) -> list[Referral]:
    """The dossier's referrals with their agencies (the prefetched ones when there are)."""
    return list(
        dossier.referrals.all().select_related("agency")
        if not _prefetched(dossier)
        else dossier.referrals.all()
    )


def _prefetched(dossier: Dossier) -> bool:
    return "referrals" in getattr(dossier, "_prefetched_objects_cache", {})


def answerable_referrals(user: Any, dossier: Dossier) -> list[Referral]:
    """Referrals of ``dossier`` not answered yet that ``user`` may answer: a processor or a
    leader of the agency asked (``dossiers.reply``, NĐ 61/2018 art. 19)."""
    return [
        r
        for r in referrals_of(dossier)
        if r.answered_at is None and can(user, "dossiers.reply", r.agency)
    ]


def acting_roles(user: Any, dossier: Dossier) -> list[str]:
    """The workflow roles ``user`` may act in on ``dossier``, in :class:`Role` order.
    ``consultee``: an officer of an agency with a referral still to answer."""
    roles = []
    for role, action in ROLE_ACTIONS.items():
        agencies = [dossier.current_agency]
        if role == Role.RECEIVER.value:
            agencies.append(dossier.receiving_agency)
        if can_any(user, action, agencies):
            roles.append(role)
    if answerable_referrals(user, dossier):
        roles.append(Role.CONSULTEE.value)
    return roles
