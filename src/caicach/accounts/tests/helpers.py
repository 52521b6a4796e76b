"""Second-factor helpers for tests: compute the code an authenticator app would show."""

from __future__ import annotations

from binascii import unhexlify
from typing import Any

from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice


def code_for_key(key_hex: str) -> str:
    """The 6-digit TOTP code for a hex secret (a secret being enrolled), now."""
    return f"{totp(unhexlify(key_hex.encode())):06d}"


def code_for(device: TOTPDevice) -> str:
    """The code ``device`` accepts now (``device.bin_key`` is what the phone app holds)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def make_totp(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=True)


def make_backup_codes(user: Any, codes: list[str]) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def allow_code_again(device: TOTPDevice) -> None:
    """Forget the last used step and the throttle, as if the next time step had come."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )


def wrong_code(device: TOTPDevice) -> str:
    """A six-digit code the device refuses (none of the codes its tolerance window accepts)."""
    from django_otp.oath import TOTP

    accepted = set()
    for offset in range(-device.tolerance - 1, device.tolerance + 2):
        state = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        state.time = state.time + offset * device.step
        accepted.add(state.token())
    return next(f"{n:06d}" for n in range(1_000_000) if n not in accepted)
