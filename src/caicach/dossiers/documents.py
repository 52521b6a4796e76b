"""The one-stop forms as PDF (TT 01/2018/TT-VPCP art. 9 and appendix; TT 03/2025/TT-VPCP
appendix I; regulations §2.2), rendered with WeasyPrint from the templates in
``dossiers/forms/``.

* :func:`render_form` prints one form of a dossier on A5: ``receipt`` (01, *giấy tiếp nhận hồ sơ
  và hẹn trả kết quả*), ``supplement`` (02), ``refusal`` (03), ``apology`` (04), ``stop``
  (*thông báo dừng giải quyết hồ sơ*, TT 03/2025) and ``control_sheet`` (*phiếu kiểm soát quá
  trình giải quyết hồ sơ*, with the history). A form the dossier's history does not support
  (a refusal for a dossier that was not refused) is a :class:`ConflictError` (409).
* :func:`render_register` prints the dossier register (*sổ theo dõi hồ sơ*) on A4 landscape.
* The font is Liberation Serif (Times metrics, full Vietnamese coverage), shipped in
  ``caicach/core/static/caicach/fonts`` under the SIL OFL and loaded with ``@font-face`` from
  absolute ``file://`` URLs: the PDF does not depend on the fonts installed on the machine.
* Personal data (Decree 13/2023): the applicant is printed by name, with the citizen ID as
  :func:`caicach.dossiers.privacy.applicant_view` masks it for a printed form (the last four
  digits, whoever prints it); no address, phone or e-mail.
* Each form carries a QR code of the public look-up address ``/tra-cuu/<code>?t=<token>``,
  absolute when ``base_url`` (or the setting ``CAICACH_PUBLIC_URL``) is known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

import caicach.core
from caicach.calendars.rules import VN_TZ
from caicach.core.errors import BilingualError, ConflictError
from caicach.dossiers.models import Dossier, DossierEvent, Referral
from caicach.dossiers.privacy import PRINTED_FORMS, applicant_view
from caicach.dossiers.workflow import DossierAction, DossierState

__all__ = [
    "FONT_DIR",
    "FORMS",
    "FormNotAvailableError",
    "UnknownFormError",
    "applicable_forms",
    "form_unavailable",
    "lookup_url",
    "render_form",
    "render_form_html",
    "render_register",
    "render_register_html",
]

FONT_DIR = Path(caicach.core.__file__).resolve().parent / "static" / "caicach" / "fonts"
#: The CSS family name of the shipped files: not the system's "Liberation Serif", so a face
#: missing from FONT_DIR can never be taken from the fonts installed on the machine.
FONT_FAMILY = "Caicach Liberation Serif"


@dataclass(frozen=True)
class FormSpec:
    number: str  # the form's number in TT 01/2018 (TT 03/2025 for the stop notice)
    title: str
    title_en: str


#: The forms of a dossier, by the name used in the API.
FORMS: dict[str, FormSpec] = {
    "receipt": FormSpec("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "receipt slip"),
    "supplement": FormSpec("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "supplement request"),
    "refusal": FormSpec("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "refusal"),
    "apology": FormSpec("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "apology"),
    "stop": FormSpec("05", "Thông báo dừng giải quyết hồ sơ", "stop notice"),
    "control_sheet": FormSpec(
        "06", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "processing control sheet"
    ),
}


class UnknownFormError(BilingualError):
    status = 404
    code = "unknown_form"

    def __init__(self, form: str) -> None:
        shown = str(form)[:40]
        super().__init__(f"Không có biểu mẫu “{shown}”.", f"Unknown form “{shown}”.")


class FormNotAvailableError(ConflictError):
    """The dossier's history does not support this form (HTTP 409)."""

    code = "form_not_available"


# --------------------------------------------------------------------------------------------
# Formatting (Vietnamese administrative style, NĐ 30/2020/NĐ-CP)
# --------------------------------------------------------------------------------------------


def _local(value: datetime) -> datetime:
    return timezone.localtime(value, VN_TZ) if timezone.is_aware(value) else value


