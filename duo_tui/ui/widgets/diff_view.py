"""`DiffView`: a change as files and hunks, with per-hunk accept/reject decisions.

It is a line-API `ScrollView`: only the rows on screen are rendered, and code
is highlighted with pygments lazily, one block of `CHUNK_LINES` lines of a hunk
at a time, the first time a row of that block is drawn. A 10,000-line new file
therefore opens as fast as a 10-line one.

Input is what `duo_tui.vcs.diff.parse_diff` returns (`FileDiff` / `Hunk`); any
objects with the same attributes will do (see `FileDiffLike` / `HunkLike`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar, Protocol

from pygments.token import Token, _TokenType
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from duo_tui.safe_text import clean_line

if TYPE_CHECKING:
    from pygments.lexer import Lexer

CHUNK_LINES = 100
"""Lines of one hunk highlighted together (pygments runs at ~15k lines/s)."""

_FAST_LEXERS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".ts": "typescript",
    ".tsx": "tsx",
    ".jsx": "jsx",
    ".rs": "rust",
    ".go": "go",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".hpp": "cpp",
    ".rb": "ruby",
    ".sh": "bash",
    ".md": "markdown",
    ".toml": "toml",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".html": "html",
    ".css": "css",
    ".sql": "sql",
}
"""Common suffixes looked up by alias: much faster than pygments' filename search."""

_LEXER_CLASSES: dict[str, type[Lexer]] = {}


def lexer_for(path: str) -> Lexer:
    """A pygments lexer for `path` (plain text if unknown); lookups are cached per suffix."""
    name = PurePosixPath(path).name
    suffix = PurePosixPath(name).suffix.lower()
    key = suffix or name
    cls = _LEXER_CLASSES.get(key)
    if cls is None:
        # pygments' lexer registry is imported on the first diff, not at start-up.
        from pygments.lexers import find_lexer_class_for_filename, get_lexer_by_name
        from pygments.lexers.special import TextLexer
        from pygments.util import ClassNotFound

        try:
            if suffix in _FAST_LEXERS:
                cls = type(get_lexer_by_name(_FAST_LEXERS[suffix]))
            else:
                found = find_lexer_class_for_filename(name)
                cls = found if found is not None else TextLexer
        except ClassNotFound:
            cls = TextLexer
        _LEXER_CLASSES[key] = cls
    return cls(stripnl=False, ensurenl=False, stripall=False)


NO_HUNKS = -2
"""Hunk index of the single item of a file shown without hunks (binary, mode only)."""

ACCEPTED_GLYPH = "✓"
REJECTED_GLYPH = "✗"
MIXED_GLYPH = "◐"


class HunkLike(Protocol):
    """The attributes of `duo_tui.vcs.diff.Hunk` that the view reads."""

    @property
    def id(self) -> str: ...
    @property
    def header(self) -> str: ...
    @property
    def old_start(self) -> int: ...
    @property
    def old_len(self) -> int: ...
    @property
    def new_start(self) -> int: ...
    @property
    def new_len(self) -> int: ...
    @property
    def lines(self) -> Sequence[str]: ...


