"""Counter intake (*tiếp nhận hồ sơ*, NĐ 61/2018 art. 17; regulations §2.1): the receiving
officer picks the procedure, enters the applicant, ticks the components (an upload, or a
document reused from the digitised store) and receives the dossier with
:func:`services.receive_dossier`.

The page works in two steps without JavaScript (choosing the procedure is a GET that reloads
the checklist); with htmx the checklist alone is swapped when the procedure changes. A hidden
idempotency key made when the form is rendered turns a double submit into the same dossier.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from caicach.accounts.access import require_anywhere
from caicach.core.audit import Actor
from caicach.core.errors import BilingualError
from caicach.core.i18n import localized
from caicach.dossiers import services
from caicach.dossiers.inputs import APPLICANT_FIELDS
from caicach.dossiers.intake_forms import IntakeForm, new_key, receivable_procedures
from caicach.procedures.models import ProcedureVersion

#: Form fields of the applicant, by the service's error key.
_APPLICANT_FIELDS = frozenset(APPLICANT_FIELDS)


def _version(procedures: Any, code: str) -> ProcedureVersion | None:
    code = services.clean_key(code, 30)
    procedure = procedures.filter(code=code).first() if code else None
    if procedure is None:
        return None
    return procedure.version_on(timezone.localdate())


def _page(
    request: HttpRequest, form: IntakeForm, search: str, status: int = 200, error: str = ""
) -> HttpResponse:
    context = {
        "form": form,
        "rows": form.bound_rows(),
        "version": form.version,
        "search": search,
        "error": error,
    }
    template = "dossiers/intake.html"
    if getattr(request, "htmx", False) and request.method == "GET":
        template = "dossiers/intake_checklist.html"
    return render(request, template, context, status=status)


def _field_for(form: IntakeForm, key: str, origin: list[str]) -> str | None:
    """The form field a service error key (``applicant.id_number``, ``components.1.content``)
    belongs to, or None for a form-wide error."""
    head, _sep, rest = key.partition(".")
    if head == "applicant" and rest in _APPLICANT_FIELDS:
        return rest
    if head == "components":
        index = rest.split(".", 1)[0]
        if index.isdigit() and int(index) < len(origin):
            return origin[int(index)]
        return None
    if head in {"procedure", "channel", "receiving_agency", "deciding_agency"}:
        return head
    return None


@login_required
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest) -> HttpResponse:
    """``GET`` the form (``thu_tuc`` picks the procedure, ``tim`` filters the list); ``POST``
    receives the dossier and redirects to its page, or shows the errors with a 400."""
    require_anywhere(request.user, "dossiers.receive")
    source = request.POST if request.method == "POST" else request.GET
    search = str(source.get("tim", ""))[:100].strip()
    procedures = receivable_procedures(request.user, search)
    code = str(source.get("procedure") or source.get("thu_tuc") or "")
    version = _version(receivable_procedures(request.user), code)
    chosen = list(procedures[:300])
    if version is not None and all(p.pk != version.procedure_id for p in chosen):
        chosen.insert(0, version.procedure)
    kwargs: dict[str, Any] = {"user": request.user, "version": version, "procedures": chosen}

    # The search and the procedure picker post the form (issue 16: by GET the CSRF token and
    # the applicant's details landed in the URL and the access log); the page comes back with
    # what was typed, nothing received.
    stepping = request.method == "POST" and request.POST.get("buoc") in ("tim", "chon")
    if request.method == "GET" or stepping:
        initial = {
            k: v
            for k, v in source.items()
            if k not in ("idempotency_key", "csrfmiddlewaretoken", "buoc")
        }
        initial["procedure"] = version.procedure.code if version is not None else ""
        initial["idempotency_key"] = source.get("idempotency_key") or new_key()
        initial.setdefault("channel", "counter")
        initial.setdefault("kind", "person")
        form = IntakeForm(initial=initial, **kwargs)
        if stepping:
            form.keep_held(request.POST)
        return _page(request, form, search)

    form = IntakeForm(request.POST, request.FILES, **kwargs)
    if not form.is_valid():
        form.hold_valid_files()
        return _page(request, form, search, status=400)
    components, origin = form.components()
    assert version is not None  # the form requires it
    try:
        dossier = services.receive_dossier(
            Actor.from_request(request),
            procedure_code=version.procedure.code,
            channel=form.cleaned_data["channel"],
            applicant=form.applicant(),
            components=components,
            served_at=None,
            receiving_agency=form.receiving(),
            deciding_agency=form.chosen_deciding(),
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except services.DossierInputError as error:
        general = []
        for key, message in error.errors_vi.items():
            name = _field_for(form, key, origin)
            if name is not None and name in form.fields:
                form.add_error(name, message)
            else:
                general.append(message)
        form.hold_valid_files()
        return _page(request, form, search, status=400, error=" ".join(general))
    except PermissionDenied as error:
        return _page(request, form, search, status=403, error=str(error))
    except BilingualError as error:
        # A reused key with other content (409), a calendar that cannot count the due date:
        # shown on the form, with a fresh key for the next attempt.
        data = request.POST.copy()
        data["idempotency_key"] = new_key()
        form = IntakeForm(data, request.FILES, **kwargs)
        form.is_valid()
        form.hold_valid_files()
        return _page(request, form, search, status=400, error=localized(error))

    form.release_held()
    receipt = reverse("dossiers:form", args=[dossier.code, "receipt"])
    if getattr(dossier, "idempotent_replay", False):
        text = _("Hồ sơ %(code)s đã được tiếp nhận trước đó (biểu mẫu được gửi lại).")
    else:
        text = _("Đã tiếp nhận hồ sơ %(code)s. Hẹn trả kết quả: %(due)s.")
    messages.success(
        request,
        format_html(
            '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
            text
            % {
                "code": dossier.code,
                "due": timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y"),
            },
            receipt,
            _("In giấy tiếp nhận và hẹn trả kết quả (mẫu 01)"),
        ),
    )
    return redirect(reverse("dossiers:detail", args=[dossier.code]))
