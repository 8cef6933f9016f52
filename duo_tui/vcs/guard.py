"""The guard in front of every write a session makes: it must land in the session worktree.

A session edits files, runs the gate and commits only inside its own linked
worktree on a `duo/*` branch. `verify_session_worktree` is asked right before
each of those; it refuses, with a `WorktreeGuardError`, any target that is not
such a worktree. In particular it refuses the user's own checkout (or a folder
holding it), a folder inside the user's checkout other than `.duo/`, a missing
folder, a worktree of another repository, the main worktree, and a worktree
whose HEAD is not on a `duo/` branch. There is no fallback: a refused target
stops the session, it is never replaced by another path.

The check asks git once (`rev-parse`), a few milliseconds: cheap next to a
model call, and it sees the worktree as git sees it at that moment, so a
worktree deleted or swapped under a running session is caught too.
"""

from __future__ import annotations

from pathlib import Path

from duo_tui.errors import GitError
from duo_tui.vcs.gitcmd import run_status

__all__ = ["WorktreeGuardError", "verify_session_worktree"]

_BRANCH_REF_PREFIX = "refs/heads/duo/"


class WorktreeGuardError(GitError):
    """A write of the session would land outside its own worktree; nothing was written."""


def _resolved(path: Path | str) -> Path:
    return Path(path).expanduser().resolve()


def _refuse(target: Path | str | None, why: str) -> WorktreeGuardError:
    return WorktreeGuardError(
        f"refusing to work in {target}: {why}. A session edits, runs its gate and "
        "commits only in its own worktree (.duo/worktrees/<slug> on a duo/* branch); "
        "nothing was written"
    )


def verify_session_worktree(path: Path | str | None, repo_root: Path | str) -> Path:
    """The resolved `path` if it is a session worktree of `repo_root`; else raise.

    `repo_root` is the user's checkout (its top level). Raises
    `WorktreeGuardError` naming the reason; never returns another path.
    """
    if path is None or str(path) == "":
        raise _refuse(path, "the session has no worktree")
    target = _resolved(path)
    root = _resolved(repo_root)
    if target == root or target in root.parents:
        raise _refuse(target, "that is your own checkout")
    if root in target.parents and (root / ".duo") not in target.parents:
        raise _refuse(target, "that folder is inside your own checkout")
    if not target.is_dir():
        raise _refuse(target, "the folder does not exist")
    status, out, err = run_status(
        target,
        "rev-parse",
        "--path-format=absolute",
        "--show-toplevel",
        "--git-dir",
        "--git-common-dir",
        "--symbolic-full-name",
        "HEAD",
    )
    lines = out.splitlines()
    if status != 0 or len(lines) < 4:
        raise _refuse(target, f"it is not a git worktree ({err.strip() or 'git said nothing'})")
    top, git_dir, common, head = (line.strip() for line in lines[:4])
    if _resolved(top) != target:
        raise _refuse(target, f"it is not the top of a worktree (that is {top})")
    if _resolved(git_dir) == _resolved(common):
        raise _refuse(target, "it is a main checkout, not a linked session worktree")
    st, root_common, _ = run_status(root, "rev-parse", "--path-format=absolute", "--git-common-dir")
    if st != 0 or _resolved(root_common.strip()) != _resolved(common):
        raise _refuse(target, "it belongs to another repository")
    if not head.startswith(_BRANCH_REF_PREFIX):
        raise _refuse(target, f"its HEAD is {head or 'detached'}, not a duo/* session branch")
    return target
