"""Dossiers (hồ sơ): the applicant, the received documents, the history and the clock ledger.

* :class:`Dossier` keeps the procedure version in force at receipt forever (regulations §2.4),
  the three places recorded apart (where the applicant was helped, where the dossier was
  officially received, which authority decides it: NĐ 118/2025, regulations §0), the promised
  and the legal due dates with the calendar version they were computed with, and ``version``
  for optimistic concurrency.
* :class:`DossierEvent` and :class:`ClockEntry` are append-only: a database trigger refuses
  UPDATE and DELETE (migration ``0002_append_only``). The clock ledger is what
  :mod:`caicach.dossiers.clock` computes from.
* :class:`DailySequence` hands out gap-free daily numbers for the dossier code (TT 01/2018 art.
  19); :class:`IdempotencyRecord` makes a retried creation return the same dossier.

Size (~680 lines): the dossier's tables and their query vocabulary (``DossierQuerySet``),
kept together so every index is declared next to the queries it serves.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Func, Prefetch, Q, Subquery
from django.utils.translation import gettext_lazy as _

from caicach.calendars.rules import WorkCalendar
from caicach.core.i18n import bilingual
from caicach.dossiers import deadlines
from caicach.dossiers.clock import EventKind, Timeliness
from caicach.dossiers.workflow import OPEN_STATES, Channel, DossierAction, DossierState

STATE_CHOICES = [(s.value, bilingual(s.label_vi, s.label_en)) for s in DossierState]
ACTION_CHOICES = [(a.value, bilingual(a.label_vi, a.label_en)) for a in DossierAction]
CHANNEL_CHOICES = [
    (Channel.COUNTER.value, _("Trực tiếp")),
    (Channel.POST.value, _("Bưu chính")),
    (Channel.ONLINE.value, _("Trực tuyến")),
]
TIMELINESS_CHOICES = [
    (Timeliness.EARLY.value, _("Trước hạn")),
    (Timeliness.ON_TIME.value, _("Đúng hạn")),
    (Timeliness.LATE.value, _("Trễ hạn")),
]
CLOCK_KIND_CHOICES = [(k.value, k.value) for k in EventKind]

#: States in which the dossier waits in someone's inbox (the partial index below).
OPEN_STATE_VALUES = sorted(s.value for s in OPEN_STATES)


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class DueBasis(models.TextChoices):
    """What ``due_at`` is counted from (NĐ 61/2018 art. 19)."""

    RECEIPT = "receipt", _("Từ ngày tiếp nhận")
    SUPPLEMENT = "supplement", _("Tính lại sau khi bổ sung")
    APOLOGY = "apology", _("Hẹn lại theo văn bản xin lỗi")


def new_lookup_token() -> str:
    """Random, unguessable token printed as a QR code on the receipt for the public look-up."""
    return secrets.token_urlsafe(18)


class Applicant(models.Model):
    """The person or organisation who applies. Only what the procedure needs is kept (personal
    data minimisation, Nghị định 13/2023/NĐ-CP art. 3); one row per dossier, so correcting a
    dossier never rewrites another's history."""

    kind = models.CharField(_("loại"), max_length=20, choices=ApplicantKind.choices)
    full_name = models.CharField(
        _("họ và tên / tên tổ chức"),
        max_length=300,
        help_text=_("Tên cá nhân, hoặc tên tổ chức, doanh nghiệp."),
    )
    id_number = models.CharField(_("số định danh cá nhân (CCCD)"), max_length=12, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=11, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    tax_code = models.CharField(_("mã số thuế"), max_length=14, blank=True)
    representative = models.CharField(_("người đại diện"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("người nộp hồ sơ")
        verbose_name_plural = _("người nộp hồ sơ")
        indexes = [
            # Exact look-ups by citizen ID, phone, tax code (search in the inbox and the API).
            models.Index(fields=["id_number"], name="applicant_id_number_idx"),
            models.Index(fields=["phone"], name="applicant_phone_idx"),
            models.Index(fields=["tax_code"], name="applicant_tax_code_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name


class _InArray(Func):
    """``<column> = ANY(ARRAY(<subquery>))``: PostgreSQL runs the subquery once (an InitPlan)
    and the comparison can use the column's index, also inside an OR (a BitmapOr), unlike
    ``IN (<subquery>)`` or ``EXISTS``, which are filters on every row."""

    arg_joiner = " = ANY(ARRAY"
    template = "%(expressions)s)"
    output_field = models.BooleanField()


class AgencyKeys(Func):
    """``ARRAY[receiving, deciding, current agency]``: the three keys the scope matches, as one
    value, so one GIN index holds them beside the search words (``dossier_scope_search_idx``)."""

    template = "ARRAY[%(expressions)s]"
    output_field = ArrayField(models.BigIntegerField())

    def __init__(self) -> None:
        super().__init__(F("receiving_agency_id"), F("deciding_agency_id"), F("current_agency_id"))


def due_soon_window() -> int:
    """Working days of "due soon" (setting ``DOSSIER_WARNING_WORKING_DAYS``, at least 0): the
    inbox tab, the badges and the officers' e-mail warning share it."""
    return max(0, int(settings.DOSSIER_WARNING_WORKING_DAYS))


def running_q(prefix: str = "") -> Q:
    """The condition of :meth:`DossierQuerySet.running`, for aggregates (``prefix``: a
    relation path such as ``"dossier__"``)."""
    return Q(**{f"{prefix}state__in": [s.value for s in deadlines.RUNNING_STATES]})


def overdue_q(at: datetime, prefix: str = "") -> Q:
    """The condition of :meth:`DossierQuerySet.overdue` (one definition: deadlines.py)."""
    return running_q(prefix) & Q(**{f"{prefix}due_at__lt": at})


def due_soon_q(at: datetime, calendar: WorkCalendar, days: int, prefix: str = "") -> Q:
    """The condition of :meth:`DossierQuerySet.due_soon`."""
    until = deadlines.due_soon_until(at, calendar, days)
    return running_q(prefix) & Q(**{f"{prefix}due_at__gte": at, f"{prefix}due_at__lt": until})


def finished_q(start: datetime, end: datetime) -> Q:
    return Q(finished_at__gte=start, finished_at__lt=end)


class DossierQuerySet(models.QuerySet["Dossier"]):
    #: The agency ids of the scope ``visible_to`` applied (None: not scoped or province-wide).
    _scope_ids: list[int] | None = None

    def _clone(self) -> DossierQuerySet:
        clone = super()._clone()
        clone._scope_ids = self._scope_ids
        return clone

    def visible_to(self, user: Any) -> DossierQuerySet:
        """Dossiers received, decided or currently held by an agency in the user's
        ``dossiers.view`` scope (the one rule for every list and page)."""
        from caicach.accounts.access import scope_agency_ids

        # The agencies in scope as a list of ids (one small query, cached for the request):
        # the planner then matches the foreign keys with their indexes and statistics instead
        # of joining the agency table three times; a province-wide scope needs no filter.
        ids = scope_agency_ids(user, "dossiers.view")
        if ids is None:
            return self.all()
        if not ids:
            return self.none()
        condition = Q()
        for agency_field in ("receiving_agency_id", "deciding_agency_id", "current_agency_id"):
            condition |= Q(**{f"{agency_field}__in": ids})
        # ... or asked by a referral (consultation, supporting agency): NĐ 61/2018 art. 19.
        # The referred ids as one array computed once (an InitPlan), so "id = ANY(array)" can
        # join the three foreign keys in a BitmapOr of indexes; an EXISTS or IN (subquery)
        # would be a per-row filter and force a scan of the whole table for a small scope.
        condition |= self._referred(ids)
        scoped = self.filter(condition)
        scoped._scope_ids = ids
        return scoped

    # -- the query vocabulary (definitions: caicach.dossiers.deadlines) ------------------------

    def running(self) -> DossierQuerySet:
        """The clock runs: a due date is promised (:data:`deadlines.RUNNING_STATES`)."""
        return self.filter(running_q())

    def paused(self) -> DossierQuerySet:
        """Waiting for the applicant's supplement: the clock is stopped (NĐ 61/2018 art. 19)."""
        return self.filter(state__in=[s.value for s in deadlines.PAUSED_STATES])

    def overdue(self, at: datetime) -> DossierQuerySet:
        """Running and past the due instant at ``at`` (:func:`deadlines.is_overdue`)."""
        return self.filter(overdue_q(at))

    def due_soon(
        self, at: datetime, calendar: WorkCalendar, days: int | None = None
    ) -> DossierQuerySet:
        """Running, not overdue, due before :func:`deadlines.due_soon_until` on ``calendar``
        (``days``: :func:`due_soon_window` unless given)."""
        window = due_soon_window() if days is None else days
        return self.filter(due_soon_q(at, calendar, window))

    def finished_late(self, start: datetime, end: datetime) -> DossierQuerySet:
        """Processing ended in ``[start, end)`` after the due instant (TT 01/2018 art. 13)."""
        return self.filter(finished_q(start, end), timeliness=Timeliness.LATE.value)

    def finished(self, start: datetime, end: datetime) -> DossierQuerySet:
        """Processing ended in ``[start, end)`` (result ready, refused, stopped, withdrawn)."""
        return self.filter(finished_q(start, end))

    def with_detail(self) -> DossierQuerySet:
        """What the dossier page and the API detail read, in a fixed number of queries: the
        related agencies and people, the components in order, the referrals."""
        return self.select_related(
            "procedure",
            "procedure_version",
            "served_at",
            "receiving_agency",
            "deciding_agency",
            "current_agency",
            "applicant",
            "assigned_to",
        ).prefetch_related(
            Prefetch("components", DossierComponent.objects.order_by("order", "id")),
            Prefetch(
                "referrals",
                Referral.objects.select_related(
                    "agency", "requesting_agency", "answered_by"
                ).order_by("requested_at", "id"),
            ),
        )

    @staticmethod
    def _referred(ids: list[int]) -> Q:
        referred = Referral.objects.filter(agency_id__in=ids).order_by().values("dossier_id")
        return Q(_InArray(F("pk"), Subquery(referred)))

    def scope_for_search(self) -> DossierQuerySet:
        """The scope again, in the shape the word search's index reads: the three agency keys
        as one array overlapping the scope (or a referral), which the GIN index
        ``dossier_scope_search_idx`` checks together with the words. The condition is implied
        by ``visible_to``'s (same rows); without it a commune's name search intersects the
        province's matches with a BitmapOr of 160,000 scope rows (82 ms at 5 million
        dossiers), with it the index walks both at once (42 ms)."""
        ids = self._scope_ids
        if not ids:
            return self
        return self.alias(agency_keys=AgencyKeys()).filter(
            Q(agency_keys__overlap=ids) | self._referred(ids)
        )


class Dossier(models.Model):
    """One application case, from receipt to return (NĐ 61/2018 arts. 17-20)."""

    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True)
    received_on = models.DateField(_("ngày tiếp nhận"))
    sequence = models.PositiveIntegerField(_("số thứ tự trong ngày"))
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("thủ tục"),
    )
    procedure_version = models.ForeignKey(
        "procedures.ProcedureVersion",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name=_("phiên bản thủ tục"),
    )
    channel = models.CharField(_("kênh nộp"), max_length=10, choices=CHANNEL_CHOICES)
    served_at = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nơi hướng dẫn, hỗ trợ"),
    )
    receiving_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        verbose_name=_("cơ quan tiếp nhận"),
    )
    deciding_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan có thẩm quyền giải quyết"),
    )
    current_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị đang xử lý"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chuyên viên thụ lý"),
    )
    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("người nộp")
    )
    state = models.CharField(_("trạng thái"), max_length=30, choices=STATE_CHOICES)
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    clock_started_at = models.DateTimeField(
        _("thời hạn tính từ"),
        help_text=_("Thời điểm tiếp nhận, hoặc thời điểm nhận đủ hồ sơ bổ sung."),
    )
    due_basis = models.CharField(
        _("căn cứ hạn trả"), max_length=20, choices=DueBasis.choices, default=DueBasis.RECEIPT
    )
    first_due_at = models.DateTimeField(
        _("ngày hẹn trả ban đầu"),
        null=True,
        blank=True,
        help_text=_("Ngày hẹn trả ghi trên giấy tiếp nhận; không thay đổi."),
    )
    due_at = models.DateTimeField(_("ngày hẹn trả"))
    legal_due_at = models.DateTimeField(_("hạn giải quyết theo quy định"))
    # Counted over a year whose official calendar is not announced yet (Labour Code art. 112
    # days only, regulations §4.4): shown "tạm tính", recounted when the calendar is entered
    # (caicach.dossiers.provisional).
    due_provisional = models.BooleanField(
        _("ngày hẹn trả tạm tính"), default=False, db_default=False
    )
    legal_due_provisional = models.BooleanField(
        _("hạn theo quy định tạm tính"), default=False, db_default=False
    )
    calendar_version = models.CharField(_("phiên bản lịch"), max_length=200)
    finished_at = models.DateTimeField(_("kết thúc xử lý"), null=True, blank=True)
    returned_at = models.DateTimeField(_("đã trả kết quả"), null=True, blank=True)
    timeliness = models.CharField(
        _("tiến độ"), max_length=10, choices=TIMELINESS_CHOICES, blank=True
    )
    legal_timeliness = models.CharField(
        _("tiến độ theo thời hạn quy định"), max_length=10, choices=TIMELINESS_CHOICES, blank=True
    )
    timeliness_766 = models.CharField(
        _("tiến độ theo Quyết định 766"), max_length=10, choices=TIMELINESS_CHOICES, blank=True
    )
    processing_working_days = models.DecimalField(
        _("thời gian xử lý (ngày làm việc)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
    )
    source_figures = models.JSONField(
        _("số liệu của hệ thống nguồn"), default=dict, blank=True, editable=False
    )
    supplement_requests = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    apologies = models.PositiveSmallIntegerField(_("số lần xin lỗi, hẹn lại"), default=0)
    current_step = models.PositiveSmallIntegerField(_("bước hiện tại"), null=True, blank=True)
    version = models.PositiveIntegerField(_("phiên bản bản ghi"), default=1)
    lookup_token = models.CharField(max_length=32, unique=True, default=new_lookup_token)
    # Denormalised facts for counting (issue 13; kept by the services, recomputed by the import
    # and the generator; Decision 766 §1.2 group 4, NĐ 45/2020 and NĐ 107/2021 on digitisation).
    # ``db_default``: bulk writers that COPY named columns (the generator) need not name them.
    has_electronic_result = models.BooleanField(
        _("có kết quả điện tử"), default=False, db_default=False
    )
    components_digitised = models.BooleanField(
        _("thành phần hồ sơ đã số hóa"),
        default=False,
        db_default=False,
        help_text=_("Ít nhất một thành phần hồ sơ có bản quét được lưu."),
    )
    reused = models.BooleanField(
        _("tái sử dụng dữ liệu số hóa"),
        default=False,
        db_default=False,
        help_text=_("Ít nhất một thành phần lấy từ kho dữ liệu của người nộp."),
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            # The inbox: open dossiers of a unit, soonest due first.
            models.Index(
                fields=["current_agency", "due_at"],
                condition=Q(state__in=OPEN_STATE_VALUES),
                name="dossier_inbox_idx",
            ),
            models.Index(fields=["received_at"], name="dossier_received_idx"),
            # The inbox keyset (due_at, id) at 5 million rows: every dossier ("all" tab) and
            # the open ones (the other tabs) of a wide scope, read in order without sorting.
            # It carries the scope's agency keys and ``search_text``: the page's ids of the "all"
            # tab and of a search matching many rows (a partial phone "0912") are an
            # index-only scan that stops after the page in keyset order, no table reads.
            models.Index(
                fields=["due_at", "id"],
                include=[
                    "state",
                    "receiving_agency",
                    "deciding_agency",
                    "current_agency",
                    "search_text",
                ],
                name="dossier_due_scope_idx",
            ),
            # Covering the tab's state and the scope's agency keys, so the inbox's page of ids
            # (``views._keyset``) is an index-only scan that skips other agencies' open
            # dossiers without reading the table (a commune's "in progress" tab at 5 million).
            models.Index(
                fields=["due_at", "id"],
                condition=Q(state__in=OPEN_STATE_VALUES),
                include=["state", "receiving_agency", "deciding_agency", "current_agency"],
                name="dossier_open_due_scope_idx",
            ),
            # The API list (newest first) filtered to open states (a state, overdue): read the
            # open dossiers backwards instead of the whole table.
            models.Index(
                fields=["id"],
                condition=Q(state__in=OPEN_STATE_VALUES),
                name="dossier_open_id_idx",
            ),
            # Word search (``search.search``): the scope's agency keys and the trigrams of
            # ``search_text`` in one GIN index, so a unit's search intersects both inside the
            # index; a province-wide search reads the trigram column alone.
            GinIndex(
                AgencyKeys(),
                OpClass(F("search_text"), name="gin_trgm_ops"),
                name="dossier_scope_search_idx",
            ),
            # A small scope (a commune desk, a department) at 5 million rows: the scope is an
            # OR of the three agency keys, so the planner reads it as a BitmapOr of these
            # indexes with the tab's state and the API's channel checked inside the index
            # (PostgreSQL 18 skips over the state for a channel filter), then sorts the few
            # hundred matches, instead of walking the global (due_at, id) / id order and
            # filtering out hundreds of thousands of rows of other agencies.
            models.Index(
                fields=["receiving_agency", "state", "channel"], name="dossier_recv_state_idx"
            ),
            models.Index(
                fields=["deciding_agency", "state", "channel"], name="dossier_decide_state_idx"
            ),
            models.Index(
                fields=["current_agency", "state", "channel"], name="dossier_current_state_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["receiving_agency", "received_on", "sequence"],
                name="dossier_daily_sequence_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class DossierComponent(models.Model):
    """A document received with the dossier: a scanned or uploaded file, or a reference to a
    document already in the applicant's digitised store (``reused``: the applicant provides it
    only once, NĐ 224/2026 art. 18(4))."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="components")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    component = models.ForeignKey(
        "procedures.Component",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("thành phần theo thủ tục"),
    )
    file = models.FileField(_("tệp"), upload_to="dossiers/%Y/%m/", blank=True, max_length=300)
    store_reference = models.CharField(
        _("mã giấy tờ trong kho dữ liệu"), max_length=200, blank=True
    )
    reused = models.BooleanField(_("tái sử dụng dữ liệu số hóa"), default=False)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("thành phần hồ sơ đã nộp")
        verbose_name_plural = _("thành phần hồ sơ đã nộp")

    def __str__(self) -> str:
        return self.name


class DossierEvent(models.Model):
    """One line of the dossier's history: who did what, when, from where. Append-only."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("người thực hiện"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    action = models.CharField(_("thao tác"), max_length=30, choices=ACTION_CHOICES)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("ghi chú"), blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["dossier", "id"], name="dossier_event_idx"),
            # The inter-agency transfers the metrics count (a small part of the history).
            models.Index(
                fields=["dossier"],
                condition=models.Q(action="transfer_agency"),
                name="dossier_event_transfer_idx",
            ),
        ]
        verbose_name = _("lịch sử xử lý")
        verbose_name_plural = _("lịch sử xử lý")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.from_state}→{self.to_state}"


class ClockEntry(models.Model):
    """One entry of the clock ledger (:class:`caicach.dossiers.clock.ClockEvent`). Append-only."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="clock_entries")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=CLOCK_KIND_CHOICES)
    step_order = models.PositiveSmallIntegerField(null=True, blank=True)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_due = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["dossier", "id"], name="dossier_clock_idx")]
        verbose_name = _("sổ thời hạn")
        verbose_name_plural = _("sổ thời hạn")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class DailySequence(models.Model):
    """The last dossier number given by an agency on a day (the ``XXXX`` of the code)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="daily_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last}"


class IdempotencyRecord(models.Model):
    """An ``Idempotency-Key`` already used by a user, with the hash of the request it came with."""

    key = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request_hash = models.CharField(max_length=64)
    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class ReferralKind(models.TextChoices):
    """Why another agency is asked (NĐ 61/2018 art. 19)."""

    CONSULTATION = "consultation", _("Xin ý kiến")
    COOPERATION = "cooperation", _("Phối hợp liên thông")


class Referral(models.Model):
    """A question put to another unit or agency about a dossier, with a deadline: a
    consultation (*lấy ý kiến*) or the part of a supporting agency in a parallel inter-agency
    transfer (*liên thông*, lead agency + supporting agencies), NĐ 61/2018 art. 19.

    Append-only in spirit: the question is never edited, the answer is given once
    (``answered_*``); when the holder resumes past the deadline without an answer, silence
    counts as agreement (``deemed_agreed_at``). The time the asked agency held it
    (``requested_at`` → ``answered_at``) against ``due_at`` attributes lateness to that agency
    (:func:`caicach.dossiers.services.late_referrals_by_agency`).
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="referrals")
    kind = models.CharField(_("loại"), max_length=20, choices=ReferralKind.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan, đơn vị được hỏi"),
    )
    requesting_agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị hỏi ý kiến"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("thời điểm gửi"))
    question = models.TextField(_("nội dung xin ý kiến"))
    due_at = models.DateTimeField(_("hạn trả lời"))
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(_("ý kiến trả lời"), blank=True)
    answered_late = models.BooleanField(_("trả lời quá hạn"), default=False)
    deemed_agreed_at = models.DateTimeField(
        _("coi như đồng ý từ"),
        null=True,
        blank=True,
        help_text=_("Quá hạn không có ý kiến: được coi là đồng ý."),
    )

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [
            # Open referrals of an agency (the inbox tab) and the scoping subquery.
            models.Index(fields=["agency", "dossier"], name="referral_agency_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="referral_answer_with_time",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gt=F("requested_at")), name="referral_due_after_request"
            ),
        ]
        verbose_name = _("xin ý kiến, phối hợp")
        verbose_name_plural = _("xin ý kiến, phối hợp")

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.agency_id} ({self.kind})"

    @property
    def is_open(self) -> bool:
        """Waiting for an answer (not answered, not deemed agreed)."""
        return self.answered_at is None and self.deemed_agreed_at is None

    def status(self, now: Any) -> str:
        """``answered``, ``deemed_agreed``, ``overdue`` (open past the deadline) or ``open``."""
        if self.answered_at is not None:
            return "answered"
        if self.deemed_agreed_at is not None:
            return "deemed_agreed"
        return "overdue" if now > self.due_at else "open"


class RegisterExportStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ")
    RUNNING = "running", _("Đang tạo")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không tạo được")
    EXPIRED = "expired", _("Đã xóa (hết thời hạn lưu)")


#: A register file still to come (its job has not finished).
REGISTER_EXPORT_UNFINISHED = (RegisterExportStatus.PENDING, RegisterExportStatus.RUNNING)


class RegisterExport(models.Model):
    """A long dossier register PDF (TT 01/2018 form 06) rendered by a background job for the
    officer who asked for it (``reports.request_register_pdf``). Only its owner sees it and
    downloads it, and only while the agency is still in their ``dossiers.view`` scope: the file
    lists applicants by name (Decree 13/2023/NĐ-CP)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="register_exports",
        verbose_name=_("người yêu cầu"),
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cơ quan tiếp nhận"),
    )
    date_from = models.DateField(_("từ ngày"))
    date_to = models.DateField(_("đến ngày"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=RegisterExportStatus.choices,
        default=RegisterExportStatus.PENDING,
    )
    rows = models.PositiveIntegerField(_("số hồ sơ"), default=0)
    file = models.FileField(_("tệp"), upload_to="registers/%Y/%m/", blank=True, max_length=300)
    error = models.CharField(_("lỗi"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("thời điểm yêu cầu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("thời điểm xong"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="register_export_owner_idx")]
        verbose_name = _("sổ theo dõi hồ sơ (tệp PDF)")
        verbose_name_plural = _("sổ theo dõi hồ sơ (tệp PDF)")

    def __str__(self) -> str:
        return f"{self.agency_id} {self.date_from}–{self.date_to} ({self.status})"


class DossierResult(models.Model):
    """The result document of a dossier (*kết quả giải quyết TTHC*), attached at "result ready"
    (NĐ 61/2018 art. 20). ``electronic``: an electronic file was issued (NĐ 45/2020 art. 25,
    *kết quả điện tử*); it is then copied into the applicant's :class:`StoredDocument` store so
    that a later dossier need not ask for it again (NĐ 107/2021 art. 1(16), regulations §3.2)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="results")
    name = models.CharField(_("tên kết quả"), max_length=500)
    file = models.FileField(_("tệp"), upload_to="results/%Y/%m/", blank=True, max_length=300)
    sha256 = models.CharField(max_length=64, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(_("thời điểm ban hành"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người đính kèm"),
    )
    electronic = models.BooleanField(_("kết quả điện tử"), default=False)

    class Meta:
        ordering = ["issued_at", "id"]
        indexes = [models.Index(fields=["dossier", "id"], name="dossier_result_idx")]
        verbose_name = _("kết quả giải quyết")
        verbose_name_plural = _("kết quả giải quyết")

    def __str__(self) -> str:
        return self.name


class StoredDocumentSource(models.TextChoices):
    RESULT = "result", _("Kết quả giải quyết TTHC")
    COMPONENT = "component", _("Thành phần hồ sơ đã số hóa")


class StoredDocument(models.Model):
    """A document of the applicant's digitised store (glossary ``DocumentStore``, *kho dữ liệu
    của tổ chức, cá nhân*, NĐ 45/2020 art. 16). ``reference`` is what a later intake quotes in
    ``DossierComponent.store_reference`` to reuse it (the once-only rule, regulations §3.2)."""

    applicant = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="stored_documents"
    )
    reference = models.CharField(_("mã giấy tờ trong kho"), max_length=200, unique=True)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    source = models.CharField(_("nguồn"), max_length=10, choices=StoredDocumentSource.choices)
    source_dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("tệp"), upload_to="store/%Y/%m/", blank=True, max_length=300)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("thời điểm lưu"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("giấy tờ trong kho dữ liệu")
        verbose_name_plural = _("giấy tờ trong kho dữ liệu")

    def __str__(self) -> str:
        return self.reference
