"""BoxCompositor writes exactly what Textual's compositor writes: full updates and any dirty regions.

The workbench's compositor renders each updated chop once, from the widget in
front; these tests put the demo workbench on screen, render full updates and
random sets of dirty regions, and compare what reaches the screen (each cell's
character and style) with Textual's own `Compositor` on the same layout.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rich.console import Console
from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from duo_tui.ui.app import DuoApp
from duo_tui.ui.perf.compositor import BoxCompositor, take_covered, widen_to_chops
from tests.pilot._helpers import at_checkpoint

Cell = tuple[str, object]


def _console(size: tuple[int, int]) -> Console:
    return Console(width=size[0], height=size[1], color_system="truecolor", force_terminal=True)


def _cells(strip: Strip) -> list[Cell]:
    """What a strip puts on screen: one (character, style) per cell.

    Segment boundaries are not compared: an empty segment (an escape sequence and no
    text) or a run split in two shows the same.
    """
    return [(char, seg.style) for seg in strip for char in seg.text]


def _render(
    comp: BoxCompositor, regions: list[Region], ours: bool, console: Console
) -> dict[tuple[int, int], Cell]:
    """The cells a partial update writes inside its dirty spans, by (x, y)."""
    comp._dirty_regions.clear()
    comp._dirty_regions.update(regions)
    update = comp.render_partial_update() if ours else Compositor.render_partial_update(comp)
    if update is None:
        return {}
    update.render_segments(console)  # it renders
    written: dict[tuple[int, int], Cell] = {}
    for y, x1, x2 in update.spans:
        line: dict[int, Cell] = {}
        for x, strip in update.chops[y].items():
            if strip is not None:
                line.update(enumerate(_cells(strip), x))
        written.update(((x, y), line[x]) for x in range(x1, x2))
    return written


def _random_regions(rng: random.Random, width: int, height: int) -> list[Region]:
    regions = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.random()
        if kind < 0.3:  # a thin column (a border side)
            x, y = rng.randrange(width), rng.randrange(height)
            regions.append(Region(x, y, 1, rng.randint(1, height - y)))
        elif kind < 0.6:  # a line
            x, y = rng.randrange(width), rng.randrange(height)
            regions.append(Region(x, y, rng.randint(1, width - x), 1))
        else:
            x, y = rng.randrange(width), rng.randrange(height)
            regions.append(Region(x, y, rng.randint(1, width - x), rng.randint(1, height - y)))
    return regions


def _assert_same_output(
    comp: BoxCompositor, size: tuple[int, int], rng: random.Random, rounds: int
) -> None:
    """Random dirty regions: BoxCompositor's terminal output equals Textual's, every time."""
    width, height = size
    console = _console(size)
    for _ in range(rounds):
        regions = _random_regions(rng, width, height)
        theirs = _render(comp, regions, ours=False, console=console)
        assert _render(comp, regions, ours=True, console=console) == theirs, regions


@pytest.mark.parametrize("size", [(200, 50), (130, 40), (80, 24)])
async def test_same_output_as_textual_for_random_dirty_regions(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=size) as pilot:
        await at_checkpoint(pilot, app)
        await pilot.pause()
        comp = app.screen._compositor
        assert isinstance(comp, BoxCompositor)
        _assert_same_output(comp, size, random.Random(size[0]), 150)


def _record_crops(widget: Widget, crops: list[Region]) -> None:
    """Append every crop `widget` is asked to render to `crops`."""
    original = widget.render_lines

    def spy(crop: Region) -> list[Strip]:
        crops.append(crop)
        return original(crop)

    widget.render_lines = spy  # type: ignore[method-assign]


def _full(comp: BoxCompositor, ours: bool, console: Console) -> list[list[Cell]]:
    update = comp.render_full_update() if ours else Compositor.render_full_update(comp)
    update.render_segments(console)  # it renders
    return [[cell for strip in line for cell in _cells(strip)] for line in update.strips]


@pytest.mark.parametrize("size", [(200, 50), (130, 40), (80, 24)])
async def test_full_updates_are_textual_s_and_skip_hidden_containers(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=size) as pilot:
        console = _console(size)
        for wait, keys in ((0.1, ""), (0.6, "2"), (0.3, "z")):
            await pilot.pause(wait)
            for key in keys:
                await pilot.press(key)
            comp = app.screen._compositor
            assert isinstance(comp, BoxCompositor)
            assert _full(comp, ours=True, console=console) == _full(comp, False, console)
        # A stream pane is covered by its header and its text: it renders nothing.
        calls: list[Region] = []
        for pane in app.screen.query("StreamPane"):
            _record_crops(pane, calls)
        comp.render_full_update()
        assert calls == []


async def test_a_border_side_renders_as_a_thin_strip(tmp_path: Path) -> None:
    """Repainting a pane's left border asks the pane for that one column only."""
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 50)) as pilot:
        await at_checkpoint(pilot, app)
        await pilot.pause()
        comp = app.screen._compositor
        pane = app.screen.query_one("#pane-code")
        crops: list[Region] = []
        _record_crops(pane, crops)
        x, y, _w, h = pane.region
        comp._dirty_regions.clear()
        comp._dirty_regions.add(Region(x, y + 1, 1, h - 2))
        comp.render_partial_update()
        assert crops == [Region(0, 1, 1, h - 2)]


