"""Changes to the plan's work (issue 15): a task's progress and status, initiatives and their
evaluation, dialogues with their questions and follow-up tasks.

Rules ("an agency edits only its own reports and tasks; the reform office approves; inspectors
read"): a task's update and status change need ``plans.report`` over its lead agency (its
leaders); cancelling a task, recognising an initiative, are the reform office's
(``plans.approve`` over the plan's / the initiative's agency). A dialogue and an initiative are
recorded by the agency's leaders (``plans.report``). Progress is a whole number 0-100; a done
task is at 100 %. Evidence is checked by its bytes (``plans.evidence``). A refused input writes
nothing; every change is an audit entry in its transaction, the task row locked
(``select_for_update``) since two leaders may update it at once.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caicach.accounts.access import can, require
from caicach.agencies.models import Agency
from caicach.core.audit import Actor, record
from caicach.core.errors import BilingualError
from caicach.plans.evidence import ALLOWED, MAX_EVIDENCE_BYTES, sniff
from caicach.plans.models import Plan, Task, TaskStatus
from caicach.plans.work.models import (
    Dialogue,
    DialogueQuestion,
    Initiative,
    InitiativeLevel,
    TaskUpdate,
)

__all__ = [
    "MAX_EVIDENCE_BYTES",
    "bad",
    "evaluate_initiative",
    "record_dialogue",
    "record_initiative",
    "update_task",
]


def bad(field: str, vi: str, en: str, code: str = "invalid") -> BilingualError:
    return BilingualError(vi, en, code=code, errors={field: [en]})


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise bad(field, "Trường này là bắt buộc.", "This field is required.", "required")
    if len(text) > limit:
        raise bad(field, f"Tối đa {limit} ký tự.", f"At most {limit} characters.", "too_long")
    return text


def _clean_evidence(evidence: tuple[str, bytes] | None) -> tuple[str, bytes, str] | None:
    if evidence is None or not evidence[1]:
        return None
    name, content = evidence
    if len(content) > MAX_EVIDENCE_BYTES:
        mb = MAX_EVIDENCE_BYTES // (1024 * 1024)
        raise bad("evidence", f"Tệp minh chứng quá {mb} MB.", f"The evidence file is over {mb} MB.")
    kind = sniff(content)
    if kind is None:
        allowed = ", ".join(ALLOWED.values())
        raise bad(
            "evidence",
            f"Loại tệp minh chứng không được phép; chỉ nhận {allowed}.",
            f"This type of evidence file is not allowed; only {allowed}.",
            "evidence_type",
        )
    return name[:200], content, kind


def _progress(raw: Any) -> int:
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or int(text[:4]) > 100:
        raise bad(
            "progress",
            "Tiến độ là số nguyên từ 0 đến 100 (%).",
            "Progress is a whole number from 0 to 100 (%).",
        )
    return int(text)


def update_task(
    user: Any,
    actor: Actor,
    task_id: int,
    *,
    progress: Any,
    status: str,
    note: str = "",
    output: str | None = None,
    evidence: tuple[str, bytes] | None = None,
    day: date | None = None,
) -> TaskUpdate:
    """A progress update by the lead agency's leaders; moves the task's progress and status.
    Cancelling (or reopening a cancelled task) is the reform office's."""
    if status not in TaskStatus.values:
        raise bad("status", "Trạng thái không hợp lệ.", "Unknown status.")
    value = _progress(progress)
    note = _text(note, "note", 4000)
    output_text = _text(output, "output", 4000) if output is not None else None
    file = _clean_evidence(evidence)
    if status == TaskStatus.DONE:
        value = 100
    with transaction.atomic():
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("lead_agency", "plan__agency")
            .filter(pk=task_id)
            .order_by()
            .first()
        )
        if task is None:
            raise BilingualError(
                "Không có nhiệm vụ này.", "No such task.", code="not_found", status=404
            )
        if task.lead_agency is None:
            raise PermissionDenied(_("Nhiệm vụ không giao cho cơ quan nào trong hệ thống."))
        if TaskStatus.CANCELLED in (status, task.status):
            if not can(user, "plans.approve", task.plan.agency):
                raise bad(
                    "status",
                    "Chỉ Ban CCHC được hủy hoặc mở lại nhiệm vụ đã hủy.",
                    "Only the reform office cancels a task or reopens a cancelled one.",
                    "forbidden_status",
                )
        else:
            require(user, "plans.report", task.lead_agency)
        before = {"status": task.status, "progress": task.progress}
        update = TaskUpdate(
            task=task,
            day=day or timezone.localdate(),
            progress=value,
            status=status,
            note=note,
            author=user,
        )
        if file is not None:
            name, content, kind = file
            digest = hashlib.sha256(content).hexdigest()
            update.evidence.save(f"{digest}.{kind}", ContentFile(content), save=False)
            update.evidence_name, update.evidence_type = name, kind
        update.save()
        task.status, task.progress, task.updated_at = status, value, timezone.now()
        if output_text is not None:
            task.output = output_text
        task.save(update_fields=["status", "progress", "output", "updated_at"])
        record(
            actor,
            "plan.task.update",
            task,
            agency=task.lead_agency,
            changes={
                "status": [before["status"], status],
                "progress": [before["progress"], value],
                "note": note[:200],
            },
        )
    return update


