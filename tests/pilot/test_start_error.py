"""A session that cannot start says so where the checkpoint would be, and keeps saying
it (no "waiting for the session to start..." after a toast went away)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.workbench import WorkbenchScreen

from ._helpers import wait_for


async def test_a_start_failure_stays_on_screen(tmp_path: Path) -> None:
    bare = tmp_path / "not-a-repo"
    bare.mkdir()
    app = DuoApp(repo=bare, request="add a thing")
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WorkbenchScreen))
        wb = app.screen
        assert isinstance(wb, WorkbenchScreen)
        bar = wb.query_one("#checkpoint", Static)
        await wait_for(pilot, lambda: "could not start" in str(bar.render()), timeout=10)
        for _ in range(3):  # the workbench ticks; the message must not be replaced
            ticks = wb._frame + 4
            await wait_for(
                pilot, lambda n=ticks: wb._frame >= n, what="four ticks of the workbench"
            )
            text = str(bar.render())
            assert "could not start" in text and "not inside a git repository" in text
            assert "waiting for the session" not in text
