"""Fixtures for the session store tests: a throw-away git repository, sessions, child processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from duo_tui.core.session import Session

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository."""
    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


@pytest.fixture
def make_session() -> Callable[..., Session]:
    def make(sid: str = "2026-11-21-add-rate-limit", request: str = "Add rate limit", **kw: object):
        return Session(id=sid, slug=sid[11:] or "s", request=request, **kw)  # type: ignore[arg-type]

    return make


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture
def spawn() -> Callable[[str], subprocess.Popen[str]]:
    """Start `python -c <code>` (dedented) as a child with the project importable."""
    procs: list[subprocess.Popen[str]] = []

    def start(code: str, *args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        procs.append(proc)
        return proc

    yield start  # type: ignore[misc]
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


@pytest.fixture
def wait_for_line() -> Callable[..., None]:
    """`wait_for_line(proc, "READY")`: block until the child prints that line."""
    return _wait_for_line


def _wait_for_line(proc: subprocess.Popen[str], expected: str, timeout: float = 20.0) -> None:
    """Read the child's stdout until a line equal to `expected` (fail on EOF)."""
    import selectors
    import time

    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sel.select(timeout=0.2):
            line = proc.stdout.readline()
            if not line:
                err = proc.stderr.read() if proc.stderr else ""
                raise AssertionError(f"child exited before {expected!r}: {err}")
            if line.strip() == expected:
                return
    raise AssertionError(f"child did not print {expected!r} within {timeout}s")
