"""Lists at scale: the scope as agency ids (none for a province-wide officer), exact searches
through btree indexes, and a bounded number of queries for every inbox tab and API filter."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from caicach.accounts.access import scope_agency_ids
from caicach.agencies.models import Agency
from caicach.dossiers.api.filters import search
from caicach.dossiers.models import Dossier
from caicach.dossiers.tests.factories import (
    CITIZEN_ID,
    ORGANISATION,
    PHONE,
    TAX_CODE,
    procedure_version,
    receive,
)
from caicach.dossiers.views import TABS

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(tree: Any, officers: Any, version: Any) -> tuple[Dossier, Dossier, Dossier]:
    person = receive(officers.receiver, version, tree.dept_a)
    org = receive(officers.receiver, version, tree.dept_a, applicant=ORGANISATION)
    other = receive(officers.receiver_b, procedure_version(tree.dept_b), tree.dept_b)
    return person, org, other


def test_scope_ids_are_the_subtree_or_none_for_the_whole_tree(tree, officers, make_officer):
    ids = scope_agency_ids(officers.receiver, "dossiers.view")
    assert ids is not None
    assert set(ids) == set(
        Agency.objects.filter(path__startswith=tree.dept_a.path).values_list("id", flat=True)
    )
    admin = make_officer("admin", tree.province, username="admin_tinh")
    assert scope_agency_ids(admin, "dossiers.view") is None
    assert tree.dept_a.pk not in (scope_agency_ids(officers.receiver_b, "dossiers.view") or [])


def test_province_wide_scope_needs_no_filter(tree, make_officer, three):
    admin = make_officer("admin", tree.province, username="admin_tinh")
    queryset = Dossier.objects.visible_to(admin)
    assert "WHERE" not in str(queryset.query)
    assert set(queryset) == set(three)


def test_scope_by_ids_keeps_the_rule(officers, three):
    person, org, other = three
    assert set(Dossier.objects.visible_to(officers.receiver)) == {person, org}
    assert set(Dossier.objects.visible_to(officers.receiver_b)) == {other}


@pytest.mark.parametrize(
    "text",
    [
        "{code}",
        "{code_lower}",
        CITIZEN_ID,
        "001 085 012 345",
        PHONE,
        "+84 912 345 678",
        TAX_CODE,
    ],
)
def test_whole_identifiers_are_found_exactly(three, text):
    person, org, _other = three
    text = text.format(code=person.code, code_lower=person.code.lower())
    found = search(Dossier.objects.filter(pk__in=[person.pk, org.pk]), text)
    where = str(found.query).split("WHERE", 1)[1]
    assert "LIKE" not in where  # a btree look-up, not the trigram index
    expected = {org} if text == TAX_CODE else {person}
    assert set(found) == expected


@pytest.mark.parametrize(
    ("text", "hits"), [("nguyen van an", 1), ("0912", 1), ("NGUYỄN", 1), ("thu nghiem", 1)]
)
def test_words_and_partial_numbers_use_the_search_text(three, text, hits):
    person, org, _other = three
    found = search(Dossier.objects.filter(pk__in=[person.pk, org.pk]), text)
    assert "LIKE" in str(found.query)
    assert found.count() == hits


def test_word_search_in_a_scope_checks_the_agency_keys_in_the_index(officers, three):
    person, _org, other = three
    found = search(Dossier.objects.visible_to(officers.receiver), "nguyen van an")
    sql = str(found.query)
    # The implied condition in the shape of dossier_scope_search_idx's first column.
    assert "ARRAY[" in sql and "&&" in sql
    assert set(found) == {person}
    assert set(search(Dossier.objects.visible_to(officers.receiver_b), "nguyen van an")) == {other}
    # A province-wide or unscoped list gets no extra condition.
    assert "&&" not in str(search(Dossier.objects.all(), "nguyen van an").query)


def test_the_scoped_word_search_matches_the_index_expression(officers, three):
    """PostgreSQL uses an expression index only for the same expression: the array the query
    compares must deparse exactly as the first column of dossier_scope_search_idx."""
    from django.db import connection

    found = search(Dossier.objects.visible_to(officers.receiver), "nguyen van an")
    sql, params = found.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef('dossier_scope_search_idx'::regclass, 1, true), "
            "pg_get_indexdef('dossier_scope_search_idx'::regclass, 2, true)"
        )
        keys, words = cursor.fetchone()
        cursor.execute("EXPLAIN (VERBOSE false) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert keys == "(ARRAY[receiving_agency_id, deciding_agency_id, current_agency_id])"
    assert words == "search_text"
    assert f"{keys[1:-1]} && " in plan, plan


def test_search_text_keeps_a_large_statistics_sample():
    """Migration 0010: the LIKE estimates of partial numbers need a 1,000-entry histogram."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute "
            "WHERE attrelid = 'dossiers_dossier'::regclass AND attname = 'search_text'"
        )
        assert cursor.fetchone()[0] == 1000


def test_every_inbox_tab_has_a_bounded_number_of_queries(
    client, officers, three, django_assert_max_num_queries
):
    client.force_login(officers.receiver)
    url = reverse("dossiers:inbox")
    client.get(url, {"tab": "tat-ca"})  # warm the calendar cache
    for tab in TABS:
        for params in ({"tab": tab.key}, {"tab": tab.key, "q": "nguyen"}):
            with django_assert_max_num_queries(17):
                assert client.get(url, params).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?state=processing&state=received",
        "?state=awaiting_approval",
        "?overdue=true",
        "?overdue=false",
        "?channel=counter",
        f"?q={CITIZEN_ID}",
        "?q=nguyen+van",
    ],
)
def test_api_list_filters_have_a_bounded_number_of_queries(
    officers, three, query, django_assert_max_num_queries
):
    api = APIClient()
    api.force_authenticate(officers.receiver)
    api.get("/api/v1/dossiers/")  # warm the caches (role assignments, calendar)
    with django_assert_max_num_queries(8):
        assert api.get(f"/api/v1/dossiers/{query}").status_code == 200
