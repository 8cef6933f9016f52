"""BoxCompositor writes exactly what Textual's compositor writes, for any dirty regions.

The workbench's compositor renders only the boxes that changed; these tests
put the demo workbench on screen, mark random sets of regions dirty and
compare the terminal output of `BoxCompositor.render_partial_update` with the
output of Textual's own `Compositor.render_partial_update` on the same layout.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from rich.console import Console
from textual._compositor import Compositor
from textual.geometry import Region

from duo_tui.ui.app import DuoApp
from duo_tui.ui.compositor import BoxCompositor, plan_boxes


def _render(comp: BoxCompositor, regions: list[Region], ours: bool, console: Console) -> str:
    comp._dirty_regions.clear()
    comp._dirty_regions.update(regions)
    update = comp.render_partial_update() if ours else Compositor.render_partial_update(comp)
    return "" if update is None else update.render_segments(console)


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
    console = Console(width=width, height=height, color_system="truecolor", force_terminal=True)
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
        await pilot.pause(0.5)
        comp = app.screen._compositor
        assert isinstance(comp, BoxCompositor)
        _assert_same_output(comp, size, random.Random(size[0]), 150)


async def test_many_boxes_fall_back_to_one_box_with_the_same_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duo_tui.ui.compositor as compositor

    monkeypatch.setattr(compositor, "MAX_BOXES", 1)
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.5)
        _assert_same_output(app.screen._compositor, (160, 48), random.Random(3), 60)


async def test_a_border_side_is_its_own_thin_box(tmp_path: Path) -> None:
    """A pane's left border renders as a one-column box, not the pane."""
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause(0.3)
        comp = app.screen._compositor
        pane = app.screen.query_one("#pane-code")
        x, y, _w, h = pane.region
        spans = list(comp._regions_to_spans([Region(x, y + 1, 1, h - 2)]))
        boxes = plan_boxes(spans, comp.cuts)
        assert boxes == [Region(x, y + 1, 1, h - 2)]


def test_plan_boxes_widens_spans_to_whole_chops_and_stacks_lines() -> None:
    cuts = [[0, 10, 20, 30]] * 4
    # A span inside the middle chop needs the whole chop; three lines stack into one box.
    boxes = plan_boxes([(0, 12, 15), (1, 12, 15), (2, 11, 19)], cuts)
    assert boxes == [Region(10, 0, 10, 3)]
    # Two spans on one line in different chops stay two boxes.
    boxes = plan_boxes([(3, 1, 2), (3, 25, 26)], cuts)
    assert sorted(boxes) == [Region(0, 3, 10, 1), Region(20, 3, 10, 1)]