class FileDiffLike(Protocol):
    """The attributes of `duo_tui.vcs.diff.FileDiff` that the view reads."""

    @property
    def path(self) -> str: ...
    @property
    def old_path(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def hunks(self) -> Sequence[HunkLike]: ...
    @property
    def binary(self) -> bool: ...


# pygments token type -> component class suffix (first match walking up the parents).
_TOKEN_CLASSES: dict[_TokenType, str] = {
    Token.Keyword: "kw",
    Token.Operator.Word: "kw",
    Token.Name.Tag: "kw",
    Token.Name.Function: "func",
    Token.Name.Decorator: "func",
    Token.Name.Attribute: "func",
    Token.Name.Class: "class",
    Token.Name.Exception: "class",
    Token.Name.Builtin: "builtin",
    Token.Name.Constant: "num",
    Token.Literal.String: "str",
    Token.Literal.Number: "num",
    Token.Comment: "comment",
    Token.Operator: "op",
}


def _token_class(token: _TokenType, cache: dict[_TokenType, str | None]) -> str | None:
    if token in cache:
        return cache[token]
    found: str | None = None
    walk: _TokenType | None = token
    while walk is not None:
        if walk in _TOKEN_CLASSES:
            found = _TOKEN_CLASSES[walk]
            break
        walk = walk.parent
    cache[token] = found
    return found


def _clean(text: str) -> str:
    """One line of the diff (repository text): line ending dropped, control and bidi
    characters made visible (`duo_tui.safe_text`), tabs to spaces."""
    return clean_line(text.rstrip("\r\n")).expandtabs(4)


def _split(line: str) -> tuple[str, str]:
    """A raw hunk line -> (sign, code); sign is '+', '-', ' ' or '\\'."""
    if line and line[0] in "+- \\":
        return line[0], line[1:]
    return " ", line


@dataclass
class _Block:
    """A run of rows: a file header (hunk == -1) or a hunk header plus its lines."""

    start: int
    file: int
    hunk: int
    rows: int


@dataclass
class _HunkCache:
    numbers: list[int | None]
    chunks: dict[int, list[list[tuple[str, str | None]]]]


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
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._files: list[FileDiffLike] = []
        self._blocks: list[_Block] = []
        self._starts: list[int] = []
        self._hunk_refs: list[tuple[int, int]] = []
        self._hunk_block: dict[tuple[int, int], int] = {}
        self._file_block: list[int] = []
        self._rejected: set[str] = set()
        self._cursor = 0
        self._marked: tuple[int, int, int, int] | None = None  # file, hunk, first, last row
        self._marked_file: int | None = None
        self._caches: dict[tuple[int, int], _HunkCache] = {}
        self._lexers: dict[int, Lexer] = {}
        self._token_cache: dict[_TokenType, str | None] = {}
        self._gutter: list[int] = []
        self._partial_cache: dict[str, Style] = {}
        self.set_files(files, rejected=rejected)

    # -- data -----------------------------------------------------------------

    def set_files(self, files: Sequence[FileDiffLike], *, rejected: Iterable[str] = ()) -> None:
        """Show a new change; `rejected` are hunk ids already rejected (no message posted)."""
        self._files = list(files)
        self._caches.clear()
        self._lexers.clear()
        self._count_cache: dict[int, tuple[int, int]] = {}
        self._blocks = []
        self._hunk_refs = []
        self._hunk_block = {}
        self._file_block = []
        self._gutter = []
        self._marked = None
        self._marked_file = None
        y = 0
        width = 0
        for fi, file in enumerate(self._files):
            self._file_block.append(len(self._blocks))
            self._blocks.append(_Block(y, fi, -1, 1))
            y += 1
            widest_number = 1
            if file.binary or not file.hunks:
                # No hunks to show: the whole file is one item, its id is the path.
                self._hunk_block[(fi, NO_HUNKS)] = len(self._blocks)
                self._blocks.append(_Block(y, fi, NO_HUNKS, 1))
                self._hunk_refs.append((fi, NO_HUNKS))
                y += 1
            for hi, hunk in enumerate([] if file.binary else file.hunks):
                rows = 1 + len(hunk.lines)
                self._hunk_block[(fi, hi)] = len(self._blocks)
                self._blocks.append(_Block(y, fi, hi, rows))
                self._hunk_refs.append((fi, hi))
                y += rows
                widest_number = max(
                    widest_number, hunk.old_start + hunk.old_len, hunk.new_start + hunk.new_len
                )
                if hunk.lines:
                    width = max(width, max(len(line) for line in hunk.lines))
            self._gutter.append(max(3, len(str(widest_number))))
        self._starts = [block.start for block in self._blocks]
        ids = {self._item_id(ref) for ref in self._hunk_refs}
        self._rejected = {hunk_id for hunk_id in rejected if hunk_id in ids}
        self._cursor = 0
        gutter = max(self._gutter, default=3)
        self.virtual_size = Size(gutter + 4 + width, y)
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()
        self._post_highlighted()

    @property
    def files(self) -> list[FileDiffLike]:
        """The files shown."""
        return list(self._files)

    @property
    def rejected_hunks(self) -> frozenset[str]:
        """Ids of the hunks the user rejected."""
        return frozenset(self._rejected)

    @property
    def selected_hunk_id(self) -> str | None:
        """Id of the selected hunk (None when there are no hunks)."""
        ref = self._selected_ref()
        return None if ref is None else self._item_id(ref)

    @property
    def selected_path(self) -> str | None:
        """Path of the file of the selected hunk."""
        ref = self._selected_ref()
        return None if ref is None else self._files[ref[0]].path

    def set_rejected(self, hunk_ids: Iterable[str]) -> None:
        """Replace the rejected set (e.g. restored from a session); posts no message."""
        ids = {self._item_id(ref) for ref in self._hunk_refs}
        self._rejected = {hunk_id for hunk_id in hunk_ids if hunk_id in ids}
        self.refresh()

    def select_hunk(self, hunk_id: str) -> bool:
        """Select a hunk by id and scroll to it; False if there is no such hunk."""
        for index, ref in enumerate(self._hunk_refs):
            if self._item_id(ref) == hunk_id:
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
        for fi, diff_file in enumerate(self._files):
            if file not in (diff_file.path, diff_file.old_path):
                continue
            for hi, hunk in enumerate([] if diff_file.binary else diff_file.hunks):
                numbers = self._cache(fi, hi).numbers
                rows = [
                    i
                    for i, (raw, number) in enumerate(zip(hunk.lines, numbers, strict=True))
                    if number is not None
                    and line_start <= number <= line_end
                    and not raw.startswith(("-", "\\"))
                ]
                if rows:
                    self._marked = (fi, hi, rows[0], rows[-1])
                    self._move_to(self._hunk_refs.index((fi, hi)), scroll=False)
                    block = self._blocks[self._hunk_block[(fi, hi)]]
                    top = block.start + 1 + rows[0]
                    height = rows[-1] - rows[0] + 1
                    self._reveal(top, height, center=True)
                    self.refresh()
                    return True
            self._marked_file = fi
            self._reveal(self._blocks[self._file_block[fi]].start, 1, top_=True)
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
        ids = set(self._file_item_ids(ref[0]))
        if ids <= self._rejected:
            self._rejected -= ids
        else:
            self._rejected |= ids
        self._decisions_changed()

    def action_next_file(self) -> None:
        """Select the first hunk of the next file that has hunks."""
        ref = self._selected_ref()
        current = -1 if ref is None else ref[0]
        for index, (fi, _hi) in enumerate(self._hunk_refs):
            if fi > current:
                self._move_to(index)
                return

    def action_previous_file(self) -> None:
        """Select the first hunk of the previous file (or of this one, if inside it)."""
        ref = self._selected_ref()
        if ref is None:
            return
        target = ref[0] if ref[1] > 0 else ref[0] - 1
        for index, (fi, _hi) in enumerate(self._hunk_refs):
            if fi == target:
                self._move_to(index)
                return

    # -- helpers --------------------------------------------------------------------

    def _item_id(self, ref: tuple[int, int]) -> str:
        """A hunk's id, or the file's path for a file shown without hunks."""
        file = self._files[ref[0]]
        return file.path if ref[1] == NO_HUNKS else file.hunks[ref[1]].id

    def _file_item_ids(self, fi: int) -> list[str]:
        return [self._item_id(ref) for ref in self._hunk_refs if ref[0] == fi]

    def _selected_ref(self) -> tuple[int, int] | None:
        if not self._hunk_refs:
            return None
        return self._hunk_refs[min(self._cursor, len(self._hunk_refs) - 1)]

    def _decisions_changed(self) -> None:
        self.refresh()
        self.post_message(self.HunkDecisionChanged(self, self.rejected_hunks))

    def _post_highlighted(self) -> None:
        self.post_message(self.HunkHighlighted(self, self.selected_path, self.selected_hunk_id))

    def _move_to(self, index: int, *, scroll: bool = True) -> None:
        if not self._hunk_refs:
            return
        index = max(0, min(index, len(self._hunk_refs) - 1))
        changed = index != self._cursor
        self._cursor = index
        if scroll:
            fi, hi = self._hunk_refs[index]
            block = self._blocks[self._hunk_block[(fi, hi)]]
            top = block.start
            if hi in (0, NO_HUNKS):
                top = self._blocks[self._file_block[fi]].start
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

    def _cache(self, fi: int, hi: int) -> _HunkCache:
        cache = self._caches.get((fi, hi))
        if cache is None:
            hunk = self._files[fi].hunks[hi]
            numbers: list[int | None] = []
            old, new = hunk.old_start, hunk.new_start
            for raw in hunk.lines:
                sign = raw[:1]
                if sign == "-":
                    numbers.append(old)
                    old += 1
                elif sign == "+":
                    numbers.append(new)
                    new += 1
                elif sign == "\\":
                    numbers.append(None)
                else:
                    numbers.append(new)
                    old += 1
                    new += 1
            cache = _HunkCache(numbers, {})
            self._caches[(fi, hi)] = cache
        return cache

    def _lexer(self, fi: int) -> Lexer:
        lexer = self._lexers.get(fi)
        if lexer is None:
            lexer = self._lexers[fi] = lexer_for(self._files[fi].path)
        return lexer

    def _highlighted(self, fi: int, hi: int, line: int) -> list[tuple[str, str | None]]:
        """Tokens of one hunk line, highlighting its chunk on first use."""
        cache = self._cache(fi, hi)
        chunk_index = line // CHUNK_LINES
        chunk = cache.chunks.get(chunk_index)
        if chunk is None:
            hunk = self._files[fi].hunks[hi]
            first = chunk_index * CHUNK_LINES
            raw = hunk.lines[first : first + CHUNK_LINES]
            codes = [_clean(_split(text)[1]) for text in raw]
            chunk = [[] for _ in codes]
            if raw:
                row = 0
                for token, value in self._lexer(fi).get_tokens("\n".join(codes) + "\n"):
                    kind = _token_class(token, self._token_cache)
                    parts = value.split("\n")
                    for n, part in enumerate(parts):
                        if n:
                            row += 1
                        if part and row < len(chunk):
                            chunk[row].append((part, kind))
            cache.chunks[chunk_index] = chunk
        return chunk[line - chunk_index * CHUNK_LINES]

    def _decision_glyph(self, hunk_ids: Iterable[str]) -> tuple[str, str]:
        ids = set(hunk_ids)
        if not ids:
            return " ", "diff-view--note"
        rejected = ids & self._rejected
        if not rejected:
            return ACCEPTED_GLYPH, "diff-view--accepted"
        if rejected == ids:
            return REJECTED_GLYPH, "diff-view--rejected"
        return MIXED_GLYPH, "diff-view--mixed"

    # -- rendering --------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Render one visible row."""
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row = scroll_y + y
        base = self.rich_style
        if not self._blocks or row >= self._starts[-1] + self._blocks[-1].rows or row < 0:
            return Strip.blank(width, base)
        block = self._blocks[bisect_right(self._starts, row) - 1]
        offset = row - block.start
        if block.hunk == -1:
            strip = self._render_file_header(block.file, width)
        elif block.hunk == NO_HUNKS:
            strip = self._render_note(block.file, width)
        elif offset == 0:
            strip = self._render_hunk_header(block.file, block.hunk, width)
        else:
            strip = self._render_code(block.file, block.hunk, offset - 1, scroll_x, width)
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

    def _render_file_header(self, fi: int, width: int) -> Strip:
        file = self._files[fi]
        header = self._style("diff-view--file-header")
        glyph, glyph_class = self._decision_glyph(self._file_item_ids(fi))
        added, removed = self._counts(fi)
        name = file.path
        if file.old_path and file.old_path != file.path:
            name = f"{file.old_path} → {file.path}"
        status = str(getattr(file.status, "value", file.status))
        mark = self._style("diff-view--marked") if self._marked_file == fi else Style()
        segments = [
            Segment(" ", header + mark),
            Segment(glyph, header + self._style(glyph_class, partial=True)),
            Segment(f" {clean_line(name)}", header + mark),
            Segment(f"  {status}", header + self._style("diff-view--note", partial=True)),
        ]
        if not file.binary:
            segments.append(
                Segment(f"  +{added}", header + self._style("diff-view--added-sign", True))
            )
            segments.append(
                Segment(f" −{removed}", header + self._style("diff-view--removed-sign", True))
            )
        return Strip(segments).adjust_cell_length(width, header)

    def _counts(self, fi: int) -> tuple[int, int]:
        counts = self._count_cache.get(fi)
        if counts is None:
            hunks = self._files[fi].hunks
            added = sum(1 for h in hunks for line in h.lines if line.startswith("+"))
            removed = sum(1 for h in hunks for line in h.lines if line.startswith("-"))
            counts = self._count_cache[fi] = (added, removed)
        return counts

    def _render_note(self, fi: int, width: int) -> Strip:
        file = self._files[fi]
        selected = self._selected_ref() == (fi, NO_HUNKS)
        style = self._style("diff-view--hunk-selected" if selected else "diff-view--hunk-header")
        glyph, glyph_class = self._decision_glyph([file.path])
        word = "rejected" if file.path in self._rejected else "accepted"
        note = "binary file, not shown" if file.binary else "no content changes"
        segments = [
            Segment("▶ " if selected else "  ", style + self._style("diff-view--cursor", True)),
            Segment(f"{glyph} {word}", style + self._style(glyph_class, partial=True)),
            Segment(f"  {note}", style + self._style("diff-view--note", partial=True)),
        ]
        return Strip(segments).adjust_cell_length(width, style)

    def _render_hunk_header(self, fi: int, hi: int, width: int) -> Strip:
        hunk = self._files[fi].hunks[hi]
        selected = self._selected_ref() == (fi, hi)
        style = self._style("diff-view--hunk-selected" if selected else "diff-view--hunk-header")
        glyph, glyph_class = self._decision_glyph([hunk.id])
        word = "rejected" if hunk.id in self._rejected else "accepted"
        cursor = "▶" if selected else " "
        header = hunk.header.strip() or (
            f"@@ -{hunk.old_start},{hunk.old_len} +{hunk.new_start},{hunk.new_len} @@"
        )
        segments = [
            Segment(f"{cursor} ", style + self._style("diff-view--cursor", partial=True)),
            Segment(f"{glyph} {word}", style + self._style(glyph_class, partial=True)),
            Segment(f"  {_clean(header)}", style),
        ]
        return Strip(segments).adjust_cell_length(width, style)

    def _render_code(self, fi: int, hi: int, line: int, scroll_x: int, width: int) -> Strip:
        hunk = self._files[fi].hunks[hi]
        raw = hunk.lines[line]
        sign, _code = _split(raw)
        number = self._cache(fi, hi).numbers[line]
        declined = hunk.id in self._rejected
        selected = self._selected_ref() == (fi, hi)
        marked = (
            self._marked is not None
            and self._marked[:2] == (fi, hi)
            and self._marked[2] <= line <= self._marked[3]
        )
        if declined:
            line_style = self._style("diff-view--declined")
            sign_style = line_style
        elif sign == "+":
            line_style = self._style("diff-view--added")
            sign_style = line_style + self._style("diff-view--added-sign", partial=True)
        elif sign == "-":
            line_style = self._style("diff-view--removed")
            sign_style = line_style + self._style("diff-view--removed-sign", partial=True)
        else:
            line_style = self._style("diff-view--context")
            sign_style = line_style
        lineno_style = self._style("diff-view--lineno")
        if marked:
            mark = self._style("diff-view--marked", partial=True)
            line_style += mark
            sign_style += mark
            lineno_style += mark
        number_text = "" if number is None else str(number)
        gutter = Strip(
            [
                Segment("▌" if selected else " ", self._style("diff-view--cursor")),
                Segment(number_text.rjust(self._gutter[fi]) + " ", lineno_style),
                Segment(" " if sign == "\\" else sign, sign_style),
                Segment(" ", line_style),
            ]
        )
        if sign == "\\":
            note = line_style + self._style("diff-view--note", partial=True)
            code_segments = [Segment(_clean(raw[1:].strip()), note)]
        elif declined:
            code_segments = [
                Segment(text, line_style) for text, _ in self._highlighted(fi, hi, line)
            ]
        else:
            code_segments = [
                Segment(
                    text,
                    line_style + self._style(f"diff-view--{kind}", partial=True)
                    if kind
                    else line_style,
                )
                for text, kind in self._highlighted(fi, hi, line)
            ]
        code_width = max(0, width - gutter.cell_length)
        code = Strip(code_segments).crop_extend(scroll_x, scroll_x + code_width, line_style)
        return Strip.join([gutter, code])