def place_name() -> str:
    """The place printed before the date: the province name without "tỉnh"/"thành phố"."""
    name = str(getattr(settings, "CAICACH_PROVINCE_NAME", "") or "").strip()
    return re.sub(r"^(tỉnh|thành phố|tp\.?)\s+", "", name, flags=re.IGNORECASE) or "…"


def long_date(day: date | datetime) -> str:
    """``ngày 05 tháng 02 năm 2026``: day below 10 and months 1-2 with a leading zero
    (NĐ 30/2020/NĐ-CP, appendix I)."""
    if isinstance(day, datetime):
        day = _local(day).date()
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_and_date(day: date | datetime) -> str:
    return f"{place_name()}, {long_date(day)}"


def time_and_date(value: datetime | None) -> str:
    """``09 giờ 30 phút, ngày 02/06/2025`` in Vietnam time."""
    if value is None:
        return ""
    local = _local(value)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def short_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{_local(value):%H:%M %d/%m/%Y}"


def short_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return f"{value:%d/%m/%Y}"


def _amount(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


def lookup_url(dossier: Dossier, base_url: str | None = None) -> str:
    """The public look-up address printed as a QR code: ``<base>/tra-cuu/<code>?t=<token>``."""
    base = base_url if base_url is not None else getattr(settings, "CAICACH_PUBLIC_URL", "")
    path = f"/tra-cuu/{quote(dossier.code, safe='')}?{urlencode({'t': dossier.lookup_token})}"
    return f"{str(base or '').rstrip('/')}{path}"


def qr_svg(data: str, size_mm: int = 24) -> str:
    """``data`` as an inline SVG QR code, ``size_mm`` wide."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=1,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    return re.sub(
        r'width="[^"]+" height="[^"]+"',
        f'width="{size_mm}mm" height="{size_mm}mm" role="img" aria-label="QR"',
        svg,
        count=1,
    )


def font_faces() -> str:
    """``@font-face`` rules for the shipped Liberation Serif, by absolute ``file://`` URL."""
    rules = []
    for weight, style, name in (
        ("normal", "normal", "Regular"),
        ("bold", "normal", "Bold"),
        ("normal", "italic", "Italic"),
        ("bold", "italic", "BoldItalic"),
    ):
        url = (FONT_DIR / f"LiberationSerif-{name}.ttf").as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
            f'font-style: {style}; src: url("{url}") format("truetype"); }}'
        )
    return "\n".join(rules)


# --------------------------------------------------------------------------------------------
# Context
# --------------------------------------------------------------------------------------------


def _officer(event: DossierEvent | None) -> str:
    if event is None:
        return ""
    user = event.actor
    if user is not None:
        full = (user.get_full_name() or "").strip()
        if full:
            return full
    return ""


def _last(events: list[DossierEvent], action: DossierAction) -> DossierEvent | None:
    found = [e for e in events if e.action == action.value]
    return found[-1] if found else None


def _reason(event: DossierEvent | None) -> str:
    if event is None:
        return ""
    return str((event.payload or {}).get("reason") or event.note or "").strip()


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _not_available(vi: str, en: str) -> FormNotAvailableError:
    return FormNotAvailableError(vi, en)


#: Why a form does not apply, by form: (Vietnamese, English).
_UNAVAILABLE: dict[str, tuple[str, str]] = {
    "supplement": (
        "Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện nên không in được phiếu yêu cầu bổ sung.",
        "No supplement was requested for this dossier, so there is no supplement request to print.",
    ),
    "refusal": (
        "Hồ sơ không bị từ chối nên không in được phiếu từ chối.",
        "The dossier was not refused, so there is no refusal to print.",
    ),
    "apology": (
        "Hồ sơ chưa có văn bản xin lỗi, hẹn lại ngày trả kết quả.",
        "No apology with a new return date was recorded for this dossier.",
    ),
    "stop": (
        "Hồ sơ không bị dừng giải quyết nên không in được thông báo dừng giải quyết.",
        "Processing of the dossier was not stopped, so there is no stop notice to print.",
    ),
}


