"""`duo-tui resume` reopens the latest session in the workbench where it stood."""

from __future__ import annotations

from pathlib import Path

from duo_tui.core.models import Stage
from duo_tui.ui.app import DuoApp

from ._helpers import at_checkpoint as _checkpoint
from ._helpers import press_decision


async def test_quit_then_resume_continues_the_same_session(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await _checkpoint(pilot, app)
        assert wb.checkpoint.stage == Stage.PLAN
        first_id = wb.session_id
        await press_decision(pilot, wb, "a")
        wb = await _checkpoint(pilot, app)
        assert wb.checkpoint.stage == Stage.ALIGN
        await pilot.press("q")
    app = DuoApp(resume="", repo=repo, pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await _checkpoint(pilot, app)
        assert wb.session_id == first_id
        assert wb.checkpoint.stage == Stage.ALIGN  # the plan decision was kept
        assert "restored" in wb.checkpoint.summary  # no model was asked again
