"""The interface is Vietnamese unless the user picks English with the language switch."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_browser_language_does_not_switch_the_interface(client):
    response = client.get("/tai-khoan/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi"
    assert "Tên đăng nhập" in response.content.decode()


@pytest.mark.django_db
def test_language_switch_is_remembered(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/tai-khoan/dang-nhap/"})
    assert response.status_code == 302
    response = client.get("/tai-khoan/dang-nhap/")
    assert response["Content-Language"] == "en"
