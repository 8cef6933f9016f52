"""Pilot tests of the checkpoint actions in the real workbench (live scripted pipeline)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from duo_tui.core.models import Stage
from duo_tui.store.session_store import SessionStore
from duo_tui.ui.app import DuoApp

from ._helpers import at_checkpoint as _checkpoint
from ._helpers import dialog_ready
from ._helpers import press_decision as _press


async def test_rerun_with_another_model_swap_and_edit_plan(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await _checkpoint(pilot, app)
        assert wb.checkpoint.stage == Stage.PLAN
        # rerun with the other configured model: the picker's second option
        await pilot.press("r")
        await dialog_ready(pilot, "ModelPicker")
        await _press(pilot, wb, "down", "enter")
        wb = await _checkpoint(pilot, app)
        assert wb.checkpoint.stage == Stage.PLAN
        assert "openai/gpt-5.5" in wb.checkpoint.summary
        assert len(wb.checkpoint.alternatives) == 2
        # choose between the two results, side by side: take the first
        await pilot.press("c")
        await dialog_ready(pilot, "ChooseDialog")
        await _press(pilot, wb, "1")
        wb = await _checkpoint(pilot, app)
        # edit the plan in the app
        await pilot.press("e")
        await dialog_ready(pilot, "EditDialog")
        await pilot.press("ctrl+end")
        await pilot.press(*"\nEdited by the human.")
        await _press(pilot, wb, "ctrl+s")
        wb = await _checkpoint(pilot, app)
        assert "edited by you" in wb.checkpoint.summary
        # swap roles for the next round
        await _press(pilot, wb, "s")
        await pilot.press("q")
    store = SessionStore.latest(repo)
    assert store is not None
    decisions = store.decisions()
    actions = [(d.action, d.model) for d in decisions]
    assert ("rerun", "openai/gpt-5.5") in actions
    assert any(d.action == "choose" for d in decisions)
    assert any(d.action == "edit" and d.data.get("edited") for d in decisions)
    assert any(d.action == "swap_roles" for d in decisions)
    session, _ = store.load()
    assert (
        session.roles.planner == "openai/gpt-5.5"
        and session.roles.executor == "anthropic/claude-opus-4-7"
    )
    plan = store.read_plan()
    assert plan is not None and "Edited by the human." in plan


async def test_declining_a_hunk_keeps_it_out_of_the_commit(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0)
    async with app.run_test(size=(200, 60)) as pilot:
        declined = False
        while True:
            wb = await _checkpoint(pilot, app)
            if wb.ended is not None:
                break
            cp = wb.checkpoint
            if cp.stage == Stage.EXECUTE and not declined:
                # the diff is focused at this checkpoint: move to the new code table file
                # and decline it as a whole (the gate then fails; we go on anyway)
                from duo_tui.ui.widgets.diff_view import DiffView

                diff = wb.query_one(DiffView)
                assert app.focused is diff
                for _ in range(len(diff.files)):
                    if diff.selected_path == "shop/discounts.py":
                        break
                    await pilot.press("right_square_bracket")
                assert diff.selected_path == "shop/discounts.py"
                await pilot.press("f")
                assert diff.rejected_hunks
                declined = True
            await _press(pilot, wb, "a")
        report = wb.ended.report
    files = subprocess.run(
        ["git", "show", "--name-only", "--format=", report["branch"]],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "shop/discounts.py" not in files
    assert "shop/cart.py" in files
    log = SessionStore.latest(repo).decisions()  # type: ignore[union-attr]
    rejected = [d for d in log if d.data.get("rejected_hunks")]
    assert rejected and rejected[0].stage == Stage.EXECUTE
