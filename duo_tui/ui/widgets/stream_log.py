"""`StreamLog`: a read-only, soft-wrapped, append-only text view that stays cheap at any size.

Streaming model output is appended many times a second and can reach 100k
tokens. A `TextArea` re-renders (and re-highlights) every visible line on each
scroll; `Log` does not wrap. This view keeps the text as logical lines plus a
table of wrapped display rows and renders each row once into a cached `Strip`:

* appending re-wraps only the last display row of the last line (greedy
  wrapping is prefix-stable: a row that was followed by more than a width of
  text never changes), so an append costs O(appended text);
* rendering a frame is a cache lookup per visible row, whatever the size of
  the document;
* a resize re-wraps everything once (O(document)).

Memory stays close to the text itself: the display rows are packed in one
array (24 bytes a row, `Rows`) and the strip cache holds three screens of rows.

Text is sanitised on the way in by `duo_tui.safe_text.clean` (control and bidi
characters shown as visible escapes such as `␛`, a CR LF read as a line break,
even when a chunk ends between the two) and tabs are expanded, so model output
can never emit terminal escapes.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip

from duo_tui.safe_text import clean
from duo_tui.ui import perf
from duo_tui.ui.perf import FastScrollView
from duo_tui.ui.widgets.quiet_focus import QuietFocus

Row = tuple[int, int, int]
"""A display row: (logical line index, start offset, end offset)."""

CACHE_SCREENS = 3
"""Rendered rows kept: this many times the view's height (at least `MIN_CACHED_ROWS`)."""
MIN_CACHED_ROWS = 64


class Rows:
    """The display rows, packed three integers a row in one array.

    A list of `Row` tuples cost about 150 bytes a row (the tuple, its line index
    as an int object, the list slot); 100k streamed tokens in each of four panes
    are 20,000 rows. Same use as a list of rows: `append`, `len`, index, iterate.
    """

    __slots__ = ("_cells",)

    def __init__(self, rows: Iterable[Row] = ()) -> None:
        self._cells = array("q")
        for row in rows:
            self._cells.extend(row)

    def append(self, row: Row) -> None:
        self._cells.extend(row)

    def truncate(self, count: int) -> None:
        """Keep the first `count` rows."""
        del self._cells[3 * count :]

    def __len__(self) -> int:
        return len(self._cells) // 3

    def __getitem__(self, index: int) -> Row:
        n = len(self._cells) // 3
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("row index out of range")
        cells = self._cells
        at = 3 * index
        return cells[at], cells[at + 1], cells[at + 2]

    def __iter__(self) -> Iterator[Row]:
        cells = self._cells
        return zip(cells[0::3], cells[1::3], cells[2::3], strict=True)


def _wrap(line: str, index: int, start: int, width: int, out: Rows | list[Row]) -> None:
    """Append the display rows of `line[start:]` to `out`, greedy, breaking at spaces."""
    if not line.isascii():
        _wrap_cells(line, index, start, width, out)
        return
    end = len(line)
    pos = start
    while end - pos > width:
        cut = line.rfind(" ", pos, pos + width + 1)
        if cut <= pos:  # no space to break at: cut the word
            out.append((index, pos, pos + width))
            pos += width
        else:  # break at the space, which is not shown
            out.append((index, pos, cut))
            pos = cut + 1
    out.append((index, pos, end))


def _wrap_cells(line: str, index: int, start: int, width: int, out: Rows | list[Row]) -> None:
    """`_wrap` for text with wide or combining characters: counts terminal cells."""
    pos = start
    cells = 0
    last_space = -1
    i = start
    end = len(line)
    while i < end:
        ch = line[i]
        size = get_character_cell_size(ch)
        if cells + size > width and i > pos:
            if last_space > pos:
                out.append((index, pos, last_space))
                pos = last_space + 1
            else:
                out.append((index, pos, i))
                pos = i
            cells = sum(get_character_cell_size(c) for c in line[pos:i])
            last_space = -1
            continue
        if ch == " ":
            last_space = i
        cells += size
        i += 1
    out.append((index, pos, end))


