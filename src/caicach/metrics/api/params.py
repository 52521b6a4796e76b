"""The query parameters every metrics API shares: the period and the agency, with their schema.

One definition so that every figure API reads ``period`` the same way (metrics.periods) and
answers a bad one with the same bilingual 400.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from caicach.core.errors import BilingualError
from caicach.metrics.periods import Period, PeriodError, parse_period

__all__ = ["AGENCY", "PERIOD", "period_from"]

AGENCY = OpenApiParameter(
    "agency",
    str,
    OpenApiParameter.QUERY,
    description="Agency code (its subtree); default: the caller's own.",
)
PERIOD = OpenApiParameter(
    "period",
    str,
    OpenApiParameter.QUERY,
    required=True,
    description="Month 2025-07, quarter 2025-Q3, half 2025-H1, year 2025 or 2025-07-01..2025-08-15.",
)


def period_from(request: Request) -> Period:
    """The ``period`` parameter, or a 400 ``invalid_period``.

    No label is longer than 22 characters: a longer text stays invalid and is not echoed whole.
    """
    try:
        return parse_period(request.query_params.get("period", "")[:40])
    except PeriodError as exc:
        raise BilingualError(exc.vi, exc.en, code="invalid_period") from None
