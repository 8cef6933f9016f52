"""Drawing the rows of a diff as Strips: file headers, notes, hunk headers, code lines.

`render_row` draws one row of a `diff_rows.DiffRows` layout, given a
`RowContext`: the rows, the highlighter, the view's component styles and what
the view's state says about the rows (rejected items, the selected hunk, the
marked lines). Decisions show as a glyph per hunk and per file; rejected hunks
are drawn without syntax colours; line numbers sit in a gutter as wide as the
file's largest number. `DiffView` owns the state and calls this from its
`render_line`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from duo_tui.safe_text import clean_line
from duo_tui.ui.widgets.diff_highlight import DiffHighlighter
from duo_tui.ui.widgets.diff_rows import NO_HUNKS, Block, DiffRows, clean_code, split_sign

__all__ = ["ACCEPTED_GLYPH", "MIXED_GLYPH", "REJECTED_GLYPH", "RowContext", "render_row"]

ACCEPTED_GLYPH = "✓"
REJECTED_GLYPH = "✗"
MIXED_GLYPH = "◐"


@dataclass(frozen=True, slots=True)
class RowContext:
    """What drawing a row reads: the layout, the highlighter, the view's component
    styles (`style(name, partial)`, partial ones pre-blended) and its state."""

    rows: DiffRows
    highlighter: DiffHighlighter
    style: Callable[..., Style]
    rejected: Set[str]
    selected: tuple[int, int] | None
    marked: tuple[int, int, int, int] | None  # file, hunk, first, last row
    marked_file: int | None


def render_row(ctx: RowContext, block: Block, offset: int, scroll_x: int, width: int) -> Strip:
    """Row `offset` of `block`, `width` cells wide (code scrolled by `scroll_x`)."""
    if block.hunk == -1:
        return _file_header(ctx, block.file, width)
    if block.hunk == NO_HUNKS:
        return _note(ctx, block.file, width)
    if offset == 0:
        return _hunk_header(ctx, block.file, block.hunk, width)
    return _code(ctx, block.file, block.hunk, offset - 1, scroll_x, width)


def _decision_glyph(ctx: RowContext, hunk_ids: Iterable[str]) -> tuple[str, str]:
    ids = set(hunk_ids)
    if not ids:
        return " ", "diff-view--note"
    rejected = ids & ctx.rejected
    if not rejected:
        return ACCEPTED_GLYPH, "diff-view--accepted"
    if rejected == ids:
        return REJECTED_GLYPH, "diff-view--rejected"
    return MIXED_GLYPH, "diff-view--mixed"


def _file_header(ctx: RowContext, fi: int, width: int) -> Strip:
    file = ctx.rows.files[fi]
    header = ctx.style("diff-view--file-header")
    glyph, glyph_class = _decision_glyph(ctx, ctx.rows.file_item_ids(fi))
    added, removed = ctx.rows.counts(fi)
    name = file.path
    if file.old_path and file.old_path != file.path:
        name = f"{file.old_path} → {file.path}"
    status = str(getattr(file.status, "value", file.status))
    mark = ctx.style("diff-view--marked") if ctx.marked_file == fi else Style()
    segments = [
        Segment(" ", header + mark),
        Segment(glyph, header + ctx.style(glyph_class, partial=True)),
        Segment(f" {clean_line(name)}", header + mark),
        Segment(f"  {status}", header + ctx.style("diff-view--note", partial=True)),
    ]
    if not file.binary:
        segments.append(Segment(f"  +{added}", header + ctx.style("diff-view--added-sign", True)))
        segments.append(
            Segment(f" −{removed}", header + ctx.style("diff-view--removed-sign", True))
        )
    return Strip(segments).adjust_cell_length(width, header)


def _note(ctx: RowContext, fi: int, width: int) -> Strip:
    file = ctx.rows.files[fi]
    selected = ctx.selected == (fi, NO_HUNKS)
    style = ctx.style("diff-view--hunk-selected" if selected else "diff-view--hunk-header")
    glyph, glyph_class = _decision_glyph(ctx, [file.path])
    word = "rejected" if file.path in ctx.rejected else "accepted"
    note = "binary file, not shown" if file.binary else "no content changes"
    segments = [
        Segment("▶ " if selected else "  ", style + ctx.style("diff-view--cursor", True)),
        Segment(f"{glyph} {word}", style + ctx.style(glyph_class, partial=True)),
        Segment(f"  {note}", style + ctx.style("diff-view--note", partial=True)),
    ]
    return Strip(segments).adjust_cell_length(width, style)


def _hunk_header(ctx: RowContext, fi: int, hi: int, width: int) -> Strip:
    hunk = ctx.rows.files[fi].hunks[hi]
    selected = ctx.selected == (fi, hi)
    style = ctx.style("diff-view--hunk-selected" if selected else "diff-view--hunk-header")
    glyph, glyph_class = _decision_glyph(ctx, [hunk.id])
    word = "rejected" if hunk.id in ctx.rejected else "accepted"
    cursor = "▶" if selected else " "
    header = hunk.header.strip() or (
        f"@@ -{hunk.old_start},{hunk.old_len} +{hunk.new_start},{hunk.new_len} @@"
    )
    segments = [
        Segment(f"{cursor} ", style + ctx.style("diff-view--cursor", partial=True)),
        Segment(f"{glyph} {word}", style + ctx.style(glyph_class, partial=True)),
        Segment(f"  {clean_code(header)}", style),
    ]
    return Strip(segments).adjust_cell_length(width, style)


def _code(ctx: RowContext, fi: int, hi: int, line: int, scroll_x: int, width: int) -> Strip:
    hunk = ctx.rows.files[fi].hunks[hi]
    raw = hunk.lines[line]
    sign, _code = split_sign(raw)
    number = ctx.rows.line_numbers(fi, hi)[line]
    declined = hunk.id in ctx.rejected
    selected = ctx.selected == (fi, hi)
    marked = (
        ctx.marked is not None
        and ctx.marked[:2] == (fi, hi)
        and ctx.marked[2] <= line <= ctx.marked[3]
    )
    if declined:
        line_style = ctx.style("diff-view--declined")
        sign_style = line_style
    elif sign == "+":
        line_style = ctx.style("diff-view--added")
        sign_style = line_style + ctx.style("diff-view--added-sign", partial=True)
    elif sign == "-":
        line_style = ctx.style("diff-view--removed")
        sign_style = line_style + ctx.style("diff-view--removed-sign", partial=True)
    else:
        line_style = ctx.style("diff-view--context")
        sign_style = line_style
    lineno_style = ctx.style("diff-view--lineno")
    if marked:
        mark = ctx.style("diff-view--marked", partial=True)
        line_style += mark
        sign_style += mark
        lineno_style += mark
    number_text = "" if number is None else str(number)
    gutter = Strip(
        [
            Segment("▌" if selected else " ", ctx.style("diff-view--cursor")),
            Segment(number_text.rjust(ctx.rows.gutter[fi]) + " ", lineno_style),
            Segment(" " if sign == "\\" else sign, sign_style),
            Segment(" ", line_style),
        ]
    )
    if sign == "\\":
        note = line_style + ctx.style("diff-view--note", partial=True)
        code_segments = [Segment(clean_code(raw[1:].strip()), note)]
    elif declined:
        code_segments = [
            Segment(text, line_style) for text, _ in ctx.highlighter.tokens(fi, hi, line)
        ]
    else:
        code_segments = [
            Segment(
                text,
                line_style + ctx.style(f"diff-view--{kind}", partial=True) if kind else line_style,
            )
            for text, kind in ctx.highlighter.tokens(fi, hi, line)
        ]
    code_width = max(0, width - gutter.cell_length)
    code = Strip(code_segments).crop_extend(scroll_x, scroll_x + code_width, line_style)
    return Strip.join([gutter, code])
