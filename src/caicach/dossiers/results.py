"""The result document of a dossier and the applicant's digitised store (issue 13).

* :func:`attach_result`: at "result ready" (NĐ 61/2018 art. 20) the officer attaches the
  result. A file is checked like every upload (:func:`~caicach.dossiers.inputs.sniff`: PDF,
  JPEG or PNG by content; stored under a server-chosen name). An issued file makes the result
  electronic (NĐ 45/2020 art. 25) and is copied into the applicant's store
  (:class:`~caicach.dossiers.models.StoredDocument`, glossary ``DocumentStore``) with a
  reference a later intake quotes to reuse it (NĐ 107/2021, regulations §3.2).
* :func:`check_store_references`: an intake quoting a reference that exists in the store must be
  the same applicant's (same citizen ID, or same tax code); a reference unknown here (another
  system's store) is accepted as before.
* :func:`digitisation_by_tier`: electronic results / results per agency tier (province,
  commune, the legacy district tier), the per-tier digitisation targets of the plans.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError, ConflictError
from caicach.core.text import row_id
from caicach.dossiers.history import counted_change
from caicach.dossiers.inputs import (
    MAX_COMPONENT_BYTES,
    ComponentInput,
    DossierInputError,
    clean_key,
    invalid,
    sniff,
    stored_name,
)
from caicach.dossiers.models import (
    Applicant,
    Dossier,
    DossierResult,
    StoredDocument,
    StoredDocumentSource,
)
from caicach.dossiers.scope import ComponentFileNotFoundError, DossierNotFoundError, acting_roles
from caicach.dossiers.work import locked_dossier
from caicach.dossiers.workflow import DossierState

#: States in which the result may be attached: the decision is signed and the result is
#: ready or being handed back (art. 20).
ATTACHABLE_STATES = frozenset({DossierState.RESULT_READY.value})


#: Every reference of this installation's store starts with it, so an intake quoting another
#: system's reference (e.g. ``KHO-0001``) costs no query (the intake's query budget).
STORE_PREFIX = "KQ-"


def new_store_reference() -> str:
    """A reference of the store: ``KQ-`` and 16 random hex digits (unguessable)."""
    return STORE_PREFIX + secrets.token_hex(8).upper()


def attach_result(
    actor: Actor,
    code: str,
    *,
    name: str,
    content: bytes | None = None,
) -> DossierResult:
    """Attach the result of dossier ``code`` (in the actor's scope, 404 otherwise; the actor
    must hold a workflow role on it, 403). ``content``: the issued file (electronic result);
    without it, a paper result is recorded. 409 outside "result ready"."""
    name = " ".join(str(name or "").split())
    if not name or len(name) > 500:
        raise invalid(
            "name",
            "Cần nhập tên kết quả (tối đa 500 ký tự).",
            "The result's name is required (500 characters at most).",
        )
    content_type = ""
    if content is not None:
        if not content:
            raise invalid("file", "Tệp kết quả rỗng.", "The result file is empty.")
        if len(content) > MAX_COMPONENT_BYTES:
            raise invalid("file", "Tệp quá lớn (tối đa 20 MB).", "The file is too large (20 MB).")
        content_type = sniff(content[:16])
        if not content_type:
            raise invalid(
                "file",
                "Nội dung tệp không phải PDF, JPEG hay PNG.",
                "The file's content is not PDF, JPEG or PNG.",
            )
    with transaction.atomic():
        dossier = locked_dossier(code, actor.user)
        if not acting_roles(actor.user, dossier):
            raise BilingualError(
                "Bạn không có vai trò xử lý hồ sơ này.",
                "You hold no role on this dossier.",
                code="role",
                status=403,
            )
        if dossier.state not in ATTACHABLE_STATES:
            raise ConflictError(
                "Chỉ đính kèm kết quả khi hồ sơ đã có kết quả, chờ trả.",
                "The result is attached when the dossier's result is ready.",
                code="not_result_ready",
            )
        now = timezone.now()
        result = DossierResult(
            dossier=dossier,
            name=name,
            issued_at=now,
            issued_by=actor.user,
            electronic=content is not None,
        )
        stored: StoredDocument | None = None
        if content is not None:
            digest_name = stored_name(content, content_type)
            result.content_type = content_type
            result.size = len(content)
            result.sha256 = digest_name.split(".")[0]
            result.file.save(digest_name, ContentFile(content), save=False)
            stored = StoredDocument(
                applicant=dossier.applicant,
                reference=new_store_reference(),
                name=name,
                source=StoredDocumentSource.RESULT,
                source_dossier=dossier,
                sha256=result.sha256,
                created_at=now,
            )
            stored.file.save(digest_name, ContentFile(content), save=False)
            stored.save()
        result.save()
        if result.electronic and not dossier.has_electronic_result:
            with counted_change(dossier.pk):
                Dossier.objects.filter(pk=dossier.pk).update(has_electronic_result=True)
            dossier.has_electronic_result = True
        record(
            actor,
            "dossier.result_attached",
            dossier,
            agency=dossier.current_agency,
            changes={
                "result": result.pk,
                "electronic": result.electronic,
                "sha256": result.sha256,
                "store_reference": stored.reference if stored else "",
            },
        )
    result.store_reference = stored.reference if stored else ""  # type: ignore[attr-defined]
    return result


def result_file(user: Any, code: str, result_id: Any) -> DossierResult:
    """A result file of a dossier in ``user``'s scope (404 otherwise), for the scoped view."""
    key = clean_key(code, upper=True)
    dossier_id = (
        Dossier.objects.visible_to(user).filter(code=key).values_list("pk", flat=True).first()
        if key
        else None
    )
    if dossier_id is None:
        raise DossierNotFoundError(code)
    pk = row_id(result_id)
    found = (
        DossierResult.objects.filter(dossier_id=dossier_id, pk=pk).exclude(file="").first()
        if pk is not None
        else None
    )
    if found is None:
        raise ComponentFileNotFoundError()
    return found


