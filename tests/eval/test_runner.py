"""The runner: the cache makes a rerun free, a kill -9 loses only reviews under way,
and the cost cap stops cleanly with a partial report."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from string import Template

import pytest

from duo_tui.eval import runner
from duo_tui.eval.results import build_report
from duo_tui.eval.runner import EvalCache, run_reviews
from duo_tui.eval.suite import load_suite
from duo_tui.prompts import template
from tests.eval.helpers import FLOAT, SQLI, Reviewers, finding, write_case

MODELS = ["x/a", "x/b"]


def _suite(root: Path, n: int = 3):
    for k in range(n):
        write_case(root, f"case-{k}")
    return load_suite(root)


def _findings(suite) -> dict:
    return {
        (m, c.id): [finding("F1", "critical", 5, SQLI)]
        + ([finding("F2", "high", 11, FLOAT)] if m == "x/b" else [])
        for m in MODELS
        for c in suite.cases
    }


def test_rerun_with_the_cache_costs_nothing_and_gives_the_same_report(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "suite")
    cache = EvalCache(tmp_path / "cache")
    first = Reviewers(suite, _findings(suite))
    run1 = asyncio.run(run_reviews(suite, MODELS, first, cache=cache, concurrency=3))
    assert len(first.calls) == 6 and round(run1.spent_usd, 6) == 0.06
    second = Reviewers(suite, {})  # would answer with no findings: must not be asked
    run2 = asyncio.run(run_reviews(suite, MODELS, second, cache=cache))
    assert second.calls == [] and run2.spent_usd == 0
    assert all(o.cached for o in run2.outcomes.values())
    r1, r2 = build_report(suite, MODELS, run1), build_report(suite, MODELS, run2)
    assert [c.to_json() for c in r1.configs] == [c.to_json() for c in r2.configs]
    assert r2.configs[2].recall == 1.0  # the pair found both issues of every case
    assert round(r2.configs[2].cost_usd, 6) == 0.06  # what the reviews cost, though cached now


def test_an_edited_case_or_a_damaged_entry_is_reviewed_again(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "suite", 2)
    cache = EvalCache(tmp_path / "cache")
    asyncio.run(run_reviews(suite, MODELS, Reviewers(suite, _findings(suite)), cache=cache))
    cache.path("x/a", suite.cases[0]).write_text('{"format": 1, "model": "x/a", "rev')
    (tmp_path / "suite" / "case-1" / "files" / "app.py").write_text(
        (tmp_path / "suite" / "case-1" / "files" / "app.py").read_text() + "# edited\n"
    )
    suite = load_suite(tmp_path / "suite")
    again = Reviewers(suite, _findings(suite))
    asyncio.run(run_reviews(suite, MODELS, again, cache=cache))
    assert sorted(again.calls) == [("x/a", "case-0"), ("x/a", "case-1"), ("x/b", "case-1")]


def test_a_new_prompt_version_reviews_again_and_the_old_entries_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache key is (model, case, prompt version): a prompt or schema change expires it."""
    suite = _suite(tmp_path / "suite", 2)
    cache = EvalCache(tmp_path / "cache")
    asyncio.run(run_reviews(suite, MODELS, Reviewers(suite, _findings(suite)), cache=cache))
    monkeypatch.setattr(runner, "PROMPT_VERSION", "another-prompt")
    again = Reviewers(suite, _findings(suite))
    run = asyncio.run(run_reviews(suite, MODELS, again, cache=cache))
    assert len(again.calls) == 4 and not any(o.cached for o in run.outcomes.values())
    monkeypatch.undo()
    back = Reviewers(suite, {})
    asyncio.run(run_reviews(suite, MODELS, back, cache=cache))
    assert back.calls == []  # the first version's reviews are still there


def test_the_prompt_version_follows_the_review_prompts(monkeypatch: pytest.MonkeyPatch) -> None:
    before = runner._prompt_version()
    edited = Template(template("review").template + "\nOne more rule.\n")
    monkeypatch.setattr(
        runner, "template", lambda name: edited if name == "review" else template(name)
    )
    assert runner._prompt_version() != before


