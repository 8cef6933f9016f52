"""One eval configuration's per-case detail, full screen: enter (or `d`) on a
configuration of the eval report opens it, escape closes it.

The eval screen does not open it itself (screens do not import each other): it
posts `EvalScreen.DetailWanted` and the app pushes this screen. While the run
goes on the eval screen posts `EvalScreen.Reported` with each newer report and
the app hands it down (`update_report`): attributes down, messages up. What is
shown is the `EvalDetail` widget (`ui/widgets/eval_detail.py`), the same as the
eval screen's pane.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable

from duo_tui.eval.results import ConfigResult, EvalReport
from duo_tui.eval.suite import Suite
from duo_tui.ui.widgets.eval_detail import EvalDetail
from duo_tui.ui.widgets.quiet_footer import QuietFooter

__all__ = ["EvalDetailScreen"]


class EvalDetailScreen(Screen[None]):
    """One configuration's per-case detail, full screen (escape goes back)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="eval.detail_back"),
        Binding("question_mark", "app.help", "Help", id="eval.detail_help"),
    ]

    def __init__(self, report: EvalReport, suite: Suite, cfg: ConfigResult) -> None:
        super().__init__()
        self.report, self.suite, self.config = report, suite, cfg

    def compose(self) -> ComposeResult:
        yield EvalDetail(id="eval-detail-full")
        yield QuietFooter()

    def on_mount(self) -> None:
        detail = self.query_one(EvalDetail)
        detail.show(self.report, self.suite, self.config)
        detail.query_one(DataTable).focus()

    def update_report(self, report: EvalReport) -> None:
        """The run went on: show the same configuration in the newer report."""
        if report is self.report:
            return
        cfg = next((c for c in report.configs if c.name == self.config.name), None)
        if cfg is not None and self.is_mounted:
            self.report, self.config = report, cfg
            self.query_one(EvalDetail).show(report, self.suite, cfg)

    def action_back(self) -> None:
        self.app.pop_screen()
