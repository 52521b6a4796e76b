from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.metrics.figures import ratio
from caicach.metrics.periods import Period, PeriodError, parse_period


@pytest.mark.parametrize(
    ("text", "first", "last", "kind"),
    [
        ("2025-07", date(2025, 7, 1), date(2025, 7, 31), "month"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),
        ("2025-Q3", date(2025, 7, 1), date(2025, 9, 30), "quarter"),
        ("2025-H1", date(2025, 1, 1), date(2025, 6, 30), "half"),
        ("2025", date(2025, 1, 1), date(2025, 12, 31), "year"),
        ("2025-07-01..2025-08-15", date(2025, 7, 1), date(2025, 8, 15), "custom"),
    ],
)
def test_periods_are_read_strictly(text, first, last, kind):
    period = parse_period(text)
    assert (period.first, period.last, period.kind, period.label) == (first, last, kind, text)


@pytest.mark.parametrize(
    "text",
    ["", "2025-13", "2025-Q5", "2025-H3", "25", "2025-7", " 2025-07", "2025-08-15..2025-07-01",
     "2025-02-30..2025-03-01", "1899", "2025-q3", "July 2025"],
)  # fmt: skip
def test_bad_periods_are_refused_in_both_languages(text):
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert caught.value.vi and caught.value.en and caught.value.vi != caught.value.en


def test_a_custom_period_splits_into_clipped_months():
    months = parse_period("2025-07-20..2025-09-05").months()
    assert [(m.first, m.last, m.kind) for m in months] == [
        (date(2025, 7, 20), date(2025, 7, 31), "custom"),
        (date(2025, 8, 1), date(2025, 8, 31), "month"),
        (date(2025, 9, 1), date(2025, 9, 5), "custom"),
    ]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 1)))
def test_every_label_reads_back_as_the_same_period(day):
    for period in (Period.month(day.year, day.month), parse_period(f"{day.year}-Q1"),
                   Period(day, day, "custom")):  # fmt: skip
        assert parse_period(period.label) == period
        assert sum(m.days for m in period.months()) == period.days


def test_an_empty_denominator_is_no_data_with_a_reason_never_zero():
    fig = ratio(0, 0)
    assert fig.value is None and fig.reason_vi.startswith("Không có dữ liệu")
    assert fig.reason_en.startswith("No data")
    assert ratio(1, 3).rounded() == ratio(2, 6).rounded() == Decimal("33.33")
    assert ratio(0, 5).value == 0
