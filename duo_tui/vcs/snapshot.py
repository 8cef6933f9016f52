"""Snapshots of a session worktree, restoring them, and diffs of its changes.

States of the worktree are captured as git *tree* objects (`snapshot`) without
touching the worktree's index: a temporary index (`GIT_INDEX_FILE`) copied from
the real one receives `git add -A`, then `git write-tree`. The same trick gives
`diff_from` against an older base including new untracked files. The diff
against HEAD (`diff_head`) stages into the worktree's own index instead (the
session's, never the user's) and returns a `StagedView`, so a commit then finds
nothing new to stage and scans the very patch the human saw rather than asking
git for it again (see `duo_tui.vcs.commit`). Also here: putting paths back as
they are in a tree, and applying a patch to the worktree's files.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from duo_tui.vcs.gitcmd import DIFF_OPTIONS, run, split_z
from duo_tui.vcs.linked_worktree import LinkedWorktree

__all__ = [
    "StagedView",
    "apply_patch",
    "changed_paths",
    "checkout_paths",
    "diff_from",
    "diff_head",
    "restore",
    "snapshot",
]


@dataclass(frozen=True)
class StagedView:
    """What the last diff against HEAD staged: HEAD and the index file then, and the patch shown."""

    head: str
    index: tuple[int, int, int]
    patch: str


def snapshot(wt: LinkedWorktree) -> str:
    """A tree sha of the worktree's current state, untracked files included.

    Ignored files are not captured. The worktree's index is not touched.
    """
    with wt.temp_index() as env:
        run(wt.path, "add", "-A", env=env, what="snapshot (git add)")
        return run(wt.path, "write-tree", env=env, what="snapshot (git write-tree)")


def restore(wt: LinkedWorktree, tree: str) -> None:
    """Make the worktree's files exactly `tree` (a tree or commit).

    Tracked and untracked files are rewritten or removed to match; ignored
    files are left alone; HEAD and the index do not move.
    """
    target = wt.tree_of(tree)
    with wt.temp_index() as env:
        run(wt.path, "add", "-A", env=env, what="restore (git add)")
        current = run(wt.path, "write-tree", env=env, what="restore (git write-tree)")
        if current == target:
            return
        run(
            wt.path,
            "read-tree",
            "-m",
            "-u",
            current,
            target,
            env=env,
            what="restoring the worktree",
        )


def diff_head(wt: LinkedWorktree, context: int = 3) -> tuple[str, StagedView | None]:
    """The diff from the branch HEAD to the worktree, staged in the worktree's own index.

    Returns the patch and what was staged (None when HEAD could not be read
    from the files), for `duo_tui.vcs.commit.commit_changes` to reuse. The
    caller checks the worktree exists first.
    """
    head = wt.loose_head()
    patch = _add_and_diff(wt, "HEAD", False, context, env=None)
    if head is not None:
        return patch, StagedView(head, wt.index_signature(), patch)
    return patch, None


def diff_from(wt: LinkedWorktree, base: str | None, *, renames: bool, context: int = 3) -> str:
    """The diff from `base` (default HEAD) to the worktree, staged in a temporary index."""
    with wt.temp_index() as env:
        return _add_and_diff(wt, base or "HEAD", renames, context, env=env)


def _add_and_diff(
    wt: LinkedWorktree, base: str, renames: bool, context: int, env: dict[str, str] | None
) -> str:
    """Stage everything (in the index `env` names, else the worktree's) and diff it."""
    run(wt.path, "add", "-A", env=env, what="diff (git add)")
    return run(
        wt.path,
        "diff",
        "--cached",
        *DIFF_OPTIONS,
        "--find-renames" if renames else "--no-renames",
        f"-U{context}",
        base,
        "--",
        env=env,
        strip=False,
    )


def changed_paths(wt: LinkedWorktree, base: str | None = None) -> list[str]:
    """Paths whose content differs between `base` (default HEAD) and the worktree."""
    with wt.temp_index() as env:
        run(wt.path, "add", "-A", env=env, what="diff (git add)")
        out = run(
            wt.path,
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--no-renames",
            base or "HEAD",
            "--",
            env=env,
            strip=False,
        )
    return split_z(out)


def checkout_paths(wt: LinkedWorktree, tree: str, paths: Sequence[str]) -> None:
    """Make `paths` in the worktree exactly as in `tree` (deleting those not in it).

    Only the named files change; the worktree's index is not touched.
    """
    if not paths:
        return
    target = wt.tree_of(tree)
    listed = run(
        wt.path,
        "--literal-pathspecs",
        "ls-tree",
        "-r",
        "-z",
        "--name-only",
        target,
        "--",
        *paths,
        strip=False,
    )
    wanted = set(paths)
    present = [p for p in split_z(listed) if p in wanted]
    found = set(present)
    missing = [p for p in paths if p not in found]
    if present:
        with wt.temp_index(copy=False) as env:
            run(wt.path, "read-tree", target, env=env)
            run(wt.path, "checkout-index", "-f", "-q", "--", *present, env=env)
    root = wt.path.resolve()
    for rel in missing:
        file = wt.path / rel
        if file.is_symlink() or file.is_file():
            file.unlink()
            _remove_empty_parents(file.resolve(), root)
        elif file.is_dir():
            shutil.rmtree(file)


def apply_patch(wt: LinkedWorktree, patch: str, reverse: bool = False) -> None:
    """Apply a unified diff to the worktree's files (not its index); all or nothing."""
    if not patch.strip():
        return
    tmp = wt.git_dir / f"duo-patch-{uuid.uuid4().hex}.diff"
    tmp.write_bytes(patch.encode("utf-8", "surrogateescape"))
    try:
        args = ["apply", "--whitespace=nowarn"]
        if reverse:
            args.append("-R")
        run(wt.path, *args, str(tmp), what="applying the patch")
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()


def _remove_empty_parents(path: Path, stop: Path) -> None:
    parent = path.parent
    while parent != stop and stop in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent
