"""Issue 17: a reply that did not end normally is never taken as complete (core side).

A session plays against the scripted provider, whose answers end as a real API
may end them (`max_tokens`, `length`, `refusal`, `pause_turn`, ...). A cut-off
reply is kept, retried once with a larger budget, then stops the stage naming
the cut; a refusal stops it saying the model refused; a stall is retried once;
a reply over the size limit is stopped. The transcript, the stage runs and the
JSON report say how every call ended.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from duo_tui.core.models import CallRecord, Usage
from duo_tui.demo.script import EXECUTOR, PLANNER, demo_script
from duo_tui.providers.base import FaultKind, ModelRequest, ProviderEvent, TextChunk
from duo_tui.providers.scripted import ScriptedAnswer
from duo_tui.store.session_store import SessionStore

from .helpers import config, git_log, make_script, run_auto

USAGE = Usage(input_tokens=1000, output_tokens=200, cost_usd=0.01)


def first(key: object) -> ScriptedAnswer:
    return demo_script()[key][0]  # type: ignore[index]


def cut(answer: ScriptedAnswer, stop: str, keep: float = 0.5) -> ScriptedAnswer:
    """The answer cut off part way, ending with `stop`."""
    return ScriptedAnswer(answer.text[: int(len(answer.text) * keep)], USAGE, stop_reason=stop)


def transcript(repo: Path, session_id: str) -> list[CallRecord]:
    return SessionStore(repo, session_id).calls()


def calls_of(report: dict[str, object], stage: str) -> list[dict[str, object]]:
    return [c for c in report["calls"] if c["stage"] == stage]  # type: ignore[union-attr,index]


def test_cut_off_execute_and_review_are_retried_with_a_larger_budget(demo_repo: Path) -> None:
    execute = first("execute")
    review = first(("review", PLANNER))
    script = make_script(
        {
            "execute": [cut(execute, "length", keep=0.6), execute],
            ("review", PLANNER): [cut(review, "max_tokens"), *demo_script()[("review", PLANNER)]],
        }
    )
    run = run_auto(demo_repo, script)
    report = run.report
    assert report["converged"] is True and report["committed"] is True, report["stop_reason"]
    budgets = [r.max_tokens for r in run.requests("execute")]
    assert budgets == [32000, 64000], "the retry asks for twice the budget"
    reviews = [r.max_tokens for r in run.requests("review") if r.model == PLANNER]
    assert reviews[:2] == [32000, 64000]
    endings = [(c["model"], c["ending"], c["complete"]) for c in calls_of(report, "execute")]
    assert endings == [(EXECUTOR, "length", False), (EXECUTOR, "end_turn", True)]
    # The cut-off text is kept in the transcript, marked as such.
    records = transcript(demo_repo, report["session"])
    cut_off = [r for r in records if r.ending == "length"]
    assert len(cut_off) == 1 and cut_off[0].complete is False
    assert cut_off[0].response_text == execute.text[: int(len(execute.text) * 0.6)]
    assert cut_off[0].max_output_tokens == 32000
    notes = [e for e in run.events if type(e).__name__ == "Retrying"]
    assert any("cut off ('length')" in e.reason and "64000" in e.reason for e in notes)
    recovered = [e for e in run.events if type(e).__name__ == "Recovered"]
    assert [(e.stream, e.attempt) for e in recovered][:1] == [(notes[0].stream, 2)], recovered


def test_an_edit_list_cut_off_twice_is_never_applied(demo_repo: Path) -> None:
    execute = first("execute")
    # Cut right after the first complete block: applied alone it would be half the change.
    end_of_first = execute.text.index(">>>>>>> REPLACE") + len(">>>>>>> REPLACE\n```\n")
    half = ScriptedAnswer(execute.text[:end_of_first], USAGE, stop_reason="length")
    run = run_auto(demo_repo, make_script({"execute": [half, half]}))
    report = run.report
    assert report["converged"] is False and report["committed"] is False
    reason = report["stop_reason"]
    assert "execute failed" in reason and "cut off ('length')" in reason, reason
    assert "after retrying once with a budget of 64000 tokens (was 32000)" in reason
    assert "no SEARCH/REPLACE" not in reason
    assert len(run.requests("execute")) == 2, "one automatic retry, then the stage stops"
    wt = run.worktree
    assert (
        not (wt / "shop" / "discounts.py").exists()
        and "percent" not in (wt / "shop" / "cart.py").read_text()
    ), "no half change is applied"
    assert git_log(demo_repo, report["branch"]) == git_log(demo_repo, "main")


def test_the_budget_retry_stops_at_the_models_limit(demo_repo: Path) -> None:
    cfg = config()
    cfg.roles.max_output_tokens = {"executor": 1000}
    half = cut(first("execute"), "max_tokens")
    run = run_auto(demo_repo, make_script({"execute": [half, half, half]}), config=cfg)
    assert [r.max_tokens for r in run.requests("execute")] == [1000, 2000]
    assert "cut off ('max_tokens')" in run.report["stop_reason"]


def test_a_review_cut_off_twice_is_not_repaired(demo_repo: Path) -> None:
    review = first(("review", EXECUTOR))
    half = cut(review, "length")
    run = run_auto(demo_repo, make_script({("review", EXECUTOR): [half, half]}))
    report = run.report
    reason = report["stop_reason"]
    assert report["converged"] is False
    assert "review failed" in reason and "cut off ('length')" in reason, reason
    assert "not valid duo review JSON" not in reason
    rdir = SessionStore(demo_repo, report["session"]).path
    assert not list(rdir.rglob(f"review-*-{EXECUTOR.replace('/', '-')}*.json")), (
        "the half review was not repaired and kept as a review"
    )


def test_a_refused_review_says_the_model_refused(demo_repo: Path) -> None:
    refusal = ScriptedAnswer("", USAGE, stop_reason="refusal")
    run = run_auto(demo_repo, make_script({("review", PLANNER): [refusal]}))
    reason = run.report["stop_reason"]
    assert "the model refused ('refusal')" in reason, reason
    assert "no JSON" not in reason and "not valid duo review JSON" not in reason
    assert len([r for r in run.requests("review") if r.model == PLANNER]) == 1, "not retried"


def test_pause_turn_is_named(demo_repo: Path) -> None:
    paused = ScriptedAnswer(first("plan").text[:200], USAGE, stop_reason="pause_turn")
    run = run_auto(demo_repo, make_script({"plan": [paused]}))
    assert "paused its turn ('pause_turn')" in run.report["stop_reason"]


def test_an_unknown_ending_is_named_and_not_accepted(demo_repo: Path) -> None:
    weird = ScriptedAnswer(first("plan").text, USAGE, stop_reason="new_reason_2027")
    run = run_auto(demo_repo, make_script({"plan": [weird]}))
    assert "unknown stop reason ('new_reason_2027')" in run.report["stop_reason"]
    assert run.report["calls"][0]["ending"] == "new_reason_2027"
    assert run.report["calls"][0]["complete"] is False


def test_a_stall_is_retried_once(demo_repo: Path) -> None:
    execute = first("execute")
    stalled = ScriptedAnswer(execute.text, USAGE, fail=FaultKind.STALL, fail_after=40)
    run = run_auto(demo_repo, make_script({"execute": [stalled, execute]}))
    assert run.report["committed"] is True, run.report["stop_reason"]
    assert [c["ending"] for c in calls_of(run.report, "execute")] == ["stall", "end_turn"]


class Endless:
    """A runaway model: 64 KiB chunks, 100 of them (6.4 MB); counts what it sent."""

    def __init__(self) -> None:
        self.sent = 0
        self.closed = False

    async def stream(self, request: ModelRequest) -> AsyncIterator[ProviderEvent]:
        try:
            while self.sent < 100:
                self.sent += 1
                yield TextChunk("x" * 65536)
                await asyncio.sleep(0)
        finally:
            self.closed = True

    async def aclose(self) -> None:
        return None


def test_a_reply_over_the_size_limit_is_stopped(demo_repo: Path) -> None:
    endless = Endless()
    run = run_auto(demo_repo, provider=endless)
    reason = run.report["stop_reason"]
    assert "passed the size limit of 2000000 bytes ([limits] model_reply_mb)" in reason, reason
    assert endless.closed, "the stream was stopped"
    assert endless.sent == 2_000_000 // 65536 + 1, "read up to the limit and one chunk"
    assert run.report["calls"][0]["ending"] == "too_large"


def test_the_size_limit_is_configurable(demo_repo: Path) -> None:
    endless = Endless()
    cfg = config()
    cfg.limits.model_reply_mb = 0.2
    run = run_auto(demo_repo, provider=endless, config=cfg)
    assert "size limit of 200000 bytes" in run.report["stop_reason"]
    assert endless.sent == 200_000 // 65536 + 1
