"""A Textual compositor whose partial updates render only the boxes that changed.

Textual's compositor, for a partial update, takes the one box around every
dirty region and asks each widget overlapping that box to render *all* of its
lines. On the workbench that is most of a frame: a pane switch dirties the new
pane's border, a streamed token a line at the bottom of another pane, and the
box around both is the whole pane grid, so the screen, the body, the grid and
every pane rendered their full height (about 10 ms of a 16 ms pane switch at
200x50, and the same share of every streaming frame).

`BoxCompositor` renders a box per changed area instead: each dirty span is
widened to the whole "chops" it touches (the cells between two neighbouring
widget edges on a line, which is how the terminal is written), lines that
widen alike are stacked into one box, so a pane's new border is four thin
boxes, not the pane. Per box, each widget renders only its lines and columns
inside the box, front to back, stopping at the first widget that covers the
whole box (nothing behind it can show). `render_lines` takes any crop
(Textual already passes one for a widget partly scrolled out of view); the
pieces are filed under the same per-line cuts, and a piece is kept only if it
is a whole chop, so the terminal output is the same as Textual's.

This relies on Textual's private compositor layout; `textual` is pinned
exactly and the SVG snapshot tests compare whole screens, so a change in
Textual that this misrenders shows up there.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip

#: Past this many boxes one update renders the box around all of them (as Textual
#: does): each box costs a pass over the visible widgets.
MAX_BOXES = 64


def plan_boxes(spans: Iterable[tuple[int, int, int]], cuts: list[list[int]]) -> list[Region]:
    """Boxes to render for an update: each span widened to whole chops, stacked by line.

    The terminal is written a chop (the cells between two neighbouring widget
    edges on a line) at a time, so a span needs every chop it touches, whole.
    Lines whose spans widen to the same columns form one box: a pane's border
    is four boxes (top, bottom and the two sides), not the pane.
    """
    open_boxes: dict[tuple[int, int], list[int]] = {}  # (x1, x2) -> [first y, last y]
    boxes: list[Region] = []
    for y, x1, x2 in spans:
        a, b = _chop_edges(cuts[y], x1, x2)
        run = open_boxes.get((a, b))
        if run is not None and run[1] == y - 1:
            run[1] = y
            continue
        if run is not None:
            boxes.append(Region(a, run[0], b - a, run[1] - run[0] + 1))
        open_boxes[(a, b)] = [y, y]
    boxes.extend(Region(a, y1, b - a, y2 - y1 + 1) for (a, b), (y1, y2) in open_boxes.items())
    return boxes


def _align_to_cuts(box: Region, cuts: list[list[int]]) -> Region:
    """Widen `box` so that on every line it starts and ends on a cut."""
    x1, x2 = box.x, box.right
    for line in cuts[box.y : box.bottom]:
        a, b = _chop_edges(line, box.x, box.right)
        x1, x2 = min(x1, a), max(x2, b)
    return Region(x1, box.y, x2 - x1, box.height)


def _chop_edges(line: list[int], x1: int, x2: int) -> tuple[int, int]:
    """Where the chops holding columns x1 and x2 - 1 of a line start and end."""
    return line[bisect_right(line, x1) - 1], line[min(bisect_left(line, x2), len(line) - 1)]


class BoxCompositor(Compositor):
    """`Compositor` whose partial updates render only the changed boxes."""

    def render_partial_update(self) -> ChopsUpdate | None:
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        screen = self.size.region
        spans = [
            span
            for span in self._regions_to_spans(update_regions)
            if 0 <= span[0] < screen.height and span[2] > span[1]
        ]
        if not spans:
            return None
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(line[:-1]) for line in cuts]
        boxes = plan_boxes([(y, max(0, x1), min(screen.width, x2)) for y, x1, x2 in spans], cuts)
        if len(boxes) > MAX_BOXES:
            boxes = [_align_to_cuts(Region.from_union(boxes), cuts)]
        for box in boxes:
            self._render_box(box, cuts, chops)
        # Textual also writes the chop that starts where a span ends (a cursor move
        # and no text); an empty strip there keeps the output byte for byte the same.
        empty = Strip([])
        for y, _x1, x2 in spans:
            if chops[y].get(x2, empty) is None:
                chops[y][x2] = empty
        chop_ends = [line[1:] for line in cuts]
        return ChopsUpdate(chops, spans, chop_ends)  # type: ignore[arg-type]

    def _render_box(
        self, box: Region, cuts: list[list[int]], chops: list[dict[int, Strip | None]]
    ) -> None:
        intersection = Region.intersection
        box_overlaps = box.overlaps
        for widget, (region, clip) in self.visible_widgets.items():
            if not box_overlaps(clip):
                continue
            part = intersection(intersection(region, clip), box)
            if not (part.width and part.height):
                continue
            covers = part == box
            a, b = part.x, part.right
            strips = widget.render_lines(
                Region(a - region.x, part.y - region.y, part.width, part.height)
            )
            for y, strip in zip(part.line_range, strips, strict=False):
                line = cuts[y]
                lo, hi = bisect_right(line, a), bisect_left(line, b)
                inner = line[lo:hi]  # cuts strictly inside (a, b)
                a_is_cut = lo > 0 and line[lo - 1] == a
                b_is_cut = hi < len(line) and line[hi] == b
                # `divide` takes where each piece ends: at each inner cut, then at b.
                pieces = strip.divide([cut - a for cut in inner] + [b - a])
                keys: list[int | None] = [a if a_is_cut else None, *inner]
                last = len(keys) - 1
                chops_line = chops[y]
                get = chops_line.get
                for i, (key, piece) in enumerate(zip(keys, pieces, strict=False)):
                    # A piece cut short by the box edge is not a whole chop: skip it
                    # (no span needs it; a neighbouring box may render it whole).
                    if key is None or (i == last and not b_is_cut):
                        continue
                    # Painting front to back: the first piece for a cut wins.
                    if get(key) is None:
                        chops_line[key] = piece
            if covers:
                # Widgets are visited front to back and a widget paints every cell of
                # its region: nothing behind one that covers the box can show.
                break
