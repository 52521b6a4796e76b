"""Catalogue factories: ``ProcedureVersionFactory()`` gives a valid version with a workflow."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

import factory

from caicach.agencies.tests.factories import AgencyFactory
from caicach.procedures.data import (
    ComponentData,
    FeeData,
    HandlingData,
    ProcedureData,
    StepData,
    VersionData,
)
from caicach.procedures.models import Field, Procedure, ProcedureVersion, WorkflowStep
from caicach.procedures.services import search_text


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LV{n:03d}")
    name = factory.Sequence(lambda n: f"Lĩnh vực thử {n}")


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("code",)
        skip_postgeneration_save = True  # the hooks write related rows, not the procedure

    code = factory.Sequence(lambda n: f"1.{900000 + n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n}")
    field = factory.SubFactory(FieldFactory)
    owner_agency = factory.SubFactory(AgencyFactory)
    search_text = factory.LazyAttribute(lambda p: search_text(p.code, p.name, p.field.name))

    @factory.post_generation
    def handling_agencies(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.handling_agencies.set(extracted)


class ProcedureVersionFactory(factory.django.DjangoModelFactory):
    """Statutory 4 working days; three steps of 1 + 2 + 1; one fee, one component."""

    class Meta:
        model = ProcedureVersion
        skip_postgeneration_save = True  # the hooks write related rows, not the version

    procedure = factory.SubFactory(ProcedureFactory)
    number = factory.LazyAttribute(lambda v: v.procedure.versions.count() + 1)
    effective_from = date(2025, 7, 1)
    name = factory.LazyAttribute(lambda v: v.procedure.name)
    field = factory.LazyAttribute(lambda v: v.procedure.field)
    authority_level = "department"
    online_level = "full"
    statutory_value = Decimal(4)
    statutory_unit = "working_days"
    promised_value = Decimal(3)
    cutoff = time(15, 0)
    result_name = "Quyết định"
    result_paper = True
    result_electronic = True

    @factory.post_generation
    def steps(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        budgets = extracted if extracted is not None else [Decimal(1), Decimal(2), Decimal(1)]
        roles = ["receiver", "processor", "agency_leader"]
        WorkflowStep.objects.bulk_create(
            WorkflowStep(
                version=self,
                order=i + 1,
                name=f"Bước {i + 1}",
                role=roles[min(i, len(roles) - 1)],
                budget=Decimal(budget),
            )
            for i, budget in enumerate(budgets)
        )

    @factory.post_generation
    def extras(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.fees.create(order=0, name="Lệ phí", kind="fee", amount=8000)
            self.components.create(order=0, name="Tờ khai", copy_kind="original", quantity=1)


def version_data(field: Field, **overrides: Any) -> VersionData:
    """Valid version content: 4 working days, promised 3, steps 1 + 2 + 1."""
    values: dict[str, Any] = {
        "name": "Cấp phép thử nghiệm",
        "field": field,
        "authority_level": "department",
        "online_level": "full",
        "statutory_value": Decimal(4),
        "statutory_unit": "working_days",
        "promised_value": Decimal(3),
        "result_name": "Giấy phép",
        "cutoff": time(15, 0),
        "result_paper": True,
        "result_electronic": True,
        "fees": [FeeData("Lệ phí cấp phép", "fee", 8000)],
        "components": [ComponentData("Đơn đề nghị", "original", 1, True, False)],
        "steps": [
            StepData(1, "Tiếp nhận", "receiver", Decimal(1)),
            StepData(2, "Thẩm định", "processor", Decimal(2)),
            StepData(3, "Phê duyệt", "agency_leader", Decimal(1)),
        ],
    }
    values.update(overrides)
    return VersionData(**values)


def procedure_data(
    code: str, owner: Any, handling: list[Any], field: Field, **overrides: Any
) -> ProcedureData:
    return ProcedureData(
        code=code,
        owner_agency=owner,
        version=version_data(field, **overrides),
        handling=HandlingData(agencies=handling),
        effective_from=date(2025, 7, 1),
    )
