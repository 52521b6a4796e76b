"""The look-up limit is shared by every process: it is counted in PostgreSQL, not in a
per-process cache (issue: the limit was per gunicorn worker)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

WRONG = {"code": "000.00.01.H97-250101-0001", "phone_last4": "0000"}


def test_the_limit_is_reached_across_two_clients_and_survives_a_cache_reset(settings):
    settings.LOOKUP_MAX_FAILURES = 4
    settings.LOOKUP_WINDOW_MINUTES = 10
    first, second = Client(), Client()  # two "workers" behind the same proxy address
    for _ in range(2):
        assert first.post("/tra-cuu/", WRONG).status_code == 404
    # A fresh process has fresh in-memory caches: the count must not live there.
    for alias in list(caches):
        caches[alias].clear()
    for _ in range(2):
        assert second.post("/tra-cuu/", WRONG).status_code == 404
    assert first.post("/tra-cuu/", WRONG).status_code == 429
    assert APIClient().get(f"/api/v1/lookup/{WRONG['code']}/").status_code == 429
    assert Client(REMOTE_ADDR="10.9.9.9").post("/tra-cuu/", WRONG).status_code == 404


def test_the_window_expires(settings):
    settings.LOOKUP_MAX_FAILURES = 2
    settings.LOOKUP_WINDOW_MINUTES = 10
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        assert client.post("/tra-cuu/", WRONG).status_code == 404
        assert client.post("/tra-cuu/", WRONG).status_code == 404
        assert client.post("/tra-cuu/", WRONG).status_code == 429
        traveller.move_to(start + timedelta(minutes=9, seconds=59))
        assert client.post("/tra-cuu/", WRONG).status_code == 429
        traveller.move_to(start + timedelta(minutes=10))
        assert client.post("/tra-cuu/", WRONG).status_code == 404  # a new window: 1 of 2
        assert client.post("/tra-cuu/", WRONG).status_code == 404
        assert client.post("/tra-cuu/", WRONG).status_code == 429
