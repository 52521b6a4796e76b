"""A newcomer's first run (issue 16): Vietnamese error pages also in the demo (DEBUG), a
favicon, a quiet console (no traceback for a 403, no PDF-library debug lines), a readable
import summary."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from caicach.core.logging import NoClientErrorTraceback
from caicach.procedures.services import ImportResult


@pytest.mark.django_db
def test_a_wrong_address_in_debug_shows_the_vietnamese_404(client, tree, make_officer):
    client.force_login(make_officer("processor", tree.dept_a, username="cv"))
    with override_settings(DEBUG=True):
        response = client.get("/khong-co-trang-nay/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in html
    assert "URLconf" not in html and "DEBUG = True" not in html
    # The API keeps its JSON answer.
    with override_settings(DEBUG=True):
        api = client.get("/api/v1/khong-co/")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_the_production_404_is_vietnamese_too(client, tree, make_officer):
    client.force_login(make_officer("processor", tree.dept_a, username="cv"))
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404 and "Không tìm thấy trang" in response.content.decode()


@pytest.mark.django_db
def test_the_favicon_is_a_static_file_anyone_may_fetch(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("caicach/favicon.svg")
    assert "cdn" not in response["Location"]


def test_a_403_is_one_line_without_a_traceback():
    try:
        raise PermissionError("no")
    except PermissionError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Forbidden: /x/", None, sys.exc_info()
        )
    record.status_code = 403
    assert NoClientErrorTraceback().filter(record) is True
    assert record.exc_info is None
    handler = logging.StreamHandler()
    assert "Traceback" not in handler.format(record)


def test_the_pdf_libraries_and_django_are_not_noisy():
    loggers = django_settings.LOGGING["loggers"]
    assert loggers["fontTools"]["level"] == "WARNING"
    assert loggers["weasyprint"]["level"] == "WARNING"
    assert loggers["django"]["propagate"] is False  # printed once, not twice


def test_the_import_summary_reads_as_words():
    text = str(ImportResult(created=130, new_versions=10))
    assert text == "130 procedures created, 10 new versions, 0 updated, 0 unchanged"
    assert "ImportResult(" not in text


def test_a_whole_number_is_asked_for_in_proper_vietnamese():
    from django import forms
    from django.utils import translation

    with translation.override("vi"):
        field = forms.IntegerField()
        with pytest.raises(forms.ValidationError) as caught:
            field.clean("abc")
    assert caught.value.messages == ["Nhập một số nguyên."]


@pytest.mark.django_db
def test_an_unknown_agency_is_a_vietnamese_404(client, tree, make_officer):
    client.force_login(make_officer("admin", tree.province, username="qtv"))
    for debug in (False, True):
        with override_settings(DEBUG=debug):
            response = client.get("/co-quan/000.00.99.H97/")
        html = response.content.decode()
        assert response.status_code == 404
        assert "Không tìm thấy trang" in html and "No Agency matches" not in html