def test_spans_widen_to_whole_chops_and_merge_per_line() -> None:
    cuts = [[0, 10, 20, 30]] * 3
    # A span inside the middle chop needs the whole chop; overlapping ones merge.
    wanted = widen_to_chops([(0, 12, 15), (1, 12, 15), (1, 18, 25), (2, 1, 2), (2, 25, 26)], cuts)
    assert wanted == [[(10, 20)], [(10, 30)], [(0, 10), (20, 30)]]


def test_a_widget_takes_what_it_covers_of_the_free_columns() -> None:
    assert take_covered([(0, 10), (20, 30)], 5, 25) == ([(5, 10), (20, 25)], [(0, 5), (25, 30)])
    assert take_covered([(0, 10)], 10, 20) == ([], [(0, 10)])
    assert take_covered([(0, 10)], 0, 10) == ([(0, 10)], [])


async def test_same_screen_as_textual_while_the_demo_runs(tmp_path: Path) -> None:
    """Full and partial updates compared at many moments of a running session.

    Streams grow, panes switch and zoom, views mount, scrollbars come and go: a fixed
    layout does not show every state (a scrollbar next to an empty line found one).
    """
    size = (200, 50)
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=300)
    console = _console(size)
    rng = random.Random(11)
    async with app.run_test(size=size) as pilot:
        for step in range(60):
            await pilot.pause(rng.choice([0.0, 0.01, 0.03]))
            if step % 8 == 4:
                await pilot.press(rng.choice("2341za"))
            comp = app.screen._compositor
            if not isinstance(comp, BoxCompositor):
                continue  # a dialog or another screen is on top
            assert _full(comp, ours=True, console=console) == _full(comp, False, console), step
            _assert_same_output(comp, size, rng, 3)


async def test_a_widget_mid_layout_that_gives_no_lines_is_painted_as_textual_does(
    tmp_path: Path,
) -> None:
    """The footer recomposing its keys (or a toast arriving) can render fewer lines than
    its region for a frame. Textual paints what is behind it there; a full update used
    to carry `None` for those cells and raise a TypeError while writing the frame."""
    size = (160, 48)
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=size) as pilot:
        await at_checkpoint(pilot, app)
        await pilot.pause()
        comp = app.screen._compositor
        assert isinstance(comp, BoxCompositor)
        footer = app.screen.query_one("QuietFooter")
        footer.render_lines = lambda crop: []  # type: ignore[method-assign]
        console = _console(size)
        assert _full(comp, ours=True, console=console) == _full(comp, False, console)
        footer_line = [Region(0, size[1] - 1, size[0], 1), Region(0, size[1] - 3, 30, 3)]
        theirs = _render(comp, footer_line, ours=False, console=console)
        assert _render(comp, footer_line, ours=True, console=console) == theirs
        app.export_screenshot()  # a screenshot is a full update too


async def test_painting_leaves_no_strip_in_a_reference_cycle(tmp_path: Path) -> None:
    """A strip painted whole is not divided: `Strip.divide` would cache `[strip]` on the
    strip itself, a cycle that keeps it and its caches alive until a full collection,
    which the app makes rare (`tune_gc`). Streamed rows leave a pane's cache freed."""
    import gc

    from duo_tui.ui.widgets.stream_log import StreamLog

    size = (200, 50)
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=size) as pilot:
        await at_checkpoint(pilot, app)
        await pilot.pause()
        comp = app.screen._compositor
        assert isinstance(comp, BoxCompositor)
        log = next(log for log in app.screen.query(StreamLog) if log.region.area)
        console = _console(size)
        gc.collect()
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for i in range(400):
                log.append(f"row {i} of a streamed answer\n")
                log.scroll_end(animate=False, immediate=True)
                assert _render(comp, [log.region], ours=True, console=console)
            gc.collect()
            cyclic = sum(isinstance(o, Strip) for o in gc.garbage)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
        assert log.row_count > 400
        assert cyclic == 0
