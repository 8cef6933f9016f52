"""A key read through `api_key_env` is redacted by value wherever it could land.

The peer answers the planner with an error whose body echoes the key, the way a
misconfigured proxy does. The key's variable name (`LLM_AUTH`) does not look
like a key's and the value has no key shape: only the configuration says it is
one. Every file under `.duo/`, the JSON report and the captured output must not
hold it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from duo_tui.config import Config
from duo_tui.demo.project import REQUEST
from duo_tui.demo.script import EXECUTOR, PLANNER
from duo_tui.providers import registry
from duo_tui.redact import REDACTED, redact, secret_values
from tests.e2e_peer.peer import DemoPeer
from tests.e2e_peer.support import files_containing, gate_command

# Built at runtime: no key-like literal in the sources. No KEY/TOKEN in the name,
# no sk-/AKIA/... shape in the value.
LLM_AUTH_VALUE = "auth-" + "Zx7q" * 8


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


def _config(path: Path, peer: DemoPeer) -> Path:
    q = json.dumps
    path.write_text(
        f"""[roles]
planner = {q(PLANNER)}
executor = {q(EXECUTOR)}
reviewers = [{q(PLANNER)}, {q(EXECUTOR)}]

[providers.anthropic]
api_base = {q(peer.anthropic_base)}
api_key_env = "LLM_AUTH"
max_retry_wait_s = 0.05

[providers.openai]
api_base = {q(peer.openai_base)}
max_retry_wait_s = 0.05

[gate]
commands = [{q(gate_command())}]
""",
        encoding="utf-8",
    )
    return path


def test_a_key_echoed_by_the_server_lands_nowhere(
    peer: DemoPeer, demo_repo: Path, tmp_path: Path
) -> None:
    peer.fail(
        "anthropic", 401, f"invalid credentials {LLM_AUTH_VALUE} for this proxy", "auth_error"
    )
    report = tmp_path / "report.json"
    env = dict(os.environ)
    env["LLM_AUTH"] = LLM_AUTH_VALUE
    env["OPENAI_API_KEY"] = "sk-peer-" + "q" * 40
    config = _config(tmp_path / "c.toml", peer)
    argv = ["run", REQUEST, "--repo", str(demo_repo), "--config", str(config)]
    proc = subprocess.run(
        [sys.executable, "-m", "duo_tui", *argv, "--json", str(report)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 1, proc.stderr
    # the key did reach the peer, and the peer's error did reach the session
    assert LLM_AUTH_VALUE in peer.credentials()
    data = json.loads(report.read_text())
    assert "invalid credentials" in (data["stop_reason"] or ""), data
    assert REDACTED in data["stop_reason"]
    duo = demo_repo / ".duo"
    written = {p.name for p in duo.rglob("*") if p.is_file()}
    for name in ("session.json", "session.json.bak", "decisions.jsonl", "transcript.jsonl"):
        assert name in written, sorted(written)
    assert files_containing(duo, [LLM_AUTH_VALUE]) == []
    assert LLM_AUTH_VALUE not in report.read_text()
    assert LLM_AUTH_VALUE not in proc.stderr and LLM_AUTH_VALUE not in proc.stdout
    assert "invalid credentials" in proc.stderr


def test_configured_key_variables_are_registered_at_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Loading a configuration makes each variable a key is read from a secret by value."""
    monkeypatch.setenv("GW_CRED", "gw-" + "p4ss" * 4)
    monkeypatch.setenv("MY_DB_DSN", "postgres://u:" + "hunter2" * 3 + "@db/x")
    Config.model_validate(
        {"providers": {"openrouter": {"api_key_env": "GW_CRED"}}, "secrets": {"env": ["MY_DB_DSN"]}}
    )
    values = secret_values()
    assert "gw-" + "p4ss" * 4 in values
    assert redact("dsn=postgres://u:" + "hunter2" * 3 + "@db/x !") == f"dsn={REDACTED} !"
