"""The rows of a diff as the code pane lays them out: a plain model, no Textual.

`DiffRows` takes the files of a change (what `duo_tui.vcs.diff.parse_diff`
returns, or any objects with the same attributes: `FileDiffLike` /
`HunkLike`) and lays them out as rows: per file a header row, then per hunk a
header row and one row per hunk line; a file without hunks to show (binary,
mode only) gets a single note row instead, and that item's id is the file's
path. It answers which block a row falls in, the id of each item that can be
accepted or rejected, the line numbers of each hunk's lines (computed on first
use) and the lines each file adds and removes. `DiffView` renders it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from duo_tui.safe_text import clean_line

__all__ = [
    "NO_HUNKS",
    "Block",
    "DiffRows",
    "FileDiffLike",
    "HunkLike",
    "clean_code",
    "split_sign",
]

NO_HUNKS = -2
"""Hunk index of the single item of a file shown without hunks (binary, mode only)."""


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


def clean_code(text: str) -> str:
    """One line of the diff (repository text): line ending dropped, control and bidi
    characters made visible (`duo_tui.safe_text`), tabs to spaces."""
    return clean_line(text.rstrip("\r\n")).expandtabs(4)


def split_sign(line: str) -> tuple[str, str]:
    """A raw hunk line -> (sign, code); sign is '+', '-', ' ' or '\\'."""
    if line and line[0] in "+- \\":
        return line[0], line[1:]
    return " ", line


@dataclass
class Block:
    """A run of rows: a file header (hunk == -1) or a hunk header plus its lines."""

    start: int
    file: int
    hunk: int
    rows: int


class DiffRows:
    """The files of a change laid out as rows (see the module docstring).

    Attributes: `files`; `blocks` in row order and their first rows `starts`;
    `hunk_refs`, the (file, hunk) of every item in order (hunk `NO_HUNKS` for
    a file shown without hunks); `hunk_block` and `file_block`, the index in
    `blocks` of each item and each file header; `gutter`, the line-number
    width of each file; `height` (rows) and `widest_line` (characters).
    """

    def __init__(self, files: Sequence[FileDiffLike] = ()) -> None:
        self.files: list[FileDiffLike] = list(files)
        self.blocks: list[Block] = []
        self.hunk_refs: list[tuple[int, int]] = []
        self.hunk_block: dict[tuple[int, int], int] = {}
        self.file_block: list[int] = []
        self.gutter: list[int] = []
        self._numbers: dict[tuple[int, int], list[int | None]] = {}
        self._counts: dict[int, tuple[int, int]] = {}
        y = 0
        width = 0
        for fi, file in enumerate(self.files):
            self.file_block.append(len(self.blocks))
            self.blocks.append(Block(y, fi, -1, 1))
            y += 1
            widest_number = 1
            if file.binary or not file.hunks:
                # No hunks to show: the whole file is one item, its id is the path.
                self.hunk_block[(fi, NO_HUNKS)] = len(self.blocks)
                self.blocks.append(Block(y, fi, NO_HUNKS, 1))
                self.hunk_refs.append((fi, NO_HUNKS))
                y += 1
            for hi, hunk in enumerate([] if file.binary else file.hunks):
                rows = 1 + len(hunk.lines)
                self.hunk_block[(fi, hi)] = len(self.blocks)
                self.blocks.append(Block(y, fi, hi, rows))
                self.hunk_refs.append((fi, hi))
                y += rows
                widest_number = max(
                    widest_number, hunk.old_start + hunk.old_len, hunk.new_start + hunk.new_len
                )
                if hunk.lines:
                    width = max(width, max(len(line) for line in hunk.lines))
            self.gutter.append(max(3, len(str(widest_number))))
        self.starts: list[int] = [block.start for block in self.blocks]
        self.height = y
        self.widest_line = width

    def block_at(self, row: int) -> Block | None:
        """The block that row `row` belongs to (None outside the diff)."""
        if not self.blocks or row >= self.starts[-1] + self.blocks[-1].rows or row < 0:
            return None
        return self.blocks[bisect_right(self.starts, row) - 1]

    def item_id(self, ref: tuple[int, int]) -> str:
        """A hunk's id, or the file's path for a file shown without hunks."""
        file = self.files[ref[0]]
        return file.path if ref[1] == NO_HUNKS else file.hunks[ref[1]].id

    def item_ids(self) -> set[str]:
        """The ids of every item that can be accepted or rejected."""
        return {self.item_id(ref) for ref in self.hunk_refs}

    def file_item_ids(self, fi: int) -> list[str]:
        """The ids of the items of file `fi`."""
        return [self.item_id(ref) for ref in self.hunk_refs if ref[0] == fi]

    def line_numbers(self, fi: int, hi: int) -> list[int | None]:
        """Per line of a hunk: its old-file number for a removed line, its new-file
        number otherwise, None for a `\\ No newline` note (computed on first use)."""
        numbers = self._numbers.get((fi, hi))
        if numbers is None:
            hunk = self.files[fi].hunks[hi]
            numbers = []
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
            self._numbers[(fi, hi)] = numbers
        return numbers

    def counts(self, fi: int) -> tuple[int, int]:
        """(lines added, lines removed) by file `fi`."""
        counts = self._counts.get(fi)
        if counts is None:
            hunks = self.files[fi].hunks
            added = sum(1 for h in hunks for line in h.lines if line.startswith("+"))
            removed = sum(1 for h in hunks for line in h.lines if line.startswith("-"))
            counts = self._counts[fi] = (added, removed)
        return counts
