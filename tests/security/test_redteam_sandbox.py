"""Red-team attacks on the gate sandbox that go beyond the examples of issue 16.

The gate's first command runs model-written code; it may rewrite anything in the
worktree, including the worktree's own `.git` file. What a later command may read
must not be decided by that file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from duo_tui.errors import GitError
from duo_tui.vcs.gate import run_gate
from duo_tui.vcs.guard import WorktreeGuardError, verify_session_worktree
from duo_tui.vcs.sandbox import Sandbox, bwrap_problem
from duo_tui.vcs.worktree import SessionWorktree

PROBLEM = bwrap_problem()
needs_bwrap = pytest.mark.skipif(PROBLEM is not None, reason=f"bubblewrap unusable: {PROBLEM}")
BWRAP = Sandbox("bubblewrap", "")


@needs_bwrap
async def test_a_rewritten_dotgit_file_does_not_unhide_home_for_the_next_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("PRIVATE-KEY-BYTES\n")
    monkeypatch.setenv("HOME", str(home))
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (worktree / ".git").write_text("gitdir: /nonexistent/.git/worktrees/wt\n")
    # command 1 (model-written tests) points .git at home; command 2 reads the key
    result = await run_gate(
        [
            f"printf 'gitdir: {home}\\n' > .git",
            f"cat {home}/.ssh/id_ed25519; true",
        ],
        worktree,
        30,
        sandbox=BWRAP,
    )
    assert result.passed
    assert "PRIVATE-KEY-BYTES" not in result.results[1].output, result.results[1].output


def _repo(path: Path) -> Path:
    path.mkdir()
    for args in (
        ["init", "-q", "-b", "main"],
        ["config", "user.name", "t"],
        ["config", "user.email", "t@example.com"],
    ):
        subprocess.run(["git", *args], cwd=path, check=True)
    (path / "a.txt").write_text("a\n")
    subprocess.run(["git", "add", "."], cwd=path, check=True)
    subprocess.run(["git", "commit", "-qm", "init"], cwd=path, check=True)
    return path


def test_a_dotgit_file_rewritten_by_the_gate_never_runs_code_outside_the_sandbox(
    tmp_path: Path,
) -> None:
    """The gate (sandboxed: it writes only in the worktree) makes its own git dir with a
    `core.fsmonitor` command and points `.git` at it; duo-tui's next git calls there
    (unsandboxed) must not run that command: they refuse, and the session stops."""
    wt = SessionWorktree.create(_repo(tmp_path / "repo"), "s")
    marker = tmp_path / "PWNED"
    evil = wt.path / ".evil"
    subprocess.run(["git", "init", "-q", "--bare", str(evil)], check=True)
    (evil / "config").write_text(f'[core]\n\tbare = false\n\tfsmonitor = "touch {marker}; false"\n')
    (wt.path / ".git").write_text("gitdir: .evil\n")
    with pytest.raises(GitError) as refused:
        wt.diff()
    assert not marker.exists(), "code written by the gate ran outside the sandbox"
    assert "no longer names this worktree's git directory" in str(refused.value)
    with pytest.raises(GitError, match="no longer names"):
        wt.commit("fix: change")
    assert not marker.exists()
    # the guard in front of every edit, gate run and commit refuses the worktree
    with pytest.raises(WorktreeGuardError, match="not a git worktree"):
        verify_session_worktree(wt.path, tmp_path / "repo")
    assert not marker.exists()
