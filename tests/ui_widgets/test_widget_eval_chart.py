"""EvalChart: bars in eighth cells, numbers beside them, never wider than the widget."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult

from duo_tui.ui.themes import duo_variable_defaults
from duo_tui.ui.widgets.eval_chart import TRACK, ChartRow, EvalChart, bar


def test_bar_fills_in_eighths_on_a_track() -> None:
    assert bar(0.5, 10) == ("█████", TRACK * 5)
    assert bar(1.0, 4) == ("████", "")
    assert bar(0.0, 3) == ("", TRACK * 3)
    filled, track = bar(0.75, 10)  # 60 eighths: 7 full cells and a half
    assert filled == "█" * 7 + "▌" and cell_len(filled + track) == 10
    assert bar(0.1, 22)[0] == "██▎"  # 17.6 -> 18 eighths
    assert bar(2.0, 5)[0] == "█" * 5 and bar(-1.0, 5)[0] == ""


class _ChartApp(App[None]):
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return duo_variable_defaults()

    def compose(self) -> ComposeResult:
        yield EvalChart(id="chart")


ROWS = [
    ChartRow("claude-opus-4-7", 0.77, 0.0672),
    ChartRow("gpt-5.5", None, 0.0),
    ChartRow("claude-opus-4-7 + gpt-5.5", 1.0, 0.0951, cost_known=False, pair=True),
]


@pytest.mark.parametrize("width", [60, 80, 200])
async def test_chart_lines_fit_the_width_and_say_their_numbers(width: int) -> None:
    app = _ChartApp()
    async with app.run_test(size=(width, 12)) as pilot:
        chart = app.query_one(EvalChart)
        chart.show(ROWS)
        await pilot.pause()
        lines = chart.render().plain.splitlines()
        assert len(lines) == 4 and lines[0].lstrip().startswith("recall")
        assert all(cell_len(line) <= width - 2 for line in lines)
        assert " 77%" in lines[1] and "$0.0672" in lines[1]
        assert "   -" in lines[2] and "$0.0000" in lines[2]  # nothing scored yet
        assert "100%" in lines[3] and lines[3].endswith("$0.0951+?")  # a cost not known
