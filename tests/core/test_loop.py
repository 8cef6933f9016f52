"""The adversarial loop, headless (autopilot) against scripted models.

Each test plays a whole session in a throw-away copy of the demo project and
checks what DESIGN.md promises: convergence, the early stops (circles, a gate
that got worse, the cost cap, max rounds), fast mode, the JSON report, blind
and concurrent reviews, untrusted-data fences, the constitution and the
same-family warning.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from duo_tui.core.events import Event, Notice, StageFinished, StageStarted
from duo_tui.core.models import Mode, Stage, StageState
from duo_tui.demo.script import REVIEW_A1, REVIEW_A2, REVIEW_B1, REVIEW_B2, demo_script
from duo_tui.headless import exit_code, run_headless
from duo_tui.providers.base import ModelRequest, ProviderEvent
from duo_tui.providers.scripted import ScriptedProvider

from .helpers import (
    BASE_SUBJECT,
    CLEAN_REVIEWS,
    EXECUTOR,
    PLANNER,
    REQUEST,
    ans,
    circular_script,
    clean_script,
    config,
    gate_regression_script,
    git_log,
    make_script,
    max_rounds_script,
    review,
    run_auto,
)

CLEAN = CLEAN_REVIEWS


def test_clean_first_round_converges_in_one_round(demo_repo: Path) -> None:
    run = run_auto(demo_repo, clean_script())
    r = run.report
    assert r["converged"] is True and r["committed"] is True
    assert r["rounds"] == 1
    assert r["stop_reason"] is None
    assert exit_code(r) == 0
    assert run.requests("fix") == []
    assert [x["round"] for x in r["findings_by_round"]] == [1]
    assert r["findings"] == {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0}
    # the commit is on the session branch, not on the user's branch
    assert git_log(demo_repo, r["branch"]) == [
        "feat(cart): add percentage discount codes",
        BASE_SUBJECT,
    ]
    assert git_log(demo_repo, "main") == [BASE_SUBJECT]
    assert r["commit"] == git_log(demo_repo, r["branch"], "%H")[0]


def test_demo_converges_after_a_fix_round(demo_repo: Path) -> None:
    run = run_auto(demo_repo)
    r = run.report
    assert r["converged"] and r["committed"] and exit_code(r) == 0
    assert r["rounds"] == 2
    by_round = r["findings_by_round"]
    assert [x["round"] for x in by_round] == [1, 2]
    assert by_round[0]["findings"]["critical"] == 1 and by_round[0]["converged"] is False
    assert by_round[0]["fix"], "the critical finding must be marked fix in round 1"
    assert by_round[1]["findings"]["critical"] == 0 and by_round[1]["converged"] is True
    assert len(run.requests("fix")) == 1
    # the committed tree holds the fix, not just the first attempt
    from subprocess import run as sh

    cart = sh(
        ["git", "show", f"{r['branch']}:shop/cart.py"],
        cwd=demo_repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "a discount code is already applied" in cart
    # the fix prompt carries the round-1 critical finding
    fix_prompt = run.prompt(run.requests("fix")[0])
    assert "stack" in fix_prompt.lower()


def test_circular_argument_stops_without_committing(demo_repo: Path) -> None:
    run = run_auto(demo_repo, circular_script())
    r = run.report
    assert r["converged"] is False and r["committed"] is False
    assert "circles" in (r["stop_reason"] or "")
    assert r["commit"] is None
    assert exit_code(r) == 1
    # it noticed on the third round with the same critical, before max_rounds (5)
    assert r["rounds"] == 3
    assert len(run.requests("fix")) == 2
    assert git_log(demo_repo, r["branch"]) == [BASE_SUBJECT]


def the_worktree(repo: Path) -> Path:
    """The one session worktree of `repo`."""
    (wt,) = (repo / ".duo" / "worktrees").iterdir()
    return wt


def test_fix_that_breaks_the_gate_is_discarded(demo_repo: Path) -> None:
    before_fix: list[str] = []

    def on_event(ev: Event) -> None:
        if isinstance(ev, StageStarted) and ev.stage == Stage.FIX and not before_fix:
            before_fix.append((the_worktree(demo_repo) / "shop/cart.py").read_text())

    run = run_auto(demo_repo, gate_regression_script(), listeners=[on_event])
    r = run.report
    assert r["converged"] is False and r["committed"] is False
    reason = r["stop_reason"] or ""
    assert "gate worse" in reason and "discarded" in reason, reason
    assert before_fix, "the fix stage never started"
    cart = (run.worktree / "shop/cart.py").read_text()
    assert cart == before_fix[0]
    assert "total = 0" not in cart
    assert git_log(demo_repo, r["branch"]) == [BASE_SUBJECT]


def test_cost_cap_stops_before_the_call_that_would_pass_it(tmp_path: Path) -> None:
    from duo_tui.service import create_demo_repo

    uncapped = run_auto(create_demo_repo(tmp_path / "a"))
    assert uncapped.report["converged"]
    cfg = config()
    cfg.loop.max_cost_usd = 0.2  # the demo costs ~$0.41
    capped = run_auto(create_demo_repo(tmp_path / "b"), config=cfg)
    r = capped.report
    assert r["converged"] is False and r["committed"] is False
    assert "cost cap" in (r["stop_reason"] or "")
    assert len(capped.scripted.requests) < len(uncapped.scripted.requests)
    assert r["cost_usd"] is not None and r["cost_usd"] <= 0.2
    assert exit_code(r) == 1


def test_cost_cap_counts_the_reviews_that_start_together(demo_repo: Path) -> None:
    """The two reviews of a round start at once: the second one's check counts the first
    one's estimate, so together they cannot pass the cap (every call costs $0.01 here)."""
    script = {key: [ans(a.text) for a in answers] for key, answers in demo_script().items()}
    cfg = config()
    cfg.loop.max_cost_usd = 0.065  # the five calls before the reviews and one review fit
    run = run_auto(demo_repo, script, config=cfg)
    r = run.report
    assert [q.purpose for q in run.scripted.requests] == [
        "plan",
        "align",
        "revise",
        "align",
        "execute",
        "review",
    ]
    assert r["cost_usd"] == pytest.approx(0.06)
    reason = r["stop_reason"] or ""
    assert "cost cap reached: $0.05 spent and ~$0.01 in calls under way" in reason, reason
    assert "the next review call" in reason
    assert r["converged"] is False and r["commit"] is None


