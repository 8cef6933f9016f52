"""Pilot tests of the task keys in the real workbench (live scripted pipeline).

The task list at the plan checkpoint (edit a task, resize S/M/L), one task's detail
with `[` `]` at any time, `S` to split an oversize change and `W` to take a fast
session into the full workflow at the execute checkpoint. Each asserts what the
core did: the session's files, the decision log, the rows shown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Static

from duo_tui.core.models import Mode, Stage
from duo_tui.demo.large import REQUEST as LARGE_REQUEST
from duo_tui.store.session_store import SessionStore
from duo_tui.ui.app import DuoApp

from ._helpers import at_checkpoint as _checkpoint
from ._helpers import dialog_ready, press_decision
from ._helpers import wait_for as _wait


async def _press(pilot, wb, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Press keys that send one decision; wait for the next checkpoint."""
    await press_decision(pilot, wb, *keys)
    await _wait(pilot, lambda: wb.checkpoint is not None or wb.ended is not None)


async def _accept_until(pilot, wb, done) -> None:  # type: ignore[no-untyped-def]
    while not done(wb.checkpoint):
        assert wb.ended is None, wb.ended.stop_reason
        await _press(pilot, wb, "a")


def _rows(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def _text(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    content: Any = app.screen.query_one(selector, Static).content
    return getattr(content, "plain", str(content))


async def _task_list(pilot, app) -> None:  # type: ignore[no-untyped-def]
    """Wait until the task list is on top, its rows filled in."""

    def shown() -> bool:
        tables = app.screen.query(DataTable)
        return type(app.screen).__name__ == "TasksScreen" and bool(tables) and bool(_rows(app))

    await _wait(pilot, shown, what="the task list with its rows")


async def _task_head(pilot, app, *words: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the task detail's heading names `words`."""
    await _wait(
        pilot,
        lambda: all(w in _text(app, "#task-head") for w in words),
        what=f"the task detail of {words}",
    )


def _store(repo: Path) -> SessionStore:
    store = SessionStore.latest(repo)
    assert store is not None
    return store


def _at_tasks(cp) -> bool:  # type: ignore[no-untyped-def]
    return cp is not None and "task_ops" in cp.actions


async def test_task_list_resize_and_edit_with_keys(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0, request=LARGE_REQUEST)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await _checkpoint(pilot, app)
        await _accept_until(pilot, wb, _at_tasks)
        assert "T tasks: edit, split, size S/M/L" in wb._bar_text
        await pilot.press("T")
        await _task_list(pilot, app)
        assert [r[0] for r in _rows(app)] == ["T1", "T2", "T3"]
        assert _text(app, "#tasks-size").startswith("size L")
        # resize to M: the core rebuilds the list from the plan, the screen shows it
        await _press(pilot, wb, "M")
        await _wait(pilot, lambda: len(_rows(app)) == 1)
        assert _text(app, "#tasks-size").startswith("size M")
        assert "overridden by the human" in _text(app, "#tasks-size")
        await _press(pilot, wb, "L")
        await _wait(pilot, lambda: len(_rows(app)) == 3)
        # edit T2: a new title and one more criterion
        await pilot.press("down", "e")
        # The dialog (and TextArea) load when first opened: wait for it, not a fixed time.
        await dialog_ready(pilot, "TaskEditDialog")
        await pilot.press(*"Apply one code, once")  # the title is selected: typing replaces it
        await pilot.press("tab", "tab", "tab")  # goal, files, criteria
        await pilot.press("ctrl+end", "enter", *"a second code raises ValueError")
        await _press(pilot, wb, "ctrl+s")
        await _wait(pilot, lambda: type(app.screen).__name__ == "TasksScreen")
        await _wait(pilot, lambda: _rows(app)[1][2] == "Apply one code, once")
        assert _rows(app)[1][0] == "T2"
        await pilot.press("q")
    store = _store(repo)
    decisions = store.decisions()
    sizes = [d.data.get("size") for d in decisions if d.data.get("size")]
    assert sizes == ["M", "L"]
    edits = [d for d in decisions if d.data.get("task_edits")]
    assert len(edits) == 1 and edits[0].action == "edit"
    fields = edits[0].data["task_edits"]["T2"]
    assert fields["title"] == "Apply one code, once"
    assert fields["criteria"] == ["unittest passes", "a second code raises ValueError"]
    session, _ = store.load()
    assert session.size == "L" and session.size_override == "L"
    assert session.tasks[1].title == "Apply one code, once"
    assert session.tasks[1].criteria[-1] == "a second code raises ValueError"
    doc = json.loads(store.read_artifact("tasks.json") or "{}")
    assert doc["tasks"][1]["title"] == "Apply one code, once"


async def test_task_detail_moves_between_done_current_and_pending_tasks(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0, request=LARGE_REQUEST)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await _checkpoint(pilot, app)
        await _accept_until(
            pilot,
            wb,
            lambda cp: cp is not None and cp.stage == Stage.EXECUTE and cp.task_id == "T2",
        )
        # not a checkpoint where tasks change: the list still opens, and so does a task
        await pilot.press("T")
        await _task_list(pilot, app)
        assert "changes only at the plan checkpoint" in _text(app, "#tasks-size")
        assert [r[1] for r in _rows(app)] == ["✓ committed", "▶ running", "· pending"]
        await pilot.press("enter")
        await _wait(pilot, lambda: type(app.screen).__name__ == "TaskDetailScreen")
        head = _text(app, "#task-head")
        assert "T1" in head and "committed" in head
        info = _text(app, "#task-info")
        assert "codes and their percentages" in info and "tests/test_codes.py" in info
        rounds = _text(app, "#task-rounds")
        assert "gate passed" in rounds
        assert "review A anthropic/claude-opus-4-7: approve 8/10" in rounds
        assert "triage" in rounds and "Module docstring could list the codes" in rounds
        assert "feat(discounts): add the discount code table" in rounds
        assert "+DISCOUNT_CODES" in _text(app, "#task-diff")
        await pilot.press("right_square_bracket")
        await _task_head(pilot, app, "T2", "running")
        assert "def apply_code" in _text(app, "#task-diff")  # the change awaiting a decision
        await pilot.press("right_square_bracket")
        await _task_head(pilot, app, "T3")
        assert "not run yet" in _text(app, "#task-rounds")
        assert _text(app, "#task-diff") == ""
        await pilot.press("e")  # editing is for the plan checkpoint only: it says so
        await _wait(
            pilot,
            lambda: any("plan checkpoint only" in n.message for n in app._notifications),
            what="the notification that editing waits for the plan checkpoint",
        )
        await pilot.press("left_square_bracket", "left_square_bracket")
        await _task_head(pilot, app, "T1")
        await pilot.press("escape", "escape")
        await _wait(pilot, lambda: app.screen is wb, what="the workbench again")
        assert wb.decisions_sent[-1].action == "accept"  # nothing was sent from the lists
        await pilot.press("q")


# -- a custom session: scripted answers by task, a bound that a change outgrows --------------


def _app_with(tmp_path: Path, answer, *, mode: Mode, cfg) -> DuoApp:  # type: ignore[no-untyped-def]
    """The real app, opening a session whose models answer from `answer`."""
    from duo_tui.service import create_demo_repo, open_new

    repo = create_demo_repo(tmp_path / "repo")
    from duo_tui.providers.scripted import ScriptedProvider

    provider = ScriptedProvider(answer, chunk_chars=64)

    class App(DuoApp):
        def _opener(self):  # type: ignore[no-untyped-def]
            def open_(driver, bridge):  # type: ignore[no-untyped-def]
                return open_new(
                    repo,
                    "Add modules a, a2, b and c to the shop",
                    cfg,
                    driver=driver,
                    mode=mode,
                    listeners=[bridge],
                    providers=lambda _m: provider,
                )

            return open_

    app = App(demo=True, repo=repo, pace=0)
    app.repo_for_test = repo  # type: ignore[attr-defined]
    return app


async def test_split_key_at_an_oversize_execute_checkpoint(tmp_path: Path) -> None:
    from tests.core.helpers import config
    from tests.core.test_task_edits import TWO, files_script

    answer = files_script(TWO, {"T2": ["shop/d.py", "shop/e.py"]})
    app = _app_with(tmp_path, answer, mode=Mode.FAST, cfg=config())  # the scripted plan as is
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await _checkpoint(pilot, app)
        await _accept_until(
            pilot,
            wb,
            lambda cp: cp is not None and cp.stage == Stage.EXECUTE and cp.task_id == "T2",
        )
        assert "split" in wb.checkpoint.actions
        assert "S split task" in wb._bar_text and "S splits the task" in wb._bar_text
        await _press(pilot, wb, "S")
        assert wb.checkpoint.stage == Stage.EXECUTE and wb.checkpoint.task_id == "T2a"
        assert "split" not in wb.checkpoint.actions
        assert [t.id for t in wb.tasks] == ["T1", "T2a", "T2b"]
        await pilot.press("T")
        await _task_list(pilot, app)
        assert [r[0] for r in _rows(app)] == ["T1", "T2a", "T2b"]
        assert _rows(app)[2][3] == "shop/d.py\nshop/e.py"  # one file a line
        await pilot.press("escape", "q")
    store = _store(app.repo_for_test)  # type: ignore[attr-defined]
    split = [d for d in store.decisions() if d.action == "split"]
    assert len(split) == 1 and split[0].by == "human"
    assert split[0].data["split_into"]["T2b"] == ["shop/d.py", "shop/e.py"]
    session, _ = store.load()
    assert [t.id for t in session.replaced_tasks] == ["T2"]
    # the discarded change is gone from the worktree; part 1 wrote only its own files
    wt = Path(session.worktree or "")
    assert (wt / "shop/b.py").exists() and not (wt / "shop/e.py").exists()


async def test_full_workflow_key_in_a_fast_session_that_grew(tmp_path: Path) -> None:
    cfg = tmp_path / "duo.toml"
    cfg.write_text("[loop]\nfast_max_files = 2\n")
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0, mode="fast", config_path=cfg)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await _checkpoint(pilot, app)
        await _accept_until(pilot, wb, lambda cp: cp is not None and cp.stage == Stage.EXECUTE)
        assert "full_workflow" in wb.checkpoint.actions
        assert "W full workflow" in wb._bar_text
        assert "this fast session's change touches 3 files" in wb._bar_text
        await _press(pilot, wb, "W")
        assert wb.checkpoint.stage == Stage.ALIGN  # the plan goes to alignment first
        assert wb.mode == "manual"
        await _press(pilot, wb, "a")
        assert _at_tasks(wb.checkpoint)  # then sizing and the task list
        await _press(pilot, wb, "a")
        assert wb.checkpoint.stage == Stage.EXECUTE and wb.checkpoint.task_id == "T1.2"
        assert "full_workflow" not in wb.checkpoint.actions
        await pilot.press("q")
    store = _store(repo)
    switched = [d for d in store.decisions() if d.action == "full_workflow"]
    assert len(switched) == 1 and switched[0].data["mode_from"] == "fast"
    session, _ = store.load()
    assert session.mode.value == "manual" and session.aligned and not session.autopilot
    assert [t.id for t in session.replaced_tasks] == ["T1"]
