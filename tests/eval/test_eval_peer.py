"""`duo-tui eval` against the local wire-compatible peer (both SDK providers, real prices).

Two reviewers (the Anthropic and the OpenAI model) answer three hand-built cases
with findings that overlap in a known way; the report's union recall, agreement
precision and cost must match the arithmetic done here by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from duo_tui.cli import main
from duo_tui.core.models import Usage
from duo_tui.demo.script import EXECUTOR, PLANNER
from duo_tui.providers import registry
from duo_tui.providers.scripted import ScriptedAnswer
from tests.e2e_peer.peer import DemoPeer
from tests.e2e_peer.support import FAKE_KEYS, write_peer_config
from tests.eval.helpers import BOGUS, FLOAT, SQLI, finding, write_case


@pytest.fixture
def peer(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoPeer]:
    for name, value in FAKE_KEYS.items():
        monkeypatch.setenv(name, value)
    for name in ("ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    server = DemoPeer()
    server.start()
    registry.clear_cache()
    try:
        yield server
    finally:
        registry.clear_cache()
        server.stop()


def _answer(model: str, findings: list[dict], tokens: tuple[int, int]) -> ScriptedAnswer:
    text = json.dumps({"reviewer": model, "verdict": "comment", "findings": findings})
    return ScriptedAnswer(text, usage=Usage(input_tokens=tokens[0], output_tokens=tokens[1]))


def test_eval_on_the_peer_matches_the_arithmetic(
    peer: DemoPeer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = tmp_path / "suite"
    for cid in ("case-0", "case-1", "case-2"):
        write_case(suite, cid)  # each: K1 the injection (line 5), K2 the float total (line 11)
    sqli, flt, bogus = (
        finding("F1", "critical", 5, SQLI),
        finding("F2", "high", 11, FLOAT),
        finding("F3", "low", 4, BOGUS),
    )
    # one review at a time, case by case: each wire is asked for cases 0, 1, 2 in order
    peer.review_wait_s = 0.0
    peer.play(
        {
            ("review", PLANNER): [
                _answer(PLANNER, [sqli, bogus], (1200, 300)),
                _answer(PLANNER, [flt], (1100, 200)),
                _answer(PLANNER, [], (1000, 100)),
            ],
            ("review", EXECUTOR): [
                _answer(EXECUTOR, [sqli, flt], (900, 250)),
                _answer(EXECUTOR, [bogus], (950, 150)),
                _answer(EXECUTOR, [sqli], (800, 120)),
            ],
        }
    )
    config = write_peer_config(tmp_path / "peer.toml", peer)
    out = tmp_path / "eval.json"
    args = ["eval", "--config", str(config), "--suite", str(suite), "--json", str(out)]
    args += ["--cache", str(tmp_path / "cache"), "--concurrency", "1"]
    assert main(args) == 0
    data = json.loads(out.read_text())
    a, b, pair = (
        next(c for c in data["configs"] if c["name"] == n)
        for n in (PLANNER, EXECUTOR, f"{PLANNER} + {EXECUTOR}")
    )
    # alone: a found K1 of case-0 and K2 of case-1; b found K1, K2 of case-0 and K1 of case-2
    assert (a["found"], a["hits"], a["findings"]) == (2, 2, 3)
    assert (b["found"], b["hits"], b["findings"]) == (3, 3, 4)
    # together: 4 of the 6 issues; the injection of case-0 agreed (a hit); the five
    # findings only one raised: bogus (a), float (b), float (a), bogus (b), injection (b)
    assert (pair["found"], pair["issues"]) == (4, 6) and pair["recall"] == pytest.approx(
        4 / 6, abs=1e-4
    )
    assert (pair["agreed"], pair["agreed_hits"]) == (1, 1) and pair["agreed_precision"] == 1.0
    assert (pair["single"], pair["single_hits"]) == (5, 3) and pair["single_precision"] == 0.6
    assert pair["precision"] == pytest.approx(4 / 6, abs=1e-4)
    # cost: what the peer's answers cost at the real price list, as the providers priced them
    assert pair["cost_usd"] == pytest.approx(peer.cost_usd(), abs=1e-6) and peer.cost_usd() > 0
    assert a["cost_usd"] + b["cost_usd"] == pytest.approx(pair["cost_usd"], abs=1e-6)
    assert data["spent_usd"] == pytest.approx(peer.cost_usd(), abs=1e-6)
    assert (a["input_tokens"], a["output_tokens"]) == (3300, 600)
    assert (pair["input_tokens"], pair["output_tokens"]) == (5950, 1120)
    assert len(peer.served_of("review")) == 6
    captured = capsys.readouterr()
    text = captured.out
    # one progress line per review on stderr
    assert (
        captured.err.count("\neval: ") + captured.err.startswith("eval: ") == 6
        and f"eval: 6/6 {EXECUTOR} · case-2 ($" in captured.err
    )
    assert f"{PLANNER} + {EXECUTOR}" in text and "67% (4/6)" in text

    # the rerun reads every review from the cache: the peer is not asked again
    assert main(args) == 0
    assert len(peer.served_of("review")) == 6
    assert "(cached)" in capsys.readouterr().err
    again = json.loads(out.read_text())
    assert again["spent_usd"] == 0 and again["configs"] == data["configs"]
