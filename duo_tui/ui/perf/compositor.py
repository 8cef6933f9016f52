"""A Textual compositor that renders each changed cell once, from the widget in front.

Textual's compositor asks every widget overlapping an update to render all of
its lines, then keeps, per "chop" (the cells between two neighbouring widget
edges on a line, which is how the terminal is written), the piece of the widget
in front. On the workbench most of that work was thrown away:

* a partial update takes the one box around every dirty region, so a pane's new
  border while another pane streamed made the screen, the body, the pane grid
  and all four panes render every line (about 10 ms of a 16 ms pane switch);
* a full update (the first frame, a resize, a new screen) renders containers
  that their children hide completely: each stream pane behind its header and
  log, the pane grid, the screen (about a third of the first frame).

`BoxCompositor` paints front to back instead. The area to paint is a set of
column ranges per line: the whole screen for a full update; for a partial
update each dirty span widened to the whole chops it touches. Each visible
widget, frontmost first, takes the part of that area it covers, renders only
those lines and columns (lines that take the same columns are one
`render_lines` call, so a pane's border is four thin calls) and removes it from
the area; painting stops when nothing is left. A widget paints every cell of
its region, so nothing behind it can show there. Every range starts and ends
on a widget edge, so the pieces are whole chops and the terminal output is byte
for byte Textual's.

This relies on Textual's private compositor layout; `textual` is pinned
exactly, a test compares both compositors' output for full updates and for
hundreds of random dirty regions, and the SVG snapshot tests compare whole
screens.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

from textual._compositor import ChopsUpdate, Compositor, LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

Ranges = list[tuple[int, int]]
"""Disjoint column ranges of one line, left to right, each [start, end)."""


def widen_to_chops(spans: Iterable[tuple[int, int, int]], cuts: list[list[int]]) -> list[Ranges]:
    """Per line, the columns to paint for these spans: each widened to whole chops, merged.

    The terminal is written a chop at a time, so a span needs every chop it
    touches, whole.
    """
    wanted: list[Ranges] = [[] for _ in cuts]
    for y, x1, x2 in spans:
        wanted[y].append(_chop_edges(cuts[y], x1, x2))
    for y, ranges in enumerate(wanted):
        if len(ranges) > 1:
            ranges.sort()
            merged = [ranges[0]]
            for a, b in ranges[1:]:
                last_a, last_b = merged[-1]
                if a <= last_b:
                    merged[-1] = (last_a, max(last_b, b))
                else:
                    merged.append((a, b))
            wanted[y] = merged
    return wanted


def _chop_edges(line: list[int], x1: int, x2: int) -> tuple[int, int]:
    """Where the chops holding columns x1 and x2 - 1 of a line start and end."""
    return line[bisect_right(line, x1) - 1], line[min(bisect_left(line, x2), len(line) - 1)]


def take_covered(free: Ranges, a: int, b: int) -> tuple[Ranges, Ranges]:
    """Split a line's free ranges by the columns [a, b): (taken by it, still free)."""
    taken: Ranges = []
    left: Ranges = []
    for f1, f2 in free:
        if f2 <= a or f1 >= b:
            left.append((f1, f2))
            continue
        o1, o2 = max(f1, a), min(f2, b)
        taken.append((o1, o2))
        if f1 < o1:
            left.append((f1, o1))
        if o2 < f2:
            left.append((o2, f2))
    return taken, left