def test_max_rounds_stops_with_a_reason(demo_repo: Path) -> None:
    cfg = config()
    cfg.loop.max_rounds = 2
    run = run_auto(demo_repo, max_rounds_script(), config=cfg)
    r = run.report
    assert r["converged"] is False and r["committed"] is False
    reason = r["stop_reason"] or ""
    assert "no convergence after 2 round" in reason, reason
    assert "circles" not in reason
    assert r["rounds"] == 2
    assert len(run.requests("fix")) == 1


def test_fast_mode_skips_align(demo_repo: Path) -> None:
    run = run_auto(demo_repo, make_script(CLEAN), mode=Mode.FAST)
    purposes = [q.purpose for q in run.scripted.requests]
    assert "align" not in purposes and "revise" not in purposes
    assert purposes[0] == "plan"
    assert run.report["converged"] and run.report["mode"] == "fast"
    assert not any(isinstance(e, StageStarted) and e.stage == Stage.ALIGN for e in run.events)


def test_json_report_has_the_design_keys(demo_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    err = tmp_path / "progress.txt"
    with err.open("w") as fh:
        code = asyncio.run(
            run_headless(demo_repo, REQUEST, config(), demo=True, json_path=out, err=fh)
        )
    assert code == 0
    data = json.loads(out.read_text())
    for key in (
        "session",
        "converged",
        "committed",
        "branch",
        "commit",
        "rounds",
        "stop_reason",
        "cost_usd",
        "findings",
        "errors",
    ):
        assert key in data, key
    assert set(data["findings"]) == {"critical", "high", "medium", "low", "info"}
    assert data["converged"] is True and data["committed"] is True
    assert data["branch"].startswith("duo/") and len(data["commit"]) == 40
    assert data["rounds"] == 2 and data["stop_reason"] is None and data["errors"] == []
    assert data["cost_usd"] > 0
    # the final findings are those of the last round; every round is listed
    assert data["findings"] == data["findings_by_round"][-1]["findings"]
    assert [x["findings"]["critical"] for x in data["findings_by_round"]] == [1, 0]
    assert "session converged" in err.read_text()


def test_reviews_are_blind(demo_repo: Path) -> None:
    run = run_auto(demo_repo)
    reviews = run.requests("review")
    assert len(reviews) == 4
    outputs = {PLANNER: [REVIEW_A1, REVIEW_A2], EXECUTOR: [REVIEW_B1, REVIEW_B2]}
    for req in reviews:
        other = EXECUTOR if req.model == PLANNER else PLANNER
        text = req.system + "\n" + run.prompt(req)
        for doc in outputs[other]:
            parsed = json.loads(doc)
            assert parsed["summary"] not in text
            for f in parsed["findings"]:
                assert f["title"] not in text, (req.model, f["title"])
                assert f["detail"] not in text


class PacedReviews:
    """Routes review calls to a paced provider and everything else to a fast one."""

    def __init__(self, fast: ScriptedProvider, paced: ScriptedProvider) -> None:
        self.fast, self.paced = fast, paced

    async def stream(self, request: ModelRequest) -> AsyncIterator[ProviderEvent]:
        provider = self.paced if request.purpose == "review" else self.fast
        async for ev in provider.stream(request):
            yield ev

    async def aclose(self) -> None:
        return None


def test_reviews_run_concurrently(demo_repo: Path) -> None:
    script = make_script(CLEAN)
    length = max(
        len(script[("review", PLANNER)][0].text), len(script[("review", EXECUTOR)][0].text)
    )
    per_review = 0.5
    paced = ScriptedProvider(script, chunk_chars=16, chars_per_s=length / per_review)
    fast = ScriptedProvider(script, chunk_chars=64)
    marks: dict[str, float] = {}

    def on_event(ev: Event) -> None:
        if isinstance(ev, StageStarted) and ev.stage == Stage.REVIEW:
            marks.setdefault("start", time.monotonic())
        if (
            isinstance(ev, StageFinished)
            and ev.stage == Stage.REVIEW
            and ev.state == StageState.AWAITING
        ):
            marks.setdefault("end", time.monotonic())

    run = run_auto(demo_repo, script, provider=PacedReviews(fast, paced), listeners=[on_event])
    assert run.report["converged"]
    assert len(paced.requests) == 2
    took = marks["end"] - marks["start"]
    assert took >= per_review * 0.8, took  # the pacing really applied
    assert took < 2 * per_review * 0.8, f"reviews look serial: {took:.2f}s"


def test_prompts_fence_repository_content_and_model_output(demo_repo: Path) -> None:
    run = run_auto(demo_repo)
    by_purpose = {q.purpose: run.prompt(q) for q in run.scripted.requests}
    assert set(by_purpose) >= {"plan", "align", "revise", "execute", "fix", "review"}
    for purpose, prompt in by_purpose.items():
        assert "<untrusted-data" in prompt, purpose
    # repository files, the diff, the executor's objections and the findings are fenced
    assert '<untrusted-data source="shop/cart.py">' in by_purpose["execute"]
    assert '<untrusted-data source="diff">' in by_purpose["review"]
    assert '<untrusted-data source="executor objections">' in by_purpose["revise"]
    assert '<untrusted-data source="review findings">' in by_purpose["fix"]
    assert '<untrusted-data source="request">' in by_purpose["plan"]
    # repository content sits inside a fence, never in front of it
    ex = by_purpose["execute"]
    fence = ex.index('<untrusted-data source="shop/cart.py">')
    assert ex.index("class Cart:") > fence


def test_constitution_is_in_every_prompt(demo_repo: Path) -> None:
    rule = "Money is always integer cents, never float."
    (demo_repo / ".ai").mkdir()
    (demo_repo / ".ai" / "constitution.md").write_text(f"# Constitution\n\n- {rule}\n")
    run = run_auto(demo_repo)
    assert run.report["converged"]
    assert len(run.scripted.requests) >= 10
    for q in run.scripted.requests:
        assert rule in q.system, q.purpose


def test_same_family_warning(tmp_path: Path) -> None:
    from duo_tui.service import create_demo_repo

    cfg = config()
    cfg.roles.planner = "anthropic/claude-opus-4-7"
    cfg.roles.executor = "anthropic/claude-sonnet-4-5"
    cfg.roles.reviewers = ["anthropic/claude-opus-4-7", "anthropic/claude-sonnet-4-5"]
    script = make_script(
        {"review": review("any")}, drop=[("review", PLANNER), ("review", EXECUTOR)]
    )
    run = run_auto(create_demo_repo(tmp_path / "a"), script, config=cfg)
    warned = [w for w in run.report["warnings"] if "blind spots" in w]
    assert len(warned) == 1 and "anthropic" in warned[0]
    assert any(
        isinstance(e, Notice) and e.severity == "warning" and "blind spots" in e.message
        for e in run.events
    )
    # two families (the demo's roles): no warning
    other = run_auto(create_demo_repo(tmp_path / "b"), make_script(CLEAN))
    assert not [w for w in other.report["warnings"] if "blind spots" in w]
