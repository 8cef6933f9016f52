"""`FastScrollView`: a scroll view whose scrollbar skips invisible redraws and grows cheaply.

Mixed in before `ScrollView` by `StreamLog` (only when `duo_tui.ui.perf.ENABLED`):

* `vertical_scrollbar` is built as `Widget.vertical_scrollbar` builds it (with the
  private `_vertical_scrollbar` slot and `App._start_widget`), but as a
  `_ThumbScrollBar`, which redraws only when its thumb moves by a visible amount;
* `grow_virtual_size` grows the scrollable area without the screen-wide layout
  that setting `virtual_size` asks for (Textual's private `_scroll_update`, what
  its own resize path calls).
"""

from __future__ import annotations

from math import ceil
from typing import TYPE_CHECKING

from textual.geometry import Region, Size
from textual.scrollbar import ScrollBar
from textual.strip import Strip

if TYPE_CHECKING:
    from textual.scroll_view import ScrollView

    _Base = ScrollView
else:
    _Base = object


class _ThumbScrollBar(ScrollBar):
    """A scrollbar that redraws only when its thumb moves by a visible amount.

    While a stream grows, the scroll position and length change on every flush,
    but the thumb (drawn in eighths of a cell) mostly stays where it is.
    """

    _key: tuple[object, ...] | None = None
    _strips: list[Strip] = []

    def _thumb_key(self) -> tuple[object, ...]:
        size = self.size.height if self.vertical else self.size.width
        virtual = ceil(self.window_virtual_size)
        window = ceil(self.window_size) if self.window_size < self.window_virtual_size else 0
        if not window or not virtual or not size:
            return (size, self.size, 0, 0, self.grabbed, self.mouse_over)
        thumb = max(1.0, window / (virtual / size))
        travel = max(1, virtual - window)
        at = (size - thumb) * min(1.0, max(0.0, self.position / travel))
        return (
            self.size,
            int(at * 8),
            int(at * 8) + ceil(thumb * 8),
            self.grabbed,
            self.mouse_over,
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        key = self._thumb_key()
        if key != self._key or len(self._strips) != self.size.height:
            self._strips = super().render_lines(self.size.region)
            self._key = key
        strips = self._strips[crop.y : crop.bottom]
        if crop.column_span != (0, self.size.width):
            strips = [strip.crop(*crop.column_span) for strip in strips]
        return strips

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._key = None


class FastScrollView(_Base):
    """Mix in before `ScrollView`."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # As `Widget.vertical_scrollbar`, with a scrollbar that skips invisible redraws.
        if self._vertical_scrollbar is None:
            bar = _ThumbScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical
            )
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    def grow_virtual_size(self, new: Size) -> None:
        """Set `virtual_size` when the scrollbar neither appears nor goes: scrollbars only."""
        self.set_reactive(type(self).virtual_size, new)  # type: ignore[arg-type]
        self._scroll_update(new)
