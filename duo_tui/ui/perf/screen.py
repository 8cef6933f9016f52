"""`FastScreen`: the workbench's screen-level speed-ups on Textual's private `Screen` internals.

Mixed in before `Screen` by `WorkbenchScreen` (only when `duo_tui.ui.perf.ENABLED`):

* the screen's compositor is `BoxCompositor` (front-to-back painting, see
  `compositor.py`), which writes byte for byte what Textual's writes;
* `_compositor_refresh` renders nothing while the app batches updates (Textual
  would render the frame and drop it) and renders it in full once the batch ends;
* the first `ScreenResume` does not restyle the whole screen again: every node
  was styled as it mounted a moment ago.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from duo_tui.ui.perf.compositor import BoxCompositor

if TYPE_CHECKING:
    from textual import events
    from textual.screen import Screen

    _Base = Screen[None]
else:
    _Base = object


class FastScreen(_Base):
    """Mix in before `Screen`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Partial updates render only the boxes that changed (see compositor.py).
        self._compositor = BoxCompositor()
        self._perf_resumed_once = False

    def _compositor_refresh(self) -> None:
        app = self.app
        if app._batch_count and self is app.screen and not app.is_inline:
            # Textual would render the update and then drop it: the app is batching
            # updates (it mounts the first screen inside a batch, for one). Render it
            # once the batch ends instead, in full: the start-up frame was rendered
            # twice, and the first one written covered only what changed after the
            # dropped one.
            self.refresh()
            return
        super()._compositor_refresh()

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before `Screen`'s own handler. The first time, every node was styled as
        # it mounted a moment ago: restyling the whole screen again (Textual's default
        # on every resume) only doubled the CSS work before the first frame.
        if not self._perf_resumed_once:
            self._perf_resumed_once = True
            event.refresh_styles = False
