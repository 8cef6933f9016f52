"""The gate inside bubblewrap: no network, home hidden and read-only, the worktree writable.

Where bwrap is missing or cannot create its namespaces here, the tests that need it
skip with the reason; the mode checks (`resolve_sandbox`) run everywhere.
"""

from __future__ import annotations

import asyncio
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from duo_tui.config import load_config
from duo_tui.core.events import Event, TextDelta
from duo_tui.errors import ConfigError
from duo_tui.vcs import sandbox as sandbox_mod
from duo_tui.vcs.gate import run_gate
from duo_tui.vcs.sandbox import Sandbox, bwrap_problem, resolve_sandbox

PROBLEM = bwrap_problem()
needs_bwrap = pytest.mark.skipif(PROBLEM is not None, reason=f"bubblewrap unusable: {PROBLEM}")
BWRAP = Sandbox("bubblewrap", "")
PY = shlex.quote(sys.executable)


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts and says hello; yields its port."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            conn.sendall(b"hello\n")
            conn.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield srv.getsockname()[1]
    finally:
        stop.set()
        t.join()
        srv.close()


def _connect(port: int) -> str:
    code = (
        f"import socket; s = socket.create_connection(('127.0.0.1', {port}), timeout=3); "
        "print('got', s.recv(10).decode().strip())"
    )
    return f"{PY} -c {shlex.quote(code)}"


@needs_bwrap
async def test_the_network_is_unreachable_inside(tmp_path: Path, listener: int) -> None:
    outside = await run_gate([_connect(listener)], tmp_path, 30)
    assert outside.passed and "got hello" in outside.results[0].output  # the server answers
    inside = await run_gate([_connect(listener)], tmp_path, 30, sandbox=BWRAP)
    assert not inside.passed
    out = inside.results[0].output
    assert "got hello" not in out
    assert "Error" in out, out  # ConnectionRefused / Network is unreachable


@needs_bwrap
async def test_home_is_hidden_and_read_only_the_worktree_writable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("private\n")
    monkeypatch.setenv("HOME", str(home))
    worktree = tmp_path / "wt"
    worktree.mkdir()
    result = await run_gate(
        [
            'echo pwned > "$HOME/.bashrc" && echo HOME-WRITTEN; '
            'cat "$HOME/.ssh/id_ed25519" && echo SSH-READ; '
            "echo made > made.txt && echo WT-WRITTEN; "
            "echo x > /usr/duo-probe 2>/dev/null && echo SYS-WRITTEN; true"
        ],
        worktree,
        30,
        sandbox=BWRAP,
    )
    out = result.results[0].output
    assert "Read-only file system" in out, out
    assert "HOME-WRITTEN" not in out and not (home / ".bashrc").exists()
    assert "SSH-READ" not in out and "private" not in out
    assert "SYS-WRITTEN" not in out and not Path("/usr/duo-probe").exists()
    assert "WT-WRITTEN" in out and (worktree / "made.txt").read_text() == "made\n"


@needs_bwrap
async def test_a_timed_out_command_inside_is_killed(tmp_path: Path) -> None:
    start = time.monotonic()
    result = await run_gate(["sleep 30 & sleep 30"], tmp_path, 1, sandbox=BWRAP)
    assert result.results[0].timed_out
    assert time.monotonic() - start < 10


def test_bubblewrap_asked_for_but_missing_is_an_error_naming_the_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on it
    bwrap_problem.cache_clear()
    try:
        with pytest.raises(ConfigError) as err:
            resolve_sandbox("bubblewrap")
        assert "bwrap is not installed" in str(err.value)
        assert "apt-get install bubblewrap" in str(err.value)
        auto = resolve_sandbox("auto")
        assert auto.mode == "off"
        assert "runs with your permissions" in auto.describe()
    finally:
        bwrap_problem.cache_clear()
    assert resolve_sandbox("off").mode == "off"


def test_unusable_bwrap_is_reported_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    bwrap_problem.cache_clear()
    try:
        with pytest.raises(ConfigError, match="No permissions to create new namespace"):
            resolve_sandbox("bubblewrap")
    finally:
        bwrap_problem.cache_clear()


def test_the_sandbox_setting_is_validated(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text('[gate]\nsandbox = "docker"\n')
    with pytest.raises(ConfigError, match=r"gate\.sandbox"):
        load_config(None, bad)


def test_the_gate_pane_and_log_show_the_mode(demo_repo: Path) -> None:
    """The demo session's gate: the first line of the gate stream names the sandbox."""
    from duo_tui.core.runner import HeadlessDriver
    from duo_tui.demo.project import REQUEST
    from duo_tui.service import demo_config, open_new

    events: list[Event] = []
    ws = open_new(
        demo_repo,
        REQUEST,
        demo_config(),
        driver=HeadlessDriver(),
        autopilot=True,
        demo=True,
        listeners=[events.append],
    )
    try:
        report = asyncio.run(ws.pipeline.run())
    finally:
        ws.close()
    gate_lines = [e.text for e in events if isinstance(e, TextDelta) and e.stream == "gate"]
    expected = sandbox_mod.resolve_sandbox("auto").describe()
    assert gate_lines[0] == f"$ gate round 1 · {expected}\n", gate_lines[:3]
    assert report["gate_sandbox"] == expected
    log = next((demo_repo / ".duo").rglob("gate.log")).read_text()
    assert log.startswith(f"# {expected}\n")


def test_run_refuses_a_required_sandbox_before_making_a_branch(
    demo_repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    listener: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`[gate] sandbox = "bubblewrap"` where bwrap is missing: exit 2 at once, naming the fix."""
    from duo_tui.cli import main

    monkeypatch.setattr(sandbox_mod, "bwrap_problem", lambda: "bwrap is not installed")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-" + "t" * 30)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-" + "t" * 30)
    base = f"http://127.0.0.1:{listener}"
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f'[providers.anthropic]\napi_base = "{base}"\n[providers.openai]\napi_base = "{base}"\n'
        '[gate]\ncommands = ["true"]\nsandbox = "bubblewrap"\n'
    )
    code = main(["run", "add a feature", "--repo", str(demo_repo), "--config", str(cfg)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "bwrap is not installed" in err and "apt-get install bubblewrap" in err
    branches = subprocess.run(
        ["git", "branch", "--list", "duo/*"], cwd=demo_repo, capture_output=True, text=True
    ).stdout
    assert branches.strip() == ""
