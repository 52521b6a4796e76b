"""What an import looks up, read from the database once rather than once per line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from caicach.accounts.models import User
from caicach.agencies.models import Agency
from caicach.procedures.models import Component, Procedure, ProcedureVersion
from caicach.procedures.rules import version_in_force

__all__ = ["Lookups"]


@dataclass
class Lookups:
    """The agencies, procedures, versions and their components, loaded once per import; users
    looked up by name as lines name them."""

    agencies: dict[str, Agency]
    procedures: dict[str, Procedure]
    versions: dict[int, list[ProcedureVersion]]
    components: dict[int, dict[str, Component]]
    users: dict[str, User | None]

    @classmethod
    def load(cls) -> Lookups:
        versions: dict[int, list[ProcedureVersion]] = {}
        components: dict[int, dict[str, Component]] = {}
        for version in ProcedureVersion.objects.prefetch_related("components"):
            versions.setdefault(version.procedure_id, []).append(version)
            components[version.pk] = {c.name: c for c in version.components.all()}
        return cls(
            agencies={a.code: a for a in Agency.objects.all()},
            procedures={p.code: p for p in Procedure.objects.all()},
            versions=versions,
            components=components,
            users={},
        )

    def version_on(self, procedure: Procedure, day: date) -> ProcedureVersion | None:
        """As :meth:`Procedure.version_on`, from memory."""
        return version_in_force(self.versions.get(procedure.pk, []), day)

    def user(self, username: str) -> User | None:
        if username not in self.users:
            self.users[username] = User.objects.filter(username=username).first()
        return self.users[username]
