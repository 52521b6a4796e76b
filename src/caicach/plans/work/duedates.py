"""When a reporting duty last fell due (issue 15, "which reports are missing", the leader's
page fallback until the periodic reports workflow records submissions). Pure, mypy strict.

A duty with ``first_due`` falls due then and every 3 (quarterly), 6 (half-yearly) or 12
(yearly) months after it, on the same day of the month (the month's last day when shorter).
A duty without one falls due on the last day of each quarter, half or year (the period it
reports on ends; the plan names no earlier date). ``ad_hoc`` never falls due by itself.
"""

from __future__ import annotations

import calendar
from datetime import date

__all__ = ["STEP_MONTHS", "last_due"]

STEP_MONTHS = {"quarterly": 3, "half_yearly": 6, "yearly": 12}


def _add_months(day: date, months: int, anchor_day: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(anchor_day, last))


def _period_end(today: date, step: int) -> date:
    """The last day of the latest period of ``step`` months that ended on or before today."""
    index = today.year * 12 + today.month - 1
    start = index - index % step  # the current period's first month
    year, month = divmod(start - 1, 12)  # the month before it
    end = date(year, month + 1, calendar.monthrange(year, month + 1)[1])
    current_end_index = start + step - 1
    y2, m2 = divmod(current_end_index, 12)
    current_end = date(y2, m2 + 1, calendar.monthrange(y2, m2 + 1)[1])
    return current_end if current_end <= today else end


def last_due(first_due: date | None, frequencies: list[str], today: date) -> date | None:
    """The latest date on or before ``today`` the duty fell due, or None (not yet, or ad hoc)."""
    best: date | None = None
    for frequency in frequencies:
        step = STEP_MONTHS.get(frequency)
        if step is None:
            continue
        if first_due is None:
            due: date | None = _period_end(today, step)
        elif first_due > today:
            due = None
        else:
            months = ((today.year - first_due.year) * 12 + today.month - first_due.month) // step
            due = _add_months(first_due, months * step, first_due.day)
            while due > today:
                months -= 1
                due = _add_months(first_due, months * step, first_due.day)
        if due is not None and (best is None or due > best):
            best = due
    return best
