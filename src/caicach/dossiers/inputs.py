"""What a receipt's input must be: the applicant, the documents and their files, cleaned and
checked field by field (pure of the database).

Errors are :class:`DossierInputError`, one message per field path in Vietnamese and English
(the API answers 400 with ``errors`` and ``errors_vi``). Files are recognised by their first
bytes (:func:`sniff`), never by the name or the type a client claims. Identity numbers follow
:mod:`caicach.dossiers.identity` (CCCD, tax code, phone; regulations §1).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.utils.text import get_valid_filename

from caicach.calendars.rules import (
    VN_TZ,
)
from caicach.core.errors import BilingualError
from caicach.dossiers.identity import (
    IdentityError,
    validate_citizen_id,
    validate_phone,
    validate_tax_code,
)
from caicach.dossiers.models import (
    ApplicantKind,
)

MAX_COMPONENT_BYTES = 20 * 1024 * 1024
MAX_COMPONENTS = 50
#: What an attached file may be (issue 3: PDF, JPEG, PNG only), recognised by its first bytes:
#: the name and the content type a client claims are not trusted.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
ALLOWED_CONTENT_TYPES = frozenset(SIGNATURES)


#: The extension of a stored file, from its sniffed type (never from the client's name).
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def stored_name(content: bytes, content_type: str) -> str:
    """The server-chosen name of an uploaded or generated file: its SHA-256 and the extension of
    its sniffed type. A client's name (``evil.html``) never reaches the disk, so no server or
    browser can take the file for something else (issue 17)."""
    return hashlib.sha256(content).hexdigest() + EXTENSIONS.get(content_type, ".bin")


def sniff(head: bytes) -> str:
    """The content type the bytes show, or "" when they are none of PDF, JPEG, PNG."""
    for content_type, signatures in SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return content_type
    return ""


# A receipt time may be a little ahead of the server clock (a desk PC's clock), never more.
FUTURE_LEEWAY = timedelta(minutes=2)
KEY_SHAPE = re.compile(r"^[\x21-\x7e]{1,255}$")
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class DossierInputError(BilingualError):
    """Bad input, one message per field path (``applicant.id_number``, ``components.0.content``)
    in Vietnamese and English; the API returns 400 with ``errors`` and ``errors_vi``."""

    def __init__(
        self, errors_vi: dict[str, str], errors_en: dict[str, str], *, code: str = "invalid"
    ) -> None:
        super().__init__(
            " ".join(errors_vi.values()),
            " ".join(errors_en.values()),
            code=code,
            errors={key: [value] for key, value in errors_en.items()},
        )
        self.errors_vi = errors_vi
        self.errors_en = errors_en


def clean_key(value: Any, max_length: int = 40, *, upper: bool = False) -> str:
    """A code typed or sent by a client, stripped; empty when it cannot be a code (too long, or
    control characters such as NUL, which PostgreSQL text refuses)."""
    text = str(value or "").strip()
    if len(text) > max_length or not text.isprintable():
        return ""
    return text.upper() if upper else text


def invalid(field_name: str, vi: str, en: str, code: str = "invalid") -> DossierInputError:
    return DossierInputError({field_name: vi}, {field_name: en}, code=code)


@dataclass(frozen=True)
class ApplicantInput:
    """The applicant as entered. ``full_name`` is the person's or the organisation's name."""

    kind: str = ApplicantKind.PERSON.value
    full_name: str = ""
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    tax_code: str = ""
    representative: str = ""


@dataclass(frozen=True)
class ComponentInput:
    """A received document: ``content`` (the scan or upload) or ``store_reference`` (a document
    in the applicant's digitised store, reused). ``component_id`` or, failing that, the name
    links it to the procedure's component."""

    name: str = ""
    component_id: int | None = None
    content: bytes | None = field(default=None, repr=False)
    filename: str = ""
    content_type: str = ""
    store_reference: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest() if self.content is not None else ""


def as_applicant(value: ApplicantInput | Mapping[str, Any]) -> ApplicantInput:
    if isinstance(value, ApplicantInput):
        return value
    known = {k: ("" if v is None else v) for k, v in value.items() if k in _APPLICANT_FIELDS}
    return ApplicantInput(**known)


def as_component(value: ComponentInput | Mapping[str, Any]) -> ComponentInput:
    if isinstance(value, ComponentInput):
        return value
    known = {k: v for k, v in value.items() if k in _COMPONENT_FIELDS}
    return ComponentInput(**known)


#: The applicant's fields, in order: one list for the forms, the API, the export and the import.
APPLICANT_FIELDS: tuple[str, ...] = tuple(ApplicantInput.__dataclass_fields__)
_APPLICANT_FIELDS = frozenset(APPLICANT_FIELDS)
_COMPONENT_FIELDS = frozenset(ComponentInput.__dataclass_fields__)


def clean_applicant(data: ApplicantInput, today: date) -> ApplicantInput:
    """Validate and normalise the applicant; all field errors at once."""
    vi: dict[str, str] = {}
    en: dict[str, str] = {}

    def fail(name: str, message_vi: str, message_en: str) -> None:
        vi[f"applicant.{name}"] = message_vi
        en[f"applicant.{name}"] = message_en

    kind = str(data.kind or "").strip()
    if kind not in ApplicantKind.values:
        fail(
            "kind",
            "Loại người nộp phải là cá nhân hoặc tổ chức.",
            "Kind must be person or organisation.",
        )
    full_name = " ".join(str(data.full_name or "").split())
    if not full_name:
        fail("full_name", "Chưa nhập họ tên (hoặc tên tổ chức).", "The name is required.")
    elif len(full_name) > 300:
        fail(
            "full_name",
            "Tên quá dài (tối đa 300 ký tự).",
            "The name is too long (300 characters at most).",
        )
    cleaned: dict[str, str] = {}
    id_number = str(data.id_number or "").strip()
    if id_number:
        try:
            cleaned["id_number"] = validate_citizen_id(id_number, as_of=today)
        except IdentityError as error:
            fail("id_number", error.message_vi, error.message_en)
    elif kind == ApplicantKind.PERSON:
        fail(
            "id_number",
            "Chưa nhập số định danh cá nhân (CCCD) của người nộp.",
            "The applicant's citizen ID is required.",
        )
    tax_code = str(data.tax_code or "").strip()
    if tax_code:
        try:
            cleaned["tax_code"] = validate_tax_code(tax_code, as_of=today)
        except IdentityError as error:
            fail("tax_code", error.message_vi, error.message_en)
    elif kind == ApplicantKind.ORGANISATION:
        fail(
            "tax_code",
            "Chưa nhập mã số thuế của tổ chức.",
            "The organisation's tax code is required.",
        )
    phone = str(data.phone or "").strip()
    if phone:
        try:
            cleaned["phone"] = validate_phone(phone)
        except IdentityError as error:
            fail("phone", error.message_vi, error.message_en)
    email = str(data.email or "").strip()
    if email and (len(email) > 254 or not EMAIL_SHAPE.match(email)):
        fail("email", "Địa chỉ thư điện tử không hợp lệ.", "Invalid e-mail address.")
    address = " ".join(str(data.address or "").split())
    if len(address) > 300:
        fail(
            "address",
            "Địa chỉ quá dài (tối đa 300 ký tự).",
            "The address is too long (300 at most).",
        )
    representative = " ".join(str(data.representative or "").split())
    if len(representative) > 200:
        fail(
            "representative",
            "Tên người đại diện quá dài (tối đa 200 ký tự).",
            "The representative's name is too long (200 at most).",
        )
    if vi:
        raise DossierInputError(vi, en)
    return ApplicantInput(
        kind=kind,
        full_name=full_name,
        id_number=cleaned.get("id_number", ""),
        phone=cleaned.get("phone", ""),
        email=email,
        address=address,
        tax_code=cleaned.get("tax_code", ""),
        representative=representative,
    )


def clean_components(items: Sequence[ComponentInput]) -> list[ComponentInput]:
    """Shape of each received document (linking to the procedure comes later)."""
    if len(items) > MAX_COMPONENTS:
        raise invalid(
            "components",
            f"Tối đa {MAX_COMPONENTS} thành phần hồ sơ.",
            f"At most {MAX_COMPONENTS} components.",
        )
    vi: dict[str, str] = {}
    en: dict[str, str] = {}
    out: list[ComponentInput] = []
    for i, item in enumerate(items):
        key = f"components.{i}"
        name = " ".join(str(item.name or "").split())
        if len(name) > 500:
            vi[f"{key}.name"] = "Tên giấy tờ quá dài (tối đa 500 ký tự)."
            en[f"{key}.name"] = "The document name is too long (500 at most)."
        reference = str(item.store_reference or "").strip()
        has_content = item.content is not None
        if has_content == bool(reference):
            vi[key] = (
                "Mỗi giấy tờ cần đúng một trong hai: tệp đính kèm hoặc mã giấy tờ trong kho dữ liệu."
            )
            en[key] = (
                "Each document needs exactly one of: an attached file or a document-store reference."
            )
            continue
        if len(reference) > 200:
            vi[f"{key}.store_reference"] = "Mã giấy tờ quá dài (tối đa 200 ký tự)."
            en[f"{key}.store_reference"] = "The store reference is too long (200 at most)."
        content_type = ""
        filename = ""
        if has_content:
            size = len(item.content or b"")
            if size == 0:
                vi[f"{key}.content"] = "Tệp đính kèm rỗng."
                en[f"{key}.content"] = "The attached file is empty."
            elif size > MAX_COMPONENT_BYTES:
                vi[f"{key}.content"] = "Tệp quá lớn (tối đa 20 MB)."
                en[f"{key}.content"] = "The file is too large (20 MB at most)."
            content_type = sniff((item.content or b"")[:16])
            if size and not content_type:
                vi[f"{key}.content_type"] = (
                    "Nội dung tệp không phải PDF, JPEG hay PNG (không xét tên hay loại tệp khai báo)."
                )
                en[f"{key}.content_type"] = (
                    "The file's content is not PDF, JPEG or PNG (its name and declared type are "
                    "not trusted)."
                )
            filename = safe_filename(str(item.filename or ""))
        out.append(
            ComponentInput(
                name=name,
                component_id=item.component_id,
                content=item.content,
                filename=filename,
                content_type=content_type if has_content else "",
                store_reference=reference,
            )
        )
    if vi:
        raise DossierInputError(vi, en)
    return out


def safe_filename(name: str) -> str:
    """The last path part of a client's file name, without leading dots, safe for storage."""
    base = re.split(r"[/\\]", name.strip())[-1].lstrip(".").strip()
    try:
        return get_valid_filename(base)[-120:] if base else "tep"
    except SuspiciousFileOperation:
        return "tep"


def aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=VN_TZ)
    return value
