"""SessionWorktree: creation, reattaching, snapshots and diffs, and their speed."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from duo_tui.errors import GitError
from duo_tui.vcs.diff import parse_diff
from duo_tui.vcs.repo import ensure_excluded
from duo_tui.vcs.worktree import SessionWorktree

from .checkout_state import dirty_user_tree, user_state

# ----------------------------------------------------------------------------- creation


def test_create_leaves_user_checkout_untouched(repo: Path, git: Callable[..., str]) -> None:
    dirty_user_tree(repo, git)
    before = user_state(repo, git)
    wt = SessionWorktree.create(repo, "add-rate-limit")
    after = user_state(repo, git)
    assert before == after
    assert wt.branch == "duo/add-rate-limit"
    assert wt.path == repo / ".duo" / "worktrees" / "add-rate-limit"
    assert git(repo, "rev-parse", "duo/add-rate-limit") == before["head"]
    assert wt.base == str(before["head"]).strip()
    # the worktree starts from HEAD, without the user's uncommitted changes
    assert (wt.path / "README.md").read_text() == "# demo\n"
    assert not (wt.path / "notes.txt").exists()
    assert git(wt.path, "symbolic-ref", "HEAD").strip() == "refs/heads/duo/add-rate-limit"


def test_exclude_entry_is_idempotent(repo: Path, git: Callable[..., str]) -> None:
    SessionWorktree.create(repo, "one")
    SessionWorktree.create(repo, "two")
    exclude = (repo / ".git" / "info" / "exclude").read_text()
    assert exclude.count("/.duo/") == 1
    assert ".duo" not in git(repo, "status", "--porcelain", "-uall")
    assert ensure_excluded(repo / ".git") is False


def test_branch_collision_gets_suffix(repo: Path, git: Callable[..., str]) -> None:
    a = SessionWorktree.create(repo, "fix")
    b = SessionWorktree.create(repo, "fix")
    c = SessionWorktree.create(repo, "fix")
    assert (a.branch, b.branch, c.branch) == ("duo/fix", "duo/fix-2", "duo/fix-3")
    assert b.path.name == "fix-2" and b.path.is_dir()


def test_create_errors(tmp_path: Path, make_repo_fn: Callable[..., Path]) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError, match="not a git repository"):
        SessionWorktree.create(plain, "x")
    empty = make_repo_fn(tmp_path / "empty")
    with pytest.raises(GitError, match="no commits yet"):
        SessionWorktree.create(empty, "x")
    with pytest.raises(GitError, match="invalid session slug"):
        SessionWorktree.create(empty, "../evil")


def test_create_from_linked_worktree(repo: Path, git: Callable[..., str], tmp_path: Path) -> None:
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", "-b", "feature", str(linked))
    wt = SessionWorktree.create(linked, "s")
    assert wt.path == linked.resolve() / ".duo" / "worktrees" / "s"
    assert "/.duo/" in (repo / ".git" / "info" / "exclude").read_text()
    assert ".duo" not in git(linked, "status", "--porcelain", "-uall")
    assert git(repo, "rev-parse", "duo/s") == git(linked, "rev-parse", "feature")


def test_open_reattaches_and_recreates(repo: Path, git: Callable[..., str]) -> None:
    import shutil

    wt = SessionWorktree.create(repo, "resume-me")
    (wt.path / "new.py").write_text("x = 1\n")
    sha = wt.commit("feat: add new module")
    again = SessionWorktree.open(repo, "duo/resume-me")
    assert again.path == wt.path.resolve()
    assert again.base == wt.base
    shutil.rmtree(wt.path)
    revived = SessionWorktree.open(repo, "resume-me", wt.path)
    assert revived.path.is_dir()
    assert (revived.path / "new.py").read_text() == "x = 1\n"
    assert revived.head() == sha
    with pytest.raises(GitError, match="no longer exists"):
        SessionWorktree.open(repo, "duo/nope")


def test_other_missing_worktrees_are_not_pruned(
    repo: Path, git: Callable[..., str], tmp_path: Path
) -> None:
    import shutil

    other = tmp_path / "on-usb-drive"
    git(repo, "worktree", "add", "-q", "-b", "usb", str(other))
    shutil.rmtree(other)  # e.g. an unmounted drive: git must keep its registration
    wt = SessionWorktree.create(repo, "s")
    shutil.rmtree(wt.path)
    wt = SessionWorktree.open(repo, "s")
    (wt.path / "f.txt").write_text("f\n")
    wt.commit("feat: f")
    wt.remove()
    assert str(other) in git(repo, "worktree", "list", "--porcelain")


def test_create_skips_stale_registered_path(repo: Path, git: Callable[..., str]) -> None:
    import shutil

    wt = SessionWorktree.create(repo, "s")
    shutil.rmtree(wt.path)
    git(
        repo, "update-ref", "-d", "refs/heads/duo/s"
    )  # the registration of .duo/worktrees/s remains
    again = SessionWorktree.create(repo, "s")
    assert again.branch == "duo/s-2" and again.path.is_dir()


def test_user_changes_reported(repo: Path, git: Callable[..., str]) -> None:
    wt = SessionWorktree.create(repo, "s")
    assert wt.user_changes() == []
    dirty_user_tree(repo, git)
    changes = wt.user_changes()
    assert " M README.md" in changes
    assert "M  app/y.py" in changes
    assert "?? notes.txt" in changes
    assert not any(".duo" in c for c in changes)


# ----------------------------------------------------------------------------- snapshot, diff


def test_snapshot_and_restore_with_untracked(repo: Path) -> None:
    wt = SessionWorktree.create(repo, "s")
    p = wt.path
    index_before = (wt.git_dir / "index").read_bytes()
    (p / "app" / "x.py").write_text("changed\n")
    (p / "README.md").unlink()
    (p / "pkg" / "sub").mkdir(parents=True)
    (p / "pkg" / "sub" / "new.py").write_text("new\n")
    (p / "debug.log").write_text("ignored\n")
    snap = wt.snapshot()
    assert (wt.git_dir / "index").read_bytes() == index_before

    (p / "app" / "x.py").write_text("changed again\n")
    (p / "app" / "y.py").unlink()
    (p / "README.md").write_text("back\n")
    (p / "other").mkdir()
    (p / "other" / "junk.py").write_text("junk\n")
    (p / "pkg" / "sub" / "new.py").unlink()
    (p / "debug.log").write_text("ignored, changed\n")

    wt.restore(snap)
    assert (p / "app" / "x.py").read_text() == "changed\n"
    assert (p / "app" / "y.py").read_text() == "print('y')\n"
    assert not (p / "README.md").exists()
    assert (p / "pkg" / "sub" / "new.py").read_text() == "new\n"
    assert not (p / "other").exists()
    assert (p / "debug.log").read_text() == "ignored, changed\n"  # ignored: untouched
    assert wt.snapshot() == snap
    # back to the pristine branch state
    wt.restore("HEAD")
    assert wt.changed_paths() == []
    assert (p / "README.md").read_text() == "# demo\n"
    with pytest.raises(GitError):
        wt.restore("not-a-tree")


def test_diff_includes_untracked_and_deleted(repo: Path) -> None:
    wt = SessionWorktree.create(repo, "s")
    p = wt.path
    (p / "app" / "x.py").write_text((p / "app" / "x.py").read_text().replace("line 50", "LINE 50"))
    (p / "app" / "new.py").write_text("def f():\n    return 1\n")
    (p / "README.md").unlink()
    (p / "debug.log").write_text("ignored\n")
    files = {f.path: f for f in parse_diff(wt.diff())}
    assert set(files) == {"app/x.py", "app/new.py", "README.md"}
    assert files["app/new.py"].status == "added"
    assert files["README.md"].status == "deleted"
    assert files["app/x.py"].status == "modified"
    assert (files["app/x.py"].added, files["app/x.py"].removed) == (1, 1)
    assert sorted(wt.changed_paths()) == ["README.md", "app/new.py", "app/x.py"]


def test_diff_stages_in_the_session_index_only(repo: Path, git: Callable[..., str]) -> None:
    """The diff against HEAD is staged in the worktree's own index, never the user's."""
    wt = SessionWorktree.create(repo, "s")
    before = user_state(repo, git)
    (wt.path / "app" / "new.py").write_text("def f():\n    return 1\n")
    (wt.path / "README.md").unlink()
    patch = wt.diff()
    assert git(wt.path, "diff", "--cached", "--no-color") == patch
    assert user_state(repo, git) == before
    # an older base still goes through a temporary index: nothing more is staged
    staged = git(wt.path, "ls-files", "--stage")
    wt.diff(wt.base)
    assert git(wt.path, "ls-files", "--stage") == staged


def _count_git(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the git subcommand of every `run` the diff and the commit make."""
    import duo_tui.vcs.commit as commit
    import duo_tui.vcs.gitcmd as gitcmd
    import duo_tui.vcs.snapshot as snapshot

    calls: list[str] = []
    real = gitcmd.run

    def counted(cwd: Path, *args: str, **kw: object) -> str:
        calls.append(next(a for a in args if not a.startswith("-")))
        return real(cwd, *args, **kw)  # type: ignore[arg-type]

    for module in (snapshot, commit):
        monkeypatch.setattr(module, "run", counted)
    return calls


