"""Headless `duo-tui run`: Ctrl+C (or SIGTERM) stops it with the report written and the
session resumable; `run --resume` then finishes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REQUEST = "Add percentage discount codes to the cart"


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "duo_tui", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=dict(os.environ),
    )


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_run_with_the_report_written(
    tmp_path: Path, sig: signal.Signals, status: int
) -> None:
    repo, report = tmp_path / "demo", tmp_path / "report.json"
    proc = _start(["run", REQUEST, "--demo", "--repo", str(repo), "--json", str(report)], tmp_path)
    try:
        assert proc.stderr is not None
        line = ""
        deadline = time.monotonic() + 30
        while "session " not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()  # "session ID on BRANCH in WORKTREE"
        assert line.startswith("session "), line
        proc.send_signal(sig)
        sent = time.monotonic()
        _out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert time.monotonic() - sent < 3
    assert proc.returncode == status, err
    assert "Traceback" not in err
    data = json.loads(report.read_text())
    assert data["converged"] is False
    assert data["interrupted"] == sig.name
    session_id = data["session"]
    assert f"duo-tui run --resume {session_id} --repo {repo}" in data["stop_reason"]
    assert (repo / ".duo" / "sessions" / session_id / "lock").read_text() == ""

    # The stopped session continues where it was and converges.
    resume = ["run", "--resume", session_id, "--repo", str(repo), "--json", str(report)]
    done = subprocess.run(
        [sys.executable, "-m", "duo_tui", *resume],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(report.read_text())["converged"] is True
