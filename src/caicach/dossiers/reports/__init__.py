"""Workspace reports on dossiers: the register of a period and apologies and lateness per agency.

One job per module; this package re-exports their public names (``reports.apology_stats``...):

========================  ==================================================================
``periods``               the reporting period ``[from, to]`` and its parsing (pure)
``agencies``              the agencies in the user's scope, resolved from a code
``register``              the dossier register (TT 01/2018 form 06): its rows, PDF and XLSX
``register_jobs``         long register PDFs made by a background job for their requester
``apologies``             apologies and lateness per agency (NĐ 61/2018 art. 19)
========================  ==================================================================

Scope: every function takes the user and checks through :mod:`caicach.accounts.access`; an
agency outside the user's scope is an :class:`AgencyNotInScopeError` (404 in the API: its
existence is not revealed; the same bilingual message on pages).
"""

from __future__ import annotations

from caicach.dossiers.reports.agencies import (
    AgencyNotInScopeError,
    register_agencies,
    report_agencies,
    resolve_agency,
)
from caicach.dossiers.reports.apologies import (
    METRIC_LIST_LIMIT,
    METRICS,
    SORT_KEYS,
    AgencyStats,
    ApologyReport,
    GroupBy,
    Metric,
    apology_stats,
    metric_dossiers,
)
from caicach.dossiers.reports.periods import (
    MAX_PERIOD_DAYS,
    Period,
    PeriodError,
    default_period,
    parse_day,
    parse_period,
)
from caicach.dossiers.reports.register import (
    PDF_MAX_ROWS,
    XLSX_TYPE,
    TooManyRowsError,
    record_register_export,
    register_filename,
    register_pdf,
    register_queryset,
    register_xlsx,
)
from caicach.dossiers.reports.register_jobs import (
    PDF_SYNC_MAX_ROWS,
    REGISTER_EXPORT_STALE,
    RegisterExportExpiredError,
    RegisterExportNotFoundError,
    RegisterExportNotReadyError,
    build_register_export,
    expire_register_exports,
    register_export,
    register_exports,
    register_pdf_or_export,
    request_register_pdf,
)

__all__ = [
    "MAX_PERIOD_DAYS",
    "METRICS",
    "METRIC_LIST_LIMIT",
    "PDF_MAX_ROWS",
    "PDF_SYNC_MAX_ROWS",
    "REGISTER_EXPORT_STALE",
    "SORT_KEYS",
    "XLSX_TYPE",
    "AgencyNotInScopeError",
    "AgencyStats",
    "ApologyReport",
    "GroupBy",
    "Metric",
    "Period",
    "PeriodError",
    "RegisterExportExpiredError",
    "RegisterExportNotFoundError",
    "RegisterExportNotReadyError",
    "TooManyRowsError",
    "apology_stats",
    "build_register_export",
    "default_period",
    "expire_register_exports",
    "metric_dossiers",
    "parse_day",
    "parse_period",
    "record_register_export",
    "register_agencies",
    "register_export",
    "register_exports",
    "register_filename",
    "register_pdf",
    "register_pdf_or_export",
    "register_queryset",
    "register_xlsx",
    "report_agencies",
    "request_register_pdf",
    "resolve_agency",
]
