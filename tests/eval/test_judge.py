"""The judge in eval scoring: it settles the matcher's unsure finding↔known-issue matches,
its answers are cached, a malformed one falls back to the matcher, it counts against
the cost cap, and the matches keep their provenance in every report."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from duo_tui.cli_parser import build_parser
from duo_tui.core.models import Usage
from duo_tui.errors import ConfigError
from duo_tui.eval.command import plan_eval
from duo_tui.eval.report import render_markdown, render_text
from duo_tui.eval.results import build_report
from duo_tui.eval.runner import EvalCache, run_reviews
from duo_tui.eval.suite import Suite, load_suite
from duo_tui.providers.base import ModelRequest
from duo_tui.providers.scripted import ScriptedAnswer, ScriptedProvider
from tests.eval.helpers import BOGUS, SQLI, finding, write_case

#: Names the float-money issue (K2) in other words: the matcher leaves it unpaired.
DECIMAL = "Use Decimal for currency amounts in total()"
REASON = "both say money is summed in binary floats <b>[bold]x[/]</b> | cell"
VERDICTS = {
    "verdicts": [
        {"id": "C1", "verdict": "same", "reason": REASON},
        {"id": "C2", "verdict": "different", "reason": "a docstring is not money"},
    ]
}
JUDGE = "x/judge"


class Judged:
    """Scripted reviewers (one review per case) and a scripted judge, each call priced."""

    def __init__(
        self,
        suite: Suite,
        judge_text: str = json.dumps(VERDICTS),
        review_cost: float = 0.01,
        judge_cost: float = 0.005,
    ) -> None:
        self.suite = suite
        self.judge_text = judge_text
        self.review_cost, self.judge_cost = review_cost, judge_cost
        self.provider = ScriptedProvider(self._answer, chunk_chars=64)

    def _answer(self, request: ModelRequest) -> ScriptedAnswer:
        if request.purpose == "eval_judge":
            return ScriptedAnswer(
                self.judge_text,
                usage=Usage(input_tokens=500, output_tokens=50, cost_usd=self.judge_cost),
            )
        findings = [
            finding("F1", "critical", 5, SQLI),
            finding("F2", "medium", 3, DECIMAL),
            finding("F3", "low", 4, BOGUS),
        ]
        return ScriptedAnswer(
            json.dumps({"reviewer": request.model, "findings": findings}),
            usage=Usage(input_tokens=1000, output_tokens=100, cost_usd=self.review_cost),
        )

    def __call__(self, model: str) -> ScriptedProvider:
        return self.provider

    def calls(self, purpose: str) -> list[ModelRequest]:
        return [r for r in self.provider.requests if r.purpose == purpose]


def _suite(root: Path, n: int = 1) -> Suite:
    for k in range(n):
        write_case(root, f"case-{k}")
    return load_suite(root)


def _run(suite: Suite, provider: Judged, cache: Path, **kw: Any) -> Any:
    return asyncio.run(
        run_reviews(suite, ["x/a"], provider, cache=EvalCache(cache), judge=JUDGE, **kw)
    )


def test_the_judge_settles_what_the_matcher_left_unsure_and_says_why(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "suite")
    alone = build_report(suite, ["x/a"], asyncio.run(run_reviews(suite, ["x/a"], Judged(suite))))
    assert alone.configs[0].recall == 0.5  # the matcher alone misses F2 -> K2
    provider = Judged(suite)
    run = _run(suite, provider, tmp_path / "cache")
    (ask,) = provider.calls("eval_judge")  # one batched call for the review of the case
    prompt = ask.messages[-1].content
    assert '"known_issue": "K2"' in prompt and '"finding": "F2"' in prompt
    assert '<untrusted-data source="known issues and review findings">' in prompt
    assert ask.json_schema is not None and ask.model == JUDGE

    report = build_report(suite, ["x/a"], run)
    cfg = report.configs[0]
    assert (cfg.recall, cfg.precision) == (1.0, round(2 / 3, 4))
    assert round(cfg.cost_usd, 6) == 0.015 and round(cfg.judge_cost_usd, 6) == 0.005
    assert cfg.input_tokens == 1500 and round(run.spent_usd, 6) == 0.015
    doc = report.to_json()
    assert doc["judge"] == JUDGE
    (entry,) = doc["reviews"]
    by_id = {f["id"]: f for f in entry["findings"]}
    assert (by_id["F1"]["matches"], by_id["F1"]["by"], by_id["F1"]["reason"]) == (
        "K1",
        "matcher",
        None,
    )
    assert (by_id["F2"]["matches"], by_id["F2"]["by"]) == ("K2", "judge")
    assert by_id["F2"]["reason"] == " ".join(REASON.split())
    assert by_id["F3"]["matches"] is None
    assert by_id["F3"]["not"] == [
        {"issue": "K2", "by": "judge", "reason": "a docstring is not money", "applied": "confirmed"}
    ]
    assert entry["judge"]["candidates"] == 2 and entry["judge"]["error"] is None

    text = render_text(report)
    assert "judge x/judge: settled 2 unsure match(es) in 1 review(s), $0.0050 (0 cached)" in text
    assert "x/a F1 -> K1  matcher 1.00" in text
    assert f"x/a F2 -> K2  judge (joined): {REASON}" in text
    assert "x/a F3 -/- K2  judge (confirmed): a docstring is not money" in text
    md = render_markdown(report)
    row = next(line for line in md.splitlines() if line.startswith("| case-0 | x/a | F2 "))
    assert "<b>" not in row and "&lt;b&gt;" in row and "\\[bold\\]" in row
    assert "cell |" in row and "\\| cell" in row  # the reason's pipe stays inside its cell
    assert "| yes | judge (joined) |" in row


def test_a_rerun_reads_the_judge_from_the_cache_and_costs_nothing(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "suite", 2)
    first = Judged(suite)
    run1 = _run(suite, first, tmp_path / "cache")
    assert len(first.calls("eval_judge")) == 2  # one per case
    again = Judged(suite, judge_text="would be read as malformed")
    run2 = _run(suite, again, tmp_path / "cache")
    assert again.provider.requests == [] and run2.spent_usd == 0
    assert all(o.judgement is not None and o.judgement.cached for o in run2.outcomes.values())
    r1, r2 = build_report(suite, ["x/a"], run1), build_report(suite, ["x/a"], run2)
    assert [c.to_json() for c in r1.configs] == [c.to_json() for c in r2.configs]
    assert r2.configs[0].recall == 1.0 and round(r2.configs[0].judge_cost_usd, 6) == 0.01
    # another judge model is another question: asked afresh
    other = Judged(suite)
    asyncio.run(
        run_reviews(
            suite, ["x/a"], other, cache=EvalCache(tmp_path / "cache"), judge="x/other-judge"
        )
    )
    assert len(other.calls("eval_judge")) == 2 and other.calls("review") == []


def test_a_malformed_judge_answer_keeps_the_matcher_with_a_warning(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "suite")
    bad = Judged(suite, judge_text='{"verdicts": [{"id": "C9", "verdict": "same"}]}')
    run = _run(suite, bad, tmp_path / "cache")
    report = build_report(suite, ["x/a"], run)
    assert report.configs[0].recall == 0.5  # the matcher's matches stand
    (entry,) = report.to_json()["reviews"]
    assert "does not follow the verdict schema" in entry["judge"]["error"]
    assert all(f["by"] in ("matcher", None) for f in entry["findings"])
    assert round(report.configs[0].judge_cost_usd, 6) == 0.005  # paid for all the same
    text = render_text(report)
    assert "WARNING: the judge's word is not used for 1 review(s), the matcher's matches stand" in (
        text
    )
    # the paid answer is cached: a rerun neither calls nor changes its mind
    again = Judged(suite)
    run2 = _run(suite, again, tmp_path / "cache")
    assert again.provider.requests == []
    assert build_report(suite, ["x/a"], run2).configs[0].recall == 0.5


def test_the_cost_cap_counts_the_judge(tmp_path: Path) -> None:
    suite = _suite(tmp_path / "suite", 3)
    # three reviews cost $0.03, under the cap; the judge's calls are what reach it
    provider = Judged(suite, review_cost=0.01, judge_cost=0.03)
    run = _run(suite, provider, tmp_path / "cache", max_cost_usd=0.06, concurrency=1)
    judged = [o.judgement for o in run.outcomes.values() if o.judgement is not None]
    paid = [j for j in judged if j.called]
    assert run.stopped is not None and "cost cap reached" in run.stopped
    assert paid and len(paid) < 3
    assert round(run.spent_usd, 6) == round(
        sum(o.usage.cost_usd or 0 for o in run.outcomes.values()) + 0.03 * len(paid), 6
    )
    capped = [j for j in judged if j.capped]
    assert capped or any(o.skipped for o in run.outcomes.values())
    report = build_report(suite, ["x/a"], run)
    assert report.partial and "PARTIAL: cost cap reached" in render_text(report)


def _args(tmp_path: Path, *extra: str) -> Any:
    return build_parser().parse_args(
        [
            "eval",
            "--suite",
            str(tmp_path / "suite"),
            "--models",
            "openai/gpt-5.5",
            "--repo",
            str(tmp_path),
            "--cache",
            str(tmp_path / "cache"),
            *extra,
        ]
    )


def test_judge_from_the_config_from_the_option_or_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    _suite(tmp_path / "suite")
    assert plan_eval(_args(tmp_path)).judge is None
    (tmp_path / ".duo").mkdir()
    (tmp_path / ".duo" / "config.toml").write_text(
        '[triage]\njudge = "anthropic/claude-haiku-4-5"\n'
    )
    assert plan_eval(_args(tmp_path)).judge == "anthropic/claude-haiku-4-5"
    assert plan_eval(_args(tmp_path, "--judge", "openai/gpt-5-mini")).judge == "openai/gpt-5-mini"
    assert plan_eval(_args(tmp_path, "--judge", "executor")).judge == "openai/gpt-5.5"
    assert plan_eval(_args(tmp_path, "--judge", "off")).judge is None


def test_an_unknown_judge_model_is_exit_2_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from duo_tui.cli import main

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    _suite(tmp_path / "suite")
    with pytest.raises(ConfigError, match=r"--judge: nosuch/judge: unknown provider 'nosuch'"):
        plan_eval(_args(tmp_path, "--judge", "nosuch/judge"))
    with pytest.raises(ConfigError, match=r"--judge .*'no-slash' is not a valid model string"):
        plan_eval(_args(tmp_path, "--judge", "no-slash"))
    argv = [str(a) for a in ("eval", "--suite", tmp_path / "suite", "--models", "openai/gpt-5.5")]
    rc = main([*argv, "--repo", str(tmp_path), "--format", "text", "--judge", "nosuch/judge"])
    err = capsys.readouterr()
    assert rc == 2 and "unknown provider 'nosuch'" in err.err and "--judge" in err.err
    assert "Traceback" not in err.err and err.out == ""
