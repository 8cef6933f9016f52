"""What the eval screen sends up to the app: messages up, attributes down.

The eval report (`screens/eval.py`) does not open its configurations' detail
(`screens/eval_detail.py`) itself, nor reach into it: screens do not import each
other. Enter (or `d`) on a configuration posts `EvalDetailWanted` and the app
pushes the detail screen; while the run goes on, each newer report is posted as
`EvalReported` and the app hands it down to the detail screens it opened.
"""

from __future__ import annotations

from textual.message import Message

from duo_tui.eval.results import ConfigResult, EvalReport
from duo_tui.eval.suite import Suite

__all__ = ["EvalDetailWanted", "EvalReported"]


class EvalDetailWanted(Message):
    """Open this configuration's per-case detail, full screen."""

    def __init__(self, report: EvalReport, suite: Suite, config: ConfigResult) -> None:
        super().__init__()
        self.report, self.suite, self.config = report, suite, config


class EvalReported(Message):
    """The run went on: a detail opened from the eval screen shows this report."""

    def __init__(self, report: EvalReport) -> None:
        super().__init__()
        self.report = report
