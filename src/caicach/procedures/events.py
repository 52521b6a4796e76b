"""The catalogue's events on the seam (:mod:`caicach.core.events`, ADR 0006)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from caicach.core.events import DomainEvent

__all__ = ["ProcedureVersionPublished"]


@dataclass(frozen=True)
class ProcedureVersionPublished(DomainEvent):
    """Version ``number`` of a procedure was written, in force from ``effective_from`` (the one
    before it now ends the day before). Emitted by every writer of versions: creation,
    publication and the catalogue import."""

    procedure_id: int
    procedure_code: str
    version_id: int
    number: int
    effective_from: date
