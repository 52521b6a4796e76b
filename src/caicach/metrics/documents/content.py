"""The two reports as data (:class:`~caicach.metrics.documents.model.Document`), built once from
the metrics and written by both writers, so the DOCX and the PDF carry the same figures.

* :func:`monthly_766`: the monthly Decision 766 report (QĐ 766/QĐ-TTg; regulations §1.1-§1.2) of
  an agency's subtree: the total, the groups and sub-indicators with R, T and points
  (``metrics.index766_reads.index_for``), the change from the previous month, the 12-month
  trend, the lowest sub-indicators with what would raise them (``k_to_full_points``, ``what_if``), and the
  subordinate agencies (one grouped read, ``index_for_all``).
* :func:`quarterly_one_stop`: the quarterly report on settling procedures (*tình hình, kết quả
  giải quyết TTHC*; NĐ 61/2018 art. 2 and TT 01/2018/TT-VPCP art. 13 count early, on time and
  late against the statutory time, regulations §2.4, §2.6): every number is a numerator or a
  denominator of ``metrics.compute.kpi`` for the same agency and period, as ``caicach kpi``
  prints it (a test checks it).

Layout parts (Decree 30/2020/NĐ-CP, Appendix I; metrics-notes "Official documents"): issuing
body with its parent, number and symbol (the number left for the clerical office), place and
date, title, numbered sections, recipients, signature block (``common``).
"""

from __future__ import annotations

from caicach.agencies.models import Agency
from caicach.metrics.documents.common import (
    KINDS,
    ReportInputError,
    check_period,
    d,
    fig,
    n,
    signed,
    stock,
)
from caicach.metrics.documents.model import Document
from caicach.metrics.documents.monthly import monthly_766
from caicach.metrics.documents.quarterly import OTHER_ROWS, quarterly_one_stop
from caicach.metrics.periods import Period

__all__ = [
    "KINDS",
    "OTHER_ROWS",
    "ReportInputError",
    "build",
    "check_period",
    "d",
    "fig",
    "monthly_766",
    "n",
    "quarterly_one_stop",
    "signed",
    "stock",
]


def build(kind: str, agency: Agency, period: Period) -> Document:
    """The report ``kind`` ("766" or "one_stop") of ``agency``'s subtree for ``period``."""
    check_period(kind, period)
    return monthly_766(agency, period) if kind == "766" else quarterly_one_stop(agency, period)
