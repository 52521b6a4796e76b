"""Telling the applicant about each status change, in real time (NĐ 224/2026 art. 15(1)(g)).

:func:`notify_status_change` is called by :mod:`caicach.dossiers.services` where the history
line is written, inside the dossier's transaction. It writes one outbox row per channel the
applicant gave (e-mail, SMS) and defers one ``notifications.send_notification`` job per row
through Django's connection: if the change rolls back, neither the rows nor the jobs exist.

Messages carry the dossier code, the new status, the promised return date and the public look-up
link, nothing else about the applicant (no name, no CCCD: Nghị định 13/2023/NĐ-CP).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from caicach.accounts.access import officers_with
from caicach.dossiers.events import DossierChanged, DossierDueSoonWarned
from caicach.dossiers.models import Dossier, DossierEvent
from caicach.dossiers.workflow import DossierAction, DossierState
from caicach.notifications import backends
from caicach.notifications.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
)
from caicach.ratings.events import RatingGiven

#: Actions that concern the applicant although the state stays the same (a new return date).
_ALSO_NOTIFIED = frozenset({DossierAction.APOLOGISE.value})


def lookup_url(dossier: Dossier) -> str:
    """The public look-up address (the one in the receipt's QR code), absolute when
    ``CAICACH_PUBLIC_URL`` is set."""
    path = f"/tra-cuu/{quote(dossier.code, safe='')}?{urlencode({'t': dossier.lookup_token})}"
    return settings.CAICACH_PUBLIC_URL.rstrip("/") + path


def _state_label(value: str) -> str:
    try:
        return DossierState(value).label_vi
    except ValueError:
        return value


def compose(dossier: Dossier, event: DossierEvent) -> tuple[str, str, str]:
    """``(subject, e-mail body, SMS text)`` in Vietnamese."""
    status = _state_label(event.to_state)
    due = timezone.localtime(dossier.due_at).strftime("%H:%M ngày %d/%m/%Y")
    link = lookup_url(dossier)
    subject = f"Hồ sơ {dossier.code}: {status}"
    if event.action == DossierAction.APOLOGISE.value:
        # Form 04 (NĐ 61/2018 art. 19): the apology and the new return date, once.
        headline = (
            f"Hồ sơ {dossier.code} được hẹn lại ngày trả kết quả: cơ quan giải quyết đã gửi "
            "Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)."
        )
        previous = (event.payload or {}).get("previous_due_at")
        if previous:
            old_due = timezone.localtime(datetime.fromisoformat(previous))
            headline += f" Ngày hẹn cũ: {old_due:%H:%M ngày %d/%m/%Y}; ngày hẹn mới: {due}."
    else:
        headline = f"Hồ sơ {dossier.code} đã chuyển sang trạng thái: {status}."
    when = timezone.localtime(event.at).strftime("%H:%M ngày %d/%m/%Y")
    body = "\n".join(
        [
            "Kính gửi Quý ông/bà,",
            "",
            headline,
            f"Thủ tục: {dossier.procedure_version.name}",
            f"Trạng thái hiện tại: {status} (cập nhật lúc {when}).",
            f"Ngày hẹn trả kết quả: {due}.",
            f"Tra cứu tình hình giải quyết: {link}",
            "",
            f"Bộ phận Một cửa, {settings.CAICACH_PROVINCE_NAME}.",
            "Đây là thư tự động, xin vui lòng không trả lời.",
        ]
    )
    short_due = timezone.localtime(dossier.due_at).strftime("%H:%M %d/%m/%Y")
    sms = fit_sms(f"Hồ sơ {dossier.code}: {status}. Hẹn trả: {short_due}.", f" Tra cứu: {link}")
    return subject, body, sms


def sms_limit(text: str) -> int:
    """The characters ``SMS_MAX_SEGMENTS`` messages hold: GSM 7-bit (160, or 153 a part when
    concatenated) for plain ASCII, UCS-2 (70, or 67 a part) as soon as a diacritic appears."""
    parts = max(1, int(settings.SMS_MAX_SEGMENTS))
    if text.isascii():
        return 160 if parts == 1 else 153 * parts
    return 70 if parts == 1 else 67 * parts


def fit_sms(message: str, tail: str = "") -> str:
    """``message + tail`` within the gateway's limit (:func:`sms_limit`), without diacritics
    when ``SMS_ASCII`` asks; the message is shortened, the ``tail`` (the look-up link) is kept
    whole so it still opens."""
    if settings.SMS_ASCII:
        message, tail = strip_diacritics(message), strip_diacritics(tail)
    text = message + tail
    limit = sms_limit(text)
    if len(text) <= limit:
        return text
    room = max(0, limit - len(tail) - 3)  # "..." keeps an ASCII text in GSM 7-bit
    return (message[:room].rstrip() + "..." if room else "") + tail


def strip_diacritics(text: str) -> str:
    """ "Hồ sơ đã tiếp nhận" → "Ho so da tiep nhan" (case kept; đ/Đ → d/D)."""
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def notify_status_change(dossier: Dossier, event: DossierEvent) -> list[Notification]:
    """Queue the messages for one status change (see the module docstring). Returns the rows."""
    if event.from_state == event.to_state and event.action not in _ALSO_NOTIFIED:
        return []
    applicant = dossier.applicant
    subject, body, sms = compose(dossier, event)
    rows = []
    if applicant.email:
        rows.append(
            Notification(
                dossier=dossier,
                event=event,
                channel=NotificationChannel.EMAIL,
                recipient=applicant.email,
                subject=subject,
                body=body,
            )
        )
    if applicant.phone:
        rows.append(
            Notification(
                dossier=dossier,
                event=event,
                channel=NotificationChannel.SMS,
                recipient=applicant.phone,
                subject=subject,
                body=sms,
            )
        )
    _save_and_enqueue(rows)
    return rows


def _save_and_enqueue(rows: list[Notification]) -> None:
    """One INSERT for the rows (ids by RETURNING) and one call deferring their jobs, through
    Django's connection: rows and jobs commit or roll back together, with the caller's
    transaction when there is one (no savepoint: an error there fails it whole anyway)."""
    if not rows:
        return
    from caicach.notifications.tasks import send_notification

    with transaction.atomic(savepoint=False):
        Notification.objects.bulk_create(rows)
        send_notification.batch_defer(*({"notification_id": row.pk} for row in rows))


def notify_officers(kind: str, officers: Iterable[Any], subject: str, body: str) -> int:
    """Queue one e-mail per officer with an address, about no dossier (a reform plan's task
    reminder, issue 15); rows and jobs commit with the caller's transaction. How many."""
    rows = [
        Notification(
            kind=kind,
            officer=officer,
            channel=NotificationChannel.EMAIL,
            recipient=officer.email,
            subject=subject[:300],
            body=body,
        )
        for officer in officers
        if officer.email
    ]
    _save_and_enqueue(rows)
    return len(rows)


def officer_url(dossier: Dossier) -> str:
    """The dossier's page in the officers' workspace (absolute when ``CAICACH_PUBLIC_URL`` is
    set)."""
    path = reverse("dossiers:detail", args=[dossier.code])
    return settings.CAICACH_PUBLIC_URL.rstrip("/") + path


def compose_due_warning(
    dossier: Dossier,
    officer: Any,
    *,
    apology_allowed: bool,
    apology_reason_vi: str,
    latest_apology_day: date,
) -> tuple[str, str]:
    """``(subject, e-mail body)`` of the warning to one officer, in Vietnamese (the officers'
    working language). Nothing about the applicant: the officer opens the dossier's page."""
    due = timezone.localtime(dossier.due_at).strftime("%H:%M ngày %d/%m/%Y")
    status = _state_label(dossier.state)
    holder = str(dossier.assigned_to) if dossier.assigned_to_id else "chưa phân công"
    if apology_allowed:
        advice = (
            "Nếu không thể trả kết quả đúng hẹn, đơn vị cần gửi Phiếu xin lỗi và hẹn lại ngày "
            "trả kết quả (Mẫu 04) cho người nộp chậm nhất trong ngày "
            f"{latest_apology_day:%d/%m/%Y}: trước hạn trả ít nhất 01 ngày làm việc, và chỉ "
            "được hẹn lại một lần (Nghị định 61/2018/NĐ-CP, Điều 19)."
        )
    else:
        advice = f"Lưu ý: không còn được gửi Phiếu xin lỗi (Mẫu 04). {apology_reason_vi}"
    subject = f"Cảnh báo: hồ sơ {dossier.code} sắp đến hạn trả ({due})"
    body = "\n".join(
        [
            f"Kính gửi {officer},",
            "",
            f"Hồ sơ {dossier.code} sắp đến ngày hẹn trả kết quả: {due}.",
            f"Thủ tục: {dossier.procedure_version.name}",
            f"Đơn vị đang giải quyết: {dossier.current_agency.name}",
            f"Cán bộ thụ lý: {holder}",
            f"Trạng thái hiện tại: {status}.",
            "",
            advice,
            "",
            f"Mở hồ sơ: {officer_url(dossier)}",
            "",
            f"Hệ thống một cửa điện tử, {settings.CAICACH_PROVINCE_NAME}.",
            "Đây là thư tự động, xin vui lòng không trả lời.",
        ]
    )
    return subject, body


def notify_due_warning(
    dossier: Dossier,
    officers: Iterable[Any],
    *,
    apology_allowed: bool,
    apology_reason_vi: str,
    latest_apology_day: date,
) -> list[Notification]:
    """Queue one e-mail per officer (with an address) warning that ``dossier``'s promised date
    is near (issue: "the system warns the unit and the leaders ahead of time"). Called by
    :func:`caicach.dossiers.tasks.warn` inside its transaction, which also guarantees once per
    dossier and day; the sending jobs are deferred in that transaction."""
    rows = []
    for officer in officers:
        if not officer.email:
            continue
        subject, body = compose_due_warning(
            dossier,
            officer,
            apology_allowed=apology_allowed,
            apology_reason_vi=apology_reason_vi,
            latest_apology_day=latest_apology_day,
        )
        rows.append(
            Notification(
                kind=NotificationKind.DUE_WARNING,
                dossier=dossier,
                officer=officer,
                channel=NotificationChannel.EMAIL,
                recipient=officer.email,
                subject=subject[:300],
                body=body,
            )
        )
    with transaction.atomic():
        for row in rows:
            row.save()
            _enqueue(row)
    return rows


def _enqueue(row: Notification) -> None:
    # Deferred through Django's connection: the job commits or rolls back with the row.
    from caicach.notifications.tasks import send_notification

    send_notification.defer(notification_id=row.pk)


def deliver(notification_id: int, *, final_attempt_after: int) -> None:
    """Send one row; on failure record the attempt and the error, then raise for the queue to
    retry. The row turns ``failed`` at attempt ``final_attempt_after`` (the queue's last)."""
    row = Notification.objects.filter(pk=notification_id).first()
    if row is None or row.status == NotificationStatus.SENT:
        return
    try:
        if row.channel == NotificationChannel.EMAIL:
            backends.send_email(row.recipient, row.subject, row.body)
        else:
            backends.send_sms(row.recipient, row.body)
    except Exception as error:
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        if row.attempts >= final_attempt_after:
            row.status = NotificationStatus.FAILED
        row.save(update_fields=["attempts", "last_error", "status"])
        raise
    row.attempts += 1
    row.status = NotificationStatus.SENT
    row.sent_at = timezone.now()
    row.save(update_fields=["attempts", "status", "sent_at"])


def requeue(rows: Iterable[Notification]) -> int:
    """Send unsent rows again (after the queue gave up, e.g. a long gateway outage)."""
    count = 0
    with transaction.atomic():
        for row in rows:
            if row.status == NotificationStatus.SENT:
                continue
            Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.PENDING)
            _enqueue(row)
            count += 1
    return count


