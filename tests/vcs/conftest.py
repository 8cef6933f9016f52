"""Fixtures for the vcs tests: throw-away git repositories, independent of global git config."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

GitFn = Callable[..., str]


def _git(cwd: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No global/system git config, no inherited identity or GIT_* redirections."""
    home = tmp_path_factory.mktemp("gitglobal")
    cfg = home / "gitconfig"
    cfg.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def git() -> GitFn:
    """`git(cwd, *args)` → stdout; raises AssertionError on failure."""
    return _git


def make_repo(path: Path, identity: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "-q", "-b", "main")
    if identity:
        _git(path, "config", "user.name", "Ada Lovelace")
        _git(path, "config", "user.email", "ada@example.com")
    _git(path, "config", "commit.gpgsign", "false")
    return path


def commit_all(path: Path, message: str = "chore: initial") -> str:
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", message)
    return _git(path, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository on `main` with a few committed files."""
    root = make_repo(tmp_path / "repo")
    (root / "app").mkdir()
    (root / "app" / "x.py").write_text("".join(f"line {i}\n" for i in range(1, 101)))
    (root / "app" / "y.py").write_text("print('y')\n")
    (root / "README.md").write_text("# demo\n")
    (root / ".gitignore").write_text("*.log\n")
    commit_all(root)
    return root


@pytest.fixture
def make_repo_fn() -> Callable[..., Path]:
    return make_repo


@pytest.fixture
def commit_all_fn() -> Callable[..., str]:
    return commit_all
