"""`d` before the executor changed anything says why the diff is empty, instead of a blank pane."""

from __future__ import annotations

from pathlib import Path

from duo_tui.core.models import Stage
from duo_tui.ui.app import DuoApp
from duo_tui.ui.panes import CodePane
from duo_tui.ui.widgets.diff_view import DiffView

from ._helpers import at_checkpoint, wait_for


def _lines(view: DiffView) -> list[str]:
    return ["".join(s.text for s in view.render_line(y)).rstrip() for y in range(view.size.height)]


async def test_the_diff_at_the_plan_stage_says_there_is_no_change_yet(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(80, 24)) as pilot:
        wb = await at_checkpoint(pilot, app)
        assert wb.checkpoint is not None and wb.checkpoint.stage == Stage.PLAN
        await pilot.press("d")
        code = wb.query_one(CodePane)
        await wait_for(pilot, lambda: code.showing == "diff", what="the diff view")
        view = code.diff_view()
        await wait_for(pilot, lambda: view.size.height > 0, what="the diff view laid out")
        text = " ".join(line.strip() for line in _lines(view) if line.strip())
        assert not view.files
        assert "no change yet" in text and "executor's edits are applied" in text, text
        # wrapped at word boundaries inside the pane: every word is whole
        assert all(len(line) <= view.size.width for line in _lines(view))
