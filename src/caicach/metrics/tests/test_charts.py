"""The SVG charts (issue 14, "Charts"): well-formed, gaps for no data, values where drawn."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from caicach.metrics import charts

NS = "{http://www.w3.org/2000/svg}"


def test_line_chart_draws_gaps_for_no_data_and_the_target():
    chart = charts.LineChart(
        "Đúng hạn",
        ["01/2026", "02/2026", "03/2026", "04/2026"],
        [charts.Series("Tỉnh", [90.0, None, 95.0, 100.0])],
        target=98.0,
        target_label="Mục tiêu",
        y_min=0.0,
        y_max=100.0,
    )
    root = ET.fromstring(charts.line_svg(chart, width=440, height=276))
    assert root.find(f"{NS}title").text == "Đúng hạn"
    # Before the gap one point (no line), after it a line through two points: 95 and 100.
    lines = root.findall(f"{NS}polyline")
    assert len(lines) == 1
    # Plot: left 44, width 440-44-12=384, 4 slots of 96: x = 44+96*2.5=284 and 44+96*3.5=380;
    # height 276-14-56=206: y(95) = 14+206*0.05 = 24.3, y(100) = 14.
    assert lines[0].get("points") == "284.0,24.3 380.0,14.0"
    assert "Mục tiêu 98" in charts.line_svg(chart)
    assert charts.table_rows(chart)[1] == ["02/2026", "—"]
    assert charts.table_rows(chart)[2] == ["03/2026", "95"]


def test_bar_chart_whiskers_and_decimal_comma():
    chart = charts.BarChart(
        "Xếp hạng",
        [charts.Bar("Sở A", 87.25, 80.0, 92.5), charts.Bar("Xã B", None)],
        target=90.0,
    )
    svg = charts.bar_svg(chart)
    root = ET.fromstring(svg)
    assert len(root.findall(f"{NS}rect")) == 1  # no bar for "no data"
    assert "87,2%" in svg or "87,3%" in svg
    assert "—" in svg


@given(
    st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=0, max_size=30),
    st.text(max_size=40),
)
def test_any_values_and_labels_make_well_formed_svg(values, label):
    line = charts.LineChart(
        label, [str(i) for i in range(len(values))], [charts.Series(label, values)]
    )
    ET.fromstring(charts.line_svg(line))
    bars = charts.BarChart(label, [charts.Bar(label, v) for v in values])
    ET.fromstring(charts.bar_svg(bars))
