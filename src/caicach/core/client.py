"""The client's address: the direct peer, or what a trusted proxy says it forwarded for.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only when the
direct peer (``REMOTE_ADDR``) is one of ``TRUSTED_PROXIES``; the address taken is then the
right-most one that is not itself a trusted proxy (the left-most ones are the client's to make
up). Used by the look-up's failure limit and the audit trail.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks() -> list[Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES]


def _trusted(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_address(request: Any) -> str:
    peer = str(request.META.get("REMOTE_ADDR", ""))
    networks = _networks()
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for address in reversed([part.strip() for part in forwarded.split(",")]):
        if not _trusted(address, networks):
            return address if _valid(address) else peer
    return peer