def form_unavailable(
    dossier: Dossier, form: str, events: Iterable[DossierEvent]
) -> tuple[str, str] | None:
    """Why ``dossier``'s history does not support ``form`` (Vietnamese, English), or None when
    the form applies: the one rule of which forms apply, for the API (409) and the dossier
    page (the forms it offers). ``events`` are the dossier's events in order.

    The receipt (01) and the control sheet (06) apply to every dossier; the supplement request
    (02) once a supplement was requested; the apology (04) once one was recorded; the refusal
    (03) and the stop notice (05) only to a dossier refused or stopped."""
    if form not in FORMS:
        raise UnknownFormError(form)
    actions = {e.action for e in events}
    applies = {
        "supplement": DossierAction.REQUEST_SUPPLEMENT.value in actions,
        "refusal": dossier.state == DossierState.REFUSED.value
        and DossierAction.REFUSE.value in actions,
        "apology": DossierAction.APOLOGISE.value in actions,
        "stop": dossier.state == DossierState.STOPPED.value and DossierAction.STOP.value in actions,
    }.get(form, True)
    return None if applies else _UNAVAILABLE[form]


def applicable_forms(dossier: Dossier, events: Iterable[DossierEvent]) -> list[str]:
    """The forms :func:`form_unavailable` allows for ``dossier``, in the order of their numbers."""
    events = list(events)
    return [form for form in FORMS if form_unavailable(dossier, form, events) is None]


def public_base(request: Any) -> str | None:
    """The base of the look-up address printed on a form: None when the setting
    ``CAICACH_PUBLIC_URL`` is set (see :func:`lookup_url`), else the address the request came
    to."""
    if getattr(settings, "CAICACH_PUBLIC_URL", ""):
        return None
    return str(request.build_absolute_uri("/")).rstrip("/")


#: Longer names print their short name in the header, so the agency block stays within a
#: few lines of the left column (issue 16: a block wrapped over six lines).
HEADER_NAME_LIMIT = 60


def _header_name(agency: Any) -> str:
    name = str(agency.name)
    short = str(getattr(agency, "short_name", "") or "")
    return short if len(name) > HEADER_NAME_LIMIT and short else name


def _agency_header(agency: Any) -> dict[str, str]:
    parent = getattr(agency, "parent", None)
    return {
        "parent": _header_name(parent) if parent is not None else "",
        "name": _header_name(agency),
    }


_TIMELINESS_TEXT = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


def _history(dossier: Dossier, events: list[DossierEvent]) -> list[dict[str, Any]]:
    rows = []
    for number, event in enumerate(events, start=1):
        try:
            action = DossierAction(event.action).label_vi
        except ValueError:
            action = event.action
        try:
            state = DossierState(event.to_state).label_vi
        except ValueError:
            state = event.to_state
        reason = str((event.payload or {}).get("reason") or "").strip()
        note = " — ".join(dict.fromkeys(part for part in (reason, event.note.strip()) if part))
        rows.append(
            {
                "number": number,
                "at": short_datetime(event.at),
                "agency": event.agency.name if event.agency is not None else "",
                "officer": _officer(event) or event.actor_label,
                "action": action,
                "state": state,
                "note": note,
            }
        )
    return rows


