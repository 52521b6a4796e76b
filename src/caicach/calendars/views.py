"""Calendar pages: the year at a glance with the due-date lookup, and the administrators' page
that amends the official calendar or an agency's override.

Thin views: reading goes through :mod:`caicach.calendars.services`, access through
:mod:`caicach.accounts.access`. Day labels, explanations and the services' errors are shown in the
interface language (both texts come from the engine and the services). An agency outside the viewer's scope is a 404; a page the
officer has no right to is a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caicach.accounts.access import agency_filter, allows, require_anywhere, scope
from caicach.agencies.models import Agency
from caicach.calendars import display, services
from caicach.calendars.forms import (
    DayForm,
    DueForm,
    OfficeHoursForm,
    RemoveDayForm,
    YearsForm,
    agency_choices,
    field_errors,
)
from caicach.calendars.models import CalendarDay, CalendarImpact, CalendarVersion
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized


def _agencies(user: Any, action: str) -> list[Agency]:
    """Agencies in force today that the user may ``action``, in tree order, for selectors."""
    qs = scope(Agency.objects.valid_on(timezone.localdate()), user, action)
    return list(qs.only("id", "code", "name", "path", "depth").order_by("path"))


def _pick(agencies: list[Agency], code: str | None) -> Agency | None:
    if not code:
        return None
    for agency in agencies:
        if agency.code == code:
            return agency
    raise Http404(_("Không tìm thấy cơ quan trong phạm vi của bạn."))


def _year_context(
    request: HttpRequest,
    year: int,
    agencies: list[Agency],
    agency: Agency | None,
    form: DueForm | None = None,
    result: Any = None,
) -> dict[str, Any]:
    calendar = services.calendar_for(agency)
    try:
        summary = services.year_summary(calendar, year)
    except services.CalendarNotFoundError as error:
        raise Http404(localized(error)) from None
    today = timezone.localdate()
    if form is None:
        form = DueForm(
            agencies=agencies,
            initial={
                "agency": agency.code if agency else "",
                "unit": "working_days",
                "cutoff": "15:00",
                "received": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            },
        )
    first, last = calendar.first_year, calendar.last_year
    return {
        "year": year,
        "years": list(range(first, last + 2)),
        "calendar": calendar,
        "summary": summary,
        "months": display.month_grids(calendar, year, today),
        "weekdays": display.WEEKDAY_HEADERS,
        "agency_options": agency_choices(agencies, None),
        "agency": agency,
        "form": form,
        "result": result,
        "can_edit": allows(request.user, "calendars.change"),
    }


@login_required
def year_view(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """Twelve months with days off, weekends and worked weekend days, and the year's list."""
    require_anywhere(request.user, "calendars.view")
    agencies = _agencies(request.user, "calendars.view")
    agency = _pick(agencies, request.GET.get("agency"))
    year = year or timezone.localdate().year
    return render(request, "calendars/year.html", _year_context(request, year, agencies, agency))


@login_required
@require_POST
def due_lookup(request: HttpRequest) -> HttpResponse:
    """Answer the due-date form: the partial for htmx, the whole page without JavaScript."""
    require_anywhere(request.user, "calendars.view")
    agencies = _agencies(request.user, "calendars.view")
    form = DueForm(request.POST, agencies=agencies)
    result = None
    if form.is_valid() and form.query is not None:
        try:
            result = services.compute_due(form.query)
        except services.CalendarInputError as error:
            for name, message in field_errors(error).items():
                form.add_error(name if name in form.fields else None, message)
    status = 200 if result is not None else 400
    if request.htmx:
        context = {"form": form, "result": result}
        return render(request, "calendars/_due.html", context, status=status)
    year_text = request.POST.get("year", "")
    year = int(year_text) if year_text.isdigit() else timezone.localdate().year
    agency = form.query.agency if form.query is not None else None
    context = _year_context(request, year, agencies, agency, form=form, result=result)
    return render(request, "calendars/year.html", context, status=status)


# --------------------------------------------------------------------------------------------
# Administration
# --------------------------------------------------------------------------------------------


def _edit_url(agency: Agency | None) -> str:
    url = reverse("calendars:edit")
    return f"{url}?agency={agency.code}" if agency is not None else url


def _apply(request: HttpRequest, agency: Agency | None, forms: dict[str, Any]) -> Any:
    """Run the posted change; return the new version, or raise BilingualError/ValueError."""
    actor = Actor.from_request(request)
    action = request.POST.get("action", "")
    if action == "add":
        form = forms["day"] = DayForm(request.POST, official=agency is None)
        if not form.is_valid():
            raise _FormInvalidError(form)
        data = form.cleaned_data
        return services.add_day(
            actor, data["day"], data["kind"], data["name_vi"], data["name_en"], agency, data["note"]
        )
    if action == "remove":
        form = RemoveDayForm(request.POST)
        if not form.is_valid():
            raise _FormInvalidError(form)
        return services.remove_day(actor, form.cleaned_data["day"], agency)
    if action == "hours":
        form = forms["hours"] = OfficeHoursForm(request.POST)
        if not form.is_valid():
            raise _FormInvalidError(form)
        return services.set_office_hours(actor, agency, form.cleaned_data["office_hours"])
    if action == "years" and agency is None:
        form = forms["years"] = YearsForm(request.POST)
        if not form.is_valid():
            raise _FormInvalidError(form)
        return services.set_official_years(
            actor, form.cleaned_data["first_year"], form.cleaned_data["last_year"]
        )
    raise BilingualError("Thao tác không hợp lệ.", "Unknown action.")


