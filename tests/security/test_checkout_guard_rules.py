"""Issue 16: what the worktree guard accepts and refuses, with real git worktrees."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from duo_tui.vcs.guard import WorktreeGuardError, verify_session_worktree

from .checkout import git


def make_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    (path / "app.py").write_text("x = 1\n")
    (path / "sub").mkdir()
    (path / "sub" / "mod.py").write_text("y = 2\n")
    git(path, "add", "-A")
    git(path, "commit", "-qm", "init")
    return path


def add_worktree(repo: Path, where: Path, branch: str) -> Path:
    git(repo, "worktree", "add", "-q", "-b", branch, str(where), "HEAD")
    return where


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


def test_a_session_worktree_passes(repo: Path) -> None:
    wt = add_worktree(repo, repo / ".duo" / "worktrees" / "s", "duo/s")
    assert verify_session_worktree(wt, repo) == wt.resolve()


@pytest.mark.parametrize(
    "target",
    [
        lambda repo: repo,  # the user's checkout
        lambda repo: repo.parent,  # a folder holding it
        lambda repo: repo / "sub",  # a folder inside it
        lambda repo: repo / ".duo" / "worktrees" / "gone",  # a missing folder
        lambda repo: None,  # no worktree at all
    ],
    ids=["checkout", "parent", "subfolder", "missing", "none"],
)
def test_the_checkout_and_its_surroundings_are_refused(repo: Path, target: object) -> None:
    with pytest.raises(WorktreeGuardError, match="refusing"):
        verify_session_worktree(target(repo), repo)  # type: ignore[operator]


def test_a_worktree_of_another_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    other = make_repo(tmp_path / "other")
    wt = add_worktree(other, repo / ".duo" / "worktrees" / "x", "duo/x")
    with pytest.raises(WorktreeGuardError, match="another repository"):
        verify_session_worktree(wt, repo)


def test_a_worktree_not_on_a_duo_branch_is_refused(repo: Path) -> None:
    wt = add_worktree(repo, repo / ".duo" / "worktrees" / "f", "feature")
    with pytest.raises(WorktreeGuardError, match="not a duo"):
        verify_session_worktree(wt, repo)
    subprocess.run(["git", "checkout", "-q", "--detach"], cwd=wt, check=True)
    with pytest.raises(WorktreeGuardError, match=r"detached|not a duo"):
        verify_session_worktree(wt, repo)


def test_a_nested_folder_of_a_session_worktree_is_refused(repo: Path) -> None:
    wt = add_worktree(repo, repo / ".duo" / "worktrees" / "s", "duo/s")
    with pytest.raises(WorktreeGuardError, match="not the top"):
        verify_session_worktree(wt / "sub", repo)
