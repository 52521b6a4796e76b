"""The second factor: TOTP apps and one-time backup codes (django-otp), and the half-signed-in
state between the password step and the code step.

A user who has a confirmed device is *not* logged in after the password: the session only
remembers who passed the password (for a few minutes) until the code is verified. Otherwise
closing the code page would leave a signed-in session that never showed its second factor.
"""

from __future__ import annotations

import re
import time
from binascii import unhexlify
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

#: Session key of the user who passed the password step and still owes a code.
PENDING_KEY = "caicach_pending_sign_in"
#: Session key recording how far this session signed in: :data:`PASSWORD_ONLY` (the user has no
#: device), :data:`NEEDS_CODE` (signed in with a password although the user has a device, e.g.
#: through the admin site) or :data:`WITH_CODE`. Set by ``signals.mark_sign_in`` at every login.
SIGN_IN_KEY = "caicach_sign_in"
PASSWORD_ONLY = "password"
NEEDS_CODE = "needs_code"
WITH_CODE = "otp"
#: Session key of a TOTP secret being enrolled (kept out of the database until confirmed).
ENROL_KEY = "caicach_totp_enrol_key"
#: Session key of freshly generated backup codes, shown once and then dropped.
NEW_CODES_KEY = "caicach_new_backup_codes"

PENDING_SECONDS = 300
BACKUP_CODE_COUNT = 10
_TOTP_TOKEN = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Verification:
    device: Any = None
    throttled: bool = False

    @property
    def ok(self) -> bool:
        return self.device is not None


# -- half-signed-in sessions -------------------------------------------------------------


def start_pending(request: Any, user: Any, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": time.time(),
        "next": next_url,
    }


def pending(request: Any) -> tuple[Any, str, str] | None:
    """``(user, backend, next)`` of the password-verified user, while still fresh."""
    data = request.session.get(PENDING_KEY)
    if not data or time.time() - data.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return None
    return user, data["backend"], data.get("next", "")


def clear_pending(request: Any) -> None:
    request.session.pop(PENDING_KEY, None)


# -- devices -------------------------------------------------------------------------------


def has_device(user: Any) -> bool:
    """A confirmed TOTP app or backup codes: either makes the code step compulsory."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticDevice.objects.filter(user=user, confirmed=True, token_set__isnull=False).exists()
    )


def totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def backup_device(user: Any) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def normalise_token(token: str) -> str:
    return "".join(token.split()).lower()


def verify(user: Any, token: str) -> Verification:
    """Check ``token`` against the user's devices: six digits go to the TOTP app, anything else
    to the backup codes, so a backup code never counts as a failed TOTP attempt (and the
    reverse), which would throttle the other device for nothing."""
    token = normalise_token(token)
    model: Any = TOTPDevice if _TOTP_TOKEN.match(token) else StaticDevice
    throttled = False
    with transaction.atomic():
        devices = model.objects.filter(user=user, confirmed=True).select_for_update()
        for device in devices:
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(token):
                return Verification(device)
    return Verification(None, throttled)


# -- enrolment -------------------------------------------------------------------------------


def enrolment_key(request: Any) -> str:
    """The hex TOTP secret being enrolled in this session (made on first use)."""
    key = request.session.get(ENROL_KEY)
    if not key:
        key = default_key()
        request.session[ENROL_KEY] = key
    return str(key)


def check_enrolment_code(key: str, token: str) -> TOTP | None:
    """The matching TOTP state when ``token`` is right for the secret ``key``."""
    token = normalise_token(token)
    if not _TOTP_TOKEN.match(token):
        return None
    totp = TOTP(unhexlify(key.encode()))
    totp.time = time.time()
    return totp if totp.verify(int(token), tolerance=1) else None


def unsaved_device(user: Any, key: str) -> TOTPDevice:
    """A TOTP device for ``key``, not saved: for its ``config_url`` (the QR code's content)."""
    return TOTPDevice(user=user, key=key, name="", confirmed=False)


def qr_svg(data: str, size_px: int = 220) -> str:
    """``data`` as a QR code in inline SVG, sized in pixels (qrcode gives millimetres)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return re.sub(
        r'width="[^"]+" height="[^"]+"',
        f'width="{size_px}" height="{size_px}" role="img" aria-label="QR"',
        svg,
        count=1,
    )


def base32_secret(key: str) -> str:
    """The secret as authenticator apps ask for it when typed by hand, in groups of four."""
    from base64 import b32encode

    text = b32encode(unhexlify(key.encode())).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