def on_dossier_changed(event: DossierChanged) -> None:
    """Subscriber of :class:`~caicach.dossiers.events.DossierChanged` (in the transaction)."""
    notify_status_change(event.dossier, event.record)


def on_due_soon_warned(event: DossierDueSoonWarned) -> None:
    """Subscriber of :class:`~caicach.dossiers.events.DossierDueSoonWarned` (in the transaction)."""
    notify_due_warning(
        event.dossier,
        event.officers,
        apology_allowed=event.apology_allowed,
        apology_reason_vi=event.apology_reason_vi,
        latest_apology_day=event.latest_apology_day,
    )


def deciding_unit(dossier: Dossier) -> Any:
    """The unit that decided ``dossier``: the agency holding it when a leader approved it (the
    last ``approve`` line), else the last holder inside the deciding agency's subtree, else the
    deciding agency itself."""
    deciding = dossier.deciding_agency
    lines = list(
        DossierEvent.objects.filter(dossier=dossier, agency__isnull=False)
        .select_related("agency")
        .order_by("-id")
    )
    for line in lines:
        if line.action == DossierAction.APPROVE.value:
            return line.agency
    for line in lines:
        if line.agency is not None and line.agency.path.startswith(deciding.path):
            return line.agency
    return deciding


def notify_rating_complaint(dossier: Dossier, value: str) -> list[Notification]:
    """Queue one e-mail per leader of the deciding unit (``dossiers.lead_unit``; the agency
    leaders ``dossiers.lead_agency`` when the unit has none) for a "not satisfied" rating, in
    the rating's transaction. Nothing about the applicant: the leader opens the dossier."""
    if value != "not_satisfied":
        return []
    unit = deciding_unit(dossier)
    leaders = list(officers_with("dossiers.lead_unit", unit).order_by("id"))
    if not leaders:
        leaders = list(officers_with("dossiers.lead_agency", unit).order_by("id"))
    subject = f"Hồ sơ {dossier.code}: người nộp KHÔNG HÀI LÒNG"
    rows = []
    for leader in leaders:
        if not leader.email:
            continue
        body = "\n".join(
            [
                f"Kính gửi {leader},",
                "",
                f"Người nộp hồ sơ {dossier.code} đã đánh giá: Không hài lòng.",
                f"Thủ tục: {dossier.procedure_version.name}",
                f"Đơn vị giải quyết: {unit.name}",
                "",
                f"Mở hồ sơ để xem đánh giá và xử lý: {officer_url(dossier)}",
                "",
                f"Hệ thống một cửa điện tử, {settings.CAICACH_PROVINCE_NAME}.",
                "Đây là thư tự động, xin vui lòng không trả lời.",
            ]
        )
        rows.append(
            Notification(
                kind=NotificationKind.RATING_COMPLAINT,
                dossier=dossier,
                officer=leader,
                channel=NotificationChannel.EMAIL,
                recipient=leader.email,
                subject=subject[:300],
                body=body,
            )
        )
    _save_and_enqueue(rows)
    return rows


def on_rating_given(event: RatingGiven) -> None:
    """Subscriber of :class:`~caicach.ratings.events.RatingGiven` (in the transaction)."""
    if event.value != "not_satisfied":
        return
    dossier = (
        Dossier.objects.select_related("deciding_agency", "procedure_version")
        .filter(pk=event.dossier_id)
        .first()
    )
    if dossier is not None:
        notify_rating_complaint(dossier, event.value)
