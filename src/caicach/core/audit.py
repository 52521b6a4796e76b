"""Writing and verifying the audit trail.

Every change of a dossier, a plan, the calendar or the catalogue calls :func:`record` inside the
transaction that makes the change, so the trail and the change commit or roll back together.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from caicach.core.client import client_address
from caicach.core.models import AuditEntry

GENESIS = "0" * 64
# One chain for the whole installation: appends are serialised by this advisory lock, held
# until the surrounding transaction ends, so two writers never link to the same predecessor.
_CHAIN_LOCK_KEY = 7_260_001


def _body(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)


def _digest(prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _body(payload)).encode()).hexdigest()


def _payload(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "ip": entry.ip_address,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "agency": entry.agency_id,
        "changes": entry.changes,
    }


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where: built from a request, or named for jobs and commands."""

    user: Any = None
    ip_address: str | None = None
    label: str = ""

    @classmethod
    def from_request(cls, request: Any) -> Actor:
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        return cls(user=user, ip_address=client_address(request) or None)

    @classmethod
    def system(cls, label: str) -> Actor:
        return cls(label=label)

    def describe(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        return self.label or "system"


def record(
    actor: Actor,
    action: str,
    obj: Model | None = None,
    *,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    agency: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the trail, linked to the previous one by its hash.

    The chain's lock is held from here until the surrounding transaction commits, so callers
    record last. Everything but the link is prepared before the lock; under it there are two
    statements: the lock, then one ``INSERT ... SELECT`` that reads the last hash (in a
    snapshot taken after the lock was granted) and computes the new one with PostgreSQL's
    ``sha256`` over the same text :func:`verify_chain` hashes. No savepoint: an error here
    rolls the caller's whole transaction back anyway.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor.user,
        actor_label=actor.describe(),
        ip_address=actor.ip_address,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        agency=agency,
        changes=json.loads(json.dumps(changes or {}, default=str)),
    )
    body = _body(_payload(entry))
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # A statement of its own: the INSERT's snapshot must see the previous holder's commit.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        cursor.execute(
            f"INSERT INTO {table} (at, actor_id, actor_label, ip_address, action, object_type, "
            "object_id, object_repr, agency_id, changes, prev_hash, hash) "
            "SELECT %s::timestamptz, %s::bigint, %s::text, %s::inet, %s::text, %s::text, "
            "%s::text, %s::text, %s::bigint, %s::jsonb, last.hash, "
            "encode(sha256(convert_to(last.hash || %s::text, 'UTF8')), 'hex') FROM ("
            f"SELECT COALESCE((SELECT hash FROM {table} ORDER BY id DESC LIMIT 1), %s::text) AS hash"
            ") AS last RETURNING id, prev_hash, hash",
            [
                entry.at,
                entry.actor_id,
                entry.actor_label,
                entry.ip_address,
                entry.action,
                entry.object_type,
                entry.object_id,
                entry.object_repr,
                entry.agency_id,
                json.dumps(entry.changes),
                body,
                GENESIS,
            ],
        )
        entry.id, entry.prev_hash, entry.hash = cursor.fetchone()
    entry._state.adding = False
    return entry


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields that changed, as ``{field: [old, new]}``."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainBreak]:
    """Walk the trail in order and yield every entry whose link or content does not match."""
    prev = GENESIS
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        for entry in batch:
            if entry.prev_hash != prev:
                yield ChainBreak(entry.id, "prev_hash does not match the previous entry")
            if _digest(entry.prev_hash, _payload(entry)) != entry.hash:
                yield ChainBreak(entry.id, "content does not match its hash")
            prev = entry.hash
            last_id = entry.id


def entries_for(obj: Model) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .select_related("actor")
        .order_by("-id")
    )
