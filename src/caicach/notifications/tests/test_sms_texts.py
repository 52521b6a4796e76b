"""Citizens' notices (issue 16): absolute look-up links, SMS texts within the gateway's limits,
without diacritics when asked, and a start-up warning when the public address is missing."""

from __future__ import annotations

import pytest

from caicach.notifications import services
from caicach.notifications.checks import public_url_is_set

LINK = " Tra cứu: https://dichvucong.anhoa.gov.vn/tra-cuu/000.00.01.H97-250602-0001?t=" + "x" * 24


def test_diacritics_are_stripped_keeping_the_case():
    assert services.strip_diacritics("Hồ sơ Đã tiếp nhận, hẹn trả") == "Ho so Da tiep nhan, hen tra"


@pytest.mark.parametrize(("ascii_only", "segments"), [(True, 1), (True, 2), (False, 2), (False, 3)])
def test_texts_fit_the_limit_and_keep_the_link_whole(settings, ascii_only, segments):
    settings.SMS_ASCII = ascii_only
    settings.SMS_MAX_SEGMENTS = segments
    message = "Hồ sơ 000.00.01.H97-250602-0001: Đang xử lý. Hẹn trả: 17:00 12/12/2026." * 3
    text = services.fit_sms(message, LINK)
    assert len(text) <= services.sms_limit(text)
    tail = services.strip_diacritics(LINK) if ascii_only else LINK
    assert text.endswith(tail)
    assert text.isascii() == ascii_only


def test_a_short_text_is_untouched(settings):
    settings.SMS_ASCII = False
    settings.SMS_MAX_SEGMENTS = 2
    assert (
        services.fit_sms("Hồ sơ X: Đã tiếp nhận.", " Tra cứu: /x")
        == "Hồ sơ X: Đã tiếp nhận. Tra cứu: /x"
    )


def test_the_public_address_is_checked_at_start_up(settings):
    settings.CAICACH_PUBLIC_URL = ""
    (warning,) = public_url_is_set()
    assert warning.id == "caicach.W016" and "CAICACH_PUBLIC_URL" in warning.msg
    settings.CAICACH_PUBLIC_URL = "/tra-cuu"
    assert public_url_is_set()
    settings.CAICACH_PUBLIC_URL = "https://dichvucong.anhoa.gov.vn"
    assert public_url_is_set() == []


@pytest.mark.django_db
def test_the_notice_links_are_absolute(settings, tree, make_officer):
    from caicach.dossiers.tests.factories import procedure_version, receive

    settings.CAICACH_PUBLIC_URL = "https://dichvucong.anhoa.gov.vn/"
    settings.SMS_ASCII = True
    receiver = make_officer("receiver", tree.dept_a, username="mc")
    dossier = receive(receiver, procedure_version(tree.dept_a), tree.dept_a)
    event = dossier.events.order_by("id").last()
    _subject, body, sms = services.compose(dossier, event)
    link = f"https://dichvucong.anhoa.gov.vn/tra-cuu/{dossier.code}?t={dossier.lookup_token}"
    assert link in body and sms.endswith(link)
    assert sms.isascii() and len(sms) <= services.sms_limit(sms)
