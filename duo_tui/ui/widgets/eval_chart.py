"""`EvalChart`: recall and cost of each eval configuration as two columns of horizontal bars.

Drawn from block characters with eighth-cell ends (`▏▎▍▌▋▊▉█`) on a faint track,
one line per configuration, sized to the widget's width: the bars share what the
labels and numbers leave, up to `MAX_BAR` cells each. Recall is out of 100 %;
cost is relative to the dearest configuration (its bar is full), and every bar
has its number beside it, so nothing is read from colour or length alone.
Labels are model names: plain text with controls made visible.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.widget import Widget

from duo_tui.eval.report import cost_text
from duo_tui.safe_text import clean_line

__all__ = ["ChartRow", "EvalChart", "bar"]

EIGHTHS = " ▏▎▍▌▋▊▉"
MAX_BAR = 44
MIN_BAR = 6
TRACK = "╌"


@dataclass(frozen=True)
class ChartRow:
    label: str
    recall: float | None  # 0..1, None before any case is scored
    cost_usd: float
    cost_known: bool = True
    pair: bool = False


def bar(fraction: float, width: int) -> tuple[str, str]:
    """(the filled part, the track) of a bar `fraction` full in `width` cells."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    filled = "█" * full + (EIGHTHS[rest] if rest else "")
    return filled, TRACK * (width - cell_len(filled))


class EvalChart(Widget):
    """Recall and cost per configuration (see the module docstring)."""

    DEFAULT_CSS = """
    EvalChart { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[ChartRow] = []

    def show(self, rows: list[ChartRow]) -> None:
        self.rows = rows
        self.refresh(layout=True)

    def _var(self, name: str, fallback: str) -> str:
        return self.app.theme_variables.get(name) or fallback

    def render(self) -> Text:
        if not self.rows:
            return Text("no configuration has a scored case yet", style="dim")
        labels = [clean_line(r.label) for r in self.rows]
        label_w = min(max(cell_len(x) for x in labels), 40)
        costs = [r.cost_usd for r in self.rows]
        top = max(costs) or 1.0
        cost_cells = [cost_text(r.cost_usd, r.cost_known) for r in self.rows]
        cost_w = max(cell_len(c) for c in cost_cells)
        # label, 2, bar, " 100%", 4, bar, " $cost"
        room = max(0, self.size.width - 2) - label_w - 2 - 5 - 4 - 1 - cost_w
        bar_w = max(MIN_BAR, min(MAX_BAR, room // 2))
        recall_style = self._var("duo-agree", "green")
        cost_style = self._var("duo-severity-conflict", "yellow")
        track_style = self._var("duo-stage-pending", "grey37")
        out = Text(no_wrap=True, overflow="ellipsis")
        head_recall = "recall: known issues found".ljust(bar_w + 5)
        head_cost = f"cost (a full bar: {cost_text(top)})" if max(costs) > 0 else "cost"
        out.append(" " * (label_w + 2))
        out.append(head_recall[: bar_w + 5], style="bold")
        out.append("    ")
        out.append(head_cost[: bar_w + 1 + cost_w], style="bold")
        for row, label, cost in zip(self.rows, labels, cost_cells, strict=True):
            out.append("\n")
            name = label if cell_len(label) <= label_w else label[: label_w - 1] + "…"
            out.append(name.ljust(label_w), style="bold" if row.pair else "")
            out.append("  ")
            filled, track = bar(row.recall or 0.0, bar_w)
            out.append(filled, style=recall_style)
            out.append(track, style=track_style)
            pct = "   -" if row.recall is None else f"{100 * row.recall:>3.0f}%"
            out.append(f" {pct:>4}")
            out.append("    ")
            filled, track = bar(row.cost_usd / top if top > 0 else 0.0, bar_w)
            out.append(filled, style=cost_style)
            out.append(track, style=track_style)
            out.append(f" {cost}")
        return out