_KILLED_RUN = """
import asyncio, sys
from pathlib import Path
from duo_tui.eval.runner import EvalCache, run_reviews
from duo_tui.eval.suite import load_suite
from tests.eval.helpers import Reviewers
suite = load_suite(Path(sys.argv[1]))
slow = Reviewers(suite, {}, chars_per_s=60)  # each review takes about a second
asyncio.run(run_reviews(suite, ["x/a", "x/b"], slow, cache=EvalCache(Path(sys.argv[2])),
                        concurrency=1))
"""


def test_resume_after_kill_9_reviews_only_what_was_not_finished(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "suite", 4)
    cache_dir = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_RUN, str(tmp_path / "suite"), str(cache_dir)],
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if cache_dir.is_dir() and len(list(cache_dir.glob("*.json"))) >= 2:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    kept = list(cache_dir.glob("*.json"))
    assert 2 <= len(kept) < 8
    for p in kept:  # whole entries only: atomic writes
        assert json.loads(p.read_text())["format"] == 1
    # at most a temporary file of the write under way, which the cache never reads
    assert all(p.name.endswith((".json", ".tmp")) for p in cache_dir.iterdir())
    resumed = Reviewers(suite, {})
    run = asyncio.run(run_reviews(suite, MODELS, resumed, cache=EvalCache(cache_dir)))
    assert len(resumed.calls) == 8 - len(kept)
    assert sum(o.cached for o in run.outcomes.values()) == len(kept)
    assert len(list(cache_dir.glob("*.json"))) == 8


def test_cost_cap_stops_cleanly_with_a_partial_report(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "suite", 4)
    reviewers = Reviewers(suite, _findings(suite), cost=0.01)
    run = asyncio.run(run_reviews(suite, MODELS, reviewers, max_cost_usd=0.035, concurrency=1))
    # 0.00 + 0.01 estimate, 0.01 + 0.01, 0.02 + 0.01 fit; 0.03 + 0.01 would pass 0.035
    assert len(reviewers.calls) == 3
    assert round(run.spent_usd, 6) == 0.03
    assert run.stopped and "cost cap reached" in run.stopped
    assert sum(o.skipped for o in run.outcomes.values()) == 5
    report = build_report(suite, MODELS, run)
    assert report.partial
    a, b, pair = report.configs
    assert (a.cases, b.cases, pair.cases) == (2, 1, 1)  # case by case: case-0 is whole
    assert pair.recall == 1.0
    assert report.to_json()["partial"] is True


def test_cost_cap_holds_with_concurrent_reviews(tmp_path: Path) -> None:
    """Before any review is priced, reviews started together cannot see what they cost:
    the first runs alone, then the cap counts each review under way at that price."""
    suite = _suite(tmp_path / "suite", 4)
    reviewers = Reviewers(suite, _findings(suite), cost=0.01)
    run = asyncio.run(run_reviews(suite, MODELS, reviewers, max_cost_usd=0.025, concurrency=4))
    assert run.spent_usd <= 0.025
    assert len(reviewers.calls) == 2 and run.stopped


def test_a_reply_that_is_no_review_is_reported_kept_and_not_paid_for_twice(
    tmp_path: Path,
) -> None:
    from duo_tui.eval.report import render_text
    from duo_tui.providers.scripted import ScriptedAnswer, ScriptedProvider

    suite = _suite(tmp_path / "suite", 2)
    good = Reviewers(suite, _findings(suite))

    def answer(request):  # x/b rambles on case-1 instead of reviewing
        if request.model == "x/b" and "(case-1)" in request.messages[-1].content:
            return ScriptedAnswer("I think it looks fine \x1b[31m overall.", usage=None)
        return good.provider.answer_for(request)

    provider = ScriptedProvider(answer)
    cache = EvalCache(tmp_path / "cache")
    run = asyncio.run(run_reviews(suite, MODELS, lambda m: provider, cache=cache))
    bad = run.outcomes["x/b", "case-1"]
    assert bad.review is None and bad.error and "not a valid review" in bad.error
    report = build_report(suite, MODELS, run)
    a, b, pair = report.configs
    assert (a.cases, b.cases, pair.cases) == (2, 1, 1) and report.partial
    text = render_text(report)
    assert "PARTIAL: 1 review(s) failed" in text and "x/b on case-1" in text
    assert "\x1b" not in text
    # the answer was paid for: the rerun reads it from the cache
    again = ScriptedProvider(answer)
    asyncio.run(run_reviews(suite, MODELS, lambda m: again, cache=cache))
    assert again.requests == []
