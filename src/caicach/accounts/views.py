"""Sign-in (password, then the second factor), the security page and officer management.

Views are thin: forms check input, :mod:`caicach.accounts.services` makes the changes,
:mod:`caicach.accounts.access` decides who sees what.
"""

from __future__ import annotations

from typing import Any

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from caicach.accounts import services, twofactor
from caicach.accounts.access import (
    agency_filter,
    allows,
    can,
    can_all,
    has_privileged_role,
    officers_in_scope,
    require_anywhere,
    scope,
)
from caicach.accounts.errors import FieldError
from caicach.accounts.forms import (
    DeviceRemoveForm,
    EnrolForm,
    LoginForm,
    OfficerCreateForm,
    OfficerSearchForm,
    PasswordChangeForm,
    RoleForm,
    TokenForm,
)
from caicach.accounts.middleware import public
from caicach.accounts.models import Role, RoleAssignment, UserKind
from caicach.agencies.models import Agency
from caicach.core.audit import Actor
from caicach.core.audit_display import action_label
from caicach.core.i18n import localized
from caicach.core.models import AuditEntry
from caicach.core.paging import keyset_page
from caicach.core.text import folded_contains

_TEMP_PASSWORD_KEY = "caicach_temporary_password"


def _next_url(request: HttpRequest) -> str:
    """The ``next`` parameter when it points inside this site, else the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _form_error(form: Any, error: FieldError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, localized(error))


# -- sign-in -----------------------------------------------------------------------------------


@public
@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: the password. django-axes counts failures (it needs ``request`` passed to
    ``authenticate``) and its middleware turns a lock-out into ``accounts/locked_out.html``."""
    next_url = _next_url(request)
    user: Any = request.user
    if request.method == "GET" and user.is_authenticated and user.kind == UserKind.OFFICER:
        return redirect(next_url)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signed: Any = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if signed is None:
            form.add_error(None, _("Tên đăng nhập hoặc mật khẩu không đúng."))
        elif signed.kind != UserKind.OFFICER:
            form.add_error(None, _("Tài khoản này không phải tài khoản cán bộ."))
        else:
            return _after_password(request, signed, next_url)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


def _after_password(request: HttpRequest, user: Any, next_url: str) -> HttpResponse:
    if twofactor.has_device(user):
        if request.user.is_authenticated:
            auth_logout(request)  # someone else was signed in on this browser
        twofactor.start_pending(request, user, next_url)
        return redirect(_with_next("accounts:otp", next_url))
    auth_login(request, user)
    if settings.OTP_REQUIRED_FOR_PRIVILEGED and has_privileged_role(user):
        messages.warning(
            request, _("Tài khoản của bạn cần bật xác thực hai lớp trước khi sử dụng hệ thống.")
        )
        return redirect(_with_next("accounts:security", next_url))
    if user.must_change_password:
        messages.warning(request, _("Hãy đổi mật khẩu tạm trước khi sử dụng hệ thống."))
        return redirect(_with_next("accounts:security", next_url))
    return redirect(next_url)


