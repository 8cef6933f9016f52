"""Reusable widgets of the workbench: they render state and post messages, nothing more."""

from duo_tui.ui.widgets.diff_view import DiffView
from duo_tui.ui.widgets.finding_list import FindingList, FindingRow
from duo_tui.ui.widgets.stage_rail import StageRail
from duo_tui.ui.widgets.stream_pane import StreamPane, StreamState

__all__ = ["DiffView", "FindingList", "FindingRow", "StageRail", "StreamPane", "StreamState"]
