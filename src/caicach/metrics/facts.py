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
from django.db.models import Exists, OuterRef, Q

__all__ = [
    "CONDITIONS",
    "FINISHED_MEASURES",
    "RECEIVED_MEASURES",
    "local_start",
    "measure_side",
    "rollup_sql",
    "side_filter",
]

RECEIVED_MEASURES = ("received", "received_online")
FINISHED_MEASURES = (
    "finished",
    "finished_online",
    "finished_early",
    "finished_on_time",
    "finished_legal_on_time",
    "processing_days",
    "supplement_requests",
    "apologised",
    "apologies",
    "reused",
    "digitised",
)


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


def conditions() -> dict[str, Q | Exists | None]:
    """The numerator condition of each 0/1 measure (None: every dossier of the side counts)."""
    return {
        "received": None,
        "received_online": Q(channel="online"),
        "finished": None,
        "finished_online": Q(channel="online"),
        "finished_early": Q(timeliness="early"),
        "finished_on_time": Q(timeliness_766__in=["early", "on_time"]),
        "finished_legal_on_time": Q(legal_timeliness__in=["early", "on_time"]),
        "apologised": Q(apologies__gt=0),
        "reused": _component(reused=True),
        "digitised": _component(~Q(file="")),
    }


CONDITIONS = conditions
#: Measures that are sums of a per-dossier value rather than counts.
VALUED = {"processing_days", "supplement_requests", "apologies"}


def dossier_value(measure: str, dossier: object) -> Decimal:
    """The per-dossier value of a valued measure (same rounding as the SQL)."""
    if measure == "processing_days":
        # Working days on the deciding agency's calendar, paused time excluded (h13-time).
        return Decimal(dossier.processing_working_days or 0)  # type: ignore[attr-defined]
    return Decimal(getattr(dossier, measure))


_TZ = "%(tz)s"
_RECEIVED_SELECT = """
SELECT d.received_on AS day, d.receiving_agency_id AS agency_id, d.procedure_id,
       d.procedure_version_id AS version_id, d.channel,
       1 AS received, (d.channel = 'online')::int AS received_online,
       0 AS finished, 0 AS finished_online, 0 AS finished_early, 0 AS finished_on_time,
       0 AS finished_legal_on_time, 0::numeric AS processing_days, 0 AS supplement_requests,
       0 AS apologised, 0 AS apologies, 0 AS reused, 0 AS digitised
FROM dossiers_dossier d WHERE {where}
"""
_FINISHED_SELECT = """
SELECT (d.finished_at AT TIME ZONE %(tz)s)::date AS day, d.deciding_agency_id AS agency_id,
       d.procedure_id, d.procedure_version_id AS version_id, d.channel,
       0 AS received, 0 AS received_online, 1 AS finished,
       (d.channel = 'online')::int AS finished_online,
       (d.timeliness = 'early')::int AS finished_early,
       (d.timeliness_766 IN ('early', 'on_time'))::int AS finished_on_time,
       (d.legal_timeliness IN ('early', 'on_time'))::int AS finished_legal_on_time,
       coalesce(d.processing_working_days, 0) AS processing_days,
       d.supplement_requests, (d.apologies > 0)::int AS apologised, d.apologies,
       EXISTS (SELECT 1 FROM dossiers_dossiercomponent c
               WHERE c.dossier_id = d.id AND c.reused)::int AS reused,
       EXISTS (SELECT 1 FROM dossiers_dossiercomponent c
               WHERE c.dossier_id = d.id AND c.file <> '')::int AS digitised
FROM dossiers_dossier d WHERE d.finished_at IS NOT NULL AND {where}
"""
_COLUMNS = (
    "day, agency_id, procedure_id, version_id, channel, received, received_online, finished, "
    "finished_online, finished_early, finished_on_time, finished_legal_on_time, processing_days, "
    "supplement_requests, apologised, apologies, reused, digitised"
)
_COUNTERS = _COLUMNS.split(", ")[5:]


def rollup_sql(*, received: bool, finished: bool, where: str = "TRUE", upsert: bool) -> str:
    """``INSERT … SELECT … GROUP BY`` of the chosen sides; ``upsert`` adds onto existing rows."""
    parts = []
    if received:
        parts.append(_RECEIVED_SELECT.format(where=where))
    if finished:
        parts.append(_FINISHED_SELECT.format(where=where))
    sums = ", ".join(f"sum({c})" for c in _COUNTERS)
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
