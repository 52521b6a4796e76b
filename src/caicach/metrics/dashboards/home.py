"""The leader's home page block (issue 14): their own agency's summary for the current month,
linked to its full agency page. Registered with ``core.registry.register_home_section`` from
``metrics.apps``; shown to agency leaders, unit leaders and the reform office (the roles whose
work the reform figures measure), over the top of their ``reports.view`` scope."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from caicach.accounts.access import roles_of
from caicach.accounts.models import Role
from caicach.core.errors import BilingualError
from caicach.core.i18n import is_english
from caicach.dossiers.reports.agencies import resolve_agency
from caicach.metrics.dashboards import figures as dash
from caicach.metrics.dashboards.cache import cached
from caicach.metrics.dashboards.lights import light
from caicach.metrics.dashboards.pages import SUMMARY_KPIS, _dec, targets
from caicach.metrics.periods import Period
from caicach.metrics.registry import get

__all__ = ["LEADER_ROLES", "leader_summary"]

LEADER_ROLES = frozenset({Role.AGENCY_LEADER, Role.UNIT_LEADER, Role.REFORM_OFFICER})


def leader_summary(user: Any) -> dict[str, Any]:
    """``{}`` for other officers; else the agency, the month and its summary figures."""
    if not (roles_of(user) & LEADER_ROLES):
        return {}
    try:
        agency = resolve_agency(user, None, "reports.view")
    except BilingualError:
        return {}
    today = timezone.localdate()
    period = Period.month(today.year, today.month)
    return cached("home", agency.pk, period.label, lambda: _summary(agency, period))


def _summary(agency: Any, period: Period) -> dict[str, Any]:
    figs = dash.figures_for([agency], period, SUMMARY_KPIS)
    index = dash.index_results([agency], period, figs)[agency.pk]
    goals = {t.kpi_code: t for t in targets(agency, period.last)}
    rows = []
    for code in SUMMARY_KPIS:
        k, fig = get(code), figs[(code, agency.pk)]
        value, t = _dec(fig.value), goals.get(code)
        rows.append(
            {
                "code": code,
                "name": k.name_en if is_english() else k.name_vi,
                "figure": fig,
                "value": value,
                "light": light(
                    value, t.comparison if t else ">=", t.threshold if t else None, k.unit
                ),
                "target": t,
            }
        )
    return {
        "summary_agency": agency,
        "summary_period": period,
        "summary_rows": rows,
        "summary_766": _dec(index.scaled),
    }
