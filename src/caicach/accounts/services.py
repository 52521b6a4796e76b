"""Changes to officers and to a user's own security settings.

Each function is one transaction and writes its audit entry inside it. Access is checked here
(through :mod:`caicach.accounts.access`), so pages and the API cannot disagree.
"""

from __future__ import annotations

import secrets
import string
from datetime import date
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caicach.accounts import twofactor
from caicach.accounts.access import can_all
from caicach.accounts.errors import FieldError, ForbiddenError, require_actor
from caicach.accounts.models import Role, RoleAssignment, User, UserKind
from caicach.core.audit import Actor, record

_PASSWORD_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
_PASSWORD_SYMBOLS = "@#$%*+-=?!"


def home_agency(user: Any) -> Any:
    """The agency an audit entry about ``user`` is filed under (the top one of their roles), so
    the entry shows in the trail of the admins who look after that officer."""
    first = (
        RoleAssignment.objects.filter(user=user).select_related("agency").order_by("agency__path")
    ).first()
    return first.agency if first else None


def generate_temporary_password(length: int = 16) -> str:
    """A random password that meets every configured rule (checked, not assumed)."""
    while True:
        chars = [secrets.choice(_PASSWORD_ALPHABET) for _ in range(length - 4)]
        chars += [  # one of each class the rules ask for, none easy to misread
            secrets.choice([c for c in _PASSWORD_ALPHABET if c.islower()]),
            secrets.choice([c for c in _PASSWORD_ALPHABET if c.isupper()]),
            secrets.choice([c for c in _PASSWORD_ALPHABET if c.isdigit()]),
            secrets.choice(_PASSWORD_SYMBOLS),
        ]
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        try:
            validate_password(candidate)
        except ValidationError:
            continue
        return candidate


def _check_not_self(actor: Actor, officer: User) -> None:
    # Four eyes: nobody grants, removes or suspends their own access.
    if actor.user is not None and actor.user.pk == officer.pk:
        raise ForbiddenError(
            _("Bạn không thể tự thay đổi vai trò hoặc trạng thái tài khoản của mình."),
            "You cannot change your own roles or account status.",
        )


def _check_role_fields(
    role: str, agency: Any, valid_from: date | None, valid_to: date | None
) -> None:
    if role not in Role.values:
        raise FieldError("role", _("Vai trò không hợp lệ."), "Unknown role.")
    if agency is None:
        raise FieldError("agency", _("Hãy chọn cơ quan."), "Choose an agency.")
    if valid_from and valid_to and valid_to < valid_from:
        raise FieldError(
            "valid_to",
            _("Ngày kết thúc phải sau ngày bắt đầu."),
            "The end date must be after the start date.",
        )
    if agency.valid_to is not None and agency.valid_to < timezone.localdate():
        raise FieldError(
            "agency",
            _("Cơ quan “%(name)s” không còn hiệu lực: không thể phân quyền mới tại đây.")
            % {"name": agency.name},
            "The agency is no longer in force: no new roles there.",
        )


