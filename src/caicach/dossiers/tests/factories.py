"""Dossier test data. Dossiers are made through :func:`services.receive_dossier` (never by
factory-built rows), so their ledger, history and code are those of a real receipt."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import factory

from caicach.agencies.models import Agency
from caicach.calendars.rules import VN_TZ
from caicach.core.audit import Actor
from caicach.dossiers import services
from caicach.dossiers.models import Applicant, ApplicantKind, Dossier
from caicach.procedures.models import ProcedureVersion
from caicach.procedures.tests.factories import ProcedureFactory, ProcedureVersionFactory

#: A valid citizen ID: Hà Nội (001), man born 1985.
CITIZEN_ID = "001085012345"
PHONE = "0912345678"
TAX_CODE = "0100109106"  # Viettel: a real, valid tax code

PERSON: dict[str, Any] = {
    "kind": "person",
    "full_name": "Nguyễn Văn An",
    "id_number": CITIZEN_ID,
    "phone": PHONE,
    "address": "12 Lê Lợi, phường Bến Thành",
}
ORGANISATION: dict[str, Any] = {
    "kind": "organisation",
    "full_name": "Công ty TNHH Thử Nghiệm",
    "tax_code": TAX_CODE,
    "representative": "Trần Thị Bình",
}
#: Answers the single required component ("Tờ khai") of ProcedureVersionFactory.
COMPONENTS: list[dict[str, Any]] = [{"name": "Tờ khai", "store_reference": "KHO-0001"}]


def vn(*args: int) -> datetime:
    """An instant in Vietnam time: ``vn(2025, 4, 25, 10)``."""
    return datetime(*args, tzinfo=VN_TZ)


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    kind = ApplicantKind.PERSON
    full_name = factory.Sequence(lambda n: f"Người nộp {n}")
    id_number = CITIZEN_ID


def procedure_version(handling: Agency, **fields: Any) -> ProcedureVersion:
    """A procedure handled by ``handling``: statutory 4 working days, promised 3, steps
    receiver (1) → processor (2) → agency leader (1), one required component "Tờ khai"."""
    procedure = ProcedureFactory(owner_agency=handling, handling_agencies=[handling])
    values: dict[str, Any] = {
        "procedure": procedure,
        "effective_from": date(2025, 1, 1),
        "statutory_value": Decimal(4),
        "promised_value": Decimal(3),
    }
    values.update(fields)
    return ProcedureVersionFactory(**values)


def receive(
    user: Any,
    version: ProcedureVersion,
    agency: Agency,
    *,
    received_at: datetime | None = None,
    channel: str = "counter",
    applicant: dict[str, Any] | None = None,
    components: list[dict[str, Any]] | None = None,
    **kwargs: Any,
) -> Dossier:
    return services.receive_dossier(
        Actor(user=user, ip_address="10.0.0.1"),
        procedure_code=version.procedure.code,
        channel=channel,
        applicant=applicant if applicant is not None else PERSON,
        components=components if components is not None else COMPONENTS,
        served_at=None,
        receiving_agency=agency,
        received_at=received_at,
        **kwargs,
    )


def act(
    user: Any, dossier: Dossier, action: str, version: int | None = None, **params: Any
) -> Dossier:
    """``perform_action`` as ``user`` on ``dossier`` at its current version (or ``version``)."""
    return services.perform_action(
        Actor(user=user, ip_address="10.0.0.2"),
        dossier.code,
        action,
        expected_version=dossier.version if version is None else version,
        **params,
    )
