"""The measures as facts of one dossier: the one definition both paths use.

``ROLLUP_SQL`` builds the daily rollup rows from the dossier table (rebuild and upkeep);
:func:`side_filter` and :data:`CONDITIONS` give the same measures as Django filters for the raw
path (``compute.kpi_from_dossiers``) and the drill-down (``drill.dossiers_behind``). A property
test checks the two agree. Sides (issue 13, "on the same calendar", Vietnam time):

- received side: day = ``received_on``, agency = ``receiving_agency``;
- finished side: day = the Vietnam date of ``finished_at``, agency = ``deciding_agency``; the
  finished-side counters describe the dossier as it was when processing ended.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from caicach.metrics.registry import FINISHED_MEASURES, RECEIVED_MEASURES

__all__ = [
    "CONDITIONS",
    "FINISHED_MEASURES",
    "RECEIVED_MEASURES",
    "local_start",
    "measure_side",
    "rollup_sql",
    "side_filter",
]


def measure_side(measure: str) -> str:
    return "received" if measure in RECEIVED_MEASURES else "finished"


def local_start(day: date) -> datetime:
    """The first instant of ``day`` in the project's time zone (Vietnam)."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def side_filter(side: str, first: date, last: date, agency_ids: list[int] | None) -> Q:
    """Dossiers that fall in ``[first, last]`` on ``side`` for these agencies (None: all)."""
    if side == "received":
        q = Q(received_on__gte=first, received_on__lte=last)
        if agency_ids is not None:
            q &= Q(receiving_agency_id__in=agency_ids)
        return q
    q = Q(finished_at__gte=local_start(first), finished_at__lt=local_start(last + timedelta(1)))
    if agency_ids is not None:
        q &= Q(deciding_agency_id__in=agency_ids)
    return q


def _component(*args: Q, **kw: object) -> Exists:
    from caicach.dossiers.models import DossierComponent

    return Exists(DossierComponent.objects.filter(*args, dossier=OuterRef("pk"), **kw))


def _version(**kw: object) -> Q:
    return Q(**{f"procedure_version__{k}": v for k, v in kw.items()})


