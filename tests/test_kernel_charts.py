"""The server-rendered bar charts (kernel/charts.py): one bar per row, widths relative to the
maximum, names escaped, a data table under each, and no script or inline style (the CSP)."""

import re

from django.template import engines

from jiceng.kernel.charts import Bar, bar_chart, bars_of


def test_bars_are_as_wide_as_their_share_and_carry_a_data_table():
    html = bar_chart(
        [Bar("和平社区<第一>党支部", 75), Bar("新华社区", 50), Bar("空", None)],
        title="各组织达标率",
        unit="%",
        maximum=100,
        chart_id="chart-x",
    )
    assert html.count('class="jc-bar-row"') == 3
    assert re.findall(r'jc-bar-fill jc-tone-primary" width="([\d.]+)%"', html) == [
        "75.0",
        "50.0",
        "0.0",
    ]
    assert "&lt;第一&gt;" in html and "<第一>" not in html
    assert "<summary>数据表</summary>" in html or "<summary>Data table</summary>" in html
    assert '<td>新华社区</td><td class="text-end">50%</td>' in html
    assert '<td>空</td><td class="text-end">—</td>' in html
    assert "<script" not in html and "style=" not in html


def test_rows_by_key_or_position_and_tones_by_status():
    rows = [{"name": "甲", "for_votes": 3, "status": "elected"}, {"name": "乙", "for_votes": 1}]
    rows[1]["status"] = "tied"
    bars = bars_of(rows, "name", "for_votes", "status", tones={"elected": "success"})
    assert bars == [Bar("甲", 3, "success"), Bar("乙", 1, "primary")]  # unknown → primary
    assert bars_of([("a", 2, 9)], 0, 2) == [Bar("a", 9)]
    assert bar_chart([], title="x") == ""


def test_the_template_tag_draws_from_a_page_context():
    template = engines["django"].from_string(
        '{% load jiceng %}{% bar_chart rows "得票" label="name" value="n" maximum=4 %}'
    )
    html = template.render({"rows": [{"name": "甲", "n": 3}]})
    assert 'width="75.0%"' in html and "得票" in html
