"""Start-up checks of the notifications (``caicach check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


def public_url_is_set(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Notices to citizens (SMS, e-mail) and the QR codes carry the look-up link: without
    ``CAICACH_PUBLIC_URL`` it is a relative path no phone can open (issue 16)."""
    url = str(getattr(settings, "CAICACH_PUBLIC_URL", "") or "")
    if url.startswith(("https://", "http://")):
        return []
    return [
        checks.Warning(
            "CAICACH_PUBLIC_URL is not set (or not an http(s) address): the links in SMS and "
            "e-mail notices and in the forms' QR codes are relative and cannot be opened. / "
            "Chưa đặt CAICACH_PUBLIC_URL: đường dẫn tra cứu trong tin nhắn, thư và mã QR "
            "không mở được.",
            hint="Set CAICACH_PUBLIC_URL=https://dichvucong.<province>.gov.vn in the environment.",
            id="caicach.W016",
        )
    ]
