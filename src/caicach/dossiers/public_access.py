"""Finding a dossier for the public (the look-up, the rating page): by code and the receipt's
token or the phone's last four digits, with the failure limit per client address; and what may
be shown (no personal data). See :mod:`caicach.dossiers.lookup` for the rules (TT 22/2019 art. 4,
Nghị định 13/2023/NĐ-CP)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from caicach.core import ratelimit
from caicach.core.client import client_address
from caicach.core.events import Query
from caicach.core.i18n import localized
from caicach.dossiers.models import Dossier
from caicach.dossiers.workflow import DossierState

NOT_FOUND_VI = "Không tìm thấy hồ sơ phù hợp với thông tin đã nhập. Vui lòng kiểm tra lại."
NOT_FOUND_EN = "No dossier matches what was entered. Please check it."
TOO_MANY_VI = "Quý ông/bà đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau ít phút."
TOO_MANY_EN = "Too many failed look-ups. Please try again in a few minutes."

# ASCII digits only: ``\d`` also matches Arabic-Indic digits, which then reached
# ``secrets.compare_digest`` (it accepts ASCII strings only) and answered 500.
_LAST4 = re.compile(r"^[0-9]{4}$")


# -- finding the dossier ------------------------------------------------------------------------


def _normalise(code: str) -> str:
    return str(code or "").strip().upper()[:40]


def find(code: str, *, phone_last4: str = "", token: str = "") -> Dossier | None:
    """The dossier when ``code`` exists and the token or the phone's last four digits match;
    ``None`` otherwise, whatever the reason."""
    dossier = (
        Dossier.objects.select_related("applicant", "procedure_version")
        .filter(code=_normalise(code))
        .first()
    )
    if dossier is None:
        return None
    if token:
        # Compared as bytes: any text the client sends is comparable, ASCII or not.
        match = secrets.compare_digest(dossier.lookup_token.encode(), str(token).encode())
        return dossier if match else None
    digits = re.sub(r"[^0-9]", "", dossier.applicant.phone)
    if _LAST4.match(phone_last4 or "") and len(digits) >= 4:
        return dossier if secrets.compare_digest(digits[-4:], phone_last4) else None
    return None


def _label(state: str) -> str:
    try:
        return localized(DossierState(state), "label")
    except ValueError:
        return state


def public_data(dossier: Dossier) -> dict[str, Any]:
    """Everything the look-up shows; nothing about the applicant or the officers."""
    timeline = [
        {"at": at, "state": to_state, "state_label": _label(to_state)}
        for at, from_state, to_state in dossier.events.order_by("id").values_list(
            "at", "from_state", "to_state"
        )
        if from_state != to_state
    ]
    return {
        "code": dossier.code,
        "procedure": dossier.procedure_version.name,
        "state": dossier.state,
        "state_label": _label(dossier.state),
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "finished_at": dossier.finished_at,
        "returned_at": dossier.returned_at,
        "timeline": timeline,
    }


# -- limiting failures -------------------------------------------------------------------------


def _key(request: HttpRequest) -> str:
    return f"caicach:lookup-failures:{client_address(request)}"


def attempt(request: HttpRequest) -> bool:
    """Count this attempt (one atomic upsert shared by all processes); whether it may be
    answered. Decided on the count the upsert returns, so no two attempts see the same count."""
    window = timedelta(minutes=settings.LOOKUP_WINDOW_MINUTES)
    return ratelimit.hit(_key(request), window) <= settings.LOOKUP_MAX_FAILURES


def succeeded(request: HttpRequest) -> None:
    """A success is not a failure: take its attempt back."""
    ratelimit.undo(_key(request))


def _find(request: HttpRequest, code: str, **secret: str) -> Dossier | None:
    dossier = find(code, **secret)
    if dossier is not None:
        succeeded(request)
    return dossier


@dataclass(frozen=True)
class LookupSectionsWanted(Query):
    """Asked on the event seam by the look-up page: apps above (the ratings' form once the
    dossier is finished) answer ``(template, context)`` or ``None``, shown below the timeline,
    so the look-up names none of them (ADR 0006)."""

    dossier: Dossier
