"""The delivery back-ends: Django's mail for e-mail, a gateway class chosen by setting for SMS."""

from __future__ import annotations

import io
import json

import pytest
from django.core import mail

from caicach.notifications import backends


def test_console_gateway_prints_the_message():
    out = io.StringIO()
    backends.ConsoleSmsGateway(stream=out).send("0912345678", "Hồ sơ X: Đã tiếp nhận.")
    assert "0912345678" in out.getvalue() and "Đã tiếp nhận" in out.getvalue()


def test_file_gateway_appends_json_lines(tmp_path):
    target = tmp_path / "sub" / "sms.jsonl"
    gateway = backends.FileSmsGateway(target)
    gateway.send("0912345678", "một")
    gateway.send("0987654321", "hai")
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [(r["to"], r["text"]) for r in lines] == [("0912345678", "một"), ("0987654321", "hai")]
    assert all(r["at"] for r in lines)


def test_the_setting_chooses_the_gateway(settings, tmp_path):
    settings.SMS_BACKEND = "caicach.notifications.backends.FileSmsGateway"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    gateway = backends.sms_gateway()
    assert isinstance(gateway, backends.FileSmsGateway)
    assert gateway.path == tmp_path / "sms.jsonl"
    backends.send_sms("0912345678", "xin chào")
    assert "xin chào" in (tmp_path / "sms.jsonl").read_text(encoding="utf-8")


def test_a_class_that_is_not_a_gateway_is_refused(settings):
    settings.SMS_BACKEND = "io.StringIO"
    with pytest.raises(TypeError):
        backends.sms_gateway()


def test_email_goes_through_django_mail(settings):
    settings.DEFAULT_FROM_EMAIL = "Một cửa <motcua@example.vn>"
    backends.send_email("an@example.vn", "Hồ sơ X", "Nội dung")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert (sent.to, sent.subject, sent.body) == (["an@example.vn"], "Hồ sơ X", "Nội dung")
    assert sent.from_email == "Một cửa <motcua@example.vn>"
