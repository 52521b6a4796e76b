"""The audit trail is append-only and tamper-evident (issue: every change is recorded)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from caicach.core.audit import Actor, diff, record, verify_chain
from caicach.core.models import AuditEntry


@pytest.mark.django_db
def test_entries_link_to_their_predecessor(tree):
    first = record(Actor.system("test"), "agency.create", tree.dept_a, agency=tree.dept_a)
    second = record(
        Actor.system("test"), "agency.update", tree.dept_a, changes={"name": ["a", "b"]}
    )
    assert second.prev_hash == first.hash
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_database_refuses_update_and_delete(tree):
    entry = record(Actor.system("test"), "agency.create", tree.dept_a)
    for sql in (
        "UPDATE core_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.id])
    assert AuditEntry.objects.get(id=entry.id).action == "agency.create"


@pytest.mark.django_db
def test_verify_finds_a_tampered_entry(tree):
    record(Actor.system("test"), "a", tree.dept_a)
    victim = record(Actor.system("test"), "b", tree.dept_a)
    record(Actor.system("test"), "c", tree.dept_a)
    with connection.cursor() as cursor:  # a superuser bypasses the trigger and forges a row
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE core_auditentry SET action = 'forged' WHERE id = %s", [victim.id])
        cursor.execute("SET LOCAL session_replication_role = origin")
    breaks = list(verify_chain())
    assert [b.entry_id for b in breaks] == [victim.id]
    with pytest.raises(Exception, match="broken"):
        call_command("audit", "verify")


def test_diff_lists_changed_fields_only():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b": [2, 3], "c": [None, 4]}
