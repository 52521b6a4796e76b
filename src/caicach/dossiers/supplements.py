"""The supplement cycle per document (*yêu cầu bổ sung, hoàn thiện hồ sơ*, NĐ 61/2018 art.
17-19; form 02 lists what is missing or insufficient):

* :func:`clean_missing`: the request names the procedure's components that are missing or
  insufficient, each with its reason; the request's reason summarises them.
* :func:`supplied_rows`: when the supplement arrives, the desk attaches the supplied document
  for each one asked for (an upload, checked by content, or a reference to the digitised
  store); every document asked for must be there.

Both raise :class:`~caicach.dossiers.inputs.DossierInputError` (400, both languages).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.base import ContentFile

from caicach.dossiers.inputs import DossierInputError, sniff, stored_name
from caicach.dossiers.models import Dossier, DossierComponent, DossierEvent
from caicach.dossiers.workflow import DossierAction
from caicach.procedures.models import Component

MAX_REASON = 500
MAX_BYTES = 20 * 1024 * 1024


def _component_id(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def clean_missing(dossier: Dossier, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The documents a supplement request names: ``[{"component": id, "reason": text}]`` →
    ``[{"component", "name", "reason"}]``, each a component of the dossier's procedure
    version, once, with a reason."""
    declared = {c.pk: c for c in Component.objects.filter(version=dossier.procedure_version_id)}
    vi: dict[str, str] = {}
    en: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    if not items:
        vi["missing"] = "Chọn ít nhất một giấy tờ cần bổ sung."
        en["missing"] = "Choose at least one document to supplement."
    for i, item in enumerate(items):
        pk = _component_id(item.get("component"))
        component = declared.get(pk) if pk is not None else None
        reason = str(item.get("reason") or "").strip()
        if component is None:
            vi[f"missing.{i}.component"] = "Giấy tờ này không thuộc thành phần hồ sơ của thủ tục."
            en[f"missing.{i}.component"] = "This document is not a component of the procedure."
        elif component.pk in seen:
            vi[f"missing.{i}.component"] = f"“{component.name}” được chọn hai lần."
            en[f"missing.{i}.component"] = f"“{component.name}” is chosen twice."
        elif not reason:
            vi[f"missing.{i}.reason"] = f"Cần nêu lý do bổ sung “{component.name}”."
            en[f"missing.{i}.reason"] = f"Give the reason to supplement “{component.name}”."
        elif len(reason) > MAX_REASON:
            vi[f"missing.{i}.reason"] = "Lý do quá dài (tối đa 500 ký tự)."
            en[f"missing.{i}.reason"] = "The reason is too long (500 characters at most)."
        else:
            seen.add(component.pk)
            out.append({"component": component.pk, "name": component.name, "reason": reason})
    if vi:
        raise DossierInputError(vi, en)
    return out


def summary(missing: Sequence[Mapping[str, Any]]) -> str:
    """The request's reason from its documents: "Tờ khai: thiếu chữ ký; ..." (500 at most)."""
    text = "; ".join(f"{m['name']}: {m['reason']}" for m in missing)
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def requested(dossier: Dossier) -> list[dict[str, Any]]:
    """The documents the latest supplement request named (empty for a free-text request)."""
    event = (
        DossierEvent.objects.filter(dossier=dossier, action=DossierAction.REQUEST_SUPPLEMENT.value)
        .order_by("-id")
        .first()
    )
    return list((event.payload or {}).get("missing") or []) if event is not None else []


def supplied_rows(
    dossier: Dossier, items: Sequence[Mapping[str, Any]], asked: Sequence[Mapping[str, Any]]
) -> list[DossierComponent]:
    """The received documents of a supplement (not saved; files stored): ``items`` are
    ``{"component": id, "content": bytes | None, "store_reference": str}``; each document of
    ``asked`` (the request's) must be supplied, and only those when the request named any."""
    names = {int(m["component"]): str(m["name"]) for m in asked}
    if not names:
        declared = Component.objects.filter(version=dossier.procedure_version_id)
        names = {c.pk: c.name for c in declared}
    vi: dict[str, str] = {}
    en: dict[str, str] = {}
    rows: list[DossierComponent] = []
    got: set[int] = set()
    order = dossier.components.count()
    for i, item in enumerate(items):
        pk = _component_id(item.get("component"))
        content = item.get("content")
        reference = str(item.get("store_reference") or "").strip()[:200]
        if pk is None or pk not in names:
            vi[f"supplied.{i}.component"] = "Giấy tờ này không nằm trong yêu cầu bổ sung."
            en[f"supplied.{i}.component"] = "This document was not asked for."
            continue
        if not content and not reference:
            continue
        kind = ""
        if content:
            kind = sniff(bytes(content[:16]))
            if not kind or len(content) > MAX_BYTES:
                vi[f"supplied.{i}.content"] = (
                    f"Tệp của “{names[pk]}” không phải PDF, JPEG hay PNG, hoặc quá 20 MB."
                )
                en[f"supplied.{i}.content"] = (
                    f"The file for “{names[pk]}” is not a PDF, JPEG or PNG, or is over 20 MB."
                )
                continue
        order += 1
        row = DossierComponent(
            dossier=dossier,
            order=order,
            name=names[pk],
            component_id=pk,
            store_reference=reference if not content else "",
            reused=bool(reference) and not content,
        )
        if content:
            row.content_type = kind
            row.size = len(content)
            row.sha256 = hashlib.sha256(content).hexdigest()
            row.file.save(stored_name(content, kind), ContentFile(content), save=False)
        rows.append(row)
        got.add(pk)
    if asked:
        lacking = [names[int(m["component"])] for m in asked if int(m["component"]) not in got]
        if lacking and not vi:
            text = "; ".join(lacking)
            vi["supplied"] = f"Chưa đính kèm giấy tờ bổ sung: {text}."
            en["supplied"] = f"The supplied documents are not attached yet: {text}."
    if vi:
        raise DossierInputError(vi, en)
    return rows