def _handovers(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The hand-overs of form 06 (TT 01/2018): one row each time the dossier passes from one
    officer or unit to another, with the giver, the receiver, the time and what was done; the
    sheet leaves room for both signatures."""
    rows: list[dict[str, Any]] = []
    for giver, taker in pairwise(history):
        if (giver["officer"], giver["agency"]) == (taker["officer"], taker["agency"]):
            continue
        rows.append(
            {
                "number": len(rows) + 1,
                "at": taker["at"],
                "giver": giver["officer"],
                "giver_agency": giver["agency"],
                "taker": taker["officer"],
                "taker_agency": taker["agency"],
                "action": taker["action"],
                "state": taker["state"],
                "note": taker["note"],
            }
        )
    return rows


_REFERRAL_KIND_TEXT = {"consultation": "Xin ý kiến", "cooperation": "Phối hợp liên thông"}


def _referrals(dossier: Dossier) -> list[dict[str, Any]]:
    """The consultations and the supporting agencies' answers for the control sheet (NĐ 61/2018
    art. 19: the answers may go on the *Phiếu kiểm soát quá trình giải quyết hồ sơ*)."""
    rows = []
    for number, r in enumerate(
        Referral.objects.filter(dossier=dossier).select_related("agency").order_by("id"),
        start=1,
    ):
        if r.answered_at is not None:
            answer = r.answer
            status = "Trả lời quá hạn" if r.answered_late else "Đã trả lời"
            at = short_datetime(r.answered_at)
        elif r.deemed_agreed_at is not None:
            answer, status, at = "", "Quá hạn không trả lời, coi như đồng ý", ""
        else:
            answer, status, at = "", "Chờ trả lời", ""
        rows.append(
            {
                "number": number,
                "kind": _REFERRAL_KIND_TEXT.get(r.kind, r.kind),
                "agency": r.agency.name,
                "question": r.question,
                "due": short_datetime(r.due_at),
                "answer": answer,
                "answered_at": at,
                "status": status,
            }
        )
    return rows


def form_context(dossier: Dossier, form: str, *, base_url: str | None = None) -> dict[str, Any]:
    """What the template of ``form`` needs; raises :class:`FormNotAvailableError` (409) when the
    dossier's history does not support the form."""
    if form not in FORMS:
        raise UnknownFormError(form)
    spec = FORMS[form]
    events = list(
        DossierEvent.objects.filter(dossier=dossier)
        .select_related("actor", "agency")
        .order_by("id")
    )
    unavailable = form_unavailable(dossier, form, events)
    if unavailable is not None:
        raise _not_available(*unavailable)
    version = dossier.procedure_version
    applicant = dossier.applicant
    person = applicant_view(applicant, PRINTED_FORMS)
    receipt = _last(events, DossierAction.RECEIVE)
    issued: datetime = dossier.received_at
    agency = dossier.receiving_agency
    extra: dict[str, Any] = {}

    if form == "supplement":
        event = _last(events, DossierAction.REQUEST_SUPPLEMENT)
        assert event is not None  # form_unavailable
        issued = event.at
        extra = {
            "reason": _reason(event),
            "officer": _officer(event),
            "event": event,
            # Per document, with its reason, when the request named them (supplements).
            "missing": list((event.payload or {}).get("missing") or []),
        }
    elif form == "refusal":
        event = _last(events, DossierAction.REFUSE)
        assert event is not None  # form_unavailable
        issued = event.at
        agency = event.agency or agency
        at_desk = event.from_state == DossierState.RECEIVED.value
        extra = {
            "reason": _reason(event),
            "officer": _officer(event),
            # At the desk, form 03; after appraisal, the refusal to decide (NĐ 61/2018 art. 19).
            "title": spec.title if at_desk else "Phiếu từ chối giải quyết hồ sơ",
            "signer": "Người tiếp nhận hồ sơ" if at_desk else "Thủ trưởng cơ quan",
            "signer_hint": "(Ký và ghi rõ họ tên)"
            if at_desk
            else "(Ký, ghi rõ họ tên và đóng dấu)",
        }
    elif form == "apology":
        event = _last(events, DossierAction.APOLOGISE)
        assert event is not None  # form_unavailable
        issued = event.at
        agency = dossier.deciding_agency
        payload = event.payload or {}
        extra = {
            "reason": _reason(event),
            "officer": _officer(event),
            "previous_due": time_and_date(_parse(payload.get("previous_due_at"))),
            "new_due": time_and_date(_parse(payload.get("due_at")) or dossier.due_at),
        }
    elif form == "stop":
        event = _last(events, DossierAction.STOP)
        assert event is not None  # form_unavailable
        issued = event.at
        agency = dossier.deciding_agency
        extra = {"reason": _reason(event), "officer": _officer(event)}
    elif form == "control_sheet":
        history = _history(dossier, events)
        extra = {
            "history": history,
            "handovers": _handovers(history),
            "referrals": _referrals(dossier),
            "timeliness": _TIMELINESS_TEXT.get(dossier.timeliness, ""),
            "finished_at": time_and_date(dossier.finished_at),
            "returned_at": time_and_date(dossier.returned_at),
        }

    url = lookup_url(dossier, base_url)
    return {
        "form": form,
        "spec": spec,
        "font_faces": font_faces(),
        "font_family": FONT_FAMILY,
        "agency": _agency_header(agency),
        "receiving_agency": dossier.receiving_agency.name,
        "deciding_agency": dossier.deciding_agency.name,
        "place_date": place_and_date(issued),
        "dossier": dossier,
        "code": dossier.code,
        "procedure_name": version.name,
        "procedure_code": dossier.procedure.code,
        "statutory": f"{_amount(version.statutory_value)} {version.get_statutory_unit_display()}",
        "promised": f"{_amount(version.promised_value)} {version.get_statutory_unit_display()}",
        "channel": dossier.get_channel_display(),
        "applicant_name": person.full_name,
        "applicant_is_person": person.kind == "person",
        "applicant_id": person.id_number,
        "representative": person.representative,
        # As the printed forms' disclosure shows them (caicach.dossiers.privacy).
        "applicant_address": person.address,
        "applicant_phone": person.phone,
        "applicant_tax_code": "" if person.kind == "person" else person.tax_code,
        "register_year": timezone.localtime(dossier.received_at).year,
        "components": [c.name for c in dossier.components.all()],
        "received": time_and_date(dossier.received_at),
        # The receipt in force: after a supplement, the complete dossier's arrival (the time
        # limit is recounted from it), with the first receipt recalled.
        "receipt_at": time_and_date(dossier.clock_started_at),
        "first_received": time_and_date(dossier.received_at)
        if dossier.clock_started_at != dossier.received_at
        else "",
        "received_date": long_date(dossier.received_at),
        "due": time_and_date(dossier.due_at),
        # Issue 16: counted over a year whose days off are not announced yet (regulations §4.4).
        "due_provisional": dossier.due_provisional,
        "due_year": timezone.localtime(dossier.due_at).year,
        "receiver": _officer(receipt),
        "result_name": version.result_name,
        "register_number": dossier.sequence,
        "lookup_url": url,
        "qr": qr_svg(url, 20),
        **extra,
    }


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/")
    return bytes(document.write_pdf())


