"""Check the demo province data (tỉnh An Hòa, ``H90``) before it is loaded.

Run from the repository root::

    .venv/bin/python src/caicach/demo/data/check_data.py

It validates ``agencies.json`` and ``procedures.json`` next to this file against the rules the
demo data must follow, prints counts, and exits with status 1 when a rule is broken.

Agency codes follow Thông tư 10/2016/TT-BTTTT (``V1V2V3.Z1Z2.Y1Y2.MX1X2``): a child's code is its
parent's code with the next level filled in. From 01/7/2025 there are two tiers (province and
commune); legacy districts and their communes end on 30/6/2025 and point to the commune that
replaced them through ``successor``.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent
AGENCIES_FILE = DATA_DIR / "agencies.json"
PROCEDURES_FILE = DATA_DIR / "procedures.json"

AGENCY_CODE = re.compile(r"^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z]\d{2})$")
PROCEDURE_CODE = re.compile(r"^\d\.\d{6}$")
FIELD_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
CUTOFF = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
EMAIL = re.compile(r"^[a-z0-9._-]+@anhoa\.gov\.vn$")

PROVINCE_CODE = "000.00.00.H90"
REFORM_DAY = date(2025, 7, 1)
LAST_LEGACY_DAY = date(2025, 6, 30)

AGENCY_KINDS = {
    "people_committee",
    "department",
    "unit",
    "service_centre",
    "commune",
    "district",
    "office",
}
AGENCY_LEVELS = {"province", "commune", "district"}
INNER_KINDS = {"unit", "service_centre", "office"}  # parts of an agency share its level
AUTHORITY_LEVELS = {"province", "commune"}
ONLINE_LEVELS = {"full", "partial", "none"}
TIME_UNITS = {"working_days", "working_hours", "calendar_days"}
ROLES = {"receiver", "processor", "unit_leader", "agency_leader"}
UNIT_KINDS = {"service_centre", "commune", "department", "unit", "people_committee"}
COPY_KINDS = {"original", "copy", "certified_copy", "presented"}
FEE_KINDS = {"fee", "charge"}

PROCEDURE_KEYS = {
    "code",
    "name",
    "field",
    "authority_level",
    "handling_agency_kinds",
    "handling_agencies",
    "online_level",
    "partial_reason",
    "statutory_time",
    "promised_time",
    "cutoff",
    "fees",
    "components",
    "result",
    "workflow",
    "legal_basis",
    "effective_from",
    "full_online_eligible",
    "national_portal_integrated",
    "payable_online",
    "served_at_centre",
}
AGENCY_KEYS = {
    "code",
    "name",
    "short_name",
    "kind",
    "level",
    "parent",
    "valid_from",
    "valid_to",
    "successor",
    "address",
    "phone",
    "email",
}

MIN_FIELDS = 15
MIN_PROCEDURES = 110
MAX_DECIMAL_PLACES = 3  # ProcedureVersion and WorkflowStep store decimal_places=3


# --------------------------------------------------------------------------- helpers


def _parts(code: str) -> tuple[str, str, str, str] | None:
    """``(level1, level2, level3, level4)`` of an agency code, or ``None`` if malformed."""
    match = AGENCY_CODE.match(code)
    if match is None:
        return None
    v, z, y, m = match.groups()
    return m, y, z, v


def _depth(parts: tuple[str, str, str, str]) -> int:
    _m, y, z, v = parts
    if v != "000":
        return 4
    if z != "00":
        return 3
    if y != "00":
        return 2
    return 1


def _is_child_code(child: str, parent: str) -> bool:
    """True when ``child`` is ``parent`` with exactly the next level filled in."""
    c, p = _parts(child), _parts(parent)
    if c is None or p is None or c[0] != p[0]:
        return False
    depth = _depth(p)
    if _depth(c) != depth + 1:
        return False
    return c[1:depth] == p[1:depth]


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0:
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMAL_PLACES:
        return None
    return number


def _nonempty_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


# --------------------------------------------------------------------------- agencies


def check_agencies(agencies: list[dict[str, Any]]) -> list[str]:
    """Return the list of rule violations in ``agencies.json`` (empty when clean)."""
    errors: list[str] = []
    seen: dict[str, dict[str, Any]] = {}
    by_code = {a.get("code"): a for a in agencies if isinstance(a, dict)}

    for index, agency in enumerate(agencies):
        where = f"agencies[{index}]"
        if not isinstance(agency, dict):
            errors.append(f"{where}: không phải object")
            continue
        code = agency.get("code")
        where = f"cơ quan {code!r}"
        missing = AGENCY_KEYS - agency.keys()
        extra = agency.keys() - AGENCY_KEYS
        if missing:
            errors.append(f"{where}: thiếu khóa {sorted(missing)}")
        if extra:
            errors.append(f"{where}: khóa lạ {sorted(extra)}")
        if not isinstance(code, str) or _parts(code) is None:
            errors.append(f"{where}: mã không đúng định dạng V1V2V3.Z1Z2.Y1Y2.MX1X2")
            continue
        if code in seen:
            errors.append(f"{where}: trùng mã")
        parts = _parts(code)
        assert parts is not None
        if parts[0] != "H90":
            errors.append(f"{where}: mã cấp 1 (MX1X2) phải là H90")
        if not _nonempty_text(agency.get("name")):
            errors.append(f"{where}: thiếu tên")
        kind, level = agency.get("kind"), agency.get("level")
        if kind not in AGENCY_KINDS:
            errors.append(f"{where}: kind {kind!r} không hợp lệ")
        if level not in AGENCY_LEVELS:
            errors.append(f"{where}: level {level!r} không hợp lệ")
        email = agency.get("email")
        if not isinstance(email, str) or not EMAIL.match(email):
            errors.append(f"{where}: email {email!r} phải thuộc tên miền anhoa.gov.vn")

        valid_from, valid_to = _date(agency.get("valid_from")), agency.get("valid_to")
        if valid_from is None:
            errors.append(f"{where}: valid_from không phải ngày ISO")
        end = None
        if valid_to is not None:
            end = _date(valid_to)
            if end is None:
                errors.append(f"{where}: valid_to không phải ngày ISO")
            elif valid_from is not None and end < valid_from:
                errors.append(f"{where}: valid_to trước valid_from")

        parent = agency.get("parent")
        if parent is None:
            if code != PROVINCE_CODE:
                errors.append(f"{where}: chỉ UBND tỉnh ({PROVINCE_CODE}) được không có cấp trên")
        elif parent not in seen:
            reason = "không tồn tại" if parent not in by_code else "phải đứng trước cơ quan con"
            errors.append(f"{where}: cơ quan cấp trên {parent!r} {reason}")
        elif not _is_child_code(code, parent):
            errors.append(f"{where}: mã không phải mã của cấp trên {parent} thêm một cấp")
        else:
            parent_level = seen[parent].get("level")
            if kind in INNER_KINDS and _depth(parts) > 2 and level != parent_level:
                errors.append(f"{where}: level {level!r} khác cấp trên ({parent_level!r})")

        if kind == "district" and (level != "district" or end != LAST_LEGACY_DAY):
            errors.append(f"{where}: UBND huyện phải có level district, valid_to 2025-06-30")
        if level == "district" and kind != "district":
            errors.append(f"{where}: level district chỉ dùng cho UBND huyện")
        if kind == "commune" and level != "commune":
            errors.append(f"{where}: UBND xã phải có level commune")
        if kind == "commune" and parent == PROVINCE_CODE:
            number = int(parts[1])
            if not 60 <= number <= 99:
                errors.append(f"{where}: xã, phường mới phải có mã cấp 2 từ 60 đến 99")
            if valid_from != REFORM_DAY or valid_to is not None:
                errors.append(f"{where}: xã, phường mới phải hiệu lực từ 2025-07-01, không hết hạn")
        seen[code] = agency

    for agency in agencies:
        if not isinstance(agency, dict) or not isinstance(agency.get("code"), str):
            continue
        code = agency["code"]
        where = f"cơ quan {code!r}"
        successor = agency.get("successor")
        if successor is None:
            continue
        target = by_code.get(successor)
        if target is None:
            errors.append(f"{where}: đơn vị kế thừa {successor!r} không tồn tại")
            continue
        if successor == code:
            errors.append(f"{where}: không thể tự kế thừa")
        end = _date(agency.get("valid_to"))
        start = _date(target.get("valid_from"))
        if end is None:
            errors.append(f"{where}: có đơn vị kế thừa nhưng không có valid_to")
        elif start is not None and start > end + timedelta(days=1):
            errors.append(f"{where}: đơn vị kế thừa {successor} bắt đầu sau ngày kế tiếp valid_to")
        if target.get("valid_to") is not None:
            errors.append(f"{where}: đơn vị kế thừa {successor} không còn hiệu lực")

    # Every current commune has its one-stop desk (Bộ phận Một cửa / TTPVHCC xã).
    for code, agency in by_code.items():
        if agency.get("kind") == "commune" and agency.get("valid_to") is None:
            desks = [
                a for a in agencies if a.get("parent") == code and a.get("kind") == "service_centre"
            ]
            if not desks:
                errors.append(f"cơ quan {code!r}: xã, phường mới chưa có Bộ phận Một cửa")
    return errors


# --------------------------------------------------------------------------- procedures


def _check_time(where: str, entry: dict[str, Any], errors: list[str]) -> tuple[Decimal, str]:
    statutory, promised = entry.get("statutory_time"), entry.get("promised_time")
    if not isinstance(statutory, dict) or not isinstance(promised, dict):
        errors.append(f"{where}: statutory_time, promised_time phải là object")
        return Decimal(0), ""
    unit = statutory.get("unit")
    if unit not in TIME_UNITS:
        errors.append(f"{where}: đơn vị thời hạn {unit!r} không hợp lệ")
    if promised.get("unit") != unit:
        errors.append(f"{where}: promised_time phải cùng đơn vị với statutory_time")
    value = _decimal(statutory.get("value"))
    promise = _decimal(promised.get("value"))
    if value is None or value == 0:
        errors.append(f"{where}: statutory_time.value phải là số thập phân dương dạng chuỗi")
        return Decimal(0), str(unit)
    if promise is None or promise == 0:
        errors.append(f"{where}: promised_time.value phải là số thập phân dương dạng chuỗi")
    elif promise > value:
        errors.append(f"{where}: thời hạn cam kết {promise} dài hơn thời hạn quy định {value}")
    return value, str(unit)


def _check_workflow(where: str, steps: Any, statutory: Decimal, errors: list[str]) -> None:
    if not isinstance(steps, list) or not 3 <= len(steps) <= 6:
        errors.append(f"{where}: quy trình phải có từ 3 đến 6 bước")
        return
    total = Decimal(0)
    for number, step in enumerate(steps, start=1):
        label = f"{where}, bước {number}"
        if not isinstance(step, dict):
            errors.append(f"{label}: không phải object")
            continue
        if step.get("order") != number:
            errors.append(f"{label}: order phải là {number}")
        if not _nonempty_text(step.get("name")):
            errors.append(f"{label}: thiếu tên bước")
        if step.get("role") not in ROLES:
            errors.append(f"{label}: vai trò {step.get('role')!r} không hợp lệ")
        if step.get("unit_kind") not in UNIT_KINDS:
            errors.append(f"{label}: unit_kind {step.get('unit_kind')!r} không hợp lệ")
        budget = _decimal(step.get("budget"))
        if budget is None or budget == 0:
            errors.append(f"{label}: budget phải là số thập phân dương dạng chuỗi")
        else:
            total += budget
    if total > statutory:
        errors.append(
            f"{where}: tổng thời gian các bước {total} vượt thời hạn quy định {statutory}"
        )


def check_procedure(
    entry: Any, agency_codes: set[str], fields: dict[str, str], where: str
) -> list[str]:
    """Rule violations of one procedure entry (current or previous version)."""
    errors: list[str] = []
    if not isinstance(entry, dict):
        return [f"{where}: không phải object"]
    code = entry.get("code")
    where = f"{where} {code!r}"
    missing = PROCEDURE_KEYS - entry.keys()
    extra = entry.keys() - PROCEDURE_KEYS
    if missing:
        errors.append(f"{where}: thiếu khóa {sorted(missing)}")
    if extra:
        errors.append(f"{where}: khóa lạ {sorted(extra)}")
    if not isinstance(code, str) or not PROCEDURE_CODE.match(code):
        errors.append(f"{where}: mã thủ tục phải có dạng D.DDDDDD")
    if not _nonempty_text(entry.get("name")):
        errors.append(f"{where}: thiếu tên thủ tục")

    field = entry.get("field")
    if not isinstance(field, dict) or not isinstance(field.get("code"), str):
        errors.append(f"{where}: field phải có code và name")
    else:
        field_code, field_name = field["code"], field.get("name")
        if not FIELD_CODE.match(field_code):
            errors.append(f"{where}: mã lĩnh vực {field_code!r} phải viết hoa, không dấu")
        if not _nonempty_text(field_name):
            errors.append(f"{where}: thiếu tên lĩnh vực")
        elif fields.setdefault(field_code, field_name) != field_name:
            errors.append(f"{where}: lĩnh vực {field_code} có hai tên khác nhau")

    level = entry.get("authority_level")
    kinds, handlers = entry.get("handling_agency_kinds"), entry.get("handling_agencies")
    if level not in AUTHORITY_LEVELS:
        errors.append(f"{where}: authority_level {level!r} không hợp lệ")
    if not isinstance(kinds, list) or not isinstance(handlers, list):
        errors.append(f"{where}: handling_agency_kinds, handling_agencies phải là danh sách")
    elif level == "commune":
        if kinds != ["commune"] or handlers:
            errors.append(f"{where}: thủ tục cấp xã dùng handling_agency_kinds ['commune']")
    elif level == "province":
        if kinds or not handlers:
            errors.append(f"{where}: thủ tục cấp tỉnh phải nêu handling_agencies (mã cơ quan)")
        errors.extend(
            f"{where}: cơ quan giải quyết {handler!r} không có trong agencies"
            for handler in handlers
            if handler not in agency_codes
        )

    online, reason = entry.get("online_level"), entry.get("partial_reason")
    if online not in ONLINE_LEVELS:
        errors.append(f"{where}: online_level {online!r} không hợp lệ")
    elif online == "partial" and not _nonempty_text(reason):
        errors.append(f"{where}: dịch vụ một phần phải nêu lý do (partial_reason)")
    elif online != "partial" and reason:
        errors.append(f"{where}: partial_reason chỉ dùng khi online_level là partial")

    statutory, _unit = _check_time(where, entry, errors)
    cutoff = entry.get("cutoff")
    if not isinstance(cutoff, str) or not CUTOFF.match(cutoff):
        errors.append(f"{where}: cutoff phải có dạng HH:MM")

    fees = entry.get("fees")
    if not isinstance(fees, list):
        errors.append(f"{where}: fees phải là danh sách")
    else:
        for fee in fees:
            if not isinstance(fee, dict) or not _nonempty_text(fee.get("name")):
                errors.append(f"{where}: phí, lệ phí thiếu tên")
                continue
            amount = fee.get("amount")
            if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                errors.append(f"{where}: mức thu {fee['name']!r} phải là số nguyên đồng")
            if fee.get("kind") not in FEE_KINDS:
                errors.append(f"{where}: loại phí {fee.get('kind')!r} không hợp lệ")
            if not isinstance(fee.get("note", ""), str):
                errors.append(f"{where}: ghi chú phí phải là chuỗi")

    components = entry.get("components")
    if not isinstance(components, list) or not components:
        errors.append(f"{where}: phải có ít nhất một thành phần hồ sơ")
    else:
        for component in components:
            if not isinstance(component, dict) or not _nonempty_text(component.get("name")):
                errors.append(f"{where}: thành phần hồ sơ thiếu tên")
                continue
            if component.get("copy_kind") not in COPY_KINDS:
                errors.append(f"{where}: copy_kind {component.get('copy_kind')!r} không hợp lệ")
            quantity = component.get("quantity")
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
                errors.append(f"{where}: số lượng của {component['name']!r} phải ≥ 1")
            errors.extend(
                f"{where}: {flag} của {component['name']!r} phải là boolean"
                for flag in ("required", "reusable")
                if not isinstance(component.get(flag), bool)
            )

    result = entry.get("result")
    if not isinstance(result, dict) or not _nonempty_text(result.get("name")):
        errors.append(f"{where}: thiếu tên kết quả")
    elif not isinstance(result.get("paper"), bool) or not isinstance(
        result.get("electronic"), bool
    ):
        errors.append(f"{where}: result.paper, result.electronic phải là boolean")
    elif not (result["paper"] or result["electronic"]):
        errors.append(f"{where}: kết quả phải là bản giấy hoặc bản điện tử")

    _check_workflow(where, entry.get("workflow"), statutory, errors)
    if not _nonempty_text(entry.get("legal_basis")):
        errors.append(f"{where}: thiếu căn cứ pháp lý")
    if _date(entry.get("effective_from")) is None:
        errors.append(f"{where}: effective_from không phải ngày ISO")
    return errors


def check_procedures(data: Any, agency_codes: set[str]) -> list[str]:
    """Return the list of rule violations in ``procedures.json`` (empty when clean)."""
    if not isinstance(data, dict) or set(data) != {"procedures", "previous_versions"}:
        return ["procedures.json phải là object với hai khóa procedures, previous_versions"]
    current, previous = data["procedures"], data["previous_versions"]
    if not isinstance(current, list) or not isinstance(previous, list):
        return ["procedures, previous_versions phải là danh sách"]
    errors: list[str] = []
    fields: dict[str, str] = {}
    for index, entry in enumerate(current):
        errors += check_procedure(entry, agency_codes, fields, f"procedures[{index}]")
    codes = Counter(e.get("code") for e in current if isinstance(e, dict))
    errors += [f"thủ tục {code!r}: trùng mã" for code, count in codes.items() if count > 1]
    if len(current) < MIN_PROCEDURES:
        errors.append(f"chỉ có {len(current)} thủ tục, cần ít nhất {MIN_PROCEDURES}")
    if len(fields) < MIN_FIELDS:
        errors.append(f"chỉ có {len(fields)} lĩnh vực, cần ít nhất {MIN_FIELDS}")

    by_code = {e.get("code"): e for e in current if isinstance(e, dict)}
    versions: set[tuple[Any, Any]] = set()
    for index, entry in enumerate(previous):
        errors += check_procedure(entry, agency_codes, fields, f"previous_versions[{index}]")
        if not isinstance(entry, dict):
            continue
        code, start = entry.get("code"), _date(entry.get("effective_from"))
        if (code, start) in versions:
            errors.append(f"phiên bản cũ {code!r}: trùng ngày hiệu lực")
        versions.add((code, start))
        now = by_code.get(code)
        if now is None:
            errors.append(f"phiên bản cũ {code!r}: không có thủ tục hiện hành cùng mã")
            continue
        current_start = _date(now.get("effective_from"))
        if start is not None and current_start is not None and start >= current_start:
            errors.append(f"phiên bản cũ {code!r}: effective_from phải trước phiên bản hiện hành")
        if now.get("field") != entry.get("field"):
            errors.append(f"phiên bản cũ {code!r}: lĩnh vực khác phiên bản hiện hành")
    return errors


# --------------------------------------------------------------------------- report


def _print_counts(title: str, counts: Counter[str], total: int) -> None:
    print(title)
    for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {key:<42} {count:>4}  ({100 * count / total:4.1f}%)")


def main() -> int:
    agencies = json.loads(AGENCIES_FILE.read_text(encoding="utf-8"))
    procedures = json.loads(PROCEDURES_FILE.read_text(encoding="utf-8"))
    if not isinstance(agencies, list):
        print("LỖI: agencies.json phải là danh sách")
        return 1
    errors = check_agencies(agencies)
    codes = {a["code"] for a in agencies if isinstance(a, dict) and isinstance(a.get("code"), str)}
    errors += check_procedures(procedures, codes)

    current = [a for a in agencies if isinstance(a, dict) and a.get("valid_to") is None]
    legacy = [a for a in agencies if isinstance(a, dict) and a.get("valid_to") is not None]
    merged = {a.get("successor") for a in legacy if a.get("successor")}
    print(f"Cơ quan: {len(agencies)} ({len(current)} đang hoạt động, {len(legacy)} đã giải thể)")
    _print_counts("Theo loại (kind):", Counter(str(a.get("kind")) for a in agencies), len(agencies))
    _print_counts(
        "Theo cấp (level):", Counter(str(a.get("level")) for a in agencies), len(agencies)
    )
    new_communes = [
        a for a in current if a.get("kind") == "commune" and a.get("parent") == PROVINCE_CODE
    ]
    print(
        f"Xã, phường mới: {len(new_communes)}, trong đó {len(merged)} hình thành do sáp nhập "
        f"{sum(1 for a in legacy if a.get('kind') == 'commune')} xã, phường, thị trấn cũ"
    )

    if isinstance(procedures, dict) and isinstance(procedures.get("procedures"), list):
        items = [p for p in procedures["procedures"] if isinstance(p, dict)]
        print(
            f"\nThủ tục: {len(items)} hiện hành, "
            f"{len(procedures.get('previous_versions') or [])} phiên bản cũ"
        )
        field_names = Counter(
            f"{p['field'].get('code')} ({p['field'].get('name')})"
            for p in items
            if isinstance(p.get("field"), dict)
        )
        _print_counts(f"Theo lĩnh vực ({len(field_names)}):", field_names, len(items))
        _print_counts(
            "Theo cấp thẩm quyền:",
            Counter(str(p.get("authority_level")) for p in items),
            len(items),
        )
        _print_counts(
            "Theo mức độ trực tuyến:",
            Counter(str(p.get("online_level")) for p in items),
            len(items),
        )
        _print_counts(
            "Theo đơn vị thời hạn:",
            Counter(str((p.get("statutory_time") or {}).get("unit")) for p in items),
            len(items),
        )

    if errors:
        print(f"\n{len(errors)} LỖI:")
        for error in errors:
            print(f"  - {error}")
        return 1
    print("\nKhông có lỗi.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
