"""Issue 6: the adversarial loop's ends, headless through the real SDKs against the peer.

Each test runs `run_headless` (the core of `duo-tui run`) with the anthropic
planner and the openai executor behind the peer, which plays one of the
loop's scenarios (tests/core/helpers.py, the same scripts tests/core/test_loop.py
plays on the scripted provider): convergence in one round, a circular
argument, a fix that makes the gate worse, the cost cap, max rounds; and
the optional rebuttal round on both wires. The peer reports token usage for every answer, so the providers price each call
from the price list, as they would against the real APIs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from duo_tui.demo.script import EXECUTOR, PLANNER, demo_script
from duo_tui.providers.pricing import cost_usd
from duo_tui.store.session_store import SessionStore
from tests.core.helpers import (
    BASE_SUBJECT,
    COMMIT_SUBJECT,
    CONCEDE,
    NIT,
    OTHER_CRITICAL,
    ROUNDING,
    STACKING,
    circular_script,
    clean_script,
    gate_regression_script,
    max_rounds_script,
    rebuttal_script,
)

from .peer import DemoPeer
from .support import (
    PLANNING_CALLS,
    assert_cost_from_peer,
    assert_stopped,
    decision_path,
    git,
    round_path,
    run_in_process,
    subjects,
    write_peer_config,
)

pytestmark = pytest.mark.usefixtures("fake_keys")

NO_FINDINGS = {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0}
ONE_CRITICAL = dict(NO_FINDINGS, critical=1)


def purposes(peer: DemoPeer) -> list[str]:
    return [s.purpose for s in peer.served]


def round_findings(report: dict[str, object]) -> list[tuple[int, dict[str, int], bool]]:
    """(round, findings by severity, converged) of every round in the report."""
    return [(r["round"], r["findings"], r["converged"]) for r in report["findings_by_round"]]  # type: ignore[attr-defined, index]


async def test_clean_first_review_converges_in_one_round(
    peer: DemoPeer, peer_config: Path, demo_repo: Path, tmp_path: Path
) -> None:
    """Both reviewers approve the first change: one round, no fix, one commit on duo/."""
    peer.play(clean_script())
    run = await run_in_process(demo_repo, peer_config, tmp_path / "report.json")
    r = run.report
    assert run.code == 0, run.progress
    assert r["converged"] is True and r["committed"] is True
    assert r["rounds"] == 1 and r["stop_reason"] is None and r["errors"] == []
    assert round_findings(r) == [(1, NO_FINDINGS, True)]
    assert r["findings_by_round"][0]["fix"] == []
    assert r["findings"] == NO_FINDINGS
    assert decision_path(r) == [*round_path(1), ("commit", 1, "accept")]
    assert {d["by"] for d in r["decisions"]} == {"autopilot"}
    assert purposes(peer) == [*PLANNING_CALLS, "review", "review"]
    assert_cost_from_peer(peer, r)
    # one commit on the session branch; the user's branch and checkout untouched
    assert subjects(demo_repo, r["branch"]) == [COMMIT_SUBJECT, BASE_SUBJECT]
    assert git(demo_repo, "rev-parse", r["branch"]) == r["commit"] == r["commits"][0]
    assert subjects(demo_repo, "main") == [BASE_SUBJECT]
    assert git(demo_repo, "status", "--porcelain", "--untracked-files=no") == ""


async def test_the_same_critical_three_rounds_running_stops_as_circular(
    peer: DemoPeer, peer_config: Path, demo_repo: Path, tmp_path: Path
) -> None:
    """The same critical finding comes back after every fix: stop in round 3, before
    max_rounds (5), saying the models argue in circles; nothing committed."""
    peer.play(circular_script())
    run = await run_in_process(demo_repo, peer_config, tmp_path / "report.json")
    r = run.report
    reason = assert_stopped(demo_repo, run, "argue in circles", "rounds 1–3 of T1")
    assert STACKING["title"] in reason
    assert r["rounds"] == 3
    assert round_findings(r) == [(n, ONE_CRITICAL, False) for n in (1, 2, 3)]
    assert all(x["fix"] for x in r["findings_by_round"]), "the critical was marked fix each round"
    assert decision_path(r) == round_path(1, 2, 3)
    assert purposes(peer) == [*PLANNING_CALLS, *(["review"] * 2 + ["fix"]) * 2, "review", "review"]
    # each fix prompt carried the critical finding the reviewers kept reporting
    assert all(STACKING["title"] in s.prompt for s in peer.served_of("fix"))
    assert_cost_from_peer(peer, r)


async def test_a_fix_that_makes_the_gate_worse_is_discarded(
    peer: DemoPeer, peer_config: Path, demo_repo: Path, tmp_path: Path
) -> None:
    """Round 1 passes the gate; the fix breaks the unit tests: stop at once, the fix is
    reverted in the worktree and never committed."""
    peer.play(gate_regression_script())
    run = await run_in_process(demo_repo, peer_config, tmp_path / "report.json")
    r = run.report
    assert_stopped(
        demo_repo,
        run,
        "the fix in round 2 of T1 made the gate worse",
        "(0 failing command(s) → 1 failing command(s))",
        "the fix was discarded",
    )
    assert r["rounds"] == 2
    # round 1 was reviewed (the demo's critical finding); round 2 never got past the gate
    assert [x["round"] for x in r["findings_by_round"]] == [1]
    assert r["findings_by_round"][0]["findings"]["critical"] == 1
    assert decision_path(r) == [*round_path(1), ("fix", 2, "accept"), ("gate", 2, "reject")]
    assert r["decisions"][-1]["reason"] == "gate failed"
    assert purposes(peer) == [*PLANNING_CALLS, "review", "review", "fix"]
    assert_cost_from_peer(peer, r)
    store = SessionStore.open(demo_repo, r["session"])
    # the gate did run on the fixed tree, and failed on it
    gate_log = store.read_artifact("T1/round-2/gate.log") or ""
    assert "FAILED" in gate_log, gate_log
    # the worktree holds round 1's change again, without the fix
    session, _ = store.load()
    worktree = Path(session.worktree or "")
    cart = (worktree / "shop" / "cart.py").read_text()
    assert "total = 0" not in cart
    assert "def apply_code" in cart, "round 1's change must survive the discarded fix"
    assert "total = 0" not in git(worktree, "diff", "HEAD")
    assert git(worktree, "rev-parse", "HEAD") == git(demo_repo, "rev-parse", "main")


#: The cap of the cost-cap test, and the demo's calls before its first reviews.
CAP_USD = 0.20


def demo_cost(purpose: str, model: str, index: int = 0) -> float:
    """What the demo script's `index`-th answer for `purpose` costs with `model`'s prices."""
    script = demo_script()
    answer = (script.get((purpose, model)) or script[purpose])[index]
    assert answer.usage is not None
    cost = cost_usd(model, answer.usage.input_tokens, answer.usage.output_tokens)
    assert cost is not None, f"no price for {model}"
    return cost


async def test_the_cost_cap_stops_before_the_call_that_would_pass_it(
    peer: DemoPeer, demo_repo: Path, tmp_path: Path
) -> None:
    """With `[loop] max_cost_usd` the session stops before the call that would pass it,
    also when the two reviews of a round start together; what was spent stays under the cap."""
    before_reviews = (
        demo_cost("plan", PLANNER)
        + demo_cost("align", EXECUTOR, 0)
        + demo_cost("revise", PLANNER)
        + demo_cost("align", EXECUTOR, 1)
        + demo_cost("execute", EXECUTOR)
    )
    review_a, review_b = demo_cost("review", PLANNER), demo_cost("review", EXECUTOR)
    # the premise: either review of round 1 fits under the cap, both together do not
    assert (
        before_reviews + max(review_a, review_b) <= CAP_USD < before_reviews + review_a + review_b
    )

    peer.review_wait_s = 0.5  # the second review is never sent: do not wait long for it
    config = write_peer_config(tmp_path / "capped.toml", peer, loop={"max_cost_usd": CAP_USD})
    run = await run_in_process(demo_repo, config, tmp_path / "report.json")
    r = run.report
    reason = assert_stopped(demo_repo, run, "cost cap reached", f"max_cost_usd ${CAP_USD:.2f}")
    assert "the next review call" in reason, reason
    # the planning calls and one review were answered; the other review was never sent
    assert purposes(peer) == [*PLANNING_CALLS, "review"]
    (served,) = peer.served_of("review")
    refused = review_b if served.model == PLANNER else review_a
    assert_cost_from_peer(peer, r)
    assert r["cost_usd"] <= CAP_USD
    assert r["cost_usd"] + refused > CAP_USD, "the refused call would have passed the cap"
    assert r["cost_usd"] == pytest.approx(
        before_reviews + (review_a if served.model == PLANNER else review_b)
    )
    assert r["rounds"] == 1
    assert r["findings_by_round"] == []  # no triage without both reviews
    assert decision_path(r) == [*round_path(), ("execute", 1, "accept"), ("gate", 1, "accept")]


async def test_max_rounds_stops_with_the_verdict_of_the_last_round(
    peer: DemoPeer, demo_repo: Path, tmp_path: Path
) -> None:
    """A new critical finding every round (no circle): `[loop] max_rounds = 2` stops after
    round 2's triage and says what was still open."""
    peer.play(max_rounds_script())
    config = write_peer_config(tmp_path / "two-rounds.toml", peer, loop={"max_rounds": 2})
    run = await run_in_process(demo_repo, config, tmp_path / "report.json")
    r = run.report
    reason = assert_stopped(
        demo_repo, run, "no convergence after 2 round(s) of T1", "1 critical and 0 high"
    )
    assert "circles" not in reason
    assert r["rounds"] == 2
    assert round_findings(r) == [(1, ONE_CRITICAL, False), (2, ONE_CRITICAL, False)]
    assert r["findings"] == ONE_CRITICAL
    assert decision_path(r) == round_path(1, 2)
    assert purposes(peer) == [*PLANNING_CALLS, "review", "review", "fix", "review", "review"]
    # the one fix addressed round 1's finding; round 2's was a new one
    (fix,) = peer.served_of("fix")
    assert STACKING["title"] in fix.prompt and OTHER_CRITICAL["title"] not in fix.prompt
    assert_cost_from_peer(peer, r)


