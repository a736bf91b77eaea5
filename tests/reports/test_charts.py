"""Server-drawn SVG charts: accessible, escaped, and true to their figures."""

from __future__ import annotations

import re

from outreach.reports import charts
from outreach.reports.charts import Series


def test_a_chart_is_an_image_with_a_title_and_a_description_of_its_figures() -> None:
    svg = str(charts.columns("New domains", ["Jan 2026", "Feb"], [Series("New", [3, 1], "good")]))
    assert svg.startswith('<svg class="chart"')
    assert 'role="img"' in svg
    ids = re.search(r'aria-labelledby="([^"]+)"', svg)
    assert ids is not None
    for ident in ids.group(1).split():
        assert f'id="{ident}"' in svg
    assert "<title" in svg and "New: Jan 2026 3, Feb 1" in svg


def test_labels_from_data_are_escaped() -> None:
    svg = str(charts.bars("Gap <b>", [("<script>alert(1)</script>", 4)]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Gap &lt;b&gt;" in svg


def test_bar_heights_follow_the_values_and_lost_goes_below_the_axis() -> None:
    svg = str(
        charts.columns(
            "x", ["a", "b"], [Series("New", [4, 2], "good"), Series("Lost", [-2, 0], "bad")]
        )
    )
    heights = [float(h) for h in re.findall(r'class="good"[^>]*height="([\d.]+)"', svg)]
    assert heights[0] == 2 * heights[1]
    lost = re.findall(r'class="bad" x="[\d.]+" y="([\d.]+)"', svg)
    zero = re.search(r'class="axis"[^>]*y1="([\d.]+)"', svg)
    assert zero is not None and float(lost[0]) == float(zero.group(1))


def test_months_without_a_figure_draw_nothing() -> None:
    svg = str(charts.columns("x", ["a", "b"], [Series("Average", [None, 50], "primary")]))
    assert svg.count('<rect class="primary"') == 1
    assert "a none" in svg
