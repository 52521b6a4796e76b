"""The look-up under attack (issue 17, item 3): no 500 from any text, one answer for every wrong
guess, an exact limit under concurrency, the proxy's address only from a trusted proxy."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from caicach.core import ratelimit
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import receive

ARABIC_INDIC = "\u0661\u0662\u0663\u0664"  # ١٢٣٤


@pytest.fixture
def dossier(tree: Any, officers: Any, version: Any) -> Dossier:
    return receive(officers.receiver, version, tree.dept_a)


def _last4(dossier: Dossier) -> str:
    return "".join(c for c in dossier.applicant.phone if c.isascii() and c.isdigit())[-4:]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", [{"phone_last4": ARABIC_INDIC}, {"t": "ŧøken"}, {"t": "\u0663" * 32}]
)
def test_non_ascii_secrets_are_a_wrong_guess_not_a_500(dossier: Dossier, query: Any) -> None:
    response = APIClient().get(f"/api/v1/lookup/{dossier.code}/", query)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    page = Client().get(f"/tra-cuu/{dossier.code}", {"t": query.get("t", "x")})
    assert page.status_code == 404


@pytest.mark.django_db
def test_arabic_indic_digits_in_the_form_are_a_form_error(dossier: Dossier) -> None:
    response = Client().post("/tra-cuu/", {"code": dossier.code, "phone_last4": ARABIC_INDIC})
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_wrong_code_and_a_wrong_phone_get_the_same_answer(dossier: Dossier) -> None:
    api = APIClient()
    wrong_phone = api.get(f"/api/v1/lookup/{dossier.code}/", {"phone_last4": "0000"})
    wrong_code = api.get("/api/v1/lookup/000.00.01.H97-250101-9999/", {"phone_last4": "0000"})
    assert (wrong_phone.status_code, wrong_phone.content) == (
        wrong_code.status_code,
        wrong_code.content,
    )
    assert wrong_phone.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_guesses_get_exactly_the_limit_of_answers(
    tree: Any, officers: Any, version: Any, settings: Any
) -> None:
    settings.LOOKUP_MAX_FAILURES = 20
    receive(officers.receiver, version, tree.dept_a)
    statuses: list[int] = []
    barrier = threading.Barrier(60)

    def guess(i: int) -> None:
        try:
            barrier.wait()
            response = APIClient().get(
                f"/api/v1/lookup/000.00.01.H97-250101-{i:04d}/", {"phone_last4": "0000"}
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [404] * 20 + [429] * 40


@pytest.mark.django_db
def test_a_success_does_not_use_up_the_limit(dossier: Dossier, settings: Any) -> None:
    settings.LOOKUP_MAX_FAILURES = 2
    api = APIClient()
    for _ in range(5):
        ok = api.get(f"/api/v1/lookup/{dossier.code}/", {"t": dossier.lookup_token})
        assert ok.status_code == 200
    assert ratelimit.count("caicach:lookup-failures:127.0.0.1") == 0


@pytest.mark.django_db
def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(settings: Any) -> None:
    settings.LOOKUP_MAX_FAILURES = 1
    url = "/api/v1/lookup/000.00.01.H97-250101-0001/"
    # Untrusted peer: a made-up X-Forwarded-For does not give a fresh allowance.
    settings.TRUSTED_PROXIES = []
    api = APIClient(REMOTE_ADDR="203.0.113.7")
    assert api.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 404
    assert api.get(url, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429
    # Behind the trusted proxy: each forwarded client has its own count; the left-most,
    # client-made entries are not believed.
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = APIClient(REMOTE_ADDR="10.0.0.5")
    assert proxy.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 404
    assert proxy.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert proxy.get(url, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.2").status_code == 404
    assert proxy.get(url, HTTP_X_FORWARDED_FOR="5.6.7.8, 198.51.100.2").status_code == 429
