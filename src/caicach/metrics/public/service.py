"""The figures the public transparency page and the open-data API publish (issue 14, "A public
transparency page ... like the national portal's public 766 pages").

Aggregates only (Nghị định 13/2023/NĐ-CP: no personal data leaves the system without a legal
basis): counts and rates per agency and period, read from the rollups (``metrics.models``) by
:func:`caicach.metrics.index766_reads.kpis_for_agencies` (a few grouped reads for every agency) and the
Decision 766 index (:func:`~caicach.metrics.index766_reads.index_for_all`, regulations §1.1-§1.2). No
name, no dossier code, no officer: nothing here reads the dossier or applicant tables.

The rows are the province (the root of the tree) and every agency directly under it (the
departments and the communes, regulations §0: two tiers since 01/7/2025), in operation during
the period. The result is a plain dict of strings, numbers and lists (JSON-ready, cached as is
by :mod:`caicach.metrics.public.cache`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from caicach.agencies.models import Agency, AgencyLevel
from caicach.metrics import compute, index766, index766_reads
from caicach.metrics.figures import Figure
from caicach.metrics.periods import Period
from caicach.metrics.registry import FORMULA_VERSION, get

__all__ = [
    "COUNTS",
    "RATES",
    "TREND",
    "UnknownAgencyError",
    "agency_document",
    "default_period",
    "overview_document",
    "trend",
]

#: The rates published for every agency (registry codes, regulations §1.2 and §3).
RATES = (
    "on_time_766",
    "online_share",
    "full_online_share",
    "paid_online",
    "digitised",
    "satisfaction",
)
#: The counts: (key, registry code, side) — received is online_share's denominator, finished
#: and finished on time are on_time_766's denominator and numerator (regulations §1.3).
COUNTS = (
    ("received", "online_share", "denominator"),
    ("finished", "on_time_766", "denominator"),
    ("on_time", "on_time_766", "numerator"),
)
#: The 12-month trend: flow KPIs only (sums of daily rollups, metrics-notes "Two kinds").
TREND = ("on_time_766", "online_share", "digitised", "paid_online", "satisfaction")
TREND_MONTHS = 12


class UnknownAgencyError(LookupError):
    """No public agency with that code (or not in operation then)."""

    def __init__(self, code: str) -> None:
        self.vi = f"Không có cơ quan mã “{code}” trong kỳ này."
        self.en = f"No agency with code “{code}” in this period."
        super().__init__(f"{self.vi} / {self.en}")


def default_period(today: date | None = None) -> Period:
    """The last complete month (the national portal publishes closed months)."""
    today = today or timezone.localdate()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    return Period.month(year, month)


def is_live(period: Period, today: date | None = None) -> bool:
    """Whether the period is still running (its figures change with every dossier event)."""
    return period.last >= (today or timezone.localdate())


# -- figures ----------------------------------------------------------------------------------


def _num(value: Decimal | int) -> str:
    d = Decimal(value)
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else str(d.normalize())


def _figure(fig: Figure) -> dict[str, Any]:
    rounded = fig.rounded()
    return {
        "numerator": _num(fig.numerator),
        "denominator": _num(fig.denominator),
        "value": None if rounded is None else str(rounded),
        "reason_vi": fig.reason_vi,
        "reason_en": fig.reason_en,
    }


def _index(result: index766.IndexResult) -> dict[str, Any]:
    dec = index766._dec
    return {
        "total": dec(result.total),
        "max": dec(result.max_counted),
        "total_scaled": dec(result.scaled),
        "groups": [
            {
                "number": g.group.number,
                "name_vi": g.group.name_vi,
                "name_en": g.group.name_en,
                "pmax": g.group.pmax,
                "points": dec(g.points),
                "max": dec(g.max_counted),
            }
            for g in result.groups
        ],
    }


def _row(agency: Agency, figures: dict[tuple[str, int], Figure], result: Any) -> dict[str, Any]:
    counts: dict[str, int | str] = {}
    for key, code, side in COUNTS:
        fig = figures[(code, agency.pk)]
        counts[key] = _num(getattr(fig, side))
    finished = Decimal(str(counts["finished"]))
    counts["late"] = _num(finished - Decimal(str(counts["on_time"])))
    return {
        "code": agency.code,
        "name": agency.name,
        "level": agency.level,
        "root": agency.parent_id is None,
        "counts": counts,
        "rates": {code: _figure(figures[(code, agency.pk)]) for code in RATES},
        "index766": _index(result),
    }


def _definitions() -> list[dict[str, Any]]:
    out = []
    for code in RATES:
        k = get(code)
        out.append(
            {
                "code": code,
                "name_vi": k.name_vi,
                "name_en": k.name_en,
                "unit": k.unit,
                "numerator": k.numerator,
                "denominator": k.denominator,
                "rule": k.rule,
                "version": k.version,
            }
        )
    return out


def _rows(agencies: Sequence[Agency], period: Period) -> list[dict[str, Any]]:
    conf = index766.current_settings()
    codes = sorted(
        {*RATES, *(c for _k, c, _s in COUNTS), *index766.kpi_codes(conf["group3_split"])}
    )
    figures = index766_reads.kpis_for_agencies(codes, agencies, period)

    def reader(
        _codes: Sequence[str], _agencies: Sequence[Any], _period: Period
    ) -> dict[tuple[str, int], Figure]:
        return figures

    results = index766_reads.index_for_all(period, agencies, reader=reader)
    return [_row(a, figures, r) for a, r in zip(agencies, results, strict=True)]


def _in_operation(period: Period) -> Any:
    return Agency.objects.filter(valid_from__lte=period.last).exclude(valid_to__lt=period.first)


def _head(period: Period) -> dict[str, Any]:
    return {
        "period": period.label,
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "formula_version": FORMULA_VERSION,
        "index766_formula_version": index766.FORMULA_VERSION,
        "index766_settings": index766.current_settings(),
        "computed_at": timezone.now().isoformat(timespec="seconds"),
        "live": is_live(period),
        "definitions": _definitions(),
    }


def overview_document(period: Period) -> dict[str, Any]:
    """The province and every agency directly under it, with the province's 12-month trend."""
    roots = list(_in_operation(period).filter(parent__isnull=True).order_by("path")[:1])
    if not roots:
        return {**_head(period), "province": None, "rows": [], "trend": []}
    root = roots[0]
    agencies = [root, *_in_operation(period).filter(parent=root).order_by("level", "name")]
    rows = _rows(agencies, period)
    return {
        **_head(period),
        "province": {"code": root.code, "name": root.name},
        "rows": rows,
        "trend": trend(root, period),
    }