class _FormInvalidError(Exception):
    def __init__(self, form: Any) -> None:
        self.form = form


@login_required
def edit(request: HttpRequest) -> HttpResponse:
    """Amend the official calendar or an agency's override; every change is a new version."""
    user = request.user
    require_anywhere(user, "calendars.change")
    official_ok = services.may_change_official(user)
    agencies = _agencies(user, "calendars.change")
    code = request.POST.get("agency") if request.method == "POST" else request.GET.get("agency")
    agency = _pick(agencies, code)
    if agency is None and not official_ok:
        # Only a root administrator edits the official calendar; others start on their agency.
        if not agencies or request.method == "POST":
            raise PermissionDenied(_("Bạn không có quyền sửa lịch chính thức."))
        agency = agencies[0]
    forms: dict[str, Any] = {}
    status = 200
    error: str = ""
    if request.method == "POST":
        try:
            version = _apply(request, agency, forms)
        except _FormInvalidError:
            status = 400
            error = _("Dữ liệu chưa hợp lệ, hãy xem các ô được đánh dấu.")
        except services.CalendarInputError as failure:
            status, error = failure.status, localized(failure)
            for form in forms.values():
                for name, message in field_errors(failure).items():
                    field_name = "day" if name == "date" else name  # the form's date field
                    if field_name in form.fields:
                        form.add_error(field_name, message)
        except BilingualError as failure:
            status, error = failure.status, localized(failure)
        else:
            messages.success(
                request,
                _("Đã lưu: phiên bản lịch mới %(label)s (%(note)s).")
                % {"label": version.label, "note": version.note},
            )
            return redirect(_edit_url(agency))
    current = services.current_version(agency)
    own_days = list(current.days.order_by("date")) if current else []
    calendar = services.calendar_for(agency)
    versions = (
        CalendarVersion.objects.filter(
            Q(scope_agency__isnull=True) | agency_filter(user, "calendars.change", "scope_agency")
        )
        .select_related("scope_agency", "impact")
        .order_by("-number")[:30]
    )
    hours_initial = (
        ", ".join(f"{s}-{e}" for s, e in current.office_hours)
        if current and current.office_hours
        else ""
    )
    context = {
        "agency_options": agency_choices(agencies, None),
        "agency": agency,
        "official_ok": official_ok,
        "current": current,
        "own_days": own_days,
        "calendar": calendar,
        "versions": versions,
        "day_form": forms.get("day") or DayForm(official=agency is None),
        "hours_form": forms.get("hours")
        or OfficeHoursForm(initial={"office_hours": hours_initial}),
        "years_form": forms.get("years")
        or YearsForm(initial={"first_year": calendar.first_year, "last_year": calendar.last_year}),
        "error": error,
        "this_year": timezone.localdate().year,
    }
    return render(request, "calendars/edit.html", context, status=status)


@login_required
def version_detail(request: HttpRequest, number: int) -> HttpResponse:
    """One version: what it changed from its parent, and the due dates it moves."""
    user = request.user
    require_anywhere(user, "calendars.change")
    version = get_object_or_404(
        CalendarVersion.objects.filter(
            Q(scope_agency__isnull=True) | agency_filter(user, "calendars.change", "scope_agency")
        ).select_related("scope_agency", "parent", "created_by"),
        number=number,
    )
    days = {d.date: d for d in version.days.all()}
    before = (
        {d.date: d for d in CalendarDay.objects.filter(version_id=version.parent_id)}
        if version.parent_id
        else {}
    )
    added = [days[d] for d in sorted(days.keys() - before.keys())]
    removed = [before[d] for d in sorted(before.keys() - days.keys())]
    changed = [
        (before[d], days[d])
        for d in sorted(days.keys() & before.keys())
        if (before[d].kind, before[d].name_vi, before[d].name_en, before[d].note)
        != (days[d].kind, days[d].name_vi, days[d].name_en, days[d].note)
    ]
    impact = CalendarImpact.objects.filter(version=version).first()
    context = {
        "version": version,
        "added": added,
        "removed": removed,
        "changed": changed,
        "hours_changed": version.parent is not None
        and version.parent.office_hours != version.office_hours,
        "years_changed": version.parent is not None
        and (version.parent.first_year, version.parent.last_year)
        != (version.first_year, version.last_year),
        "impact": impact,
        "day_count": len(days),
    }
    return render(request, "calendars/version.html", context)