def test_commit_reuses_the_patch_the_diff_showed(
    repo: Path, git: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wt = SessionWorktree.create(repo, "s")
    (wt.path / "a.txt").write_text("a\n")
    calls = _count_git(monkeypatch)
    wt.diff()
    sha = wt.commit("feat: a")
    assert calls == ["add", "diff", "add", "commit"]  # no second diff for the secret scan
    assert git(wt.path, "show", "--format=", "--name-only", sha) == "a.txt\n"
    # without a diff shown first, commit asks git for the staged patch itself
    (wt.path / "b.txt").write_text("b\n")
    calls.clear()
    wt.commit("feat: b")
    assert calls == ["add", "diff", "commit"]


def test_commit_scans_what_changed_after_the_diff(
    repo: Path, git: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file edited between `diff()` and `commit()` is scanned and committed as it is now."""
    wt = SessionWorktree.create(repo, "s")
    settings = wt.path / "app" / "settings.py"
    settings.write_text("API = 'placeholder-value-that-is-40-characters-long'\n")
    wt.diff()
    fake = "sk-ant-" + "abcDEF1234" * 4
    settings.write_text(f"API = '{fake}'\n")  # same size, same second: git's racy case
    with pytest.raises(GitError, match=r"app/settings\.py:1"):
        wt.commit("feat: settings")
    assert wt.head() == wt.base

    settings.write_text("API = 'placeholder-value-that-is-40-characters-long'\n")
    wt.diff()
    settings.write_text("API = 'another-placeholder-but-also-40-chars-ok'\n")
    calls = _count_git(monkeypatch)
    sha = wt.commit("feat: settings")
    assert calls == ["add", "diff", "commit"]  # the index changed: the shown patch is stale
    assert "another-placeholder" in git(wt.path, "show", f"{sha}:app/settings.py")

    # the index rewritten by someone else since the diff: not trusted either
    (wt.path / "c.txt").write_text("c\n")
    wt.diff()
    git(wt.path, "reset", "-q")
    git(wt.path, "add", "-A")
    calls.clear()
    wt.commit("feat: c")
    assert calls == ["add", "diff", "commit"]


def test_diff_against_older_base(repo: Path) -> None:
    wt = SessionWorktree.create(repo, "s")
    (wt.path / "a.txt").write_text("one\n")
    wt.commit("feat: one")
    (wt.path / "b.txt").write_text("two\n")
    assert [f.path for f in parse_diff(wt.diff())] == ["b.txt"]
    assert sorted(f.path for f in parse_diff(wt.diff(wt.base))) == ["a.txt", "b.txt"]


# ----------------------------------------------------------------------------- timing


def _diff_and_commit_50_files(repo: Path) -> float:
    """Diff and commit 50 new files; return the seconds both took."""
    wt = SessionWorktree.create(repo, "perf")
    for i in range(50):
        d = wt.path / "pkg" / f"m{i // 10}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i}.py").write_text("".join(f"value_{j} = {j * i}\n" for j in range(40)))
    t0 = time.perf_counter()
    files = parse_diff(wt.diff())
    t1 = time.perf_counter()
    sha = wt.commit("feat(pkg): fifty modules", [f.path for f in files])
    t2 = time.perf_counter()
    assert len(files) == 50 and sha
    print(
        f"\n50-file diff {1000 * (t1 - t0):.1f} ms + commit {1000 * (t2 - t1):.1f} ms "
        f"= {1000 * (t2 - t0):.1f} ms"
    )
    return t2 - t0


def test_diff_and_commit_50_files(repo: Path) -> None:
    _diff_and_commit_50_files(repo)


@pytest.mark.perf
def test_timing_diff_and_commit_50_files(repo: Path) -> None:
    assert _diff_and_commit_50_files(repo) < 5.0  # generous: only catches pathological slowness
