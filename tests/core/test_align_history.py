"""Issue 19 item 10: the plan check's objections stay visible. The align checkpoint
carries every round (the version checked, the executor's whole answer, the verdict)
and the diff between the plan's versions; the history is stored with the session."""

from __future__ import annotations

import json
from pathlib import Path

from duo_tui.core.align_history import AlignHistory, history_markdown, plan_diff
from duo_tui.core.models import Stage

from .helpers import EXECUTOR, run_manual


def test_every_align_round_is_at_the_checkpoint_with_the_plan_diff(demo_repo: Path) -> None:
    run = run_manual(demo_repo)
    align = next(c for c in run.checkpoints if c.stage == Stage.ALIGN)
    rounds = align.data.align_rounds
    assert [(r.check, r.plan_version, r.verdict) for r in rounds] == [
        (1, 1, "blocking"),
        (2, 2, "ready"),
    ]
    assert rounds[0].revised_to == 2 and rounds[0].model == EXECUTOR
    text = align.data.align_history
    # the first round's objection is still there, not only the final "ready"
    assert "> VERDICT: blocking" in text and "case-sensitive" in text
    assert "> VERDICT: ready" in text
    assert "--- plan v1" in text and "+++ plan v2" in text
    stored = json.loads(run.ws.store.read_artifact("align/history.json"))  # type: ignore[attr-defined]
    assert [r["verdict"] for r in stored["rounds"]] == ["blocking", "ready"]


def test_model_text_cannot_break_out_of_the_diff_fence() -> None:
    h = AlignHistory()
    r = h.add(1, "blocking", "```\n# injected heading\n", "m")
    r.revised_to = 2
    plans = {1: "a\n", 2: "a\n````\n# not a heading\n"}
    text = history_markdown(h, plans.__getitem__)
    # the objection is quoted line by line; the diff's fence is longer than its backticks
    assert "> # injected heading" in text
    assert "`````diff" in text
    assert plan_diff("x\n", "x\n", 1, 2) == ""
    assert AlignHistory.from_json("not json").rounds == []
