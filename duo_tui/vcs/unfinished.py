"""Undoing a session worktree whose creation did not finish.

`SessionWorktree.create` names its branch and folder, then runs `git worktree
add`. If that fails (a full disk) or the process is killed half-way, what is
left is some of: the empty or half-checked-out folder
`<repo>/.duo/worktrees/<name>`, git's record of it (`.git/worktrees/<id>`,
possibly still locked "initializing"), and the branch `duo/<name>` pointing at
the commit it was made from. `discard_unfinished_worktree` removes exactly
those, and nothing that may hold work: the branch is deleted only while it still
points at that commit (an atomic compare-and-delete), the folder only at its
canonical place. The user's checkout, branches and other worktrees are never
touched.
"""

from __future__ import annotations

import shutil
from contextlib import suppress
from pathlib import Path

from duo_tui.errors import GitError
from duo_tui.vcs.gitcmd import run_status
from duo_tui.vcs.worktree_setup import (
    BRANCH_PREFIX,
    WORKTREES_DIR,
    list_worktrees,
    repo_info,
    same_path,
    validate_slug,
)

__all__ = ["discard_unfinished_worktree"]


def _admin_dirs_for(common: Path, path: Path) -> list[Path]:
    """git's records (`<common>/worktrees/<id>`) of a worktree at `path`."""
    found: list[Path] = []
    admin_root = common / "worktrees"
    if not admin_root.is_dir():
        return found
    for admin in admin_root.iterdir():
        with suppress(OSError, UnicodeDecodeError):
            gitdir = (admin / "gitdir").read_text(encoding="utf-8").strip()
            if gitdir and same_path(Path(gitdir).parent, path):
                found.append(admin)
    return found


def discard_unfinished_worktree(repo_root: Path, branch: str, base: str) -> list[str]:
    """Remove what an unfinished creation of `branch`'s worktree left; return notes
    on anything deliberately kept (e.g. a branch that has commits of its own)."""
    root, common = repo_info(Path(repo_root))
    if not branch.startswith(BRANCH_PREFIX):
        raise GitError(f"{branch!r} is not a session branch (duo/<slug>)")
    name = branch[len(BRANCH_PREFIX) :]
    validate_slug(name)
    path = root / WORKTREES_DIR / name
    notes: list[str] = []
    registered = any(
        same_path(e.get("worktree", ""), path) for e in list_worktrees(root) if "worktree" in e
    )
    if registered:
        # Twice --force: also a worktree git left locked while it was being made.
        status, _, _ = run_status(root, "worktree", "remove", "--force", "--force", str(path))
        if status != 0:  # e.g. killed before git wrote the folder's .git file
            for admin in _admin_dirs_for(common, path):
                shutil.rmtree(admin, ignore_errors=True)
    if path.is_dir():
        if registered or not any(path.iterdir()):
            shutil.rmtree(path, ignore_errors=True)
        else:
            notes.append(f"kept {path}: it is not a worktree git knows, and it is not empty")
    ref = f"refs/heads/{branch}"
    status, out, _ = run_status(root, "rev-parse", "--verify", "-q", ref)
    if status == 0:
        if out.strip() == base:
            # Deleted only if it still points at `base`: never a branch holding work.
            run_status(root, "update-ref", "-d", ref, base)
        else:
            notes.append(f"kept the branch {branch}: it has commits of its own")
    return notes
