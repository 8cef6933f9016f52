"""Walk the demo to a commit with the keyboard alone: a, x and r at the checkpoints."""

from __future__ import annotations

import subprocess
from pathlib import Path

from duo_tui.core.models import Stage
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.workbench import WorkbenchScreen

from ._helpers import dialog_ready
from ._helpers import wait_for as _wait


def _workbench(app: DuoApp) -> WorkbenchScreen:
    wb = next(s for s in app.screen_stack if isinstance(s, WorkbenchScreen))
    return wb


async def test_walk_demo_with_accept_reject_rerun(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0)
    seen: list[str] = []
    async with app.run_test(size=(200, 60)) as pilot:
        await _wait(pilot, lambda: any(isinstance(s, WorkbenchScreen) for s in app.screen_stack))
        wb = _workbench(app)
        plan_visits = 0
        while wb.ended is None:
            await _wait(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)
            if wb.ended is not None:
                break
            cp = wb.checkpoint
            assert cp is not None
            seen.append(cp.stage.value)
            sent = len(wb.decisions_sent)
            if cp.stage == Stage.PLAN and "task_ops" not in cp.actions:
                plan_visits += 1
                if plan_visits == 1:
                    await pilot.press("r")  # rerun: the model picker opens
                    await dialog_ready(pilot, "ModelPicker")
                    await pilot.press("enter")  # "same model"
                    await _wait(pilot, lambda n=sent + 1: len(wb.decisions_sent) == n)
                    continue
                if plan_visits == 2:
                    await pilot.press("x")  # reject with a reason
                    await dialog_ready(pilot, "ReasonDialog")
                    await pilot.press(*"name the rounding rule")
                    await pilot.press("enter")
                    await _wait(pilot, lambda n=sent + 1: len(wb.decisions_sent) == n)
                    continue
            await pilot.press("a")
            await _wait(pilot, lambda n=sent + 1: len(wb.decisions_sent) == n)
        assert wb.ended.status == "converged", wb.ended.stop_reason
        report = wb.ended.report
        rail = dict(app.screen.query_one("#rail").states)  # type: ignore[attr-defined]
    assert seen.count("plan") >= 3
    for stage in ("align", "execute", "gate", "review", "triage", "fix", "commit"):
        assert stage in seen
    assert rail["commit"] == "accepted"
    # the commit is real, conventional, on the duo branch, and the user's branch is untouched
    log = subprocess.run(
        ["git", "log", "--format=%s", report["branch"]],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert log[0] == "feat(cart): add percentage discount codes"
    main = subprocess.run(
        ["git", "log", "--format=%s", "main"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert len(main) == 1
    # the decisions were recorded: a rerun, a reject with its reason, accepts
    from duo_tui.store.session_store import SessionStore

    decisions = SessionStore.open(repo, report["session"]).decisions()
    actions = [(d.stage.value, d.action) for d in decisions]
    assert ("plan", "rerun") in actions
    rejects = [d for d in decisions if d.action == "reject"]
    assert rejects and rejects[0].reason == "name the rounding rule"
    assert ("commit", "accept") in actions
    assert all(d.by == "human" for d in decisions)


async def test_accept_is_refused_while_running_and_quit_saves(tmp_path: Path) -> None:
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=200)
    async with app.run_test(size=(80, 24)) as pilot:
        await _wait(pilot, lambda: any(isinstance(s, WorkbenchScreen) for s in app.screen_stack))
        wb = _workbench(app)
        await _wait(pilot, lambda: wb.running is not None)
        await pilot.press("a")
        assert wb.decisions_sent == []
        assert wb.layout_mode == "narrow"
        await pilot.press("q")
    from duo_tui.store.session_store import SessionStore

    assert SessionStore.latest(tmp_path / "demo") is not None
