"""The audit trail in words (issue 16): a label per action instead of its code, and a short
readable summary of what changed instead of a Python dictionary."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from caicach.core import registry

#: Actions recorded by the core and the apps below the dossiers (the dossier app registers its
#: workflow actions through :func:`registry.register_audit_labels`).
LABELS: dict[str, Any] = {
    "access.personal_data": _("Xem dữ liệu cá nhân"),
    "access.scan": _("Xem bản quét giấy tờ"),
    "access.form": _("In biểu mẫu có dữ liệu cá nhân"),
    "account.backup_codes": _("Tạo mã dự phòng đăng nhập"),
    "account.otp_enrol": _("Bật xác thực hai lớp"),
    "account.otp_remove": _("Gỡ xác thực hai lớp"),
    "account.password_change": _("Đổi mật khẩu"),
    "agency.create": _("Thêm cơ quan, đơn vị"),
    "agency.update": _("Sửa cơ quan, đơn vị"),
    "agency.merge": _("Sáp nhập cơ quan"),
    "agency.merge_into": _("Nhận sáp nhập cơ quan"),
    "agency.move": _("Chuyển cơ quan cấp trên"),
    "api_client.create": _("Cấp quyền truy cập API"),
    "api_client.revoke": _("Thu hồi quyền truy cập API"),
    "calendar.day_added": _("Thêm ngày nghỉ, ngày làm bù"),
    "calendar.day_changed": _("Sửa ngày nghỉ, ngày làm bù"),
    "calendar.day_removed": _("Xóa ngày nghỉ, ngày làm bù"),
    "calendar.loaded": _("Nạp lịch làm việc"),
    "calendar.office_hours_changed": _("Đổi giờ làm việc"),
    "calendar.years_changed": _("Đổi các năm đã công bố lịch"),
    "catalogue.import": _("Nhập danh mục thủ tục"),
    "demo.generate": _("Sinh dữ liệu mẫu"),
    "demo.load": _("Nạp tỉnh mẫu"),
    "field.rename": _("Đổi tên lĩnh vực"),
    "officer.activate": _("Mở lại tài khoản cán bộ"),
    "officer.create": _("Thêm cán bộ"),
    "officer.deactivate": _("Khóa tài khoản cán bộ"),
    "officer.role_add": _("Giao vai trò"),
    "officer.role_remove": _("Thu hồi vai trò"),
    "procedure.create": _("Thêm thủ tục"),
    "procedure.publish_version": _("Công bố phiên bản thủ tục"),
    "procedure.update_handling": _("Đổi cơ quan giải quyết thủ tục"),
    "reports.view": _("Xem báo cáo"),
}

#: Words for the keys of ``changes`` most entries carry.
KEYS: dict[str, Any] = {
    "state": _("trạng thái"),
    "due_at": _("hạn trả"),
    "legal_due_at": _("hạn theo quy định"),
    "assigned_to": _("chuyên viên"),
    "assignee": _("chuyên viên"),
    "current_agency": _("đơn vị xử lý"),
    "agency": _("cơ quan"),
    "reason": _("lý do"),
    "note": _("ghi chú"),
    "name": _("tên"),
    "code": _("mã"),
    "officers": _("người nhận"),
    "version": _("phiên bản"),
    "current_step": _("bước"),
    "amount": _("số tiền"),
    "count": _("số lượng"),
}
#: Keys that only the integrity check or the machines need.
HIDDEN = {"version", "calendar_version", "prev_hash", "hash", "window_working_days"}
SUMMARY_LIMIT = 240
#: Actions whose changes are a diff, ``{field: [old, new]}``.
DIFF_ACTIONS = ("dossier.", "agency.update", "officer.", "field.", "procedure.update")


def action_label(action: str) -> str:
    """The words of ``action``, or the code itself when no app named it."""
    label = registry.audit_labels().get(action) or LABELS.get(action)
    return str(label) if label else action


def action_choices() -> list[tuple[str, str]]:
    labels = {**LABELS, **registry.audit_labels()}
    labels = {k: v for k, v in labels.items() if not k.startswith("value:")}
    return sorted(((k, str(v)) for k, v in labels.items()), key=lambda kv: kv[1])


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and (word := registry.audit_labels().get(f"value:{value}")):
        return str(word)
    if isinstance(value, bool):
        return _t("có") if value else _t("không")
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and "T" in value:
        moment = parse_datetime(value)
        if moment is not None:
            return _local(moment)
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value[:5]) + ("…" if len(value) > 5 else "")
    if isinstance(value, dict):
        if set(value) >= {"from", "to"} or set(value) >= {"old", "new"}:
            old = value.get("from", value.get("old"))
            new = value.get("to", value.get("new"))
            return f"{_value(old)} → {_value(new)}"
        return "; ".join(f"{KEYS.get(k, k)}: {_value(v)}" for k, v in value.items())
    return str(value)


def _local(moment: datetime) -> str:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def summary(changes: Any, action: str = "") -> str:
    """ "trạng thái: Đã tiếp nhận → Đã phân công; hạn trả: 12/12/2026 17:00" from the recorded
    changes. An action's diff (:func:`caicach.core.audit.diff`) is ``{field: [old, new]}``."""
    if not changes:
        return ""
    if not isinstance(changes, dict):
        return _value(changes)[:SUMMARY_LIMIT]
    pairs = action.startswith(DIFF_ACTIONS)
    parts: list[str] = []
    for key, value in changes.items():
        if key in HIDDEN or value in (None, "", [], {}):
            continue
        label = KEYS.get(key, key.replace("_", " "))
        if pairs and isinstance(value, list) and len(value) == 2:
            parts.append(f"{label}: {_value(value[0])} → {_value(value[1])}")
        else:
            parts.append(f"{label}: {_value(value)}")
    text = "; ".join(parts)
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 1] + "…"
