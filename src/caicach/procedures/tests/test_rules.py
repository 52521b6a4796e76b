"""The catalogue rules (issue §4; NĐ 224/2026 art. 14), without a database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caicach.procedures.rules import (
    ComponentQuantity,
    FeeAmount,
    StepBudget,
    check_procedure_code,
    check_time_budget,
    check_version_rules,
    format_duration,
    format_time,
)

D = Decimal


def valid(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "statutory_value": D(4),
        "statutory_unit": "working_days",
        "promised_value": D(3),
        "online_level": "full",
        "partial_reason": "",
        "steps": [StepBudget(1, D(1)), StepBudget(2, D(2)), StepBudget(3, D(1))],
        "fees": [FeeAmount(8000)],
        "components": [ComponentQuantity(1)],
        "result_paper": True,
        "result_electronic": False,
    }
    values.update(overrides)
    return values


def test_a_valid_version_passes():
    assert check_version_rules(**valid()) == []


@pytest.mark.parametrize(
    ("overrides", "field", "message_vi"),
    [
        (
            {"steps": [StepBudget(1, D("2.5")), StepBudget(2, D(2))]},
            "steps",
            "Tổng thời gian các bước (4,5 ngày làm việc) vượt thời hạn giải quyết "
            "(4 ngày làm việc).",
        ),
        (
            {"promised_value": D(5)},
            "promised_value",
            "Thời hạn cam kết (5 ngày làm việc) không được dài hơn thời hạn giải quyết "
            "(4 ngày làm việc).",
        ),
        (
            {"online_level": "partial", "partial_reason": "  "},
            "partial_reason",
            "Dịch vụ công trực tuyến một phần phải nêu lý do được công khai "
            "(NĐ 224/2026/NĐ-CP, Điều 14).",
        ),
        ({"statutory_value": D(0)}, "statutory_value", "Thời hạn giải quyết phải lớn hơn 0."),
        ({"promised_value": D(-1)}, "promised_value", "Thời hạn cam kết phải lớn hơn 0."),
        (
            {"steps": [StepBudget(1, D(0)), StepBudget(2, D(1))]},
            "steps[0].budget",
            "Thời gian của bước 1 phải lớn hơn 0.",
        ),
        (
            {"statutory_value": D("1.0005")},
            "statutory_value",
            "Thời hạn giải quyết tối đa 9999,999 và không quá 3 chữ số thập phân.",
        ),
        (
            {"steps": [StepBudget(1, D(1)), StepBudget(1, D(1))]},
            "steps[1].order",
            "Thứ tự 1 bị trùng với một bước khác.",
        ),
        (
            {"steps": [StepBudget(1, D(1)), StepBudget(3, D(1))]},
            "steps",
            "Thứ tự các bước phải liên tiếp từ 1 (đang là: 1, 3).",
        ),
        ({"steps": []}, "steps", "Quy trình nội bộ phải có ít nhất một bước."),
        (
            {"result_paper": False, "result_electronic": False},
            "result",
            "Kết quả phải có ít nhất một hình thức: bản giấy hoặc bản điện tử.",
        ),
        ({"fees": [FeeAmount(-1)]}, "fees[0].amount", "Mức thu không được âm."),
        (
            {"components": [ComponentQuantity(0)]},
            "components[0].quantity",
            "Số lượng phải từ 1 trở lên.",
        ),
        ({"statutory_unit": "weeks"}, "statutory_unit", "Đơn vị thời hạn “weeks” không hợp lệ."),
        (
            {"online_level": "level4"},
            "online_level",
            "Mức độ trực tuyến “level4” không hợp lệ (full, partial, none).",
        ),
    ],
)
def test_each_broken_rule_is_named_with_its_field(overrides, field, message_vi):
    errors = check_version_rules(**valid(**overrides))
    assert (field, message_vi) in [(e.field, e.message_vi) for e in errors]
    assert all(e.message_en and e.message_en != e.message_vi for e in errors)


def test_every_broken_rule_is_reported_at_once():
    errors = check_version_rules(
        **valid(promised_value=D(9), online_level="partial", result_paper=False)
    )
    assert {e.field for e in errors} == {"promised_value", "partial_reason", "result"}


def test_a_partial_service_with_its_reason_passes():
    assert check_version_rules(**valid(online_level="partial", partial_reason="Cần xác minh")) == []


def test_budget_may_equal_the_statutory_time_in_hours():
    steps = [StepBudget(1, D("0.5")), StepBudget(2, D("7.5"))]
    assert check_time_budget(D(8), "working_hours", steps) == []
    [error] = check_time_budget(D(7), "working_hours", steps)
    assert error.message_en == (
        "The steps' total time (8 working hours) exceeds the statutory time (7 working hours)."
    )


@pytest.mark.parametrize(
    ("code", "ok"),
    [("1.004227", True), ("2.000815", True), ("1.04227", False), ("1-004227", False), ("", False)],
)
def test_procedure_code_format(code, ok):
    assert (check_procedure_code(code) == []) is ok


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [(D("4.500"), "4,5", "4.5"), (D("10.000"), "10", "10"), (D("0.125"), "0,125", "0.125")],
)
def test_times_print_the_vietnamese_way(value, vi, en):
    assert format_time(value) == vi
    assert format_time(value, "en") == en


def test_duration_names_its_unit():
    assert format_duration(D(1), "calendar_days") == "1 ngày"


budgets = st.lists(
    st.decimals(min_value=D("0.001"), max_value=D(50), places=3), min_size=1, max_size=12
)


@given(budgets)
def test_any_steps_within_the_statutory_time_pass(values):
    steps = [StepBudget(i + 1, value) for i, value in enumerate(values)]
    statutory = sum(values, D(0))
    assert check_time_budget(statutory, "working_days", steps) == []
    assert check_version_rules(
        **valid(statutory_value=statutory, promised_value=statutory, steps=steps)
    ) == [] or statutory > D("9999.999")


@given(budgets, st.decimals(min_value=D("0.001"), max_value=D(10), places=3))
def test_any_steps_over_the_statutory_time_fail(values, excess):
    steps = [StepBudget(i + 1, value) for i, value in enumerate(values)]
    statutory = sum(values, D(0)) - excess
    errors = check_time_budget(statutory, "working_days", steps)
    assert [e.field for e in errors] == ["steps"]
