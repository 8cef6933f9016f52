"""The triage judge on the wire: one structured call to a local Anthropic- or
OpenAI-compatible peer (our fault server), its verdicts applied, its usage kept.

Anthropic gets the verdict schema as JSON outputs (`output_config.format`),
OpenAI as a strict `response_format` named `duo_triage_judge`; a server error
leaves the matcher's result.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from duo_tui.core.triage import match_reviews
from duo_tui.core.triage_judge_run import provider_call, run_judge

from ..triage.test_judge import answer, reviews
from .fault_server import FaultServer, json_reply, stream_reply
from .test_faults import claude, gpt
from .test_structured import claude_json_text, gpt_json

pytestmark = pytest.mark.usefixtures("fake_keys")

VERDICTS = answer(("C1", "same", "both: the token comparison is not constant-time"))


async def test_the_judge_asks_an_anthropic_peer_with_json_outputs(
    fault_server: FaultServer,
) -> None:
    fault_server.push(stream_reply(claude_json_text(VERDICTS)))
    a, b = reviews()
    model = "anthropic/claude-haiku-4-5"
    out = await run_judge(
        a, b, match_reviews(a, b), model, provider_call(claude(fault_server), model)
    )
    assert out.error is None, out.error
    assert [(p.a, p.b, p.by) for p in out.result.pairs if p.by] == [("F2", "F2", "judge")]
    assert out.usage.input_tokens == 30 and out.usage.output_tokens == 40
    (req,) = fault_server.requests
    body = req.body
    assert body["model"] == "claude-haiku-4-5"
    schema = body["output_config"]["format"]["schema"]
    assert schema["properties"]["verdicts"]["items"]["properties"]["verdict"]["enum"] == [
        "same",
        "different",
    ]
    prompt = body["messages"][0]["content"]
    assert '<untrusted-data source="review findings">' in prompt
    assert "Token compared with == leaks timing" in prompt


async def test_the_judge_asks_an_openai_peer_with_a_strict_schema(
    fault_server: FaultServer,
) -> None:
    fault_server.push(stream_reply(gpt_json(json.loads(VERDICTS))))
    a, b = reviews()
    model = "openai/gpt-5-mini"
    out = await run_judge(a, b, match_reviews(a, b), model, provider_call(gpt(fault_server), model))
    assert out.error is None, out.error
    assert [v.applied for v in out.result.judge] == ["joined"]
    fmt = fault_server.requests[0].body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "duo_triage_judge" and fmt["json_schema"]["strict"]


async def test_a_refused_call_on_the_wire_keeps_the_matchers_result(
    fault_server: FaultServer,
) -> None:
    error = {"type": "error", "error": {"type": "authentication_error", "message": "bad key"}}
    fault_server.push(json_reply(401, error))
    a, b = reviews()
    model = "anthropic/claude-haiku-4-5"
    base = match_reviews(a, b)
    out = await run_judge(a, b, base, model, provider_call(claude(fault_server), model))
    assert out.error is not None and "auth" in out.error
    assert out.result.contract_json() == base.contract_json()


async def test_cli_triage_judge_prints_the_judged_match_and_its_cost(
    fault_server: FaultServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`duo-tui triage A B --json --judge MODEL` against a local Anthropic peer."""
    from duo_tui.cli import main

    a, b = reviews()
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(a.model_dump_json())
    pb.write_text(b.model_dump_json())
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fault_server.url)
    fault_server.push(stream_reply(claude_json_text(VERDICTS)))
    argv = ["triage", str(pa), str(pb), "--json", "--judge", "anthropic/claude-haiku-4-5"]
    rc = await asyncio.to_thread(main, [*argv, "--repo", str(tmp_path)])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    out = json.loads(captured.out)
    assert {"a": "F2", "b": "F2", "kind": "severity", "by": "judge"}.items() <= out["pairs"][
        -1
    ].items()
    assert out["judge"]["model"] == "anthropic/claude-haiku-4-5"
    assert len(fault_server.requests) == 1
    assert "triage judge (asked): 1 candidate(s): 1 joined" in captured.err
    assert "30→40 tokens, $" in captured.err


async def test_cli_triage_judge_run_again_reuses_the_verdicts(
    fault_server: FaultServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A standalone triage has no session to keep the judge's answer in: it goes to the
    user's cache folder, keyed by model, prompt and findings, so a rerun of the same
    pair makes no second call (and costs nothing); other findings ask again."""
    from duo_tui.cli import main
    from duo_tui.store.judge_cache import judge_cache_dir

    cache = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    assert judge_cache_dir() == cache / "duo-tui" / "triage-judge"
    a, b = reviews()
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(a.model_dump_json())
    pb.write_text(b.model_dump_json())
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fault_server.url)
    fault_server.push(stream_reply(claude_json_text(VERDICTS)))
    argv = ["triage", str(pa), str(pb), "--json", "--judge", "anthropic/claude-haiku-4-5"]
    argv += ["--repo", str(tmp_path)]

    async def run() -> tuple[dict[str, object], str]:
        rc = await asyncio.to_thread(main, argv)
        captured = capsys.readouterr()
        assert rc == 0, captured.err
        return json.loads(captured.out), captured.err

    first, said = await run()
    assert "triage judge (asked)" in said and "kept for a rerun in" in said
    kept = list(judge_cache_dir().glob("*.json"))
    assert len(kept) == 1 and str(kept[0]) in said
    again, said = await run()
    assert len(fault_server.requests) == 1, "the rerun called the judge again"
    assert "triage judge (cached): 1 candidate(s): 1 joined (no call, no cost)" in said
    assert again == first
    # other findings are another prompt: asked again
    b.findings[1].detail = "string equality short circuits on the first differing byte"
    pb.write_text(b.model_dump_json())
    fault_server.push(stream_reply(claude_json_text(VERDICTS)))
    _other, said = await run()
    assert len(fault_server.requests) == 2 and "(cached)" not in said
    # a damaged entry is a miss, not an error
    kept[0].write_text("{not json")
    fault_server.push(stream_reply(claude_json_text(VERDICTS)))
    pb.write_text(reviews()[1].model_dump_json())
    again, said = await run()
    assert len(fault_server.requests) == 3 and "triage judge (asked)" in said
    assert again == first
