"""`QuietFooter`: Textual's `Footer` that rebuilds only when the keys it shows change.

The stock footer recomposes (unmounts and mounts a widget per key) on every
focus change, because the screen's bindings signal fires then. Moving between
panes does not change which keys are shown, so that rebuild was pure cost: it
was the largest part of a pane switch while four models stream.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class QuietFooter(Footer):
    """A `Footer` that skips the rebuild when the shown keys, labels and states are unchanged."""

    _shown: tuple[object, ...] | None = None

    def _signature(self, screen: Screen[object]) -> tuple[object, ...]:
        return tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show or binding.action == "app.command_palette"
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            signature = self._signature(screen)
            if signature == self._shown:
                return
            self._shown = signature
        super().bindings_changed(screen)
