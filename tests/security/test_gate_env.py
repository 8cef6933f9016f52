"""The gate runs model-written code: no key reaches its environment, its log or the model.

The environment is an allow-list (`duo_tui.vcs.sandbox.gate_env`): a variable is
passed only when listed (or named in `[gate] env`), and never when it holds a
key, whatever its name. What the gate prints is redacted before it is stored in
`gate.log` or put into the fix prompt sent to the model.
"""

from __future__ import annotations

import ast
import json
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from duo_tui.config import Config, load_config
from duo_tui.demo.project import REQUEST
from duo_tui.demo.script import EXECUTOR, PLANNER
from duo_tui.headless import run_headless
from duo_tui.providers import registry
from duo_tui.redact import REDACTED
from duo_tui.safe_text import is_clean
from duo_tui.vcs.gate import run_gate
from tests.e2e_peer.peer import DemoPeer
from tests.e2e_peer.support import files_containing

# Built at runtime; neither the names nor the values look like keys.
AUTH_VALUE = "auth-" + "Wv3k" * 8
PROXY_VALUE = "hdr-" + "Pq8m" * 6
PRINT_ENV = f"{shlex.quote(sys.executable)} -c " + shlex.quote(
    "import os, sys; print(sorted(os.environ.items())); sys.exit(1)"
)


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_AUTH", AUTH_VALUE)
    monkeypatch.setenv("PROXY_HDR", PROXY_VALUE)
    monkeypatch.setenv("DUO_PROBE_VAR", "probe-value")
    Config.model_validate(
        {"providers": {"anthropic": {"api_key_env": "LLM_AUTH"}}, "secrets": {"env": ["PROXY_HDR"]}}
    )


async def test_the_gate_environment_is_an_allow_list_without_keys(
    tmp_path: Path, keys: None
) -> None:
    result = await run_gate([PRINT_ENV], tmp_path, 30)
    env = dict(ast.literal_eval(result.results[0].output))  # the printed list of (name, value)
    assert "LLM_AUTH" not in env and "PROXY_HDR" not in env
    assert "DUO_PROBE_VAR" not in env  # not on the allow-list
    assert env["PATH"] and env["PYTHONUNBUFFERED"] == "1"
    # [gate] env passes more names through, but never one that holds a key
    result = await run_gate(
        [PRINT_ENV], tmp_path, 30, passthrough_env=["DUO_PROBE_VAR", "LLM_AUTH", "OPENAI_API_KEY"]
    )
    env = dict(ast.literal_eval(result.results[0].output))
    assert env["DUO_PROBE_VAR"] == "probe-value"
    assert "LLM_AUTH" not in env


async def test_gate_output_holding_a_configured_key_is_redacted(tmp_path: Path, keys: None) -> None:
    """A test that reads the key from somewhere else (a file here) and prints it."""
    (tmp_path / "leak.txt").write_text(f"token={AUTH_VALUE} hdr={PROXY_VALUE}\n")
    lines: list[str] = []
    result = await run_gate(["cat leak.txt"], tmp_path, 30, lines.append)
    out = result.results[0].output
    assert out == f"token={REDACTED} hdr={REDACTED}\n"
    assert not any(AUTH_VALUE in ln or PROXY_VALUE in ln for ln in lines)


@pytest.fixture
def peer() -> Iterator[DemoPeer]:
    server = DemoPeer()
    server.start()
    registry.clear_cache()
    try:
        yield server
    finally:
        server.stop()
        registry.clear_cache()


async def _run_with_gate(
    peer: DemoPeer,
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    report_path: Path | None = None,
) -> int:
    """A headless session against the peer whose one gate command is `command`; the
    planner's key is read through `api_key_env = "LLM_AUTH"`."""
    monkeypatch.setenv("LLM_AUTH", AUTH_VALUE)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-peer-" + "q" * 40)
    q = json.dumps
    config = tmp_path / "c.toml"
    config.write_text(
        f"""[roles]
planner = {q(PLANNER)}
executor = {q(EXECUTOR)}
reviewers = [{q(PLANNER)}, {q(EXECUTOR)}]

[providers.anthropic]
api_base = {q(peer.anthropic_base)}
api_key_env = "LLM_AUTH"

[providers.openai]
api_base = {q(peer.openai_base)}

[gate]
commands = [{q(command)}]

[loop]
max_rounds = 2
""",
        encoding="utf-8",
    )
    return await run_headless(repo, REQUEST, load_config(repo, config), json_path=report_path)


async def test_a_gate_printing_its_environment_leaks_no_key_to_the_log_or_the_model(
    peer: DemoPeer, demo_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner's key is read through `api_key_env = "LLM_AUTH"`; the gate prints
    os.environ and fails, so its output goes into the fix prompt sent to the executor."""
    report_path = tmp_path / "report.json"
    code = await _run_with_gate(peer, demo_repo, tmp_path, monkeypatch, PRINT_ENV, report_path)
    assert code == 1
    assert AUTH_VALUE in peer.credentials()  # the key was used ...
    fixes = peer.served_of("fix")
    assert fixes, [s.purpose for s in peer.served]
    prompt = fixes[0].prompt
    assert "The quality gate failed" in prompt and "'PATH'" in prompt  # ... the dump was sent
    assert AUTH_VALUE not in prompt
    assert "LLM_AUTH" not in prompt  # the variable itself never reached the gate
    logs = list((demo_repo / ".duo").rglob("gate.log"))
    assert logs and all("'PATH'" in p.read_text() for p in logs)
    assert files_containing(demo_repo / ".duo", [AUTH_VALUE]) == []
    report = json.loads(report_path.read_text())
    assert report["gate_sandbox"].startswith("sandbox: ")
    assert all(report["gate_sandbox"] in p.read_text() for p in logs)


async def test_gate_output_in_the_fix_prompt_is_redacted_and_its_controls_visible(
    peer: DemoPeer, demo_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing test prints a clipboard write, a screen clear and the key: the fix
    prompt holds them as visible text (`␛`), never as the control bytes, nor the key."""
    hostile = "\x1b]52;c;cm0gLXJmIH4=\x07 \x1b[2J \x9b31m token=" + AUTH_VALUE
    command = f"{shlex.quote(sys.executable)} -c " + shlex.quote(
        f"import sys; print({hostile!r}); sys.exit(1)"
    )
    assert await _run_with_gate(peer, demo_repo, tmp_path, monkeypatch, command) == 1
    fixes = peer.served_of("fix")
    assert fixes, [s.purpose for s in peer.served]
    prompt = fixes[0].prompt
    assert "␛]52;c;cm0gLXJmIH4=␇ ␛[2J \\x9b31m token=" + REDACTED in prompt
    assert is_clean(prompt)
    assert AUTH_VALUE not in prompt