async def test_rebuttal_round_on_the_wire(peer: DemoPeer, demo_repo: Path, tmp_path: Path) -> None:
    """`[loop] rebuttal = true`: after both blind reviews each model gets the other's review
    (structured output on both wires), its changes of position are recorded and printed,
    and the triage uses the updated reviews."""
    peer.play(rebuttal_script())
    config = write_peer_config(tmp_path / "rebuttal.toml", peer, loop={"rebuttal": True})
    run = await run_in_process(demo_repo, config, tmp_path / "report.json")
    r = run.report
    assert run.code == 0, run.progress
    assert r["converged"] is True and r["rounds"] == 2
    review_round = ["review", "review", "rebuttal", "rebuttal"]
    assert purposes(peer) == [*PLANNING_CALLS, *review_round, "fix", *review_round]
    by_round: dict[tuple[str, int], dict[str, str]] = {}
    for s in peer.served:
        by_round.setdefault((s.purpose, s.round), {})[s.model] = s.prompt
    # blind first: the planner's review never saw the executor's findings, its rebuttal did
    assert ROUNDING["title"] not in by_round[("review", 1)][PLANNER]
    assert ROUNDING["title"] in by_round[("rebuttal", 1)][PLANNER]
    assert STACKING["title"] not in by_round[("review", 1)][EXECUTOR]
    assert STACKING["title"] in by_round[("rebuttal", 1)][EXECUTOR]
    # recorded in the round's rebuttal.json, printed as progress
    store = SessionStore.open(demo_repo, r["session"])
    record = json.loads(store.read_artifact("T1/round-1/rebuttal.json") or "{}")
    planner, executor = record["reviewers"]
    assert planner["conceded"] == [ROUNDING["title"]] and planner["summary"] == CONCEDE
    assert executor["contested"] == [STACKING["title"]] and executor["withdrawn"] == [NIT["title"]]
    assert f"i {PLANNER} conceded: {ROUNDING['title']}" in run.progress
    assert f"i {EXECUTOR} withdrew: {NIT['title']}" in run.progress
    # the triage of round 1 paired the conceded finding
    assert r["findings_by_round"][0]["findings"] == dict(ONE_CRITICAL, medium=1)
    assert_cost_from_peer(peer, r)
    rebuttal_calls = [c for c in store.calls() if "respond to the other reviewer" in c.request_text]
    assert len(rebuttal_calls) == 4
    assert all(c.ok and c.usage.cost_usd for c in rebuttal_calls)