def _same_applicant(owner: Applicant, applicant: Any) -> bool:
    if owner.id_number and owner.id_number == getattr(applicant, "id_number", ""):
        return True
    return bool(owner.tax_code) and owner.tax_code == getattr(applicant, "tax_code", "")


def check_store_references(applicant: Any, items: Iterable[ComponentInput]) -> None:
    """Each quoted reference that exists in the store belongs to this applicant (same citizen
    ID or tax code), else 400 on that component; one query, none without references of this
    store (:data:`STORE_PREFIX`)."""
    quoted = {
        i: item.store_reference
        for i, item in enumerate(items)
        if item.store_reference.startswith(STORE_PREFIX)
    }
    if not quoted:
        return
    owners = {
        doc.reference: doc.applicant
        for doc in StoredDocument.objects.filter(reference__in=set(quoted.values())).select_related(
            "applicant"
        )
    }
    vi: dict[str, str] = {}
    en: dict[str, str] = {}
    for i, reference in quoted.items():
        owner = owners.get(reference)
        if owner is not None and not _same_applicant(owner, applicant):
            vi[f"components.{i}.store_reference"] = (
                "Giấy tờ này không thuộc kho dữ liệu của người nộp hồ sơ."
            )
            en[f"components.{i}.store_reference"] = (
                "This document is not in the applicant's document store."
            )
    if vi:
        raise DossierInputError(vi, en, code="store_reference_not_owned")


#: States of a dossier whose result was issued (processed: ready or handed back).
RESULT_STATES = (DossierState.RESULT_READY.value, DossierState.RETURNED.value)
#: Agency tiers of the digitisation targets (plans: 30/20/15 % in 2021 per tier).
TIERS = ("province", "district", "commune")


def digitisation_by_tier(dossiers: Any = None) -> dict[str, tuple[int, int]]:
    """``{tier: (electronic results, dossiers with a result)}`` over ``dossiers`` (default:
    every dossier) by the deciding agency's level (province, the legacy district tier,
    commune). A dossier has a result when it reached "result ready" or was returned (or has a
    result row); it counts electronic by the denormalised ``has_electronic_result``, so live,
    imported and generated dossiers count alike. One aggregate query."""
    qs = Dossier.objects.all() if dossiers is None else dossiers
    with_result = Q(state__in=RESULT_STATES) | Q(has_electronic_result=True)
    rows = (
        qs.filter(with_result)
        .order_by()
        .values("deciding_agency__level")
        .annotate(
            total=Count("pk"),
            electronic=Count("pk", filter=Q(has_electronic_result=True)),
        )
    )
    out = {tier: (0, 0) for tier in TIERS}
    for row in rows:
        out[str(row["deciding_agency__level"])] = (row["electronic"], row["total"])
    return out