class StreamLog(FastScrollView, QuietFocus, ScrollView, can_focus=True):
    """Append-only wrapped text. `append`, `clear`, `text`; keyboard and mouse scrolling."""

    ALLOW_SELECT = True

    DEFAULT_CSS = """
    StreamLog {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        padding: 0 1;
    }
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._lines: list[str] = [""]
        self._first_row = array("q", [0])
        """Index of each logical line's first display row."""
        self._rows = Rows([(0, 0, 0)])
        self._wrap_width = 0
        self._cache: LRUCache[int, Strip] = LRUCache(MIN_CACHED_ROWS)  # see `on_resize`
        self._style: Style | None = None
        self._cache_width = 0
        self._held_cr = False
        """A chunk ended with CR: kept back until the next shows whether a LF follows."""

    # -- content ------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The whole text, as appended (after sanitising)."""
        return "\n".join(self._lines)

    @property
    def row_count(self) -> int:
        """Number of display rows at the current width."""
        return len(self._rows)

    def clear(self) -> None:
        """Remove all text."""
        self._lines = [""]
        self._first_row = array("q", [0])
        self._rows = Rows([(0, 0, 0)])
        self._held_cr = False
        self._cache.clear()
        self.virtual_size = Size(self._wrap_width, 1)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def append(self, text: str) -> None:
        """Add text at the end; follows the end if the view was at the end."""
        if self._held_cr:
            text = "\r" + text
        self._held_cr = text.endswith("\r")
        if self._held_cr:
            text = text[:-1]
        if not text:
            return
        text = clean(text).replace("\t", "    ")
        follow = self.scroll_y >= self.max_scroll_y
        parts = text.split("\n")
        first = len(self._lines) - 1
        self._lines[first] += parts[0]
        self._lines.extend(parts[1:])
        if self._wrap_width <= 0:  # not laid out yet: `on_resize` wraps everything
            return
        changed_from = self._rewrap_from(first)
        scroll_y = self.scroll_y
        self._set_virtual_height(len(self._rows))
        if follow:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)
        if self.scroll_y == scroll_y:
            # No scroll: repaint only the rows that changed (usually the last one).
            top = changed_from - int(scroll_y)
            height = self.scrollable_content_region.height
            if top < height:
                self.refresh(Region(0, max(0, top), self.size.width, height - max(0, top)))

    def _set_virtual_height(self, rows: int) -> None:
        """Grow the scrollable area without a screen-wide layout pass when possible.

        Setting `virtual_size` asks for a layout of the whole screen (and a full repaint
        of this widget). That is only needed when the scrollbar appears or goes away;
        otherwise updating the scrollbars is enough (`FastScrollView.grow_virtual_size`,
        with the render speed-ups on; see `duo_tui.ui.perf`).
        """
        new = Size(self._wrap_width, rows)
        old = self.virtual_size
        if new == old:
            return
        height = self.scrollable_content_region.height
        if old.width != new.width or (old.height > height) != (new.height > height):
            self.virtual_size = new
        elif perf.ENABLED:
            self.grow_virtual_size(new)
        else:
            self.virtual_size = new

    def _rewrap_from(self, first: int) -> int:
        """Re-wrap the last display row of line `first` (the last line) and all after it.

        Returns the first display row that changed.
        """
        rows = self._rows
        last_row = len(rows) - 1
        _, start, _ = rows[last_row]
        old = len(rows)
        rows.truncate(last_row)
        del self._first_row[first + 1 :]
        _wrap(self._lines[first], first, start, self._wrap_width, rows)
        for index in range(first + 1, len(self._lines)):
            self._first_row.append(len(rows))
            _wrap(self._lines[index], index, 0, self._wrap_width, rows)
        for y in range(last_row, max(old, len(rows))):
            self._cache.discard(y)
        return last_row

    def _rewrap_all(self, width: int) -> None:
        self._wrap_width = width
        rows = Rows()
        first_row = array("q")
        for index, line in enumerate(self._lines):
            first_row.append(len(rows))
            _wrap(line, index, 0, width, rows)
        self._rows, self._first_row = rows, first_row
        self._cache.clear()

    # -- Textual hooks ------------------------------------------------------------------

    def on_resize(self) -> None:
        keep = max(MIN_CACHED_ROWS, CACHE_SCREENS * self.size.height)
        if keep != self._cache.maxsize:
            self._cache.clear()
            self._cache.maxsize = keep
        width = self.scrollable_content_region.width
        if width > 0 and width != self._wrap_width:
            follow = self.scroll_y >= self.max_scroll_y
            # Keep the same text at the top of the view across the re-wrap.
            top_line = self._rows[min(int(self.scroll_y), len(self._rows) - 1)][0]
            self._rewrap_all(width)
            self.virtual_size = Size(width, len(self._rows))
            if follow:
                self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True, force=True)
            else:
                self.scroll_to(y=self._first_row[top_line], animate=False, immediate=True)
            self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style = None
        self._cache.clear()

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        shown = "\n".join(self._lines[i][a:b] for i, a, b in self._rows)
        return selection.extract(shown), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._cache.clear()
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        """Rows straight from the strip cache, padding and background included.

        A plain text view has no border, tint, hatch or opacity, so the generic
        per-line styling pass (`StylesCache`) is skipped: that pass, repeated for
        every visible row whenever the view scrolls, was most of a frame's cost.
        Everything that is the same for all rows is looked up once per call.
        """
        outer = self.region.width
        if outer != self._cache_width:
            self._cache.clear()
            self._cache_width = outer
        style = self._style
        if style is None:
            style = self._style = self.rich_style
        _, background = self.background_colors
        filters = self.get_line_filters()
        selection = self.text_selection
        scroll = int(self.scroll_y)
        cache = self._cache
        strips = []
        for y in crop.line_range:
            row = scroll + y
            strip = cache.get(row) if selection is None else None
            if strip is None:
                strip = self._render_row(row, outer, style, selection)
                if selection is None:
                    cache[row] = strip
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        if crop.column_span != (0, outer):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def render_line(self, y: int) -> Strip:
        """Display row `y` of the view as a strip of the widget's full width."""
        return self.render_lines(Region(0, y, self.region.width, 1))[0]

    def _render_row(self, row: int, outer: int, style: Style, selection: Selection | None) -> Strip:
        if row >= len(self._rows) or self._wrap_width <= 0:
            return Strip.blank(outer, style)
        index, start, end = self._rows[row]
        text = self._lines[index][start:end]
        segments = [Segment(" " * self.styles.padding.left, style), Segment(text, style)]
        if selection is not None and (span := selection.get_span(row)) is not None:
            a, b = span
            if b == -1:
                b = len(text)
            chosen = style + self.screen.get_component_rich_style("screen--selection")
            segments[1:] = [
                Segment(text[:a], style),
                Segment(text[a:b], chosen),
                Segment(text[b:], style),
            ]
        # No empty segments: they write an escape sequence and nothing else.
        segments = [segment for segment in segments if segment.text]
        return Strip(segments).extend_cell_length(outer, style).crop(0, outer)


__all__ = ["StreamLog"]
