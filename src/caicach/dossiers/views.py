"""The officers' workspace: the inbox (tabs, search, bulk assignment) and the dossier page
(applicant, places, clock, history, actions). Views read input and call
:mod:`caicach.dossiers.services`; scope comes from :func:`services.visible_dossiers` only, and a
dossier outside it is a 404 (its existence is not revealed, as in the API).

Size (~720 lines): the workspace's two pages share the scope rule, the list row and the action
handling, so they stay together; the queries behind the inbox are in ``dossiers.inbox``, the
intake in ``intake_views``, the forms in ``form_views`` and the reports in ``report_views``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from caicach.accounts.access import agency_filter, allows, require_anywhere, roles_of
from caicach.accounts.models import Role as AccountRole
from caicach.accounts.models import RoleAssignment
from caicach.agencies.models import Agency
from caicach.calendars.rules import (
    TimeUnit,
    elapsed_working_time,
    working_time_to_days,
)
from caicach.calendars.services import calendar_for
from caicach.core import registry
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized, number
from caicach.dossiers import access_log, clock, deadlines, privacy, services, supplements
from caicach.dossiers import inbox as inbox_queries
from caicach.dossiers.asof import AS_OF_LABELS, dossier_as_of, parse_as_of, verdict_label
from caicach.dossiers.form_views import form_links
from caicach.dossiers.forms import ActionForm, BulkAssignForm, supplement_params
from caicach.dossiers.inbox import TAB_KEYS, TABS
from caicach.dossiers.models import (
    Dossier,
    DossierEvent,
    due_soon_window,
)
from caicach.dossiers.responses import component_response, file_response
from caicach.dossiers.results import ATTACHABLE_STATES, RESULT_STATES
from caicach.dossiers.search import search
from caicach.dossiers.workflow import DossierAction, DossierState, allowed_actions
from caicach.procedures.models import WorkflowStep

PAGE_SIZE = 50
S = DossierState


#: Actions whose form asks for a target agency or unit, an assignee, a new date, a reason.
AGENCY_ACTIONS = {
    DossierAction.ASSIGN,
    DossierAction.TRANSFER_STEP,
    DossierAction.TRANSFER_AGENCY,
}
#: Actions asking other agencies with a deadline (NĐ 61/2018 art. 19).
REFERRAL_ACTIONS = {DossierAction.CONSULT, DossierAction.TRANSFER_AGENCY}
REASON_ACTIONS = set(services.REASON_REQUIRED)
NOTE_ACTIONS = set(services.NOTE_REQUIRED)
DANGER_ACTIONS = {DossierAction.REFUSE, DossierAction.STOP, DossierAction.WITHDRAW}
ASSIGNER_ROLES = {
    AccountRole.RECEIVER,
    AccountRole.UNIT_LEADER,
    AccountRole.AGENCY_LEADER,
    AccountRole.ADMIN,
}


def _default_tab(user: Any) -> str:
    roles = roles_of(user)
    if roles & {AccountRole.AGENCY_LEADER, AccountRole.UNIT_LEADER}:
        return "cho-phe-duyet"
    if AccountRole.PROCESSOR in roles:
        return "dang-xu-ly"
    if AccountRole.RECEIVER in roles:
        return "moi"
    return "tat-ca"


def _soon_limit(now: datetime) -> datetime:
    """ "Due soon" in the inbox: on the official calendar (its rows come from many agencies),
    with the one window (:mod:`caicach.dossiers.deadlines`)."""
    return deadlines.due_soon_until(now, calendar_for(None), due_soon_window())


def _tab_filter(
    queryset: QuerySet[Dossier], tab: str, now: datetime, user: Any = None, recent_only: bool = True
) -> QuerySet[Dossier]:
    """``queryset`` narrowed to one tab (:func:`caicach.dossiers.inbox.tab_q`: the condition
    the tab's count counts)."""
    return queryset.filter(inbox_queries.tab_q(tab, now, user, recent_only=recent_only))


def _due_page(queryset: QuerySet[Dossier], limit: int) -> QuerySet[Dossier]:
    """The first ``limit`` dossiers soonest due, as one query in two steps: the page's ids
    (``due_at, id`` order, filtered by the scope and the tab), then those rows. The ids alone
    are an index-only scan of ``dossier_open_due_scope_idx`` (it carries the state and the
    three agency keys), so a commune's tab skips the other agencies' open dossiers without
    reading the table; the rows (with ``select_related``) are fetched by primary key."""
    ids = queryset.order_by("due_at", "id").values("pk")[:limit]
    return queryset.filter(pk__in=Subquery(ids)).order_by("due_at", "id")


def _keyset(queryset: QuerySet[Dossier], after: str) -> tuple[list[Dossier], str]:
    """Soonest due first, keyset on (due_at, id): no OFFSET, no COUNT(*). ``after`` is the
    cursor of the previous page's last row; returns the rows and the next cursor (or "")."""
    stamp, _sep, pk = after.rpartition("_")
    if stamp and pk.isdigit():
        try:
            due = datetime.fromisoformat(stamp)
        except ValueError:
            due = None
        if due is not None and due.tzinfo is not None:
            # due_at >= the cursor bounds the index range; the OR alone would not.
            queryset = queryset.filter(due_at__gte=due).filter(
                Q(due_at__gt=due) | Q(due_at=due, id__gt=int(pk))
            )
    rows = list(_due_page(queryset, PAGE_SIZE + 1))
    if len(rows) > PAGE_SIZE:
        last = rows[PAGE_SIZE - 1]
        return rows[:PAGE_SIZE], f"{last.due_at.isoformat()}_{last.pk}"
    return rows, ""


def _deadline(dossier: Dossier, now: datetime, soon: datetime) -> str:
    """ "overdue", "soon" or "" for a row's due date badge."""
    return deadlines.deadline_badge(dossier.state, dossier.due_at, now, soon)


@login_required
@require_http_methods(["GET", "HEAD"])
def component_file(request: HttpRequest, code: str, pk: str) -> HttpResponse:
    """Open a document received with the dossier (scan or upload), in the dossier's scope."""
    try:
        component = services.component_file(request.user, code, pk)
        response = component_response(component, services.clean_key(code, upper=True))
        access_log.scan_viewed(request, component)
        return response
    except (services.DossierNotFoundError, services.ComponentFileNotFoundError) as exc:
        raise Http404(localized(exc)) from None


#: The permissions of the roles that may assign (:data:`ASSIGNER_ROLES`): the assignment
#: choices come from the agencies where the user holds one of them, not from the (wider)
#: view scope (issue 17: least privilege).
ASSIGN_PERMISSIONS = (
    "dossiers.receive",
    "dossiers.lead_unit",
    "dossiers.lead_agency",
    "dossiers.administer",
)


def _assign_scope(user: Any, field: str = "") -> Q:
    condition = Q(pk__in=[])
    for permission in ASSIGN_PERMISSIONS:
        condition |= agency_filter(user, permission, field)
    return condition


def _assign_choices(
    user: Any, dossier: Dossier | None = None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Processing officers and units to offer for an assignment (least privilege, issue 17):
    only in the agencies where ``user`` holds a role that may assign, and for one ``dossier``
    only in its deciding agency and the unit holding it (NĐ 61/2018 art. 18: the competent
    agency assigns its own units; :func:`caicach.dossiers.lifecycle._resolve_assignee` refuses
    anyone else anyway)."""
    today = timezone.localdate()
    officer_scope = _assign_scope(user, "agency")
    unit_scope = _assign_scope(user)
    if dossier is not None:
        paths = {a.path for a in (dossier.deciding_agency, dossier.current_agency) if a}
        own = Q(pk__in=[])
        own_units = Q(pk__in=[])
        for path in paths:
            own |= Q(agency__path__startswith=path)
            own_units |= Q(path__startswith=path)
        officer_scope &= own
        unit_scope &= own_units
    assignments = (
        RoleAssignment.objects.filter(officer_scope, role=AccountRole.PROCESSOR)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .select_related("user", "agency")
        .order_by("agency__path", "user__full_name")
    )
    officers: dict[str, str] = {}
    for a in assignments:
        if a.user.is_active and str(a.user_id) not in officers:
            name = a.user.full_name or a.user.username
            officers[str(a.user_id)] = f"{name} · {a.agency.name}"
    units = [
        (a.code, f"{a.name} ({a.code})")
        for a in Agency.objects.valid_on(today).filter(unit_scope).order_by("path")
    ]
    return list(officers.items()), units


def _bulk_assign(request: HttpRequest, form: BulkAssignForm) -> None:
    actor = Actor.from_request(request)
    params: dict[str, Any] = {}
    if form.cleaned_data.get("agency"):
        params["agency"] = form.cleaned_data["agency"]
    if form.cleaned_data.get("assignee"):
        params["assignee"] = int(form.cleaned_data["assignee"])
    done: list[str] = []
    for code, version in form.tickets():
        try:
            services.perform_action(
                actor, code, DossierAction.ASSIGN, expected_version=version, **params
            )
        except BilingualError as error:
            messages.error(request, f"{code}: {localized(error)}")
        except PermissionDenied as error:
            messages.error(request, f"{code}: {error}")
        else:
            done.append(code)
    if done:
        messages.success(
            request,
            _("Đã phân công %(n)d hồ sơ: %(codes)s.") % {"n": len(done), "codes": ", ".join(done)},
        )


@login_required
@require_http_methods(["GET", "POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    require_anywhere(request.user, "dossiers.view")
    user = request.user
    may_assign = bool(roles_of(user) & ASSIGNER_ROLES)
    officers, units = _assign_choices(user) if may_assign else ([], [])
    if request.method == "POST":
        if not may_assign:
            raise PermissionDenied(_("Bạn không có quyền phân công hồ sơ."))
        ticked = request.POST.getlist("dossiers")
        bulk = BulkAssignForm(request.POST, dossiers=ticked, officers=officers, units=units)
        if bulk.is_valid():
            _bulk_assign(request, bulk)
        else:
            for errors in bulk.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect(request.get_full_path())

    tab = request.GET.get("tab") or _default_tab(user)
    if tab not in TAB_KEYS:
        tab = "tat-ca"
    form = inbox_queries.InboxFilterForm(request.GET, user=user)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    text = (data.get("q") or "").strip()
    recent_only = form.recent_only() if valid else True
    now = timezone.now()
    filtered: QuerySet[Dossier] = inbox_queries.apply_filters(services.visible_dossiers(user), data)
    if text:
        filtered = search(filtered, text)
    listed = _tab_filter(filtered, tab, now, user, recent_only)
    params = form.params() if valid else {}
    export = request.GET.get("xuat", "")
    if export in ("xlsx", "csv") and valid:
        return _export(request, listed, now, tab, export)
    listed = listed.select_related("procedure_version", "applicant")
    rows, next_cursor = _keyset(listed, request.GET.get("sau", ""))
    soon = _soon_limit(now)
    items = [(d, _deadline(d, now, soon)) for d in rows]
    counts = inbox_queries.tab_counts(filtered, now, user, recent_only)
    base = {"tab": tab, **params}
    context = {
        "tabs": [(t, f"?{urlencode({**base, 'tab': t.key})}", counts[t.key]) for t in TABS],
        "tab": tab,
        "tab_count": counts[tab],
        "search_form": form,
        "filters_active": form.active if valid else 0,
        "searched": text,
        "items": items,
        "recent_since": inbox_queries.recent_since(now)
        if tab == "tat-ca" and recent_only
        else None,
        "with_old_url": f"?{urlencode({**base, 'cu': '1'})}",
        "clear_url": f"?{urlencode({'tab': tab})}",
        "export_xlsx": f"?{urlencode({**base, 'xuat': 'xlsx'})}",
        "export_csv": f"?{urlencode({**base, 'xuat': 'csv'})}",
        "next_url": f"?{urlencode({**base, 'sau': next_cursor})}" if next_cursor else "",
        "first_url": f"?{urlencode(base)}" if request.GET.get("sau") else "",
        "may_assign": may_assign,
        "may_receive": allows(request.user, "dossiers.receive"),
        "bulk_form": BulkAssignForm(dossiers=[], officers=officers, units=units),
    }
    status = 400 if form.errors else 200
    return render(request, "dossiers/inbox.html", context, status=status)


def _export(
    request: HttpRequest, listed: QuerySet[Dossier], now: datetime, tab: str, kind: str
) -> HttpResponse:
    """The filtered list as a spreadsheet (at most :data:`caicach.dossiers.inbox.EXPORT_LIMIT` rows)."""
    if listed.order_by()[: inbox_queries.EXPORT_LIMIT + 1].count() > inbox_queries.EXPORT_LIMIT:
        messages.error(
            request,
            _("Danh sách có hơn %(n)s hồ sơ: hãy lọc bớt rồi xuất lại.")
            % {"n": number(inbox_queries.EXPORT_LIMIT)},
        )
        query = request.GET.copy()
        query.pop("xuat", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    rows = inbox_queries.export_rows(listed, now)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    name = f"ho-so-{tab}-{stamp}.{kind}"
    if kind == "xlsx":
        response = HttpResponse(
            inbox_queries.export_xlsx(rows).getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            inbox_queries.export_csv(rows), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- the dossier page ---------------------------------------------------------------------------


def _visible(request: HttpRequest, code: str) -> Dossier:
    require_anywhere(request.user, "dossiers.view")
    text = services.clean_key(code, upper=True)
    dossier = (
        services.visible_dossiers(request.user)
        .with_detail()
        .prefetch_related(
            Prefetch("events", DossierEvent.objects.select_related("agency").order_by("id"))
        )
        .filter(code=text)
        .first()
        if text
        else None
    )
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ %(code)s.") % {"code": text or "?"})
    return dossier


def _duration(td: timedelta, calendar: Any) -> str:
    """Office time as working days and hours (7.5 h a day), e.g. "2 ngày 3,5 giờ"."""
    sign = "-" if td < timedelta(0) else ""
    td = abs(td)
    days = int(working_time_to_days(td, calendar))
    hours = (td - days * calendar.day_length).total_seconds() / 3600
    hours_text = number(hours, 1) if round(hours, 1) % 1 else number(hours)
    if days and hours_text != "0":
        return sign + _("%(d)d ngày %(h)s giờ") % {"d": days, "h": hours_text}
    if days:
        return sign + _("%(d)d ngày") % {"d": days}
    return sign + _("%(h)s giờ") % {"h": hours_text}


def _clock(dossier: Dossier, now: datetime) -> dict[str, Any]:
    calendar = calendar_for(dossier.receiving_agency)
    end = dossier.finished_at or now
    elapsed = elapsed_working_time(min(dossier.clock_started_at, end), end, calendar)
    info: dict[str, Any] = {
        "elapsed": _duration(elapsed, calendar),
        "paused": dossier.state == S.AWAITING_SUPPLEMENT.value,
        "finished": dossier.finished_at is not None,
        "status": "",
    }
    if dossier.finished_at is None and deadlines.is_running(dossier.state):
        version = dossier.procedure_version
        budgets = []
        to_do: list[WorkflowStep] = []
        if version.statutory_unit == TimeUnit.WORKING_DAYS.value:
            steps = WorkflowStep.objects.filter(version=version).order_by("order")
            to_do = [
                s for s in steps if dossier.current_step is None or s.order > dossier.current_step
            ]
            budgets = [clock.budget_in_working_days(s.budget, calendar) for s in to_do]
        running = deadlines.running_status(
            now, dossier.due_at, dossier.legal_due_at, dossier.apologies, budgets, calendar
        )
        info["remaining"] = _duration(running.remaining, calendar)
        info["late_by"] = (
            _duration(-running.remaining, calendar) if running.remaining < timedelta(0) else ""
        )
        info["status"] = running.status
        info["needed"] = _duration(running.needed, calendar) if running.needed else ""
        info["at_risk"] = running.at_risk
        # Why "at risk" with days left: the steps still to do and their budgets.
        info["steps_to_do"] = [
            (step.name, _duration(budget, calendar))
            for step, budget in zip(to_do, budgets, strict=True)
        ]
    return info


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def _last_event(events: list[DossierEvent], action: DossierAction) -> DossierEvent | None:
    found = [e for e in events if e.action == action.value]
    return found[-1] if found else None


def _due_dates(dossier: Dossier, events: list[DossierEvent]) -> dict[str, Any]:
    """The promises and the statutory due as the page shows them, with why they differ: a
    supplement recounts both from the complete dossier's arrival; an apology (form 04) moves
    the promise only, never the statutory due; the first promise stays on record."""
    apology = _last_event(events, DossierAction.APOLOGISE)
    resumed = _last_event(events, DossierAction.SUPPLEMENT_RECEIVED)
    first = dossier.first_due_at
    before: datetime | None = None
    if apology is not None:
        raw = (apology.payload or {}).get("previous_due_at")
        before = datetime.fromisoformat(raw) if raw else None
        if before is not None and first is not None and before == first:
            before = None
    legal = _when(dossier.legal_due_at)
    notes: list[str] = []
    if resumed is not None:
        notes.append(
            _(
                "Ngày hẹn trả đã tính lại sau khi bổ sung hồ sơ: thời hạn được tính lại từ đầu "
                "khi nhận đủ hồ sơ lúc %(at)s; hạn theo quy định cũng tính lại từ thời điểm đó: "
                "%(legal)s."
            )
            % {"at": _when(resumed.at), "legal": legal}
        )
    if apology is not None:
        notes.append(
            _(
                "Ngày hẹn trả mới %(due)s theo phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu "
                "04) lập lúc %(at)s. Xin lỗi không làm thay đổi hạn theo quy định (%(legal)s); "
                "hồ sơ vẫn được tính là trễ hẹn."
            )
            % {"due": _when(dossier.due_at), "at": _when(apology.at), "legal": legal}
        )
        if dossier.due_at > dossier.legal_due_at:
            notes.append(
                _(
                    "Ngày hẹn mới sau hạn theo quy định: trả kết quả sau %(legal)s là quá hạn "
                    "theo quy định."
                )
                % {"legal": legal}
            )
    elif resumed is None and dossier.due_at != dossier.legal_due_at:
        notes.append(
            _(
                "Ngày hẹn trả theo thời hạn cam kết của thủ tục, sớm hơn hạn theo quy định "
                "(%(legal)s)."
            )
            % {"legal": legal}
        )
    return {
        "first_promise": first if first is not None and first != dossier.due_at else None,
        "before_apology": before,
        "apology": apology,
        "notes": notes,
    }


_NOTE_LABELS = {
    DossierAction.CONSULT: gettext_lazy("Nội dung xin ý kiến"),
    DossierAction.REPLY: gettext_lazy("Ý kiến trả lời"),
    DossierAction.TRANSFER_AGENCY: gettext_lazy("Ghi chú, nhiệm vụ của cơ quan phối hợp"),
}


def _referral_rows(dossier: Dossier, now: datetime) -> list[dict[str, Any]]:
    """The consultations and supporting agencies' parts, with their status for the badge."""
    return [{"r": r, "status": r.status(now)} for r in dossier.referrals.all()]


def _actions(dossier: Dossier, roles: list[str]) -> list[dict[str, Any]]:
    out = []
    for act in allowed_actions(dossier.state, roles):
        if act is DossierAction.RECEIVE:
            continue
        out.append(
            {
                "code": act.value,
                "label": localized(act, "label"),
                "reason": act in REASON_ACTIONS,
                "note_required": act in NOTE_ACTIONS,
                "agency": act in AGENCY_ACTIONS,
                "agency_required": act in {DossierAction.TRANSFER_AGENCY, DossierAction.CONSULT},
                "assignee": act is DossierAction.ASSIGN,
                "new_due": act is DossierAction.APOLOGISE,
                "danger": act in DANGER_ACTIONS,
                "consult": act is DossierAction.CONSULT,
                "transfer": act is DossierAction.TRANSFER_AGENCY,
                "deadline": act in REFERRAL_ACTIONS,
                "reply": act is DossierAction.REPLY,
                "per_document": act is DossierAction.REQUEST_SUPPLEMENT,
                "supplied": act is DossierAction.SUPPLEMENT_RECEIVED,
                "note_label": _NOTE_LABELS.get(act, ""),
            }
        )
    return out


def _render_detail(
    request: HttpRequest,
    dossier: Dossier,
    *,
    error: str = "",
    failed_action: str = "",
    form: ActionForm | None = None,
    status: int = 200,
    as_of: datetime | None = None,
) -> HttpResponse:
    now = timezone.now()
    roles = services.acting_roles(request.user, dossier)
    actions = _actions(dossier, roles)
    officers: list[tuple[str, str]] = []
    units: list[tuple[str, str]] = []
    if any(a["agency"] for a in actions):
        officers, units = _assign_choices(request.user, dossier)
    all_agencies: list[tuple[str, str]] = []
    if any(a["deadline"] for a in actions):
        all_agencies = [
            (code, f"{name} ({code})")
            for code, name in Agency.objects.valid_on(timezone.localdate())
            .order_by("path")
            .values_list("code", "name")
        ]
    applicant = dossier.applicant
    if privacy.disclosure_for(roles) is privacy.Disclosure.FULL:
        access_log.personal_data_viewed(request, dossier)
    events = list(dossier.events.all())
    context = {
        "dossier": dossier,
        "applicant": applicant,
        # The forms 01-06 that apply, to print or reprint (documents.applicable_forms).
        "forms": form_links(dossier, events),
        # What the reader may see of the applicant: {% applicant_view applicant roles %}.
        "roles": roles,
        "events": events,
        "components": list(dossier.components.all()),
        "clock": _clock(dossier, now),
        "dates": _due_dates(dossier, events),
        # The supplement cycle per document: what may be asked for, and what was.
        "checklist": list(dossier.procedure_version.components.order_by("order", "id"))
        if any(a["per_document"] or a["supplied"] for a in actions)
        else [],
        "asked": supplements.requested(dossier) if any(a["supplied"] for a in actions) else [],
        "deadline": _deadline(dossier, now, _soon_limit(now)),
        "actions": actions,
        "officers": officers,
        "units": units,
        "all_agencies": all_agencies,
        "referrals": _referral_rows(dossier, now),
        "answerable": services.answerable_referrals(request.user, dossier)
        if DossierAction.REPLY.value in roles_actions(actions)
        else [],
        **_results(request.user, dossier, roles),
        "error": error,
        "failed_action": failed_action,
        "form": form,
        "verdicts": [
            (label, value, _(verdict_label(value)))
            for label, value in (
                (_("So với ngày hẹn trả"), dossier.timeliness),
                (_("So với thời hạn quy định"), dossier.legal_timeliness),
                (_("Theo Quyết định 766"), dossier.timeliness_766),
            )
            if value
        ],
        # Blocks of the apps above dossiers (fees and payments, ratings), on the event seam's
        # side door: core.registry (ADR 0006).
        "panels": [
            render_to_string(panel.template, panel.context(request, dossier), request=request)
            for panel in registry.dossier_panels()
        ],
    }
    if as_of is not None:
        at = dossier_as_of(dossier, as_of)
        context["as_of"] = {
            "instant": as_of,
            "status": at,
            "label": _(AS_OF_LABELS[at.status]) if at else "",
            "legal_label": _(AS_OF_LABELS[at.legal_status]) if at else "",
        }
    return render(request, "dossiers/detail.html", context, status=status)


def _results(user: Any, dossier: Dossier, roles: list[str]) -> dict[str, Any]:
    """The result block: read only where a result can exist (no query for other dossiers)."""
    show = dossier.state in RESULT_STATES or dossier.has_electronic_result
    return {
        "show_results": show,
        "results": list(dossier.results.all()) if show else [],
        "may_attach": dossier.state in ATTACHABLE_STATES and bool(roles),
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def result_file(request: HttpRequest, code: str, pk: str) -> Any:
    """Open a dossier's result file, in the dossier's scope (as the received documents)."""
    try:
        result = services.result_file(request.user, code, pk)
        return file_response(result, f"{services.clean_key(code, upper=True)}-KQ-{result.pk}")
    except (services.DossierNotFoundError, services.ComponentFileNotFoundError) as exc:
        raise Http404(localized(exc)) from None


@login_required
@require_POST
def attach_result(request: HttpRequest, code: str) -> HttpResponse:
    """Attach the result at "result ready" (file checked by content, stored under a server name)."""
    dossier = _visible(request, code)
    upload = request.FILES.get("file")
    if upload is not None and (upload.size or 0) > services.MAX_COMPONENT_BYTES:
        return _render_detail(request, dossier, error=_("Tệp quá lớn (tối đa 20 MB)."), status=400)
    try:
        services.attach_result(
            Actor.from_request(request),
            dossier.code,
            name=request.POST.get("name", ""),
            content=upload.read() if upload is not None else None,
        )
    except BilingualError as error:
        return _render_detail(
            request,
            _visible(request, code),
            error=localized(error),
            status=error.status if error.status in (400, 403, 409) else 400,
        )
    messages.success(request, _("Đã đính kèm kết quả giải quyết."))
    return redirect(reverse("dossiers:detail", args=[dossier.code]))


def roles_actions(actions: list[dict[str, Any]]) -> set[str]:
    return {a["code"] for a in actions}


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """The dossier page; ``?as_of=YYYY-MM-DD[THH:MM]`` adds its status at that past instant
    ("tình trạng tại thời điểm", :mod:`caicach.dossiers.asof`); a bad value is a 400."""
    dossier = _visible(request, code)
    raw = request.GET.get("as_of")
    if raw is None:
        return _render_detail(request, dossier)
    try:
        instant = parse_as_of(raw)
    except BilingualError as error:
        return _render_detail(request, dossier, error=localized(error), status=400)
    return _render_detail(request, dossier, as_of=instant)


@login_required
@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Apply one action; a 409 (stale version, wrong state) or 400 re-shows the page with the
    Vietnamese reason, a 403 too; success redirects back with a message."""
    dossier = _visible(request, code)
    try:
        chosen = DossierAction(action)
    except ValueError:
        raise Http404(_("Không có thao tác này.")) from None
    if chosen is DossierAction.RECEIVE:
        raise Http404(_("Không có thao tác này."))
    form = ActionForm(request.POST)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _render_detail(
            request, dossier, error=message, failed_action=action, form=form, status=400
        )
    try:
        changed = services.perform_action(
            Actor.from_request(request),
            dossier.code,
            chosen,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data.get("note") or "",
            **form.params(),
            **supplement_params(chosen.value, request.POST, request.FILES),
        )
    except BilingualError as error:
        fresh = _visible(request, code)
        return _render_detail(
            request,
            fresh,
            error=localized(error),
            failed_action=action,
            form=form,
            status=error.status if error.status in (400, 403, 409) else 400,
        )
    except PermissionDenied as error:
        fresh = _visible(request, code)
        return _render_detail(
            request, fresh, error=str(error), failed_action=action, form=form, status=403
        )
    messages.success(
        request,
        _("Đã thực hiện “%(action)s”. Trạng thái: %(state)s.")
        % {
            "action": localized(chosen, "label"),
            "state": localized(DossierState(changed.state), "label"),
        },
    )
    for warning in getattr(changed, "warnings", []):
        text = getattr(warning, "message_vi", "")
        if text:
            messages.warning(request, text)
    if not services.visible_dossiers(request.user).filter(pk=changed.pk).exists():
        return redirect(reverse("dossiers:inbox"))
    return redirect(reverse("dossiers:detail", args=[changed.code]))
