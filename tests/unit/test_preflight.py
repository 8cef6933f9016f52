"""`duo-tui` and `duo-tui resume` check the repository, the configuration and the keys
before asking for anything: on a problem they print the reason and the fix on stderr,
name `duo-tui --demo`, and exit 2 -- also without a terminal, and quickly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

KEYS = ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY")


def _duo(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in KEYS}
    env["DUO_TUI_CONFIG_DIR"] = str(home)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return subprocess.run(
        [sys.executable, "-m", "duo_tui", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,  # the old workbench waited forever here
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    d = tmp_path / "config-home"
    d.mkdir()
    return d


def _assert_bad(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    for w in (*words, "fix:", "duo-tui --demo"):
        assert w in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_outside_a_repository(tmp_path: Path, home: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    _assert_bad(_duo(cwd=bare, home=home), "not inside a git repository")


def test_resume_outside_a_repository(tmp_path: Path, home: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    _assert_bad(_duo("resume", cwd=bare, home=home), "not inside a git repository")


def test_without_a_key(demo_repo: Path, home: Path) -> None:
    _assert_bad(_duo(cwd=demo_repo, home=home), "no API key", "ANTHROPIC_API_KEY")


def test_with_a_broken_repository_config(demo_repo: Path, home: Path) -> None:
    (demo_repo / ".duo").mkdir()
    (demo_repo / ".duo" / "config.toml").write_text("[roles\nplanner = \n")
    _assert_bad(_duo(cwd=demo_repo, home=home), "configuration cannot be used", "config.toml")


def test_resume_without_sessions(demo_repo: Path, home: Path) -> None:
    _assert_bad(_duo("resume", cwd=demo_repo, home=home), "no session to resume")
    _assert_bad(_duo("resume", "nope", cwd=demo_repo, home=home), "no session 'nope'")


def test_demo_into_a_directory_that_is_not_empty(tmp_path: Path, home: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    proc = _duo("--demo", "--repo", str(full), cwd=tmp_path, home=home)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "new or empty directory" in proc.stderr and "fix:" in proc.stderr
    assert (full / "keep.txt").read_text() == "mine"
