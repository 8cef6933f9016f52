"""`FastApp`: the app-level speed-ups that need Textual's private `App` internals.

Mixed in before `App` by `DuoApp` (only when `duo_tui.ui.perf.ENABLED`):

* `_display`: Textual drops a frame rendered inside an update batch (it mounts the
  first screen inside one) and nothing paints again what it covered; here the
  next frame repaints the whole screen instead. It then tells the app a frame was
  written (`frame_written`), which the stock path learns from
  `call_after_refresh` instead, a little later.
* `gate_driver_input`: background imports step aside from the moment input
  reaches the driver's thread (the stock path holds them once the event reaches
  the app's `on_event`, a little later).
* `adopt_ansi_colours`: the truecolor filter for a starting theme adopted before
  the first stylesheet parse (the stock path sets the theme on mount instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

    from duo_tui.providers.preload import InputGate

    _Base = App[None]
else:
    _Base = object


class FastApp(_Base):
    """Mix in before `App`; the app provides `frame_written(batched)`."""

    def frame_written(self, batched: bool) -> None:
        """Called after each frame is written (`batched`: inside an update batch)."""

    def _display(self, screen: Any, renderable: Any) -> None:
        if renderable is not None and self._batch_count and screen is self.screen:
            # The frame being displayed is dropped by Textual (update batch): make the
            # next one repaint the whole screen, or the first frame written shows only
            # what changed after this one (5 % of the new session screen). The
            # workbench does not even render such a frame (FastScreen).
            compositor = screen._compositor
            compositor._dirty_regions.add(compositor.size.region)
            screen.refresh()
        super()._display(screen, renderable)
        if renderable is not None:
            self.frame_written(batched=bool(self._batch_count))

    def gate_driver_input(self, gate: InputGate, input_events: tuple[type, ...]) -> None:
        """Hold background imports from the moment input reaches the driver.

        The driver's input thread hands every event to `send_message`; holding there
        (not when the UI thread gets round to the event) keeps the import from
        competing for the interpreter while the key is queued, handled and drawn.
        """
        driver = self._driver
        if driver is None or getattr(driver, "_duo_gated", False):
            return
        send = driver.send_message

        def send_message(message: Any) -> None:
            if isinstance(message, input_events):
                gate.hold()
            send(message)

        driver.send_message = send_message  # type: ignore[method-assign]
        driver._duo_gated = True  # type: ignore[attr-defined]

    def adopt_ansi_colours(self) -> None:
        """Refresh the ANSI-to-truecolor filter for the theme adopted in `__init__`."""
        self._refresh_truecolor_filter(self.ansi_theme)