def render_form_html(dossier: Dossier, form: str, *, base_url: str | None = None) -> str:
    context = form_context(dossier, form, base_url=base_url)
    return str(render_to_string(f"dossiers/forms/{form}.html", context))


def render_form(dossier: Dossier, form: str, *, base_url: str | None = None) -> bytes:
    """One form of ``dossier`` as an A5 PDF (the register is :func:`render_register`)."""
    return _pdf(render_form_html(dossier, form, base_url=base_url))


def register_context(
    agency: Any, date_from: date, date_to: date, dossiers: Iterable[Dossier]
) -> dict[str, Any]:
    rows = []
    for number, d in enumerate(dossiers, start=1):
        rows.append(
            {
                "number": number,
                "code": d.code,
                "procedure": d.procedure_version.name,
                "applicant": d.applicant.full_name,
                "components": len(d.components.all()),
                "deciding": d.deciding_agency.name,
                "received": short_datetime(d.received_at),
                "due": short_datetime(d.due_at),
                "finished": short_datetime(d.finished_at),
                "returned": short_datetime(d.returned_at),
                "state": DossierState(d.state).label_vi if d.state else "",
                "timeliness": _TIMELINESS_TEXT.get(d.timeliness, ""),
            }
        )
    return {
        "font_faces": font_faces(),
        "font_family": FONT_FAMILY,
        "agency": _agency_header(agency),
        "place_date": place_and_date(timezone.now()),
        "date_from": short_date(date_from),
        "date_to": short_date(date_to),
        "rows": rows,
    }


def render_register_html(
    agency: Any, date_from: date, date_to: date, dossiers: Iterable[Dossier]
) -> str:
    context = register_context(agency, date_from, date_to, dossiers)
    return str(render_to_string("dossiers/forms/register.html", context))


def render_register(
    agency: Any, date_from: date, date_to: date, dossiers: Iterable[Dossier]
) -> bytes:
    """The dossier register (*sổ theo dõi hồ sơ*, TT 01/2018 form 06) of ``agency`` for the
    given dossiers (already scoped and ordered by the caller), A4 landscape. Pass dossiers with
    ``procedure_version``, ``applicant``, ``deciding_agency`` and ``components`` prefetched."""
    return _pdf(render_register_html(agency, date_from, date_to, dossiers))
