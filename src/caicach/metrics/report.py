"""The KPIs of one agency and period as one document (the ``kpi`` command and the API)."""

from __future__ import annotations

from typing import Any

from caicach.agencies.models import Agency
from caicach.metrics import compute
from caicach.metrics.figures import Figure
from caicach.metrics.periods import Period
from caicach.metrics.registry import FORMULA_VERSION, KPI, all_kpis


def kpi_row(k: KPI, fig: Figure) -> dict[str, Any]:
    return {
        "code": k.code,
        "name_vi": k.name_vi,
        "name_en": k.name_en,
        "unit": k.unit,
        "rule": k.rule,
        "version": k.version,
        **fig.as_dict(),
    }


def report(agency: Agency, period: Period) -> dict[str, Any]:
    rows = []
    for k in all_kpis():
        fig = compute.kpi(k.code, agency, period)
        assert isinstance(fig, Figure)
        rows.append(kpi_row(k, fig))
    doc: dict[str, Any] = {
        "agency": agency.code,
        "period": period.label,
        "formula_version": FORMULA_VERSION,
        "kpis": rows,
    }
    for hook in compute.report_hooks:
        doc.update(hook(agency, period))
    return doc
