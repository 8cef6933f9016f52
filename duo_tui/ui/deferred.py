"""Work the first frame does not need, run once it is on screen.

The workbench's first frame composes, styles and renders every widget it
holds, shown or not. Widgets that start hidden (a stream's Markdown view, a
review's finding list, the diff and gate views behind the executor's stream)
are mounted right after it instead, through `DuoApp.after_first_frame`; each
has an accessor that mounts it on the spot if it is needed sooner.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widget import Widget


def after_first_frame(widget: Widget, callback: Callable[[], object]) -> None:
    """Run `callback` once the app's first frame is written (in a plain App: after a refresh)."""
    schedule = getattr(widget.app, "after_first_frame", None)
    if schedule is None:
        widget.call_after_refresh(callback)
    else:
        schedule(callback)
