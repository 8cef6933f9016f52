"""`duo-tui doctor` against local wire-compatible peers: ready, offline, keyless, broken gate.

Each model answers (or not) a real 1-token call through the real SDK, served by
our fault server; the repository is a real git repository in a temp folder.
"""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from duo_tui.cli import main
from duo_tui.doctor import render, run_doctor

from .fault_server import (
    DONE,
    FaultServer,
    json_reply,
    openai_chunk,
    openai_usage,
    stream_reply,
)
from .support import FAKE_ANTHROPIC_KEY, FAKE_OPENAI_KEY
from .test_faults import claude_stream

pytestmark = pytest.mark.usefixtures("fake_keys")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DUO_TUI_CONFIG_DIR", str(tmp_path / "user-config"))  # no user config
    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def write_config(repo: Path, anthropic_base: str, openai_base: str, gate: list[str]) -> Path:
    config = repo / "doctor.toml"
    commands = ", ".join(f'"{c}"' for c in gate)
    config.write_text(
        "[roles]\n"
        'planner = "anthropic/claude-opus-4-7"\n'
        'executor = "openai/gpt-5.5"\n'
        f'[providers.anthropic]\napi_base = "{anthropic_base}"\n'
        f'[providers.openai]\napi_base = "{openai_base}"\n'
        f"[gate]\ncommands = [{commands}]\n"
    )
    return config


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_everything_usable_exits_0_and_never_prints_a_key(
    repo: Path, fault_server: FaultServer
) -> None:
    other = FaultServer()  # one peer per provider: the two probes run concurrently
    await other.start()
    try:
        fault_server.push(stream_reply(claude_stream("O")))
        other.push(
            stream_reply(
                [openai_chunk("O"), openai_chunk(finish="length"), openai_usage(9, 1), DONE]
            )
        )
        config = write_config(repo, fault_server.url, other.url + "/v1", ["git status"])
        report = await run_doctor(repo, config, timeout_s=10)
    finally:
        await other.stop()
    text = render(report)
    assert report.exit_code == 0, text
    assert "ANTHROPIC_API_KEY (environment)" in text and "OPENAI_API_KEY (environment)" in text
    assert FAKE_ANTHROPIC_KEY not in text and FAKE_OPENAI_KEY not in text
    assert "anthropic SDK 2." in text and "openai SDK 3." in text
    assert f"base URL: {fault_server.url}" in text
    assert text.count("answers: yes, in ") == 2
    assert "planner, reviewer A: anthropic/claude-opus-4-7" in text
    assert "gate: git status: " in text and "ready: everything is usable" in text
    # a 1-token call each, with no retries
    assert fault_server.requests[0].body["max_tokens"] == 1
    assert other.requests[0].body["max_completion_tokens"] == 1


async def test_an_unreachable_provider_is_named_with_the_error_and_exits_2(
    repo: Path, fault_server: FaultServer
) -> None:
    fault_server.push(stream_reply(claude_stream("O")))
    dead = f"http://127.0.0.1:{closed_port()}/v1"
    config = write_config(repo, fault_server.url, dead, [])
    report = await run_doctor(repo, config, timeout_s=10)
    text = render(report)
    assert report.exit_code == 2
    assert "FAIL executor, reviewer B: openai/gpt-5.5" in text
    assert "answers: no: cannot reach the provider: " in text
    assert "cannot connect" in text.lower() or "connection" in text.lower()
    assert "connect call failed" in text.lower(), "the reason, not only 'Connection error.'"
    assert "ok   planner, reviewer A: anthropic/claude-opus-4-7" in text


async def test_offline_each_provider_says_the_host_cannot_be_found(repo: Path) -> None:
    """No network: an unknown host is named with the resolver's words, for both SDKs."""
    dead = "http://no-such-host.invalid"
    config = write_config(repo, dead, dead + "/v1", [])
    report = await run_doctor(repo, config, timeout_s=10)
    text = render(report)
    assert report.exit_code == 2
    lines = [line for line in text.splitlines() if "answers: no: cannot reach the provider" in line]
    assert len(lines) == 2, text
    for line in lines:
        assert "no-such-host.invalid" in line or "name" in line.lower(), line
        assert line.rstrip().endswith(("known", "resolution", "found", "failed")), line


async def test_a_missing_key_and_a_missing_gate_tool_are_named(
    repo: Path, fault_server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    fault_server.push(stream_reply([openai_chunk("O"), openai_chunk(finish="stop"), DONE]))
    config = write_config(
        repo,
        "https://api.anthropic.invalid",
        fault_server.url + "/v1",
        ["no-such-linter-xyz --check", "git diff"],
    )
    report = await run_doctor(repo, config, timeout_s=10)
    text = render(report)
    assert report.exit_code == 2
    assert "key: missing: set ANTHROPIC_API_KEY" in text
    assert "answers: not tried without a key" in text
    assert "FAIL gate: no-such-linter-xyz --check: no-such-linter-xyz: not found" in text
    assert "ok   gate: git diff: " in text
    assert len(fault_server.requests) == 1, "only the model with a key was called"


async def test_outside_a_repository_and_a_broken_config(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[roles\n")
    report = await run_doctor(tmp_path, bad, timeout_s=5)
    text = render(report)
    assert report.exit_code == 2
    assert "FAIL repository: " in text and "not inside a git repository" in text
    assert "FAIL configuration: " in text and "not valid TOML" in text


def test_the_cli_prints_the_report_and_exits_2_when_not_ready(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}"
    config = write_config(repo, dead, dead + "/v1", [])
    code = main(["doctor", "--repo", str(repo), "--config", str(config), "--timeout", "5"])
    out = capsys.readouterr().out
    assert code == 2
    assert out.count("cannot reach the provider") == 2
    assert out.rstrip().endswith("not ready: 2 problems (FAIL above)")


async def test_a_credential_in_a_base_url_is_not_printed(repo: Path) -> None:
    dead = f"http://admin:hunter2-secret@127.0.0.1:{closed_port()}"
    config = write_config(repo, dead, dead + "/v1", [])
    text = render(await run_doctor(repo, config, timeout_s=5))
    assert "hunter2" not in text and "admin" not in text
    assert "base URL: http://***@127.0.0.1:" in text


async def test_a_reasoning_model_that_cannot_answer_in_one_token_still_answers(
    repo: Path, fault_server: FaultServer
) -> None:
    """gpt-5.x may refuse a 1-token call with "max_tokens or model output limit was
    reached": the key, the model and the network all work, so the model answers."""
    from .test_errors_wire import OUTPUT_LIMIT

    other = FaultServer()
    await other.start()
    try:
        fault_server.push(stream_reply(claude_stream("O")))
        other.push(json_reply(400, OUTPUT_LIMIT))
        config = write_config(repo, fault_server.url, other.url + "/v1", [])
        report = await run_doctor(repo, config, timeout_s=10)
    finally:
        await other.stop()
    text = render(report)
    assert report.exit_code == 0, text
    assert text.count("answers: yes, in ") == 2
