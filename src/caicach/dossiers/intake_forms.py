"""The counter intake form (*tiếp nhận hồ sơ tại bộ phận một cửa*, NĐ 61/2018 art. 17).

The form only shapes the input: the applicant's identity, the components and the rules of a
receipt are checked by :func:`caicach.dossiers.services.receive_dossier`, whose Vietnamese
messages (keyed ``applicant.id_number``, ``components.0.content`` ...) the view puts next to
the fields. What the form checks itself is what the service cannot see: which procedures and
desks the officer may choose, and that an uploaded file really is the PDF or image it claims
to be (its first bytes, not the browser's content type).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caicach.accounts.access import receipt_reach, scope_paths
from caicach.agencies.models import Agency
from caicach.core.i18n import is_english
from caicach.core.text import normalise
from caicach.dossiers import held_files
from caicach.dossiers.held_files import Held
from caicach.dossiers.inputs import DossierInputError, as_applicant, clean_applicant
from caicach.dossiers.services import MAX_COMPONENT_BYTES, ComponentInput, sniff
from caicach.dossiers.targets import deciding_choices
from caicach.procedures.models import Component, Procedure, ProcedureVersion

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def new_key() -> str:
    """An idempotency key for one rendering of the form (a double submit reuses it)."""
    return f"quay-{secrets.token_urlsafe(24)}"


def receiving_agencies(user: Any) -> QuerySet[Agency]:
    """The desks where ``user`` may receive: the agencies of their receiver roles (not the
    whole subtree: a receipt is numbered by the desk that takes it), in operation today."""
    paths = scope_paths(user, "dossiers.receive")
    if not paths:
        return Agency.objects.none()
    return Agency.objects.valid_on(timezone.localdate()).filter(path__in=paths).order_by("path")


def receivable_procedures(user: Any, text: str = "") -> QuerySet[Procedure]:
    """Active procedures handled where the officer's desks receive for
    (:func:`caicach.accounts.access.receipt_reach`: the desk's tree and the agencies above it;
    the whole province for a provincial service centre); ``text`` searches code and name
    without diacritics."""
    subtrees, singles = receipt_reach(user)
    if not subtrees:
        return Procedure.objects.none()
    condition = Q(handling_agencies__path__in=singles)
    for path in subtrees:
        condition |= Q(handling_agencies__path__startswith=path)
    ids = Procedure.objects.filter(condition).values("pk")
    rows = Procedure.objects.filter(pk__in=ids, is_active=True)
    words = normalise(text).split()
    for word in words[:8]:
        rows = rows.filter(search_text__contains=word)
    return rows.order_by("code")


@dataclass
class ChecklistRow:
    """One component of the procedure, with the names of its fields in the form."""

    component: Component
    file_field: str
    ref_field: str
    held_field: str

    @property
    def reusable(self) -> bool:
        return bool(self.component.reusable)


class IntakeForm(forms.Form):
    """The counter form. ``version`` (the procedure's version in force, chosen in the first
    step) adds one file field per component and a store reference for reusable ones."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=255)
    procedure = forms.ChoiceField(
        label=_("Thủ tục hành chính"),
        error_messages={
            "required": _("Chưa chọn thủ tục hành chính."),
            "invalid_choice": _("Thủ tục này không thuộc các thủ tục đơn vị bạn tiếp nhận."),
        },
    )
    channel = forms.ChoiceField(
        label=_("Kênh nộp"),
        choices=[("counter", _("Trực tiếp tại bộ phận một cửa")), ("post", _("Qua bưu chính"))],
        initial="counter",
        widget=forms.RadioSelect,
        error_messages={"required": _("Chưa chọn kênh nộp.")},
    )
    receiving_agency = forms.ChoiceField(
        label=_("Cơ quan tiếp nhận"),
        required=False,
        error_messages={
            "required": _("Chưa chọn cơ quan tiếp nhận."),
            "invalid_choice": _("Bạn không được tiếp nhận hồ sơ tại cơ quan này."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Người nộp là"),
        choices=[("person", _("Cá nhân")), ("organisation", _("Tổ chức"))],
        initial="person",
        widget=forms.RadioSelect,
        error_messages={"required": _("Chưa chọn loại người nộp.")},
    )
    full_name = forms.CharField(
        label=_("Họ tên người nộp / tên tổ chức"),
        max_length=300,
        error_messages={"required": _("Chưa nhập họ tên (hoặc tên tổ chức).")},
    )
    id_number = forms.CharField(
        label=_("Số định danh cá nhân (CCCD)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Điện thoại"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("Thư điện tử"),
        required=False,
        max_length=254,
        widget=forms.EmailInput,
    )
    address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=300)
    tax_code = forms.CharField(label=_("Mã số thuế"), required=False, max_length=20)
    representative = forms.CharField(label=_("Người đại diện"), required=False, max_length=200)

    def __init__(
        self,
        *args: Any,
        user: Any,
        version: ProcedureVersion | None,
        procedures: QuerySet[Procedure],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.owner_id = int(user.pk)
        #: The held file (issue 16) each file field uses or keeps, by field name.
        self.held: dict[str, Held] = {}
        self.fields["procedure"].choices = [("", _("— Chọn thủ tục —"))] + [
            (p.code, f"{p.code} · {p.name}") for p in procedures
        ]
        desks = list(receiving_agencies(user))
        self.desks = {str(a.pk): a for a in desks}
        self.fields["receiving_agency"].choices = [(str(a.pk), a.name) for a in desks]
        if len(desks) == 1:
            self.fields["receiving_agency"].initial = str(desks[0].pk)
            self.fields["receiving_agency"].widget = forms.HiddenInput()
        self.deciding: dict[str, Agency] = {}
        desk = self._chosen_desk(desks)
        if version is not None and desk is not None:
            self._add_deciding(version, desk)
        self.checklist: list[ChecklistRow] = []
        if version is not None:
            for component in version.components.order_by("order", "id"):
                row = ChecklistRow(
                    component,
                    f"tp-{component.pk}-tep",
                    f"tp-{component.pk}-kho",
                    f"tp-{component.pk}-giu",
                )
                self.fields[row.held_field] = forms.CharField(
                    required=False, max_length=40, widget=forms.HiddenInput
                )
                self.fields[row.file_field] = forms.FileField(
                    label=component.name,
                    required=False,
                    widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
                )
                if row.reusable:
                    self.fields[row.ref_field] = forms.CharField(
                        label=_("Mã giấy tờ trong kho dữ liệu số hóa"),
                        required=False,
                        max_length=200,
                    )
                self.checklist.append(row)

    def _chosen_desk(self, desks: list[Agency]) -> Agency | None:
        if len(desks) == 1:
            return desks[0]
        chosen = self.data.get("receiving_agency") if self.is_bound else None
        chosen = chosen or self.initial.get("receiving_agency")
        return next((d for d in desks if str(d.pk) == str(chosen)), None)

    def _add_deciding(self, version: ProcedureVersion, desk: Agency) -> None:
        """The deciding agency (*cơ quan giải quyết*) when the desk receives for more than one
        (:func:`caicach.dossiers.targets.deciding_choices`, e.g. a provincial service centre
        receiving a commune procedure): a choice, preset to the desk's own authority if any."""
        choices = deciding_choices(version.procedure, desk)
        if len(choices) < 2:
            return
        self.deciding = {str(a.pk): a for a in choices}
        own = desk.path.startswith(choices[0].path)
        self.fields["deciding_agency"] = forms.ChoiceField(
            label=_("Cơ quan giải quyết hồ sơ"),
            choices=([] if own else [("", _("— Chọn cơ quan giải quyết —"))])
            + [(str(a.pk), a.name) for a in choices],
            initial=str(choices[0].pk) if own else "",
            error_messages={
                "required": _("Chưa chọn cơ quan giải quyết."),
                "invalid_choice": _("Cơ quan này không giải quyết thủ tục này cho nơi tiếp nhận."),
            },
        )

    def bound_rows(self) -> list[dict[str, Any]]:
        """The checklist for the template: component, file field, store field."""
        return [
            {
                "component": row.component,
                "file": self[row.file_field],
                "ref": self[row.ref_field] if row.reusable else None,
                "held": self.held.get(row.file_field),
                "held_name": row.held_field,
            }
            for row in self.checklist
        ]

    @property
    def file_errors(self) -> bool:
        """Whether a file of the checklist was refused (it must be chosen again)."""
        return any(row.file_field in self.errors for row in self.checklist)

    def hold_valid_files(self) -> None:
        """After a failed submit, hold each upload that passed the checks so that the next
        submit can use it without choosing it again (:mod:`caicach.dossiers.held_files`)."""
        for row in self.checklist:
            upload = self.files.get(row.file_field)
            if not upload or row.file_field in self.errors:
                continue
            upload.seek(0)
            held = held_files.hold(self.owner_id, upload.name or "", upload.read())
            upload.seek(0)
            if held is None:
                continue
            previous = self.held.get(row.file_field)
            if previous is not None:
                held_files.release(self.owner_id, previous.token)
            self.held[row.file_field] = held

    def keep_held(self, data: Any) -> None:
        """Carry the held files of ``data`` (a posted form) over a search or a procedure
        choice, for the components the form still lists."""
        for row in self.checklist:
            token = str(data.get(row.held_field) or "")
            held = held_files.find(self.owner_id, token) if token else None
            if held is not None:
                self.held[row.file_field] = held

    def release_held(self) -> None:
        """Delete the held files once the dossier is received (they are stored with it)."""
        for held in self.held.values():
            held_files.release(self.owner_id, held.token)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("receiving_agency") and "receiving_agency" not in self.errors:
            if len(self.desks) == 1:
                data["receiving_agency"] = next(iter(self.desks))
            else:
                self.add_error("receiving_agency", _("Chưa chọn cơ quan tiếp nhận."))
        if self.version is None and not self.errors.get("procedure"):
            self.add_error("procedure", _("Chưa chọn thủ tục hành chính."))
        self._check_applicant(data or {})
        for row in self.checklist:
            upload = data.get(row.file_field)
            ref = (data.get(row.ref_field) or "").strip() if row.reusable else ""
            token = str(self.cleaned_data.get(row.held_field) or "").strip()
            if token:
                held = held_files.find(self.owner_id, token)
                if held is None and not upload:
                    self.add_error(
                        row.file_field,
                        _(
                            "Tệp đã giữ lại cho giấy tờ này không còn (hoặc không phải do bạn "
                            "tải lên): hãy chọn lại tệp."
                        ),
                    )
                    continue
                if upload:  # a new file replaces the held one
                    held_files.release(self.owner_id, token)
                elif held is not None:
                    self.held[row.file_field] = held
            if (upload or row.file_field in self.held) and ref:
                self.add_error(
                    row.file_field,
                    _("Chọn một trong hai: tải tệp lên hoặc lấy từ kho dữ liệu số hóa."),
                )
                continue
            if upload:
                self._check_upload(row.file_field, upload)
            elif row.file_field in self.held:
                continue
            elif not ref and row.component.required:
                self.add_error(
                    row.file_field,
                    _(
                        "Thành phần bắt buộc: hãy tải tệp lên hoặc nhập mã giấy tờ trong kho dữ "
                        "liệu số hóa. Nếu người nộp chưa có, hãy hướng dẫn bổ sung thay vì "
                        "tiếp nhận."
                    )
                    if row.reusable
                    else _(
                        "Thành phần bắt buộc: hãy tải tệp lên. Nếu người nộp chưa có, hãy hướng "
                        "dẫn bổ sung thay vì tiếp nhận."
                    ),
                )
        return data

    def _check_applicant(self, data: dict[str, Any]) -> None:
        """The service's identity checks (citizen ID, tax code, phone…) run here too, so that
        one failed submit shows every error, files and identity alike (issue 16)."""
        fields = ("kind", "full_name", "id_number", "phone", "email", "address", "tax_code",
                  "representative")  # fmt: skip
        try:
            clean_applicant(
                as_applicant({f: data.get(f) or "" for f in fields}), timezone.localdate()
            )
        except DossierInputError as error:
            english = is_english()
            for key, message_vi in error.errors_vi.items():
                name = key.removeprefix("applicant.")
                if name in self.fields and name not in self.errors:
                    text = error.errors_en.get(key, message_vi) if english else message_vi
                    self.add_error(name, text)

    def _check_upload(self, name: str, upload: Any) -> None:
        if upload.size > MAX_COMPONENT_BYTES:
            self.add_error(name, _("Tệp quá lớn (tối đa 20 MB)."))
            return
        if upload.size == 0:
            self.add_error(name, _("Tệp đính kèm rỗng."))
            return
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        found = sniff(head)
        if not found:
            self.add_error(
                name,
                _("Tệp “%(name)s” không phải PDF, JPEG hay PNG (nội dung tệp không khớp).")
                % {"name": upload.name[:80]},
            )
            return
        upload.sniffed_type = found

    # -- what goes to the service ---------------------------------------------------------------

    def receiving(self) -> Agency:
        return self.desks[self.cleaned_data["receiving_agency"]]

    def chosen_deciding(self) -> Agency | None:
        """The chosen deciding agency, or None for the service's default (only one)."""
        return self.deciding.get(self.cleaned_data.get("deciding_agency") or "")

    def applicant(self) -> dict[str, str]:
        d = self.cleaned_data
        fields = ["kind", "full_name", "id_number", "phone", "email", "address"]
        if d["kind"] == "organisation":
            fields += ["tax_code", "representative"]
        return {f: d.get(f) or "" for f in fields}

    def components(self) -> tuple[list[ComponentInput], list[str]]:
        """The service's inputs and, in the same order, the form field each one came from."""
        out: list[ComponentInput] = []
        origin: list[str] = []
        for row in self.checklist:
            upload = self.cleaned_data.get(row.file_field)
            ref = (self.cleaned_data.get(row.ref_field) or "").strip() if row.reusable else ""
            held = self.held.get(row.file_field)
            if not upload and held is not None:
                content = held.read(self.owner_id)
                out.append(
                    ComponentInput(
                        component_id=row.component.pk,
                        content=content,
                        filename=held.name,
                        content_type=sniff(content[:16]),
                    )
                )
            elif upload:
                out.append(
                    ComponentInput(
                        component_id=row.component.pk,
                        content=upload.read(),
                        filename=upload.name,
                        content_type=getattr(upload, "sniffed_type", ""),
                    )
                )
            elif ref:
                out.append(ComponentInput(component_id=row.component.pk, store_reference=ref))
            else:
                continue
            origin.append(row.ref_field if ref else row.file_field)
        return out, origin