@public
@sensitive_post_parameters("token")
@never_cache
def otp_view(request: HttpRequest) -> HttpResponse:
    """Step two: a code from the authenticator app or a backup code.

    Wrong codes count as failed sign-ins for django-axes, so guessing codes locks the account
    out exactly like guessing passwords.
    """
    pending = twofactor.pending(request)
    current: Any = request.user
    if pending is not None:
        user, backend, next_url = pending
    elif current.is_authenticated:
        user, backend, next_url = current, "", _next_url(request)
        if current.is_verified():
            return redirect(next_url)
        if not twofactor.has_device(current):
            return redirect(_with_next("accounts:security", next_url))
    else:
        messages.info(request, _("Phiên đăng nhập đã hết hạn, hãy đăng nhập lại."))
        return redirect("accounts:login")

    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        twofactor.clear_pending(request)
        return get_lockout_response(request, None, credentials)

    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = twofactor.verify(user, form.cleaned_data["token"])
        if result.ok:
            if pending is not None:
                twofactor.clear_pending(request)
                auth_login(request, user, backend=backend)
            django_otp.login(request, result.device)
            request.session[twofactor.SIGN_IN_KEY] = twofactor.WITH_CODE
            if result.device._meta.model_name == "staticdevice":
                left = result.device.token_set.count()
                messages.warning(
                    request,
                    _("Bạn vừa dùng một mã dự phòng; còn %(count)s mã chưa dùng.")
                    % {"count": left},
                )
            if user.must_change_password:
                return redirect(_with_next("accounts:security", next_url))
            return redirect(next_url)
        if result.throttled:
            form.add_error("token", _("Bạn đã nhập sai nhiều lần: hãy đợi vài giây rồi thử lại."))
        else:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            form.add_error("token", _("Mã xác thực không đúng."))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/otp.html",
        {"form": form, "next": next_url, "pending_user": user},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.info(request, _("Bạn đã đăng xuất."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


# -- the security page -----------------------------------------------------------------------


def _security_page(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    user: Any = request.user
    totp = twofactor.totp_device(user)
    backup = twofactor.backup_device(user)
    context: dict[str, Any] = {
        "totp": totp,
        "backup": backup,
        "backup_left": backup.token_set.count() if backup else 0,
        "verified": user.is_verified(),
        "new_codes": request.session.pop(twofactor.NEW_CODES_KEY, None),
        "next": _next_url(request) if request.GET.get("next") or request.POST.get("next") else "",
        "password_form": forms.get("password_form") or PasswordChangeForm(user),
        "remove_form": forms.get("remove_form") or DeviceRemoveForm(),
        "remove_device": forms.get("remove_device", ""),
        "required": settings.OTP_REQUIRED_FOR_PRIVILEGED and has_privileged_role(user),
    }
    if totp is None:
        key = twofactor.enrolment_key(request)
        context["enrol_form"] = forms.get("enrol_form") or EnrolForm()
        context["qr_svg"] = twofactor.qr_svg(twofactor.unsaved_device(user, key).config_url)
        context["secret"] = twofactor.base32_secret(key)
    return render(request, "accounts/security.html", context, status=status)


@login_required
@never_cache
def security_view(request: HttpRequest) -> HttpResponse:
    return _security_page(request)


def _back_to_security(request: HttpRequest) -> HttpResponse:
    next_value = request.POST.get("next", "")
    url = reverse("accounts:security")
    return redirect(_with_next("accounts:security", _next_url(request)) if next_value else url)


@require_POST
@login_required
@sensitive_post_parameters("token")
def security_totp_view(request: HttpRequest) -> HttpResponse:
    """Confirm the authenticator app shown on the security page with its current code."""
    user: Any = request.user
    form = EnrolForm(request.POST)
    if twofactor.totp_device(user) is not None:
        return _back_to_security(request)
    if form.is_valid():
        key = twofactor.enrolment_key(request)
        try:
            device = services.confirm_totp(
                Actor.from_request(request), user, key, form.cleaned_data["token"]
            )
        except FieldError as error:
            _form_error(form, error)
        else:
            request.session.pop(twofactor.ENROL_KEY, None)
            django_otp.login(request, device)  # the code just proved the second factor
            request.session[twofactor.SIGN_IN_KEY] = twofactor.WITH_CODE
            messages.success(
                request,
                _("Đã bật xác thực hai lớp. Hãy tạo mã dự phòng và cất giữ ở nơi an toàn."),
            )
            return _back_to_security(request)
    return _security_page(request, status=400, enrol_form=form)


@require_POST
@login_required
def security_backup_codes_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not user.is_verified():
        messages.error(request, _("Hãy xác thực hai lớp trước khi tạo mã dự phòng."))
        return redirect(_with_next("accounts:otp", reverse("accounts:security")))
    try:
        codes = services.generate_backup_codes(Actor.from_request(request), user)
    except FieldError as error:
        messages.error(request, localized(error))
    else:
        request.session[twofactor.NEW_CODES_KEY] = codes
    return _back_to_security(request)


@require_POST
@login_required
@sensitive_post_parameters("token")
def security_device_remove_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = DeviceRemoveForm(request.POST)
    if form.is_valid():
        devices = {d.persistent_id: d for d in django_otp.devices_for_user(user, confirmed=None)}
        device = devices.get(form.cleaned_data["device"])
        if device is None:
            form.add_error(None, _("Không tìm thấy thiết bị."))
        else:
            try:
                services.remove_device(
                    Actor.from_request(request), user, device, form.cleaned_data["token"]
                )
            except FieldError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Đã gỡ bỏ thiết bị xác thực."))
                return _back_to_security(request)
    return _security_page(
        request,
        status=400,
        remove_form=form,
        remove_device=request.POST.get("device", ""),
    )


@require_POST
@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def security_password_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PasswordChangeForm(user, request.POST)
    if form.is_valid():
        services.change_password(
            Actor.from_request(request), user, form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, user)
        messages.success(request, _("Đã đổi mật khẩu."))
        next_value = request.POST.get("next")
        return redirect(_next_url(request)) if next_value else _back_to_security(request)
    return _security_page(request, status=400, password_form=form)


# -- officers ------------------------------------------------------------------------------


def _changeable_agencies(user: Any) -> Any:
    today = timezone.localdate()
    agencies = Agency.objects.exclude(valid_to__lt=today).only(
        "id", "code", "name", "path", "depth"
    )
    return scope(agencies, user, "officers.change")


@login_required
def officer_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_anywhere(user, "officers.view")
    form = OfficerSearchForm(request.GET or None)
    officers = officers_in_scope(user)
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            officers = officers.filter(folded_contains(query, "full_name", "username"))
        if not form.cleaned_data["inactive"]:
            officers = officers.filter(is_active=True)
    else:
        officers = officers.filter(is_active=True)
    visible_roles = scope(
        RoleAssignment.objects.select_related("agency"), user, "officers.view", "agency"
    ).order_by("agency__path", "role")
    officers = officers.prefetch_related(
        Prefetch("roles", queryset=visible_roles, to_attr="visible_roles")
    )
    page = keyset_page(officers, request.GET.get("before"), size=50)
    context = {
        "page": page,
        "form": form,
        "q": query,
        "can_create": allows(user, "officers.change"),
        "inactive": request.GET.get("inactive", ""),
    }
    return render(request, "accounts/officer_list.html", context)


_CHANGE_LABELS = {
    "username": _lazy("tên đăng nhập"),
    "full_name": _lazy("họ và tên"),
    "role": _lazy("vai trò"),
    "agency": _lazy("cơ quan"),
    "valid_from": _lazy("từ ngày"),
    "valid_to": _lazy("đến ngày"),
    "is_active": _lazy("hoạt động"),
    "temporary_replaced": _lazy("thay mật khẩu tạm"),
    "device": _lazy("thiết bị"),
    "count": _lazy("số mã"),
}


def _change_text(key: str, value: Any) -> str:
    if isinstance(value, list):
        return " → ".join(_change_text(key, v) for v in value)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("có") if value else _("không"))
    if key == "role" and value in Role.values:
        return str(Role(value).label)
    return str(value)


def describe_changes(changes: dict[str, Any]) -> list[tuple[str, str]]:
    """An officer audit entry's changes as readable (label, text) lines."""
    return [
        (str(_CHANGE_LABELS[key]), _change_text(key, value))
        for key, value in changes.items()
        if key in _CHANGE_LABELS
    ]


def _officer_context(request: HttpRequest, officer: Any, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    all_roles = list(officer.roles.select_related("agency").order_by("agency__path", "role"))
    visible = [a for a in all_roles if can(user, "officers.view", a.agency)]
    changeable_any = allows(user, "officers.change")
    audit = []
    if allows(user, "audit.view"):
        entries = (
            AuditEntry.objects.filter(object_type="accounts.user", object_id=str(officer.pk))
            .filter(agency_filter(user, "audit.view", "agency"))
            .order_by("-id")[:20]
        )
        audit = [(e, action_label(e.action), describe_changes(e.changes)) for e in entries]
    context = {
        "officer": officer,
        "roles": [(a, can(user, "officers.change", a.agency)) for a in visible],
        "hidden_roles": len(all_roles) - len(visible),
        "role_form": extra.pop("role_form", None)
        or (RoleForm(agencies=_changeable_agencies(user)) if changeable_any else None),
        "can_set_active": can_all(user, "officers.change", [a.agency for a in all_roles])
        and officer.pk != user.pk,
        "is_self": officer.pk == user.pk,
        "temporary_password": request.session.pop(f"{_TEMP_PASSWORD_KEY}_{officer.pk}", None),
        "audit": audit,
    }
    context.update(extra)
    return context


@login_required
def officer_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    officer = get_object_or_404(officers_in_scope(request.user), pk=pk)
    return render(request, "accounts/officer_detail.html", _officer_context(request, officer))


@login_required
def officer_create_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    require_anywhere(user, "officers.change")
    form = OfficerCreateForm(request.POST or None, agencies=_changeable_agencies(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            officer, password = services.create_officer(
                Actor.from_request(request),
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                role=data["role"],
                agency=data["agency"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
            )
        except FieldError as error:
            _form_error(form, error)
        else:
            # Shown once, on the next page, then gone from the session.
            request.session[f"{_TEMP_PASSWORD_KEY}_{officer.pk}"] = password
            messages.success(request, _("Đã tạo tài khoản cán bộ."))
            return redirect("accounts:officer_detail", pk=officer.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/officer_form.html", {"form": form}, status=status)


@require_POST
@login_required
def officer_role_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    officer = get_object_or_404(officers_in_scope(user), pk=pk)
    require_anywhere(user, "officers.change")
    form = RoleForm(request.POST, agencies=_changeable_agencies(user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assign_role(
                Actor.from_request(request),
                officer,
                data["role"],
                data["agency"],
                data["valid_from"],
                data["valid_to"],
            )
        except FieldError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Đã thêm vai trò."))
            return redirect("accounts:officer_detail", pk=officer.pk)
    context = _officer_context(request, officer, role_form=form)
    return render(request, "accounts/officer_detail.html", context, status=400)


@require_POST
@login_required
def officer_role_remove_view(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    user: Any = request.user
    officer = get_object_or_404(officers_in_scope(user), pk=pk)
    assignment = get_object_or_404(
        scope(
            RoleAssignment.objects.select_related("agency", "user"), user, "officers.view", "agency"
        ),
        pk=assignment_pk,
        user=officer,
    )
    try:
        services.remove_role(Actor.from_request(request), assignment)
    except FieldError as error:
        messages.error(request, localized(error))
    else:
        messages.success(request, _("Đã xóa vai trò."))
    return redirect("accounts:officer_detail", pk=officer.pk)


@require_POST
@login_required
def officer_active_view(request: HttpRequest, pk: int) -> HttpResponse:
    officer: Any = get_object_or_404(officers_in_scope(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    services.set_active(Actor.from_request(request), officer, active)
    messages.success(
        request,
        _("Đã kích hoạt lại tài khoản.") if active else _("Đã ngừng hoạt động tài khoản."),
    )
    return redirect("accounts:officer_detail", pk=officer.pk)