@transaction.atomic
def create_officer(
    actor: Actor,
    *,
    username: str,
    full_name: str,
    role: str,
    agency: Any,
    email: str = "",
    phone: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> tuple[User, str]:
    """A new officer account with its first role and a temporary password to hand over.

    The password is returned once and never stored in clear; the officer must change it at the
    first sign-in.
    """
    _check_role_fields(role, agency, valid_from, valid_to)
    require_actor(actor, "officers.change", agency)
    username = username.strip()
    full_name = " ".join(full_name.split())
    if not username:
        raise FieldError("username", _("Hãy nhập tên đăng nhập."), "A username is required.")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as error:
        raise FieldError(
            "username",
            _("Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _"),
            "Letters, digits and @ . + - _ only.",
        ) from error
    if User.objects.filter(username__iexact=username).exists():
        raise FieldError(
            "username",
            _("Tên đăng nhập “%(username)s” đã được dùng.") % {"username": username},
            "This username is taken.",
            code="duplicate",
        )
    if not full_name:
        raise FieldError("full_name", _("Hãy nhập họ và tên."), "A full name is required.")
    user = User(
        username=username,
        full_name=full_name,
        email=email.strip(),
        phone=phone.strip(),
        kind=UserKind.OFFICER,
        must_change_password=True,
    )
    password = generate_temporary_password()
    user.set_password(password)
    user.save()
    assignment = RoleAssignment.objects.create(
        user=user, role=role, agency=agency, valid_from=valid_from, valid_to=valid_to
    )
    record(
        actor,
        "officer.create",
        user,
        agency=agency,
        changes={
            "username": username,
            "full_name": full_name,
            "role": role,
            "agency": agency.code,
            "assignment": assignment.pk,
        },
    )
    return user, password


@transaction.atomic
def assign_role(
    actor: Actor,
    officer: User,
    role: str,
    agency: Any,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> RoleAssignment:
    """Give ``officer`` ``role`` over ``agency`` and its subtree."""
    _check_role_fields(role, agency, valid_from, valid_to)
    require_actor(actor, "officers.change", agency)
    _check_not_self(actor, officer)
    if officer.kind != UserKind.OFFICER:
        raise FieldError(
            None,
            _("Tài khoản này không phải tài khoản cán bộ."),
            "This is not an officer account.",
        )
    if RoleAssignment.objects.filter(user=officer, role=role, agency=agency).exists():
        raise FieldError(
            "role",
            _("Cán bộ đã có vai trò này tại cơ quan này."),
            "The officer already has this role at this agency.",
            code="duplicate",
        )
    assignment = RoleAssignment.objects.create(
        user=officer, role=role, agency=agency, valid_from=valid_from, valid_to=valid_to
    )
    record(
        actor,
        "officer.role_add",
        officer,
        agency=agency,
        changes={
            "assignment": assignment.pk,
            "role": role,
            "agency": agency.code,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    return assignment


@transaction.atomic
def remove_role(actor: Actor, assignment: RoleAssignment) -> None:
    """Take one role away. The last role cannot go: deactivate the account instead, so that
    every account stays visible to the admins of its agency."""
    officer = assignment.user
    require_actor(actor, "officers.change", assignment.agency)
    _check_not_self(actor, officer)
    if not RoleAssignment.objects.filter(user=officer).exclude(pk=assignment.pk).exists():
        raise FieldError(
            None,
            _(
                "Đây là vai trò cuối cùng của cán bộ: hãy ngừng hoạt động tài khoản thay vì xóa vai trò."
            ),
            "This is the officer's last role: deactivate the account instead.",
            code="last_role",
        )
    record(
        actor,
        "officer.role_remove",
        officer,
        agency=assignment.agency,
        changes={
            "assignment": assignment.pk,
            "role": assignment.role,
            "agency": assignment.agency.code,
        },
    )
    assignment.delete()


@transaction.atomic
def set_active(actor: Actor, officer: User, active: bool) -> None:
    """Deactivate (``active=False``) or reactivate an officer account.

    The account is shared by all its roles, so the actor needs ``officers.change`` over every
    agency where the officer holds one. A deactivated account's sessions stop at once (Django
    refuses inactive users on every request).
    """
    agencies = [a.agency for a in officer.roles.select_related("agency")]
    if actor.user is None:
        require_actor(actor, "officers.change", None)
    elif not can_all(actor.user, "officers.change", agencies):
        raise ForbiddenError(
            _("Cán bộ này có vai trò ở cơ quan ngoài phạm vi quản trị của bạn."),
            "The officer holds roles outside your administration scope.",
        )
    _check_not_self(actor, officer)
    if officer.is_active == active:
        return
    officer.is_active = active
    officer.save(update_fields=["is_active"])
    record(
        actor,
        "officer.activate" if active else "officer.deactivate",
        officer,
        agency=home_agency(officer),
        changes={"is_active": [not active, active]},
    )


# -- the user's own security settings ------------------------------------------------------


@transaction.atomic
def change_password(actor: Actor, user: User, new_password: str) -> None:
    """Set a new password (already checked by the form against every rule)."""
    validate_password(new_password, user)
    user.set_password(new_password)
    was_temporary = user.must_change_password
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record(
        actor,
        "account.password_change",
        user,
        agency=home_agency(user),
        changes={"temporary_replaced": was_temporary},
    )


@transaction.atomic
def confirm_totp(actor: Actor, user: User, key: str, token: str) -> Any:
    """Turn on the authenticator app whose secret is ``key`` once ``token`` proves it works."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    state = twofactor.check_enrolment_code(key, token)
    if state is None:
        raise FieldError(
            "token",
            _("Mã xác thực không đúng. Hãy nhập mã 6 chữ số đang hiển thị trên ứng dụng."),
            "Wrong code. Enter the 6-digit code your app shows now.",
        )
    TOTPDevice.objects.filter(user=user).delete()  # one app per account; stale ones go
    device = TOTPDevice.objects.create(
        user=user,
        name=_("Ứng dụng xác thực"),
        key=key,
        confirmed=True,
        last_t=state.t(),
        drift=state.drift,
    )
    record(actor, "account.otp_enrol", user, agency=home_agency(user), changes={"device": "totp"})
    return device


@transaction.atomic
def generate_backup_codes(actor: Actor, user: User) -> list[str]:
    """Ten new one-time backup codes; earlier ones stop working."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    if twofactor.totp_device(user) is None:
        raise FieldError(
            None,
            _("Hãy bật ứng dụng xác thực trước khi tạo mã dự phòng."),
            "Turn on an authenticator app before creating backup codes.",
        )
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="backup", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(twofactor.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    record(
        actor,
        "account.backup_codes",
        user,
        agency=home_agency(user),
        changes={"count": len(codes)},
    )
    return codes


@transaction.atomic
def remove_device(actor: Actor, user: User, device: Any, token: str) -> None:
    """Remove one of the user's devices, after a current code from any of them."""
    if device.user_id != user.pk:
        raise ForbiddenError(_("Thiết bị không thuộc tài khoản của bạn."), "Not your device.")
    result = twofactor.verify(user, token)
    if not result.ok:
        raise FieldError(
            "token",
            _("Hãy đợi vài giây rồi thử lại.")
            if result.throttled
            else _("Mã xác thực không đúng."),
            "Wait a few seconds and try again." if result.throttled else "Wrong code.",
        )
    kind = device._meta.model_name
    device.delete()
    record(actor, "account.otp_remove", user, agency=home_agency(user), changes={"device": kind})
