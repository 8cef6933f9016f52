"""The user's side of a session: their uncommitted changes, and bringing the session's
commits into their current branch.

The user's repository is sacred: `apply_to_user_branch` is the only function
that writes to the user's checkout, and only when explicitly called (after an
explicit accept in the UI). It refuses before touching anything when the
checkout is on a detached HEAD, mid-merge or mid-rebase, has staged changes,
or has uncommitted changes to files the session changed; on any conflict it
aborts and leaves the user's checkout as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from duo_tui.errors import GitError
from duo_tui.vcs.commit import Identity
from duo_tui.vcs.gitcmd import run, run_status, split_z
from duo_tui.vcs.worktree_setup import head_commit

__all__ = ["apply_to_user_branch", "user_changes"]

_IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or am",
}


def _parse_porcelain_z(out: str) -> list[tuple[str, str, str | None]]:
    """`git status --porcelain=v1 -z` → [(XY, path, original path of a rename)]."""
    items = out.split("\0")
    result: list[tuple[str, str, str | None]] = []
    i = 0
    while i < len(items):
        entry = items[i]
        i += 1
        if len(entry) < 4:
            continue
        xy, path = entry[:2], entry[3:]
        orig = None
        if xy[0] in "RC" or xy[1] in "RC":
            orig = items[i] if i < len(items) else None
            i += 1
        result.append((xy, path, orig))
    return result


def user_changes(repo_root: Path) -> list[str]:
    """Uncommitted changes in the user's checkout, as porcelain lines (`XY path`).

    These are *not* included in the session (which starts from HEAD).
    Renames read `R  old -> new`.
    """
    out = run(
        repo_root,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=normal",
        strip=False,
    )
    lines = []
    for xy, path, orig in _parse_porcelain_z(out):
        lines.append(f"{xy} {orig} -> {path}" if orig else f"{xy} {path}")
    return lines


def _user_dirty(repo_root: Path) -> tuple[set[str], bool]:
    """(paths with uncommitted changes incl. untracked files, anything staged?)."""
    out = run(repo_root, "status", "--porcelain=v1", "-z", "--untracked-files=all", strip=False)
    paths: set[str] = set()
    staged = False
    for xy, path, orig in _parse_porcelain_z(out):
        paths.add(path)
        if orig:
            paths.add(orig)
        if xy[0] not in " ?!":
            staged = True
    return paths, staged


def _in_progress(repo_root: Path) -> str | None:
    names = list(_IN_PROGRESS)
    args: list[str] = ["rev-parse"]
    for name in names:
        args += ["--git-path", name]
    out = run(repo_root, *args).splitlines()
    for name, rel in zip(names, out, strict=False):
        p = Path(rel)
        if not p.is_absolute():
            p = repo_root / p
        if p.exists():
            return _IN_PROGRESS[name]
    return None


def apply_to_user_branch(
    repo_root: Path,
    branch: str,
    how: Literal["merge", "cherry-pick"],
    *,
    identity: Callable[[], Identity],
    run_hooks: bool = False,
) -> str:
    """Bring the commits of the session `branch` into the user's current branch; return
    the new HEAD. `identity` gives who commits (asked only once the checks pass).
    See `SessionWorktree.apply_to_user_branch`.
    """
    if how not in ("merge", "cherry-pick"):
        raise GitError(f"unknown way to apply {how!r}; use 'merge' or 'cherry-pick'")
    status, ref, _ = run_status(repo_root, "symbolic-ref", "-q", "HEAD")
    if status != 0:
        raise GitError("your checkout is on a detached HEAD; check out a branch first")
    ref = ref.strip()
    if ref == f"refs/heads/{branch}":
        raise GitError(f"your checkout is on the session branch {branch} itself")
    busy = _in_progress(repo_root)
    if busy:
        raise GitError(f"{busy} is in progress in your checkout; finish or abort it first")
    orig_head = head_commit(repo_root)
    if how == "merge":
        commits = run(repo_root, "rev-list", f"HEAD..{branch}", "--").split()
    else:
        commits = run(
            repo_root,
            "rev-list",
            "--reverse",
            "--no-merges",
            "--right-only",
            "--cherry-pick",
            f"HEAD...{branch}",
            "--",
        ).split()
    if not commits:
        raise GitError(f"nothing to apply: {branch} has no commits missing from your branch")
    session_files = set(
        split_z(
            run(
                repo_root,
                "diff",
                "--name-only",
                "-z",
                "--no-renames",
                f"HEAD...{branch}",
                "--",
                strip=False,
            )
        )
    )
    dirty, staged = _user_dirty(repo_root)
    overlap = sorted(dirty & session_files)
    if overlap:
        raise GitError(
            "your uncommitted changes touch files the session changed: "
            + ", ".join(overlap)
            + "; commit or stash them, then apply again"
        )
    if staged:
        raise GitError("your checkout has staged changes; commit or unstage them, then apply again")
    env = identity().env()
    hooks = [] if run_hooks else ["--no-verify"]
    if how == "merge":
        status, out, err = run_status(
            repo_root, "merge", "--no-ff", "--no-edit", *hooks, branch, env=env
        )
        abort = ("merge", "--abort")
    else:
        status, out, err = run_status(repo_root, "cherry-pick", *commits, env=env)
        abort = ("cherry-pick", "--abort")
    if status != 0:
        conflicts = split_z(
            run_status(repo_root, "diff", "--name-only", "-z", "--diff-filter=U", strip=False)[1]
        )
        if _in_progress(repo_root):
            run_status(repo_root, *abort)
        head_now = head_commit(repo_root)
        if head_now != orig_head:  # a partly applied sequence: put the branch back
            run_status(repo_root, "reset", "-q", "--merge", orig_head)
        if conflicts:
            raise GitError(
                f"{how} of {branch} conflicts with your branch in: "
                + ", ".join(sorted(set(conflicts)))
                + "; nothing was changed. Resolve by hand or rerun the session on the "
                "current branch."
            )
        detail = "\n".join(ln for ln in (err.strip() or out.strip()).splitlines()[:6])
        raise GitError(f"{how} of {branch} failed; nothing was changed: {detail}")
    return head_commit(repo_root)
