"""`DiffView`: a change as files and hunks, with per-hunk accept/reject decisions.

It is a line-API `ScrollView`: only the rows on screen are rendered. The rows
come from `diff_rows.DiffRows` (the layout of files and hunks as rows, a plain
model) and the code's colours from `diff_highlight.DiffHighlighter` (pygments,
lazily, one block of `CHUNK_LINES` lines of a hunk at a time, the first time a
row of that block is drawn). A 10,000-line new file therefore opens as fast as
a 10-line one. Each row is drawn by `diff_strips.render_row`. This module holds
the widget: keys, decisions, messages, scrolling and the component styles.

Input is what `duo_tui.vcs.diff.parse_diff` returns (`FileDiff` / `Hunk`); any
objects with the same attributes will do (see `diff_rows.FileDiffLike` / `HunkLike`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from duo_tui.ui.widgets.diff_highlight import DiffHighlighter
from duo_tui.ui.widgets.diff_rows import NO_HUNKS, DiffRows, FileDiffLike
from duo_tui.ui.widgets.diff_strips import RowContext, render_row

__all__ = ["DiffView"]


class DiffView(ScrollView, can_focus=True):
    """A unified diff, hunk by hunk, with accept/reject decisions per hunk and file.

    Keys: up/down or j/k select a hunk, space toggles it, `f` toggles the file,
    `]`/`[` jump to the next/previous file. Posts `HunkDecisionChanged` whenever
    the set of rejected hunks changes by a key press, and `HunkHighlighted`
    when the selected hunk changes.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diff-view--file-header",
        "diff-view--hunk-header",
        "diff-view--hunk-selected",
        "diff-view--cursor",
        "diff-view--accepted",
        "diff-view--rejected",
        "diff-view--mixed",
        "diff-view--lineno",
        "diff-view--context",
        "diff-view--added",
        "diff-view--removed",
        "diff-view--added-sign",
        "diff-view--removed-sign",
        "diff-view--declined",
        "diff-view--marked",
        "diff-view--note",
        "diff-view--kw",
        "diff-view--str",
        "diff-view--num",
        "diff-view--comment",
        "diff-view--func",
        "diff-view--class",
        "diff-view--builtin",
        "diff-view--op",
    }

    DEFAULT_CSS = """
    DiffView {
        background: $surface;
        color: $foreground;
        height: 1fr;
        scrollbar-size-vertical: 1;
        & > .diff-view--file-header { background: $panel; color: $foreground; text-style: bold; }
        & > .diff-view--hunk-header { background: $boost; color: $text-muted; }
        & > .diff-view--hunk-selected { background: $primary 22%; color: $foreground; }
        & > .diff-view--cursor { color: $primary; }
        & > .diff-view--accepted { color: $duo-hunk-accepted; text-style: bold; }
        & > .diff-view--rejected { color: $duo-hunk-rejected; text-style: bold; }
        & > .diff-view--mixed { color: $warning; text-style: bold; }
        & > .diff-view--lineno { color: $text-disabled; }
        & > .diff-view--context { color: $foreground 85%; }
        & > .diff-view--added { background: $duo-diff-added 12%; color: $foreground; }
        & > .diff-view--removed { background: $duo-diff-removed 12%; color: $foreground; }
        & > .diff-view--added-sign { color: $duo-diff-added; text-style: bold; }
        & > .diff-view--removed-sign { color: $duo-diff-removed; text-style: bold; }
        & > .diff-view--declined { color: $text-disabled; background: $surface; }
        & > .diff-view--marked { background: $accent 30%; }
        & > .diff-view--note { color: $text-muted; text-style: italic; }
        & > .diff-view--kw { color: $duo-syntax-keyword; }
        & > .diff-view--str { color: $duo-syntax-string; }
        & > .diff-view--num { color: $duo-syntax-number; }
        & > .diff-view--comment { color: $duo-syntax-comment; text-style: italic; }
        & > .diff-view--func { color: $duo-syntax-function; }
        & > .diff-view--class { color: $duo-syntax-class; }
        & > .diff-view--builtin { color: $duo-syntax-builtin; }
        & > .diff-view--op { color: $duo-syntax-operator; }
        &:focus > .diff-view--hunk-selected { background: $primary 35%; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "next_hunk", "Next hunk", id="diff.next_hunk", show=False),
        Binding("up,k", "previous_hunk", "Prev hunk", id="diff.previous_hunk", show=False),
        Binding(
            "space",
            "toggle_hunk",
            "Accept/reject hunk",
            id="diff.toggle_hunk",
            tooltip="Toggle the selected hunk between accepted and rejected",
        ),
        Binding(
            "f",
            "toggle_file",
            "Accept/reject file",
            id="diff.toggle_file",
            tooltip="Accept or reject every hunk of the selected file",
        ),
        Binding("right_square_bracket", "next_file", "Next file", id="diff.next_file"),
        Binding("left_square_bracket", "previous_file", "Prev file", id="diff.previous_file"),
    ]

    @dataclass
    class HunkDecisionChanged(Message):
        """The set of rejected hunk ids changed."""

        diff_view: DiffView
        rejected: frozenset[str]

        @property
        def control(self) -> DiffView:
            return self.diff_view

    @dataclass
    class HunkHighlighted(Message):
        """A different hunk is selected (`hunk_id` None when the diff is empty)."""

        diff_view: DiffView
        path: str | None
        hunk_id: str | None

        @property
        def control(self) -> DiffView:
            return self.diff_view

    def __init__(
        self,
        files: Sequence[FileDiffLike] = (),
        *,
        rejected: Iterable[str] = (),
        empty_text: str = "",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.empty_text = empty_text
        """What the view says while it has no change to show (word-wrapped, dim)."""
        self._rows = DiffRows()
        self._highlighter = DiffHighlighter()
        self._rejected: set[str] = set()
        self._cursor = 0
        self._marked: tuple[int, int, int, int] | None = None  # file, hunk, first, last row
        self._marked_file: int | None = None
        self._partial_cache: dict[str, Style] = {}
        self.set_files(files, rejected=rejected)

    # -- data -----------------------------------------------------------------

    def set_files(self, files: Sequence[FileDiffLike], *, rejected: Iterable[str] = ()) -> None:
        """Show a new change; `rejected` are hunk ids already rejected (no message posted)."""
        self._rows = rows = DiffRows(files)
        self._highlighter.set_files(rows.files)
        self._marked = None
        self._marked_file = None
        ids = rows.item_ids()
        self._rejected = {hunk_id for hunk_id in rejected if hunk_id in ids}
        self._cursor = 0
        gutter = max(rows.gutter, default=3)
        self.virtual_size = Size(gutter + 4 + rows.widest_line, rows.height)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()
        self._post_highlighted()

    @property
    def files(self) -> list[FileDiffLike]:
        """The files shown."""
        return list(self._rows.files)

    @property
    def rejected_hunks(self) -> frozenset[str]:
        """Ids of the hunks the user rejected."""
        return frozenset(self._rejected)

    @property
    def selected_hunk_id(self) -> str | None:
        """Id of the selected hunk (None when there are no hunks)."""
        ref = self._selected_ref()
        return None if ref is None else self._rows.item_id(ref)

    @property
    def selected_path(self) -> str | None:
        """Path of the file of the selected hunk."""
        ref = self._selected_ref()
        return None if ref is None else self._rows.files[ref[0]].path

    def set_rejected(self, hunk_ids: Iterable[str]) -> None:
        """Replace the rejected set (e.g. restored from a session); posts no message."""
        ids = self._rows.item_ids()
        self._rejected = {hunk_id for hunk_id in hunk_ids if hunk_id in ids}
        self.refresh()

    def select_hunk(self, hunk_id: str) -> bool:
        """Select a hunk by id and scroll to it; False if there is no such hunk."""
        for index, ref in enumerate(self._rows.hunk_refs):
            if self._rows.item_id(ref) == hunk_id:
                self._move_to(index)
                return True
        return False

    def focus_location(self, file: str, line_start: int, line_end: int | None = None) -> bool:
        """Scroll to lines `line_start..line_end` (new-file numbering) of `file` and mark them.

        Returns True if the lines are inside a hunk of the diff; otherwise the
        file's header is marked (if the file is in the diff) and False returned.
        """
        line_end = line_start if line_end is None else max(line_start, line_end)
        self._marked = None
        self._marked_file = None
        for fi, diff_file in enumerate(self._rows.files):
            if file not in (diff_file.path, diff_file.old_path):
                continue
            for hi, hunk in enumerate([] if diff_file.binary else diff_file.hunks):
                numbers = self._rows.line_numbers(fi, hi)
                rows = [
                    i
                    for i, (raw, number) in enumerate(zip(hunk.lines, numbers, strict=True))
                    if number is not None
                    and line_start <= number <= line_end
                    and not raw.startswith(("-", "\\"))
                ]
                if rows:
                    self._marked = (fi, hi, rows[0], rows[-1])
                    self._move_to(self._rows.hunk_refs.index((fi, hi)), scroll=False)
                    block = self._rows.blocks[self._rows.hunk_block[(fi, hi)]]
                    top = block.start + 1 + rows[0]
                    height = rows[-1] - rows[0] + 1
                    self._reveal(top, height, center=True)
                    self.refresh()
                    return True
            self._marked_file = fi
            self._reveal(self._rows.blocks[self._rows.file_block[fi]].start, 1, top_=True)
            self.refresh()
            return False
        self.refresh()
        return False

    def highlight_lines(self, path: str, lines: range) -> bool:
        """`focus_location` for a range of line numbers (`range(40, 53)` marks 40-52)."""
        if not lines:
            return False
        return self.focus_location(path, lines.start, lines[-1])

    def clear_marks(self) -> None:
        """Remove the marks left by `focus_location`."""
        self._marked = None
        self._marked_file = None
        self.refresh()

    # -- actions ----------------------------------------------------------------

    def action_next_hunk(self) -> None:
        """Select the next hunk."""
        self._move_to(self._cursor + 1)

    def action_previous_hunk(self) -> None:
        """Select the previous hunk."""
        self._move_to(self._cursor - 1)

    def action_toggle_hunk(self) -> None:
        """Toggle the selected hunk between accepted and rejected."""
        hunk_id = self.selected_hunk_id
        if hunk_id is None:
            return
        if hunk_id in self._rejected:
            self._rejected.discard(hunk_id)
        else:
            self._rejected.add(hunk_id)
        self._decisions_changed()

    def action_toggle_file(self) -> None:
        """Reject every hunk of the selected file, or accept them all if all are rejected."""
        ref = self._selected_ref()
        if ref is None:
            return
        ids = set(self._rows.file_item_ids(ref[0]))
        if ids <= self._rejected:
            self._rejected -= ids
        else:
            self._rejected |= ids
        self._decisions_changed()

    def action_next_file(self) -> None:
        """Select the first hunk of the next file that has hunks."""
        ref = self._selected_ref()
        current = -1 if ref is None else ref[0]
        for index, (fi, _hi) in enumerate(self._rows.hunk_refs):
            if fi > current:
                self._move_to(index)
                return

    def action_previous_file(self) -> None:
        """Select the first hunk of the previous file (or of this one, if inside it)."""
        ref = self._selected_ref()
        if ref is None:
            return
        target = ref[0] if ref[1] > 0 else ref[0] - 1
        for index, (fi, _hi) in enumerate(self._rows.hunk_refs):
            if fi == target:
                self._move_to(index)
                return

    # -- helpers --------------------------------------------------------------------

    def _selected_ref(self) -> tuple[int, int] | None:
        if not self._rows.hunk_refs:
            return None
        return self._rows.hunk_refs[min(self._cursor, len(self._rows.hunk_refs) - 1)]

    def _decisions_changed(self) -> None:
        self.refresh()
        self.post_message(self.HunkDecisionChanged(self, self.rejected_hunks))

    def _post_highlighted(self) -> None:
        self.post_message(self.HunkHighlighted(self, self.selected_path, self.selected_hunk_id))

    def _move_to(self, index: int, *, scroll: bool = True) -> None:
        if not self._rows.hunk_refs:
            return
        index = max(0, min(index, len(self._rows.hunk_refs) - 1))
        changed = index != self._cursor
        self._cursor = index
        if scroll:
            fi, hi = self._rows.hunk_refs[index]
            block = self._rows.blocks[self._rows.hunk_block[(fi, hi)]]
            top = block.start
            if hi in (0, NO_HUNKS):
                top = self._rows.blocks[self._rows.file_block[fi]].start
            # Show the header plus as much of the hunk as fits.
            self._reveal(top, block.start + block.rows - top)
        self.refresh()
        if changed:
            self._post_highlighted()

    def _reveal(
        self, top: int, height: int, *, center: bool = False, top_: bool = False, wait: bool = True
    ) -> None:
        """Scroll rows `top..top+height` into view (after the first layout, if not yet sized)."""
        if not self.size.height:
            if wait:
                self.call_after_refresh(
                    self._reveal, top, height, center=center, top_=top_, wait=False
                )
            return
        height = max(1, min(height, self.scrollable_content_region.height))
        self.scroll_to_region(
            Region(0, top, 1, height), animate=False, center=center, top=top_, immediate=True
        )

    # -- rendering --------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Render one visible row."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row = scroll_y + y
        base = self.rich_style
        if not self._rows.files and self.empty_text:
            lines = textwrap.wrap(self.empty_text, max(8, width - 2))
            text = f" {lines[row]}" if row < len(lines) else ""
            return Strip([Segment(text, base + Style(dim=True))]).adjust_cell_length(width, base)
        block = self._rows.block_at(row)
        if block is None:
            return Strip.blank(width, base)
        context = RowContext(
            rows=self._rows,
            highlighter=self._highlighter,
            style=self._style,
            rejected=self._rejected,
            selected=self._selected_ref(),
            marked=self._marked,
            marked_file=self._marked_file,
        )
        strip = render_row(context, block, row - block.start, scroll_x, width)
        return strip.apply_offsets(scroll_x, row)

    def _style(self, name: str, partial: bool = False) -> Style:
        """A component's rich style; partial ones get translucent colours pre-blended.

        Rich cannot draw an alpha colour, so a partial style whose colour is
        translucent (e.g. `$text-muted`) is blended over the widget background.
        """
        if not partial:
            return self.get_component_rich_style(name)
        cached = self._partial_cache.get(name)
        if cached is None:
            cached = self.get_component_rich_style(name, partial=True)
            styles = self.get_component_styles(name)
            base = self.background_colors[1]
            colour = styles.color
            if styles.has_rule("color") and (colour.a < 1 or styles.auto_color):
                if styles.auto_color:  # "auto 60%": contrast text over the background
                    colour = base.get_contrast_text(colour.a)
                cached += Style(color=(base + colour).rich_color)
            if styles.has_rule("background") and styles.background.a < 1:
                cached += Style(bgcolor=(base + styles.background).rich_color)
            self._partial_cache[name] = cached
        return cached

    def notify_style_update(self) -> None:
        """Theme or CSS changed: forget the blended partial styles."""
        super().notify_style_update()
        self._partial_cache = {}
