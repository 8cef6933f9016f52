"""vcs/repo.py: one `.duo/` exclude rule for store and worktree, repository facts via gitcmd."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from duo_tui.core.context import repo_overview, tracked_files
from duo_tui.errors import ConfigError
from duo_tui.service import create_demo_repo, find_repo
from duo_tui.store.session_store import ensure_git_excluded
from duo_tui.vcs.repo import EXCLUDE_LINE, ensure_excluded, git_common_dir
from duo_tui.vcs.worktree import SessionWorktree


@pytest.mark.parametrize("existing", [".duo/**", "/.duo/**", ".duo", "/.duo/*"])
def test_store_accepts_every_equivalent_line(repo: Path, existing: str) -> None:
    """A user's `.duo/**` already keeps sessions out of git: nothing is added."""
    exclude = repo / ".git/info/exclude"
    exclude.write_text(f"# mine\n{existing}\n")
    assert ensure_git_excluded(repo) is True
    assert exclude.read_text() == f"# mine\n{existing}\n"


def test_store_then_worktree_write_one_line(repo: Path) -> None:
    ensure_git_excluded(repo)
    SessionWorktree.create(repo, "one-line")
    lines = (repo / ".git/info/exclude").read_text().splitlines()
    assert lines.count(EXCLUDE_LINE) == 1
    assert not {".duo/", ".duo"} & set(lines)


def test_exclude_keeps_bytes_that_are_not_utf8(repo: Path) -> None:
    """The user's own exclude lines survive byte for byte (latin-1 names included)."""
    exclude = repo / ".git/info/exclude"
    exclude.write_bytes(b"caf\xe9.tmp\nno-final-newline")
    assert ensure_git_excluded(repo) is True
    assert exclude.read_bytes() == (
        b"caf\xe9.tmp\nno-final-newline\n# duo-tui sessions and worktrees\n/.duo/\n"
    )
    assert ensure_excluded(repo / ".git") is False  # idempotent


def test_common_dir_without_a_repository(tmp_path: Path) -> None:
    assert git_common_dir(tmp_path) is None
    assert ensure_git_excluded(tmp_path) is False
    assert (tmp_path / ".duo/.gitignore").read_text().endswith("*\n")


def test_overview_names_non_ascii_files_as_they_are(repo: Path, git: Callable[..., str]) -> None:
    (repo / "café.py").write_text("x = 1\n")
    git(repo, "add", "café.py")
    git(repo, "commit", "-q", "-m", "feat: café")
    assert "café.py" in tracked_files(repo)
    assert "café.py" in repo_overview(repo)
    assert "\\303" not in repo_overview(repo)


def test_tracked_files_falls_back_outside_git(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / ".duo").mkdir()
    (tmp_path / ".duo" / "s.json").write_text("{}")
    assert tracked_files(tmp_path) == ["a.txt"]


def test_find_repo(repo: Path, tmp_path: Path, git: Callable[..., str]) -> None:
    (repo / "app" / "deep").mkdir()
    assert find_repo(repo / "app" / "deep") == repo.resolve()
    with pytest.raises(ConfigError, match="not inside a git repository"):
        find_repo(tmp_path)
    with pytest.raises(ConfigError, match="not a directory"):
        find_repo(repo / "README.md")  # a file, not a directory: a clear error
    demo = create_demo_repo(tmp_path / "demo")
    assert git(demo, "log", "--format=%an|%s").strip() == (
        "duo demo|chore: the shop project before the demo session"
    )
    assert git(demo, "status", "--porcelain").strip() == ""
