"""`QuietFocus`: for widgets that look the same focused or not.

On the workbench the active pane's border shows where the focus is, so the
text views inside a pane draw nothing different when focused. Textual still
treats every focus change as a change of look: `Widget.focus`, the `Focus`
and the `Blur` handlers each repaint the whole widget, and the `has_focus`
watcher re-applies the CSS of the widget and of everything inside it. For a
rendered Markdown plan (dozens of block widgets) that was about 25 ms of CSS
and repaint per pane switch. A widget with this mixin skips all of it; it
must not have `:focus` (or `:focus-within`) styles of its own or inside it.

Public API only: the handlers are `on_focus`/`on_blur`, and `prevent_default`
keeps the handlers of the classes after this one (Textual's own) from running.
A class using this mixin must not define `on_focus`/`on_blur` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.dom import NoScreen

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:
    _Base = object


class QuietFocus(_Base):
    """Mix in before the Textual widget class: `class View(QuietFocus, VerticalScroll)`."""

    def focus(self, scroll_visible: bool = True) -> QuietFocus:
        """Give this widget the focus (as `Widget.focus`, without repainting it)."""

        def set_focus(widget: Widget) -> None:
            try:
                widget.screen.set_focus(self, scroll_visible=scroll_visible)
            except NoScreen:
                pass

        self.app.call_later(set_focus, self)
        return self

    def on_focus(self, event: events.Focus) -> None:
        event.prevent_default()  # stops `Widget`'s own handler, which would repaint
        self.has_focus = True
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))

    def watch_has_focus(self, has_focus: bool) -> None:
        """Nothing to restyle: no focus-dependent styles here or below."""
