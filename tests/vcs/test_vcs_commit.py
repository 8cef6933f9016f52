"""SessionWorktree commits: accepted paths only, conventional subjects, secrets refused, identity, undo."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from duo_tui.errors import GitError
from duo_tui.vcs.commit import validate_commit_message
from duo_tui.vcs.secret_scan import scan_patch_for_secrets
from duo_tui.vcs.worktree import SessionWorktree

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
