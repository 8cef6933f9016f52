"""`CheckpointBar`: the workbench's bottom bar, which toasts never cover.

The bar says what the stage wants and which keys do it. Textual stacks toasts
at the bottom right, just above the footer: on a small terminal (80x24) a toast
lay over exactly these instructions. The bar lifts the screen's toast rack above
itself whenever its height changes, so a toast covers pane text at worst.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Static

TOAST_RACK = "#textual-toastrack"
"""The id Textual gives every screen's toast container."""


class CheckpointBar(Static):
    """A `Static` that keeps the screen's toasts above it."""

    def on_mount(self) -> None:
        self.call_after_refresh(self.lift_toasts)

    def on_resize(self, _event: events.Resize) -> None:
        self.lift_toasts()

    def lift_toasts(self) -> None:
        # The bar's own height plus the footer's line below it.
        below = self.outer_size.height + 1
        for rack in self.screen.query(TOAST_RACK):
            if rack.styles.margin.bottom != below:
                rack.styles.margin = (0, 0, below, 0)
