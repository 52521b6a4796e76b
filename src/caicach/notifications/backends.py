"""How a notification leaves the system.

* E-mail goes through Django's mail framework: ``EMAIL_BACKEND`` and the ``EMAIL_*`` settings
  (the console back-end for the demo, SMTP in production).
* SMS goes through an :class:`SmsGateway` chosen by the setting ``SMS_BACKEND`` (a dotted path):
  :class:`ConsoleSmsGateway` prints, :class:`FileSmsGateway` appends one JSON line per message to
  ``SMS_FILE_PATH``. A carrier's gateway is another subclass.

A back-end raises on failure; the task records the error and the queue retries.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsGateway:
    """Sends one text message; raises an exception when the message was not accepted."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsGateway(SmsGateway):
    """Writes the message to standard output (development and demo)."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream

    def send(self, phone: str, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"SMS → {phone}\n{text}\n{'-' * 40}\n")
        stream.flush()


class FileSmsGateway(SmsGateway):
    """Appends ``{"at", "to", "text"}`` as one JSON line to a file (demo, tests, audits)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, phone: str, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": phone, "text": text}, ensure_ascii=False
        )
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def sms_gateway() -> SmsGateway:
    """The gateway named by ``SMS_BACKEND``."""
    gateway = import_string(settings.SMS_BACKEND)()
    if not isinstance(gateway, SmsGateway):
        raise TypeError(f"{settings.SMS_BACKEND} is not an SmsGateway")
    return gateway


def send_email(to: str, subject: str, body: str) -> None:
    """One plain-text e-mail through Django's configured back-end."""
    EmailMessage(subject=subject, body=body, to=[to]).send(fail_silently=False)


def send_sms(to: str, text: str) -> None:
    sms_gateway().send(to, text)
