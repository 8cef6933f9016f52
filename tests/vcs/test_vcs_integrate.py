"""Applying a session to the user's branch (merge, cherry-pick, refusals, clean aborts); removing the worktree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from duo_tui.errors import GitError
from duo_tui.vcs.worktree import SessionWorktree

from .checkout_state import user_state

# ----------------------------------------------------------------------------- apply


def session_with_commits(repo: Path) -> SessionWorktree:
    wt = SessionWorktree.create(repo, "s")
    x = wt.path / "app" / "x.py"
    x.write_text(x.read_text().replace("line 10\n", "line ten\n"))
    wt.commit("fix(app): spell ten")
    (wt.path / "app" / "z.py").write_text("z = 1\n")
    wt.commit("feat(app): add z")
    return wt


def test_merge_into_user_branch(repo: Path, git: Callable[..., str]) -> None:
    wt = session_with_commits(repo)
    (repo / "README.md").write_text("# demo\nuser edit kept\n")  # unrelated dirty file
    (repo / "scratch.txt").write_text("untracked, unrelated\n")
    old_head = git(repo, "rev-parse", "HEAD").strip()
    new_head = wt.apply_to_user_branch("merge")
    assert git(repo, "rev-parse", "HEAD").strip() == new_head
    parents = git(repo, "rev-list", "--parents", "-n", "1", new_head).split()
    assert parents[1:] == [old_head, wt.head()]
    assert git(repo, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
    assert (repo / "app" / "z.py").read_text() == "z = 1\n"
    assert "line ten" in (repo / "app" / "x.py").read_text()
    assert (repo / "README.md").read_text() == "# demo\nuser edit kept\n"
    assert (repo / "scratch.txt").exists()
    with pytest.raises(GitError, match="nothing to apply"):
        wt.apply_to_user_branch("merge")


def test_cherry_pick_into_user_branch(repo: Path, git: Callable[..., str]) -> None:
    wt = session_with_commits(repo)
    old_head = git(repo, "rev-parse", "HEAD").strip()
    new_head = wt.apply_to_user_branch("cherry-pick")
    log = git(repo, "log", "--format=%s", f"{old_head}..{new_head}").splitlines()
    assert log == ["feat(app): add z", "fix(app): spell ten"]
    assert git(repo, "rev-list", "--merges", f"{old_head}..HEAD") == ""
    assert (repo / "app" / "z.py").exists()
    with pytest.raises(GitError, match="nothing to apply"):
        wt.apply_to_user_branch("cherry-pick")


def test_apply_refuses_dirty_overlap(repo: Path, git: Callable[..., str]) -> None:
    wt = session_with_commits(repo)
    (repo / "app" / "x.py").write_text("user is editing this\n")
    (repo / "app" / "z.py").write_text("untracked in the way\n")
    before = user_state(repo, git)
    for how in ("merge", "cherry-pick"):
        with pytest.raises(GitError) as info:
            wt.apply_to_user_branch(how)  # type: ignore[arg-type]
        assert "app/x.py" in str(info.value) and "app/z.py" in str(info.value)
    assert user_state(repo, git) == before


def test_apply_refuses_staged_changes(repo: Path, git: Callable[..., str]) -> None:
    wt = session_with_commits(repo)
    (repo / "README.md").write_text("staged\n")
    git(repo, "add", "README.md")
    with pytest.raises(GitError, match="staged"):
        wt.apply_to_user_branch("merge")


@pytest.mark.parametrize("how", ["merge", "cherry-pick"])
def test_conflict_aborts_cleanly(repo: Path, git: Callable[..., str], how: str) -> None:
    wt = session_with_commits(repo)
    x = repo / "app" / "x.py"
    x.write_text(x.read_text().replace("line 10\n", "line TEN (user)\n"))
    git(repo, "commit", "-qam", "fix: user spelling")
    (repo / "README.md").write_text("# demo\nunrelated dirty edit\n")
    before = user_state(repo, git, index_bytes=False)
    with pytest.raises(GitError) as info:
        wt.apply_to_user_branch(how)  # type: ignore[arg-type]
    assert "conflicts" in str(info.value) and "app/x.py" in str(info.value)
    assert user_state(repo, git, index_bytes=False) == before
    assert not (repo / ".git" / "MERGE_HEAD").exists()
    assert not (repo / ".git" / "CHERRY_PICK_HEAD").exists()
    assert not (repo / ".git" / "sequencer").exists()


def test_cherry_pick_conflict_on_second_commit_restores_branch(
    repo: Path, git: Callable[..., str]
) -> None:
    wt = SessionWorktree.create(repo, "s")
    (wt.path / "first.txt").write_text("first\n")
    wt.commit("feat: first")
    x = wt.path / "app" / "x.py"
    x.write_text(x.read_text().replace("line 10\n", "line ten\n"))
    wt.commit("fix: second")
    x_user = repo / "app" / "x.py"
    x_user.write_text(x_user.read_text().replace("line 10\n", "line 10 (user)\n"))
    git(repo, "commit", "-qam", "fix: user")
    before = user_state(repo, git, index_bytes=False)
    with pytest.raises(GitError, match=r"app/x\.py"):
        wt.apply_to_user_branch("cherry-pick")
    assert user_state(repo, git, index_bytes=False) == before
    assert not (repo / "first.txt").exists()


def test_apply_refuses_detached_head(repo: Path, git: Callable[..., str]) -> None:
    wt = session_with_commits(repo)
    git(repo, "checkout", "-q", "--detach")
    with pytest.raises(GitError, match="detached"):
        wt.apply_to_user_branch("merge")


# ----------------------------------------------------------------------------- remove


def test_remove_keeps_branch(repo: Path, git: Callable[..., str]) -> None:
    wt = SessionWorktree.create(repo, "s")
    (wt.path / "wip.txt").write_text("wip\n")
    with pytest.raises(GitError, match="uncommitted"):
        wt.remove()
    wt.commit("feat: wip")
    (wt.path / "cache.log").write_text("ignored\n")
    wt.remove()
    assert not wt.path.exists()
    assert "duo/s" in git(repo, "branch", "--list", "duo/s")
    assert str(wt.path) not in git(repo, "worktree", "list")
