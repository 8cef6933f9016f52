"""README "Try it" step 2 with a needed hunk declined: the demo still converges.

Declining `shop/discounts.py` (the code table's module, which the cart imports)
makes the gate fail. The newcomer then either rejects the failing gate (x: the
failure goes to the executor) or accepts it (a: it is reviewed, then fixed). The
scripted executor's fix must answer the decline: say so in its reply (shown in
the executor pane) and make the gate pass without the declined module, so the
session converges in a bounded number of checkpoints.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from duo_tui.core.models import Stage
from duo_tui.ui.app import DuoApp
from duo_tui.ui.widgets.diff_view import DiffView
from duo_tui.ui.widgets.stream_pane import StreamPane

from ._helpers import at_checkpoint, dialog_ready, press_decision, wait_for

_DECLINED = "shop/discounts.py#1"
_MAX_CHECKPOINTS = 20  # the plain walk takes 12; a loop never ends within this


@pytest.mark.parametrize("at_failed_gate", ["x", "a"])
async def test_declining_a_needed_hunk_still_converges(tmp_path: Path, at_failed_gate: str) -> None:
    repo = tmp_path / "demo"
    app = DuoApp(demo=True, repo=repo, pace=0)
    stages: list[str] = []
    replies: list[str] = []
    async with app.run_test(size=(200, 60), notifications=True) as pilot:
        wb = await at_checkpoint(pilot, app)
        for _ in range(_MAX_CHECKPOINTS):
            await wait_for(
                pilot,
                lambda: wb.checkpoint is not None or wb.ended is not None,
                timeout=60,
                what="a checkpoint",
            )
            if wb.ended is not None:
                break
            cp = wb.checkpoint
            assert cp is not None
            stages.append(f"{cp.stage.value}: {cp.summary.splitlines()[0]}")
            assert cp.state.value != "failed", stages
            if cp.stage == Stage.EXECUTE:
                await pilot.press("d")  # the diff, as step 2 says
                diff = wb.query_one(DiffView)
                assert diff.select_hunk(_DECLINED)
                await pilot.press("space")
                await wait_for(
                    pilot, lambda d=diff: _DECLINED in d.rejected_hunks, what="the decline"
                )
            if cp.stage == Stage.FIX:
                replies.append(wb.query_one("#stream-exec", StreamPane).text)
            if cp.stage == Stage.GATE and "failed" in cp.summary and at_failed_gate == "x":
                await pilot.press("x")
                await dialog_ready(pilot, "ReasonDialog")
                sent = len(wb.decisions_sent)
                await pilot.press(*"the tests fail", "enter")
                await wait_for(pilot, lambda n=sent: len(wb.decisions_sent) > n, what="the reject")
                continue
            await press_decision(pilot, wb, "a")
        assert wb.ended is not None, "no end within the bound: " + " | ".join(stages)
        assert wb.ended.status == "converged", wb.ended.stop_reason
        report = wb.ended.report
    gates = [s for s in stages if s.startswith("gate")]
    assert gates[0].startswith("gate: gate failed") and gates[-1] == "gate: gate passed"
    # the executor's reply says what it did about the decline, visibly
    assert replies and f"You declined {_DECLINED}" in replies[0]
    assert "I keep your decision" in replies[0]
    # the commit respects the decision: no shop/discounts.py, the table lives in the cart
    show = ["git", "show", f"{report['branch']}:shop/discounts.py"]
    assert subprocess.run(show, cwd=repo, capture_output=True).returncode != 0
    cart = subprocess.run(
        ["git", "show", f"{report['branch']}:shop/cart.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "DISCOUNT_CODES: dict[str, int] = {" in cart and "import DISCOUNT_CODES" not in cart