def paid_online_q() -> Exists:
    """Decision 766 3.6 (``payments.rules.paid_online``): an online payment (``DuocThanhToanTrucTuyen``
    1 or 2) not wholly refunded. The SQL below says the same (property test)."""
    from caicach.payments.models import Payment

    refunded = (
        Payment.objects.filter(refund_of=OuterRef("pk"))
        .order_by()
        .values("refund_of")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    online = Payment.objects.filter(
        dossier=OuterRef("pk"), kind="payment", portal_code__in=[1, 2]
    ).annotate(refunded=Coalesce(Subquery(refunded, output_field=IntegerField()), Value(0)))
    return Exists(online.filter(amount__gt=F("refunded")))


def conditions() -> dict[str, Q | Exists | None]:
    """The numerator condition of each 0/1 measure (None: every dossier of the side counts)."""
    from caicach.procedures.models import Fee
    from caicach.ratings.models import Rating

    return {
        "received": None,
        "received_online": Q(channel="online"),
        "received_full_online": Q(channel="online") & _version(online_level="full"),
        "received_full_online_eligible": _version(full_online_eligible=True)
        | _version(online_level="full"),
        "finished": None,
        "finished_online": Q(channel="online"),
        "finished_early": Q(timeliness="early"),
        "finished_on_time": Q(timeliness_766__in=["early", "on_time"]),
        "finished_legal_on_time": Q(legal_timeliness__in=["early", "on_time"]),
        "apologised": Q(apologies__gt=0),
        "reused": _component(reused=True),
        "digitised": _component(~Q(file="")),
        "electronic_result": Q(has_electronic_result=True),
        "fee_bearing": Exists(
            Fee.objects.filter(version=OuterRef("procedure_version"), amount__gt=0)
        ),
        "paid_online": paid_online_q(),
        "rated": Exists(Rating.objects.filter(dossier=OuterRef("pk"))),
        "rated_satisfied": Exists(
            Rating.objects.filter(dossier=OuterRef("pk"), value__in=["very_satisfied", "satisfied"])
        ),
    }


CONDITIONS = conditions
#: Measures that are sums of a per-dossier value rather than counts.
VALUED = {
    "processing_days",
    "supplement_requests",
    "apologies",
    "transfers",
    "transfers_electronic",
}
#: Inter-agency transfers (*liên thông*, NĐ 61/2018 art. 19, NĐ 45/2020 art. 13): the history
#: lines of this action; one recorded with ``paper`` (a transfer on paper) is not electronic.
TRANSFER_ACTION = "transfer_agency"


def dossier_value(measure: str, dossier: object) -> Decimal:
    """The per-dossier value of a valued measure (same rounding as the SQL)."""
    if measure == "processing_days":
        # Working days on the deciding agency's calendar, paused time excluded (h13-time).
        return Decimal(dossier.processing_working_days or 0)  # type: ignore[attr-defined]
    if measure in ("transfers", "transfers_electronic"):
        qs = dossier.events.filter(action=TRANSFER_ACTION)  # type: ignore[attr-defined]
        if measure == "transfers":
            return Decimal(qs.count())
        # A line without the key is electronic (``exclude(payload__paper=True)`` would drop it).
        return Decimal(
            sum(p.get("paper") is not True for p in qs.values_list("payload", flat=True))
        )
    return Decimal(getattr(dossier, measure))


#: Each measure's value for one dossier on its side (the other side contributes 0): correlated
#: probes on the indexed foreign keys (``dossier_id``, ``version_id``, the partial index of
#: transfer lines), whose cost stays linear whatever the planner's statistics say (a bulk load
#: runs this before its ANALYZE; a hashed ``IN`` planned on stale statistics went quadratic).
#: ``v`` is the dossier's version.
_SQL: dict[str, str] = {
    "received": "1",
    "received_online": "(d.channel = 'online')::int",
    "received_full_online": "(d.channel = 'online' AND v.online_level = 'full')::int",
    "received_full_online_eligible": "(v.full_online_eligible OR v.online_level = 'full')::int",
    "finished": "1",
    "finished_online": "(d.channel = 'online')::int",
    "finished_early": "(d.timeliness = 'early')::int",
    "finished_on_time": "(d.timeliness_766 IN ('early', 'on_time'))::int",
    "finished_legal_on_time": "(d.legal_timeliness IN ('early', 'on_time'))::int",
    "processing_days": "coalesce(d.processing_working_days, 0)",
    "supplement_requests": "d.supplement_requests",
    "apologised": "(d.apologies > 0)::int",
    "apologies": "d.apologies",
    "reused": "EXISTS (SELECT 1 FROM dossiers_dossiercomponent c "
    "WHERE c.dossier_id = d.id AND c.reused)::int",
    "digitised": "EXISTS (SELECT 1 FROM dossiers_dossiercomponent c "
    "WHERE c.dossier_id = d.id AND c.file <> '')::int",
    "electronic_result": "d.has_electronic_result::int",
    "fee_bearing": "EXISTS (SELECT 1 FROM procedures_fee f "
    "WHERE f.version_id = d.procedure_version_id AND f.amount > 0)::int",
    "paid_online": "EXISTS (SELECT 1 FROM payments_payment p WHERE p.dossier_id = d.id "
    "AND p.kind = 'payment' AND p.portal_code IN (1, 2) AND p.amount > coalesce("
    "(SELECT sum(r.amount) FROM payments_payment r WHERE r.refund_of_id = p.id), 0))::int",
    "rated": "EXISTS (SELECT 1 FROM ratings_rating r WHERE r.dossier_id = d.id)::int",
    "rated_satisfied": "EXISTS (SELECT 1 FROM ratings_rating r WHERE r.dossier_id = d.id "
    "AND r.value IN ('very_satisfied', 'satisfied'))::int",
    "transfers": "(SELECT count(*) FROM dossiers_dossierevent e "
    "WHERE e.dossier_id = d.id AND e.action = 'transfer_agency')",
    "transfers_electronic": "(SELECT count(*) FROM dossiers_dossierevent e "
    "WHERE e.dossier_id = d.id AND e.action = 'transfer_agency' "
    "AND NOT coalesce((e.payload->>'paper')::boolean, false))",
}
_TZ = "%(tz)s"
_ZERO = {m: "0::numeric" if m == "processing_days" else "0" for m in _SQL}
_COUNTERS = (*RECEIVED_MEASURES, *FINISHED_MEASURES)
_COLUMNS = "day, agency_id, procedure_id, version_id, channel, " + ", ".join(_COUNTERS)


def _select(side: str, where: str) -> str:
    mine = RECEIVED_MEASURES if side == "received" else FINISHED_MEASURES
    values = ", ".join(f"{_SQL[m] if m in mine else _ZERO[m]} AS {m}" for m in _COUNTERS)
    if side == "received":
        return (
            "SELECT d.received_on AS day, d.receiving_agency_id AS agency_id, d.procedure_id, "
            f"d.procedure_version_id AS version_id, d.channel, {values} "
            "FROM dossiers_dossier d "
            "JOIN procedures_procedureversion v ON v.id = d.procedure_version_id "
            f"WHERE {where}"
        )
    return (
        f"SELECT (d.finished_at AT TIME ZONE {_TZ})::date AS day, "
        "d.deciding_agency_id AS agency_id, d.procedure_id, "
        f"d.procedure_version_id AS version_id, d.channel, {values} "
        "FROM dossiers_dossier d "
        f"WHERE d.finished_at IS NOT NULL AND {where}"
    )


def rollup_sql(
    *, received: bool, finished: bool, where: str = "TRUE", upsert: bool, sign: int = 1
) -> str:
    """``INSERT … SELECT … GROUP BY`` of the chosen sides; ``upsert`` adds onto existing rows
    (``sign=-1`` takes a dossier's contribution back out, before a fact of it changes)."""
    parts = []
    if received:
        parts.append(_select("received", where))
    if finished:
        parts.append(_select("finished", where))
    neg = "-" if sign < 0 else ""
    sums = ", ".join(f"{neg}sum({c})" for c in _COUNTERS)
    sql = (
        f"INSERT INTO metrics_dailyrollup ({_COLUMNS}) "
        f"SELECT day, agency_id, procedure_id, version_id, channel, {sums} "
        f"FROM ({' UNION ALL '.join(parts)}) s GROUP BY 1, 2, 3, 4, 5"
    )
    if upsert:
        sets = ", ".join(f"{c} = metrics_dailyrollup.{c} + excluded.{c}" for c in _COUNTERS)
        sql += (
            f" ON CONFLICT (day, agency_id, procedure_id, version_id, channel) DO UPDATE SET {sets}"
        )
    return sql


SNAPSHOT_SQL = """
INSERT INTO metrics_opensnapshot (day, agency_id, procedure_id, channel, open_at_end,
                                  overdue_at_end)
SELECT %(day)s::date, d.deciding_agency_id, d.procedure_id, d.channel, count(*),
       count(*) FILTER (WHERE d.due_at < %(end)s)
FROM dossiers_dossier d
WHERE d.received_on <= %(day)s AND (d.finished_at IS NULL OR d.finished_at >= %(end)s)
GROUP BY 2, 3, 4
"""


def open_filter(day: date) -> Q:
    """Open at the end of ``day``: received by then and not finished by then."""
    end = local_start(day + timedelta(1))
    return Q(received_on__lte=day) & (Q(finished_at__isnull=True) | Q(finished_at__gte=end))


def overdue_filter(day: date) -> Q:
    return open_filter(day) & Q(due_at__lt=local_start(day + timedelta(1)))
