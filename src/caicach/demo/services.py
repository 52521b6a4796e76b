"""Loading the demo province: agencies, the official calendar, the catalogue and one officer
per role. Every step is idempotent, so a second ``make demo`` reuses what exists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from caicach.accounts.models import Role, RoleAssignment, User, UserKind
from caicach.agencies.models import Agency
from caicach.core.audit import Actor, record

DATA = Path(__file__).resolve().parent / "data"

#: The demo password of every demo officer (it meets the password rules).
DEMO_PASSWORD = "CaiCach@2026"


@dataclass(frozen=True)
class DemoOfficer:
    username: str
    full_name: str
    role: Role
    agency_code: str
    note: str


def demo_officers(root: Agency) -> list[DemoOfficer]:
    """One officer for every role, at agencies that show what the role sees: enough for a
    dossier of either tier (province, commune) to be received, processed, signed and returned
    from the pages."""
    centre = Agency.objects.filter(kind="service_centre", level="province").order_by("path").first()
    # The department with the most procedures: its officers' inboxes have the most life.
    department = (
        Agency.objects.filter(kind="department", valid_to__isnull=True)
        .annotate(handled=Count("handled_procedures", filter=Q(handled_procedures__is_active=True)))
        .order_by("-handled", "path")
        .first()
    )
    unit = (
        department.children.filter(kind="unit", valid_to__isnull=True).order_by("path").first()
        if department
        else None
    )
    unit_note = f"phòng thuộc {department.name}" if department else "toàn tỉnh"
    commune = Agency.objects.filter(kind="commune", valid_to__isnull=True).order_by("path").first()
    commune_unit = (
        commune.children.filter(kind="unit", valid_to__isnull=True).order_by("path").first()
        if commune
        else None
    )
    commune_name = commune.name if commune else "một xã"
    pick = lambda agency: agency.code if agency else root.code  # noqa: E731
    return [
        DemoOfficer("admin", "Nguyễn Quản Trị", Role.ADMIN, root.code, "toàn tỉnh"),
        DemoOfficer("cchc", "Trần Thị Cải Cách", Role.REFORM_OFFICER, root.code, "toàn tỉnh"),
        DemoOfficer("thanhtra", "Lê Văn Kiểm", Role.INSPECTOR, root.code, "chỉ xem, toàn tỉnh"),
        DemoOfficer("tiepnhan", "Phạm Thị Một Cửa", Role.RECEIVER, pick(centre), "TT PVHCC tỉnh"),
        DemoOfficer(
            "thuly",
            "Hoàng Văn Thụ Lý",
            Role.PROCESSOR,
            pick(unit),
            unit_note,
        ),
        DemoOfficer(
            "truongphong",
            "Vũ Thị Trưởng",
            Role.UNIT_LEADER,
            pick(unit),
            unit_note,
        ),
        DemoOfficer(
            "giamdoc",
            "Đặng Văn Giám",
            Role.AGENCY_LEADER,
            pick(department),
            department.name if department else "toàn tỉnh",
        ),
        DemoOfficer(
            "chutich",
            "Ngô Văn Tỉnh",
            Role.AGENCY_LEADER,
            root.code,
            "lãnh đạo UBND tỉnh, ký thủ tục thẩm quyền tỉnh",
        ),
        # A commune's whole chain (two-tier government): its desk, a civil servant who
        # processes, the head of one of its offices and the chairman who signs.
        DemoOfficer("xa.tiepnhan", "Bùi Thị Xã", Role.RECEIVER, pick(commune), commune_name),
        DemoOfficer("xa.thuly", "Lý Văn Công Chức", Role.PROCESSOR, pick(commune), commune_name),
        DemoOfficer(
            "xa.truongphong",
            "Mai Thị Phòng",
            Role.UNIT_LEADER,
            pick(commune_unit or commune),
            commune_unit.name if commune_unit else commune_name,
        ),
        DemoOfficer("xa.chutich", "Trịnh Văn Xã", Role.AGENCY_LEADER, pick(commune), commune_name),
    ]


def load_agencies(path: Path = DATA / "agencies.json") -> tuple[int, int]:
    """Create or update agencies by code; parents come before children in the file."""
    rows: list[dict[str, Any]] = json.loads(path.read_text())
    by_code = {a.code: a for a in Agency.objects.all()}
    created = updated = 0
    for row in rows:
        fields = {
            "name": row["name"],
            "short_name": row.get("short_name", ""),
            "kind": row["kind"],
            "level": row["level"],
            "parent": by_code[row["parent"]] if row.get("parent") else None,
            "valid_from": date.fromisoformat(row["valid_from"]),
            "valid_to": date.fromisoformat(row["valid_to"]) if row.get("valid_to") else None,
            "address": row.get("address", ""),
            "phone": row.get("phone", ""),
            "email": row.get("email", ""),
        }
        agency = by_code.get(row["code"])
        if agency is None:
            agency = Agency(code=row["code"], **fields)
            agency.full_clean(exclude=["successor"])
            agency.save()
            by_code[agency.code] = agency
            created += 1
        elif any(getattr(agency, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(agency, key, value)
            agency.save()
            updated += 1
    for row in rows:  # successors may come later in the file than their predecessors
        successor = by_code[row["successor"]] if row.get("successor") else None
        agency = by_code[row["code"]]
        if agency.successor_id != (successor.pk if successor else None):
            agency.successor = successor
            agency.save(update_fields=["successor"])
    return created, updated


def load_officers(root: Agency) -> list[DemoOfficer]:
    officers = demo_officers(root)
    agencies = {
        a.code: a for a in Agency.objects.filter(code__in={o.agency_code for o in officers})
    }
    for officer in officers:
        user, created = User.objects.get_or_create(
            username=officer.username,
            defaults={"full_name": officer.full_name, "kind": UserKind.OFFICER},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.email = f"{officer.username}@anhoa.example"
            user.save()
        RoleAssignment.objects.get_or_create(
            user=user, role=officer.role, agency=agencies[officer.agency_code]
        )
    return officers


@transaction.atomic
def load_demo(stdout: Any = None) -> list[DemoOfficer]:
    """The whole demo province, in one transaction."""
    from caicach.calendars.services import load_official_calendar
    from caicach.procedures.services import import_catalogue

    actor = Actor.system("demo")
    created, updated = load_agencies()
    root = Agency.objects.filter(parent__isnull=True).order_by("path").first()
    assert root is not None, "agencies.json has no root agency"
    load_official_calendar(actor)
    catalogue = json.loads((DATA / "procedures.json").read_text())
    result = import_catalogue(actor, catalogue, source="demo/procedures.json")
    officers = load_officers(root)
    from caicach.demo.plans import load_demo_plans, load_demo_reports

    load_demo_plans(stdout)
    load_demo_reports(stdout)
    if created or updated:
        record(actor, "demo.load", root, agency=root, changes={"agencies_created": created})
    if stdout is not None:
        stdout.write(f"Agencies: {created} created, {updated} updated; catalogue: {result}\n")
    return officers
