"""Issue 6 in the workbench (Pilot): what each checkpoint action does to the next model call.

The live demo pipeline (scripted models, pace 0) is driven by key presses; the
session's transcript shows what the models were asked afterwards:

- reject with a reason: the reason is in the rerun prompt of both reviewers;
- rerun with another model: both results side by side, the chosen one is kept
  and is the plan the executor is then asked about;
- edit the plan, swap the roles: the edit is recorded and the next stage is
  asked about the edited plan, by the swapped models.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

import duo_tui.demo.script as demo_module
from duo_tui.core.models import Stage, Usage
from duo_tui.demo.script import EXECUTOR, PLANNER
from duo_tui.providers.scripted import Script, ScriptedAnswer
from duo_tui.store.session_store import SessionStore
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.workbench import WorkbenchScreen

from ._helpers import at_checkpoint as next_checkpoint
from ._helpers import dialog_ready, wait_for
from ._helpers import press_decision as send


async def accept_until(pilot: Pilot[None], app: DuoApp, stage: Stage) -> WorkbenchScreen:
    """Accept every checkpoint before the first one of `stage`."""
    while True:
        wb = await next_checkpoint(pilot, app)
        assert wb.ended is None, wb.ended.stop_reason
        assert wb.checkpoint is not None
        if wb.checkpoint.stage == stage:
            return wb
        await send(pilot, wb, "a")


def store_of(repo: Path) -> SessionStore:
    store = SessionStore.latest(repo)
    assert store is not None
    return store


def plan_version(summary: str) -> int:
    """The plan version a plan checkpoint's summary names ("plan v3 (chosen)")."""
    m = re.match(r"plan v(\d+) ", summary)
    assert m, summary
    return int(m.group(1))


def prompts(repo: Path, stage: str, model: str | None = None) -> list[str]:
    """The request text of every call of `stage` (by `model`), in order."""
    return [
        c.request_text
        for c in store_of(repo).calls()
        if c.stage.value == stage and (model is None or c.model == model)
    ]


async def test_reject_with_a_reason_reaches_both_review_rerun_prompts(tmp_path: Path) -> None:
    repo = tmp_path / "demo"
    reason = "check the rounding of odd totals"
    app = DuoApp(demo=True, repo=repo, pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await accept_until(pilot, app, Stage.REVIEW)
        await pilot.press("x")
        await dialog_ready(pilot, "ReasonDialog")
        await pilot.press(*reason)
        await send(pilot, wb, "enter")
        wb = await next_checkpoint(pilot, app)
        assert wb.checkpoint is not None and wb.checkpoint.stage == Stage.REVIEW
        await pilot.press("q")
    for model in (PLANNER, EXECUTOR):
        first, rerun = prompts(repo, "review", model)
        assert reason not in first
        assert f"The human asked for a new review because: {reason}" in rerun
    (reject,) = [d for d in store_of(repo).decisions() if d.action == "reject"]
    assert (reject.stage, reject.reason, reject.by) == (Stage.REVIEW, reason, "human")


EXECUTOR_PLAN_MARK = "Steps as the executor model would plan them"


@pytest.fixture
def plans_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's executor model writes a plan of its own (the planner's is the demo's)."""
    original = demo_module.demo_script

    def script() -> Script:
        s = original()
        own = s["plan"][0].text.replace("## Steps", f"## Steps\n{EXECUTOR_PLAN_MARK}.", 1)
        s[("plan", EXECUTOR)] = [ScriptedAnswer(own, Usage(input_tokens=1800, output_tokens=700))]
        return s

    monkeypatch.setattr(demo_module, "demo_script", script)


@pytest.mark.usefixtures("plans_differ")
async def test_rerun_with_another_model_shows_both_and_keeps_the_chosen_one(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await next_checkpoint(pilot, app)
        assert wb.checkpoint is not None and wb.checkpoint.stage == Stage.PLAN
        await pilot.press("r")  # the model picker: the other configured model is second
        await dialog_ready(pilot, "ModelPicker")
        await send(pilot, wb, "down", "enter")
        wb = await next_checkpoint(pilot, app)
        assert wb.checkpoint is not None and len(wb.checkpoint.alternatives) == 2
        # both results, side by side, each under the model that wrote it
        await pilot.press("c")
        await wait_for(
            pilot, lambda: len(app.screen.query(".side")) == 2, what="the choose dialog's sides"
        )
        dialog = app.screen
        assert type(dialog).__name__ == "ChooseDialog"
        sides = list(dialog.query(".side"))
        assert len(sides) == 2
        assert PLANNER in str(sides[0].border_title) and EXECUTOR in str(sides[1].border_title)
        assert sides[0].region.y == sides[1].region.y and sides[0].region.x < sides[1].region.x
        texts = [side.query_one(TextArea).text for side in sides]
        assert EXECUTOR_PLAN_MARK not in texts[0] and EXECUTOR_PLAN_MARK in texts[1]
        await send(pilot, wb, "2")  # the executor model's plan
        wb = await next_checkpoint(pilot, app)
        assert wb.checkpoint is not None
        chosen = wb.checkpoint.summary
        assert chosen.endswith("(chosen)") and EXECUTOR_PLAN_MARK in wb.checkpoint.artifact
        wb = await accept_until(pilot, app, Stage.ALIGN)
        await pilot.press("q")
    decisions = store_of(repo).decisions()
    assert [(d.action, d.model) for d in decisions][:2] == [("rerun", EXECUTOR), ("choose", None)]
    assert decisions[1].data.get("choice") == 1
    # the chosen plan is stored as a plan version of its own, and the executor checked it
    plan = store_of(repo).read_plan(plan_version(chosen))
    assert plan is not None and EXECUTOR_PLAN_MARK in plan
    (align, *_) = prompts(repo, "align")
    assert EXECUTOR_PLAN_MARK in align


async def test_edited_plan_and_swapped_roles_are_what_the_next_stage_gets(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "demo"
    note = "Keep the discount table sorted by code."
    app = DuoApp(demo=True, repo=repo, pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await next_checkpoint(pilot, app)
        assert wb.checkpoint is not None and wb.checkpoint.stage == Stage.PLAN
        await pilot.press("e")
        await dialog_ready(pilot, "EditDialog")
        await pilot.press("ctrl+end", *f"\n{note}")
        await send(pilot, wb, "ctrl+s")
        wb = await next_checkpoint(pilot, app)
        assert wb.checkpoint is not None and "edited by you" in wb.checkpoint.summary
        edited = wb.checkpoint.summary
        await send(pilot, wb, "s")  # swap: the executor model plans, the planner executes
        await send(pilot, wb, "a")
        await accept_until(pilot, app, Stage.ALIGN)
        await pilot.press("q")
    store = store_of(repo)
    decisions = store.decisions()
    assert [d.action for d in decisions][:3] == ["edit", "swap_roles", "accept"]
    assert decisions[0].data.get("edited")
    plan = store.read_plan(plan_version(edited))
    assert plan is not None and note in plan
    # the plan check went to the new executor (the former planner), about the edited plan
    calls = [c for c in store.calls() if c.stage.value == "align"]
    assert calls and (calls[0].role, calls[0].model) == ("executor", PLANNER)
    assert note in calls[0].request_text
    session, _ = store.load()
    assert (session.roles.planner, session.roles.executor) == (EXECUTOR, PLANNER)
