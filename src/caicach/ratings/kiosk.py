"""The counter desk's rating tablet (*kiosk*): a desk session, no login beyond the desk's.

A receiving officer of an agency opens the session on the tablet (``/quay/mo/``): the officer's
own sign-in on that browser ends (so the tablet cannot reach the rest of the officers' pages,
which all require a sign-in) and the browser keeps a signed cookie naming the desk's agency, the
officer who opened it and when it ends. Every kiosk request checks the signature, the end time,
and that the officer is still an active receiving officer of that agency (taking the role away
closes the desk at once). The kiosk rates only dossiers received at its own agency, with
``source=kiosk``, through :func:`caicach.ratings.services.give_rating`; it shows the dossier code
and the procedure's name, nothing about the applicant (Nghị định 13/2023/NĐ-CP).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from caicach.accounts.access import can
from caicach.accounts.models import User
from caicach.agencies.models import Agency
from caicach.core.audit import Actor

COOKIE = "caicach_desk"
COOKIE_PATH = "/quay/"
SALT = "caicach.ratings.kiosk"
#: A desk session lasts one working day at most; the officer opens it again the next morning.
HOURS = 12
#: Seconds the thank-you screen stays before the tablet goes back to idle.
THANKS_SECONDS = 6
#: The action an officer needs over the agency to open (and keep open) its desk.
ACTION = "dossiers.receive"

# A receipt's QR code holds the look-up link; a scanner "types" it: take the code out of it.
_LINK = re.compile(r"/(?:tra-cuu|danh-gia)/([^/?#\s]+)")


@dataclass(frozen=True)
class Desk:
    """An open desk session: the agency whose desk it is, who opened it, when it ends."""

    agency: Agency
    opened_by: User
    ends_at: int

    def actor(self, request: HttpRequest) -> Actor:
        """Who answers on the tablet, for the audit trail: the desk, not the officer."""
        base = Actor.from_request(request)
        return Actor(
            ip_address=base.ip_address,
            label=f"kiosk:{self.agency.code}:{self.opened_by.get_username()}",
        )


def open_desk(response: HttpResponse, agency: Agency, officer: User) -> None:
    """Put the signed desk cookie on ``response`` (the caller has checked ``officer``)."""
    ends_at = int(time.time()) + HOURS * 3600
    value = signing.dumps({"a": agency.pk, "u": officer.pk, "e": ends_at}, salt=SALT)
    response.set_cookie(
        COOKIE,
        value,
        max_age=HOURS * 3600,
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def close_desk(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Strict")


def desk_of(request: HttpRequest) -> Desk | None:
    """The open desk session of this browser, or ``None`` (no cookie, forged, ended, or the
    officer who opened it is no longer a receiving officer of the agency)."""
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return None
    try:
        data: Any = signing.loads(raw, salt=SALT, max_age=HOURS * 3600)
        agency_id, user_id, ends_at = int(data["a"]), int(data["u"]), int(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if ends_at < time.time():
        return None
    agency = Agency.objects.filter(pk=agency_id).first()
    officer = User.objects.filter(pk=user_id, is_active=True).first()
    if agency is None or officer is None or not can(officer, ACTION, agency):
        return None
    return Desk(agency=agency, opened_by=officer, ends_at=ends_at)


def code_from(text: Any) -> str:
    """The dossier code typed, picked or scanned (a scanned look-up link gives its code)."""
    value = str(text or "").strip()[:300]
    found = _LINK.search(value)
    if found:
        value = unquote(found.group(1))
    return value.strip().upper()[:40]
