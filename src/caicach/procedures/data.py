"""The content of a procedure version as plain values, shared by forms, the import and services.

Services take these instead of model instances: a version is built once, checked against
:mod:`caicach.procedures.rules`, compared with the current version (an import leaves an
unchanged procedure alone) and only then written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any

from caicach.agencies.models import Agency
from caicach.procedures import rules
from caicach.procedures.models import Field, ProcedureVersion


@dataclass
class FeeData:
    name: str
    kind: str
    amount: int
    note: str = ""


@dataclass
class ComponentData:
    name: str
    copy_kind: str
    quantity: int = 1
    required: bool = True
    reusable: bool = False


@dataclass
class StepData:
    order: int
    name: str
    role: str
    budget: Decimal
    unit_kind: str = ""
    agency: Agency | None = None


@dataclass
class VersionData:
    """Everything a :class:`ProcedureVersion` holds; equal data means an unchanged version."""

    name: str
    field: Field
    authority_level: str
    online_level: str
    statutory_value: Decimal
    statutory_unit: str
    promised_value: Decimal
    result_name: str
    partial_reason: str = ""
    cutoff: time = time(15, 0)
    result_paper: bool = True
    result_electronic: bool = False
    legal_basis: str = ""
    full_online_eligible: bool = False
    national_portal_integrated: bool = False
    payable_online: bool = False
    served_at_centre: bool = True
    fees: list[FeeData] = field(default_factory=list)
    components: list[ComponentData] = field(default_factory=list)
    steps: list[StepData] = field(default_factory=list)

    def rule_errors(self) -> list[rules.RuleError]:
        return rules.check_version_rules(
            statutory_value=self.statutory_value,
            statutory_unit=self.statutory_unit,
            promised_value=self.promised_value,
            online_level=self.online_level,
            partial_reason=self.partial_reason,
            steps=[rules.StepBudget(s.order, s.budget) for s in self.steps],
            fees=[rules.FeeAmount(f.amount) for f in self.fees],
            components=[rules.ComponentQuantity(c.quantity) for c in self.components],
            result_paper=self.result_paper,
            result_electronic=self.result_electronic,
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly snapshot, for the audit trail's before/after."""
        return {
            "name": self.name,
            "field": self.field.code,
            "authority_level": self.authority_level,
            "online_level": self.online_level,
            "partial_reason": self.partial_reason,
            "statutory_time": f"{rules.format_time(self.statutory_value, 'en')} "
            f"{self.statutory_unit}",
            "promised_time": rules.format_time(self.promised_value, "en"),
            "cutoff": self.cutoff.strftime("%H:%M"),
            "result": [self.result_name, self.result_paper, self.result_electronic],
            "legal_basis": self.legal_basis,
            "facts": {
                "full_online_eligible": self.full_online_eligible,
                "national_portal_integrated": self.national_portal_integrated,
                "payable_online": self.payable_online,
                "served_at_centre": self.served_at_centre,
            },
            "fees": [[f.name, f.kind, f.amount, f.note] for f in self.fees],
            "components": [
                [c.name, c.copy_kind, c.quantity, c.required, c.reusable] for c in self.components
            ],
            "workflow": [
                [
                    s.order,
                    s.name,
                    s.role,
                    s.unit_kind,
                    s.agency.code if s.agency else None,
                    rules.format_time(s.budget, "en"),
                ]
                for s in sorted(self.steps, key=lambda s: s.order)
            ],
        }


@dataclass
class HandlingData:
    """Who handles a procedure: explicit agencies, plus every valid agency of some kinds."""

    agencies: list[Agency] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)


def version_data(version: ProcedureVersion) -> VersionData:
    """The content of a stored version (use with ``fees``, ``components``, ``steps`` and
    ``field`` prefetched, or it costs a query each)."""
    return VersionData(
        name=version.name,
        field=version.field,
        authority_level=version.authority_level,
        online_level=version.online_level,
        partial_reason=version.partial_reason,
        statutory_value=version.statutory_value,
        statutory_unit=version.statutory_unit,
        promised_value=version.promised_value,
        cutoff=_as_time(version.cutoff),
        result_name=version.result_name,
        result_paper=version.result_paper,
        result_electronic=version.result_electronic,
        legal_basis=version.legal_basis,
        full_online_eligible=version.full_online_eligible,
        national_portal_integrated=version.national_portal_integrated,
        payable_online=version.payable_online,
        served_at_centre=version.served_at_centre,
        fees=[FeeData(f.name, f.kind, f.amount, f.note) for f in version.fees.all()],
        components=[
            ComponentData(c.name, c.copy_kind, c.quantity, c.required, c.reusable)
            for c in version.components.all()
        ],
        steps=[
            StepData(s.order, s.name, s.role, s.budget, s.unit_kind, s.agency)
            for s in version.steps.all()
        ],
    )


def _as_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    return time.fromisoformat(str(value))


@dataclass
class ProcedureData:
    """A new catalogue entry with its first version."""

    code: str
    owner_agency: Agency
    version: VersionData
    handling: HandlingData
    effective_from: date