class BoxCompositor(Compositor):
    """`Compositor` that renders each updated chop once, from the widget in front."""

    _cuts_of: object = None

    @property
    def cuts(self) -> list[list[int]]:
        """Textual's per-line cuts, always those of the current `visible_widgets`.

        Textual rebuilds `visible_widgets` when it rebuilds its full map lazily but keeps
        the cuts it had. Painting by ownership needs every widget edge to be a cut, or
        a piece would be filed under the wrong chop.
        """
        visible = self.visible_widgets
        if self._cuts is not None and self._cuts_of is not visible:
            self._cuts = None
        self._cuts_of = visible
        cuts: list[list[int]] = Compositor.cuts.fget(self)  # type: ignore[attr-defined]
        return cuts

    def render_full_update(self, simplify: bool = False) -> LayoutUpdate:
        if simplify:  # screenshots: Textual's own path
            return super().render_full_update(simplify=True)
        screen = self.size.region
        self._dirty_regions.clear()
        free = [[(0, screen.width)] for _ in range(screen.height)]
        chops = self._paint(free, screen)
        if any(strip is None for chop in chops for strip in chop.values()):
            # A widget in front gave fewer lines than its region (it is mid-layout, e.g.
            # a toast or the footer's keys being recomposed): Textual paints what is
            # behind it there, so its own path writes this frame.
            return super().render_full_update()
        return LayoutUpdate([chop.values() for chop in chops], screen)  # type: ignore[arg-type, misc]

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
        spans = [(y, max(0, x1), min(screen.width, x2)) for y, x1, x2 in spans]
        free = widen_to_chops(spans, cuts)
        lines = [y for y, ranges in enumerate(free) if ranges]
        x1 = min(ranges[0][0] for ranges in free if ranges)
        x2 = max(ranges[-1][1] for ranges in free if ranges)
        wanted = [list(ranges) for ranges in free]  # _paint consumes `free`
        chops = self._paint(free, Region(x1, lines[0], x2 - x1, lines[-1] - lines[0] + 1))
        if any(
            strip is None and any(a <= x < b for a, b in wanted[y])
            for y in lines
            for x, strip in chops[y].items()
        ):
            # A widget gave fewer lines than its region (see render_full_update): let
            # Textual paint these regions, with what is behind it.
            self._dirty_regions.update(update_regions)
            return super().render_partial_update()
        # Textual also writes the chop that starts where a span ends (a cursor move
        # and no text); an empty strip there keeps the output byte for byte the same.
        empty = Strip([])
        for y, _x1, x2 in spans:
            if chops[y].get(x2, empty) is None:
                chops[y][x2] = empty
        chop_ends = [line[1:] for line in cuts]
        return ChopsUpdate(chops, spans, chop_ends)  # type: ignore[arg-type]

    def _paint(self, free: list[Ranges], area: Region) -> list[dict[int, Strip | None]]:
        """Render the `free` ranges (all inside `area`) front to back; returns the chops.

        `free` is consumed: each widget takes what it covers of it.
        """
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(line[:-1]) for line in cuts]
        remaining = sum(len(ranges) for ranges in free)
        intersection = Region.intersection
        area_overlaps = area.overlaps
        for widget, (region, clip) in self.visible_widgets.items():
            if not area_overlaps(clip):
                continue
            x, y, width, height = intersection(intersection(region, clip), area)
            if not (width and height):
                continue
            a, b = x, x + width
            runs: dict[tuple[int, int], list[int]] = {}  # (x1, x2) -> [first y, last y]
            boxes: list[Region] = []
            for line_y in range(y, y + height):
                line_free = free[line_y]
                if not line_free:
                    continue
                taken, left = take_covered(line_free, a, b)
                if not taken:
                    continue
                remaining += len(left) - len(line_free)
                free[line_y] = left
                for o1, o2 in taken:
                    run = runs.get((o1, o2))
                    if run is not None and run[1] == line_y - 1:
                        run[1] = line_y
                        continue
                    if run is not None:
                        boxes.append(Region(o1, run[0], o2 - o1, run[1] - run[0] + 1))
                    runs[(o1, o2)] = [line_y, line_y]
            boxes.extend(
                Region(o1, y1, o2 - o1, y2 - y1 + 1) for (o1, o2), (y1, y2) in runs.items()
            )
            for bx, by, bw, bh in boxes:
                strips = widget.render_lines(Region(bx - region.x, by - region.y, bw, bh))
                for line_y, strip in zip(range(by, by + bh), strips, strict=False):
                    line = cuts[line_y]
                    inner = line[bisect_right(line, bx) : bisect_left(line, bx + bw)]
                    if not inner and strip.cell_length == bw:
                        # One whole piece: what `divide([bw])` returns, without its cache
                        # entry `[strip]`, a reference cycle that would keep every strip
                        # painted whole (and its caches) until a full collection.
                        pieces: Sequence[Strip] = [strip]
                    else:
                        # `divide` takes where each piece ends: at each inner cut, then the end.
                        pieces = strip.divide([cut - bx for cut in inner] + [bw])
                    chops_line = chops[line_y]
                    for key, piece in zip([bx, *inner], pieces, strict=False):
                        chops_line[key] = piece
            if not remaining:
                break
        return chops
