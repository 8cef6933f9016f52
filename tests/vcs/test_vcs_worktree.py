"""SessionWorktree: creation, snapshots, diffs, commits, undo, applying to the user's branch."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from duo_tui.errors import GitError
from duo_tui.vcs.commit import validate_commit_message
from duo_tui.vcs.diff import parse_diff
from duo_tui.vcs.repo import ensure_excluded
from duo_tui.vcs.secret_scan import scan_patch_for_secrets
from duo_tui.vcs.worktree import SessionWorktree


def user_state(root: Path, git: Callable[..., str], index_bytes: bool = True) -> dict[str, object]:
    """Everything about the user's checkout that a session must not change.

    `index_bytes=False` compares the index by content (`ls-files --stage`) instead of
    byte for byte: an aborted merge necessarily rewrites the index file.
    """
    files = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if rel.parts[0] in (".git", ".duo") or not p.is_file():
            continue
        files[str(rel)] = p.read_bytes()
    return {
        "head": git(root, "rev-parse", "HEAD"),
        "branch": git(root, "symbolic-ref", "HEAD"),
        "status": git(root, "status", "--porcelain=v1", "-uall"),
        "staged": git(root, "diff", "--cached"),
        "index": (root / ".git" / "index").read_bytes()
        if index_bytes
        else git(root, "ls-files", "--stage"),
        "files": files,
    }


def dirty_user_tree(root: Path, git: Callable[..., str]) -> None:
    (root / "README.md").write_text("# demo\nuser edit\n")
    (root / "notes.txt").write_text("untracked user file\n")
    (root / "app" / "y.py").write_text("print('staged')\n")
    git(root, "add", "app/y.py")


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


# ----------------------------------------------------------------------------- commits


def test_commit_only_accepted_paths(repo: Path, git: Callable[..., str]) -> None:
    wt = SessionWorktree.create(repo, "s")
    p = wt.path
    (p / "app" / "x.py").write_text("accepted\n")
    (p / "app" / "y.py").write_text("not accepted\n")
    (p / "app" / "new.py").write_text("new\n")
    (p / "README.md").unlink()
    sha = wt.commit("feat(app): accepted parts", ["app/x.py", "app/new.py", "README.md"])
    shown = git(p, "show", "--name-status", "--format=%an <%ae>%n%B", sha)
    assert "Ada Lovelace <ada@example.com>" in shown
    assert "Duo-Session: duo/s" in shown
    names = git(p, "show", "--name-only", "--format=", sha).split()
    assert sorted(names) == ["README.md", "app/new.py", "app/x.py"]
    assert wt.changed_paths() == ["app/y.py"]
    assert git(p, "diff", "--cached") == ""
    assert wt.last_note is None
    assert git(repo, "rev-parse", "main") == git(repo, "rev-parse", f"{wt.base}")


def test_commit_nothing_and_unknown_path(repo: Path) -> None:
    wt = SessionWorktree.create(repo, "s")
    with pytest.raises(GitError, match="nothing to commit"):
        wt.commit("fix: nothing")
    (wt.path / "a.txt").write_text("a\n")
    with pytest.raises(GitError):
        wt.commit("fix: missing", ["does/not/exist.py"])


@pytest.mark.parametrize(
    "subject",
    [
        "feat: add x",
        "fix(api): reject expired tokens",
        "refactor(core/store)!: drop v0 format",
        "feat!: breaking",
        "docs(readme): typo\n\nLonger body.",
        "revert: feat: add x",
    ],
)
def test_conventional_subject_ok(subject: str) -> None:
    assert validate_commit_message(subject) == subject.splitlines()[0]


@pytest.mark.parametrize(
    "subject",
    [
        "",
        "add x",
        "feature: add x",
        "feat:add x",
        "feat(): add x",
        "feat(api) : add x",
        "fix: ",
        "fix: subject\nbody without blank line",
    ],
)
def test_conventional_subject_rejected(subject: str) -> None:
    with pytest.raises(GitError):
        validate_commit_message(subject)


def test_commit_rejects_bad_subject(repo: Path) -> None:
    wt = SessionWorktree.create(repo, "s")
    (wt.path / "a.txt").write_text("a\n")
    with pytest.raises(GitError, match="conventional"):
        wt.commit("Added a file")
    assert wt.changed_paths() == ["a.txt"]


def test_commit_refuses_secrets(repo: Path, git: Callable[..., str]) -> None:
    wt = SessionWorktree.create(repo, "s")
    fake = "sk-ant-" + "abcDEF1234" * 4
    (wt.path / "app" / "settings.py").write_text(f"DEBUG = True\nAPI = '{fake}'\n")
    with pytest.raises(GitError) as info:
        wt.commit("feat: settings")
    msg = str(info.value)
    assert "app/settings.py:2" in msg
    assert fake not in msg and "abcDEF1234" not in msg
    assert wt.head() == wt.base
    assert git(wt.path, "diff", "--cached") == ""

    (wt.path / "app" / "settings.py").write_text("DEBUG = True\n")
    marker = "-----BEGIN " + "RSA PRIVATE KEY-----"
    (wt.path / "id_rsa").write_text(f"{marker}\nMIIE...\n")
    with pytest.raises(GitError, match=r"id_rsa:1 \(private key\)"):
        wt.commit("feat: settings")
    (wt.path / "id_rsa").unlink()
    assert wt.commit("feat: settings") != wt.base


def test_scan_reports_line_numbers() -> None:
    fake = "sk-" + "Z" * 30
    patch = (
        "diff --git a/f.py b/f.py\n--- a/f.py\n+++ b/f.py\n"
        "@@ -10,0 +11,2 @@\n+ok = 1\n"
        f"+key = '{fake}'\n"
    )
    hits = scan_patch_for_secrets(patch)
    assert [(h.path, h.line) for h in hits] == [("f.py", 12)]


def test_fallback_identity(tmp_path: Path, make_repo_fn: Callable[..., Path]) -> None:
    root = make_repo_fn(tmp_path / "anon", identity=False)
    (root / "f.txt").write_text("x\n")
    import subprocess

    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Setup",
        "GIT_AUTHOR_EMAIL": "s@x",
        "GIT_COMMITTER_NAME": "Setup",
        "GIT_COMMITTER_EMAIL": "s@x",
    }
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "init"], cwd=root, check=True, env=env)
    wt = SessionWorktree.create(root, "s")
    assert wt.identity().fallback
    (wt.path / "f.txt").write_text("y\n")
    sha = wt.commit("fix: y")
    author = subprocess.run(
        ["git", "log", "-1", "--format=%an <%ae>|%cn <%ce>", sha],
        cwd=wt.path,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert author == "duo-tui <duo-tui@localhost>|duo-tui <duo-tui@localhost>"
    assert wt.last_note and "no git identity" in wt.last_note


# ----------------------------------------------------------------------------- undo


def test_undo_last_commit(repo: Path, git: Callable[..., str]) -> None:
    wt = SessionWorktree.create(repo, "s")
    with pytest.raises(GitError, match="not made by this duo session"):
        wt.undo_last_commit()
    (wt.path / "a.txt").write_text("a\n")
    first = wt.commit("feat: a")
    (wt.path / "b.txt").write_text("b\n")
    second = wt.commit("feat: b")
    assert wt.undo_last_commit() == second
    assert wt.head() == first
    assert (wt.path / "b.txt").read_text() == "b\n"  # kept as uncommitted change
    assert wt.changed_paths() == ["b.txt"]
    assert wt.undo_last_commit(keep_changes=False) == first
    assert wt.head() == wt.base
    assert not (wt.path / "a.txt").exists()
    assert git(repo, "rev-parse", "main").strip() == wt.base


def test_undo_refuses_foreign_commit(repo: Path, git: Callable[..., str]) -> None:
    wt = SessionWorktree.create(repo, "s")
    (wt.path / "hand.txt").write_text("by hand\n")
    git(wt.path, "add", "hand.txt")
    git(wt.path, "commit", "-qm", "feat: by hand")
    with pytest.raises(GitError, match="not made by this duo session"):
        wt.undo_last_commit()


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