def _year(raw: Any) -> int:
    text = str(raw or "").strip()
    if not text.isdigit() or not 2000 <= int(text[:5]) <= 2100:
        raise bad("year", "Năm không hợp lệ.", "Invalid year.")
    return int(text)


def record_initiative(
    user: Any,
    actor: Actor,
    *,
    agency: Agency,
    year: Any,
    title: str,
    domain: str = "",
    description: str = "",
) -> Initiative:
    """An agency's leaders record an initiative (not yet recognised: it does not count yet)."""
    require(user, "plans.report", agency)
    from caicach.plans.models import DomainCode

    if domain and domain not in DomainCode.values:
        raise bad("domain", "Lĩnh vực không hợp lệ.", "Unknown domain.")
    row = Initiative(
        agency=agency,
        year=_year(year),
        title=_text(title, "title", 400, required=True),
        domain=domain,
        description=_text(description, "description", 8000),
        created_by=user,
    )
    with transaction.atomic():
        row.save()
        record(actor, "plan.initiative.create", row, agency=agency, changes={"title": row.title})
    return row


def evaluate_initiative(
    user: Any,
    actor: Actor,
    initiative_id: int,
    *,
    level: str,
    score: Any = None,
    recognised_on: date | None = None,
    replicated_to: list[Agency] | None = None,
) -> Initiative:
    """The reform office's evaluation: recognised level and score, and the agencies that
    replicated it. Once recognised, it counts for ``reform_initiatives``."""
    if level not in InitiativeLevel.values:
        raise bad("level", "Cấp công nhận không hợp lệ.", "Unknown level.")
    number: Decimal | None = None
    if score not in (None, ""):
        try:
            number = Decimal(str(score).strip().replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or not 0 <= number <= 100:
            raise bad("score", "Điểm là số từ 0 đến 100.", "The score is a number from 0 to 100.")
    with transaction.atomic():
        row = (
            Initiative.objects.select_for_update(of=("self",))
            .select_related("agency")
            .get(pk=initiative_id)
        )
        require(user, "plans.approve", row.agency)
        for agency in replicated_to or []:
            require(user, "plans.view", agency)
        row.level, row.score = level, number
        row.recognised_on = (recognised_on or timezone.localdate()) if level else None
        row.save(update_fields=["level", "score", "recognised_on"])
        if replicated_to is not None:
            row.replicated_to.set(replicated_to)
        record(
            actor,
            "plan.initiative.evaluate",
            row,
            agency=row.agency,
            changes={"level": level, "score": str(number) if number is not None else None},
        )
    return row


def record_dialogue(
    user: Any,
    actor: Actor,
    *,
    agency: Agency,
    held_on: date,
    title: str,
    leaders: str,
    participants: str = "",
    attendance: Any = 0,
    questions: list[dict[str, str]] | None = None,
    plan: Plan | None = None,
    follow_up_deadline: date | None = None,
) -> Dialogue:
    """A dialogue of ``agency``'s leaders, its questions and answers; a question marked
    ``follow_up`` becomes a :class:`Task` of the agency (in ``plan``, deadline required)."""
    require(user, "plans.report", agency)
    if held_on > timezone.localdate():
        raise bad(
            "held_on",
            "Ngày đối thoại không được sau hôm nay.",
            "The dialogue cannot be dated after today.",
        )
    text = str(attendance or 0).strip()
    if not text.isdigit() or int(text[:7]) > 100000:
        raise bad("attendance", "Số người tham dự không hợp lệ.", "Invalid attendance.")
    cleaned = []
    for i, q in enumerate(questions or []):
        question = _text(q.get("question"), f"questions[{i}].question", 4000)
        if not question:
            continue
        follow = bool(q.get("follow_up"))
        cleaned.append((question, _text(q.get("answer"), "answer", 4000), q, follow))
    follow_ups = [c for c in cleaned if c[3]]
    if follow_ups and (plan is None or follow_up_deadline is None):
        raise bad(
            "follow_up",
            "Nhiệm vụ sau đối thoại cần kế hoạch và thời hạn.",
            "A follow-up task needs a plan and a deadline.",
        )
    with transaction.atomic():
        dialogue = Dialogue.objects.create(
            agency=agency,
            held_on=held_on,
            title=_text(title, "title", 400, required=True),
            leaders=_text(leaders, "leaders", 400, required=True),
            participants=_text(participants, "participants", 600),
            attendance=int(text),
            plan=plan,
            created_by=user,
        )
        for order, (question, answer, q, follow) in enumerate(cleaned):
            task = None
            if follow:
                assert plan is not None
                task = Task.objects.create(
                    plan=plan,
                    title=_("Thực hiện sau đối thoại %(day)s: %(q)s")
                    % {"day": held_on.strftime("%d/%m/%Y"), "q": question[:300]},
                    lead_agency=agency,
                    deadline=follow_up_deadline,
                    expected_output=answer[:1000],
                    order=9000 + order,
                )
                record(actor, "plan.task.create", task, agency=agency, changes={"from": "dialogue"})
            DialogueQuestion.objects.create(
                dialogue=dialogue,
                asked_by=_text(q.get("asked_by"), "asked_by", 200),
                question=question,
                answer=answer,
                task=task,
                order=order,
            )
        record(
            actor,
            "plan.dialogue.create",
            dialogue,
            agency=agency,
            changes={"questions": len(cleaned), "tasks": len(follow_ups)},
        )
    return dialogue
