"""The issue's repro: `--demo`, a, a, T, p (split), a, p (autopilot) reaches a commit
per part instead of failing T1b's execute three times."""

from __future__ import annotations

import subprocess
from pathlib import Path

from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.tasks import TasksScreen

from ._helpers import at_checkpoint, press_decision, wait_for


async def test_split_then_autopilot_commits_each_part(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        wb = await at_checkpoint(pilot, app)
        while "task_ops" not in wb.checkpoint.actions:  # type: ignore[union-attr]
            await press_decision(pilot, wb, "a")
            await at_checkpoint(pilot, app)
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen))
        await press_decision(pilot, wb, "p")
        await wait_for(pilot, lambda: len(wb.tasks) == 2 and wb.checkpoint is not None)
        await press_decision(pilot, wb, "a")
        await wait_for(pilot, lambda: not isinstance(app.screen, TasksScreen))
        await at_checkpoint(pilot, app)
        await press_decision(pilot, wb, "p")
        await wait_for(pilot, lambda: wb.ended is not None, timeout=60)
        assert wb.ended.status == "converged", wb.ended.stop_reason
        branch = wb.ended.report["branch"]
    subjects = subprocess.run(
        ["git", "log", "--format=%s", branch], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert len(subjects) == 3  # T1a, T1b and the demo repository's own commit