def agency_document(period: Period, code: str) -> dict[str, Any]:
    """One agency (its subtree, merged units included) with its 12-month trend."""
    agency = _in_operation(period).filter(code=code).first()
    if agency is None:
        raise UnknownAgencyError(code)
    row = _rows([agency], period)[0]
    parent = agency.parent
    return {
        **_head(period),
        "agency": row,
        "parent": None if parent is None else {"code": parent.code, "name": parent.name},
        "level_label_vi": str(AgencyLevel(agency.level).label),
        "trend": trend(agency, period),
    }


# -- the 12-month trend -----------------------------------------------------------------------


def trend_months(period: Period) -> list[Period]:
    """The 12 calendar months ending with the period's last month."""
    y, m = period.last.year, period.last.month
    out: list[Period] = []
    for _ in range(TREND_MONTHS):
        out.append(Period.month(y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def trend(agency: Agency, period: Period) -> list[dict[str, Any]]:
    """Each month's flow KPIs of ``agency``'s subtree, by :func:`caicach.metrics.compute.
    kpi_series` (one grouped read over the monthly rollups; the same figures as
    :func:`~caicach.metrics.compute.kpi` month by month)."""
    months = trend_months(period)
    series = compute.kpi_series(list(TREND), agency, months)
    return [
        {"period": month.label, "kpis": {code: _figure(series[code][i]) for code in TREND}}
        for i, month in enumerate(months)
    ]
