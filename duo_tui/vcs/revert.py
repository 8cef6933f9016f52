"""Reverting the hunks and files the human rejected, in the session worktree.

The code pane shows a diff (`duo_tui.vcs.diff.parse_diff`); the human accepts
or rejects each file and hunk; `revert_hunks` then takes the rejected ones back
out of the session worktree so that the remaining diff is exactly the accepted
hunks:

- a rejected hunk of a modified file is reverse-applied (`git apply -R` of a
  patch holding just the rejected hunks; worktree files only, atomic);
- a rejected file (or any hunk of a new or deleted file, which has a single
  hunk, or a binary file) is put back as it is in the base: a rejected new
  file is deleted, a rejected deletion is restored.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from pathlib import PurePosixPath

from duo_tui.errors import GitError
from duo_tui.vcs.diff import FileDiff, Hunk, hunk_patch, parse_diff
from duo_tui.vcs.worktree import SessionWorktree

__all__ = ["revert_hunks"]


def _check_rel(path: str) -> None:
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or (p.parts and p.parts[0] == ".git") or not path:
        raise GitError(f"refusing to revert {path!r}: not a path inside the repository")


def _resolve_rejections(
    files: list[FileDiff],
    rejected: Mapping[str, Collection[str] | None] | Iterable[str],
) -> tuple[set[str], dict[str, list[Hunk]]]:
    by_path = {f.path: f for f in files}
    whole: set[str] = set()
    partial: dict[str, list[Hunk]] = {}

    def add_hunk(f: FileDiff, ref: str) -> None:
        h = f.hunk(ref)
        if h is None:
            raise GitError(
                f"unknown hunk {ref!r} in {f.path}; the change moved since it was shown, "
                "review it again"
            )
        if h not in partial.setdefault(f.path, []):
            partial[f.path].append(h)

    def file_of(path: str) -> FileDiff:
        f = by_path.get(path)
        if f is None:
            raise GitError(f"{path!r} is not part of the current change; review the change again")
        return f

    if isinstance(rejected, Mapping):
        for path, refs in rejected.items():
            f = file_of(path)
            if refs is None:
                whole.add(path)
            else:
                for ref in refs:
                    add_hunk(f, ref)
    else:
        for ref in rejected:
            path, sep, _num = ref.rpartition("#")
            if sep and path in by_path and by_path[path].hunk(ref) is not None:
                add_hunk(by_path[path], ref)
            elif ref in by_path:
                whole.add(ref)
            else:
                raise GitError(
                    f"unknown file or hunk {ref!r}; the change moved since it was shown, "
                    "review it again"
                )
    for path in list(partial):
        f = by_path[path]
        if f.binary or f.status in ("added", "deleted") or path in whole:
            whole.add(path)
            del partial[path]
    return whole, partial


def revert_hunks(
    worktree: SessionWorktree,
    rejected: Mapping[str, Collection[str] | None] | Iterable[str],
    base: str | None = None,
    *,
    diff_text: str | None = None,
) -> list[str]:
    """Revert the rejected hunks and files in the worktree; return what was reverted.

    `rejected` is either ids (`"path#n"` for a hunk, `"path"` for a whole file)
    or a mapping `path -> hunk ids` (`None` meaning the whole file). Hunks are
    looked up in `diff_text` (the diff the human saw) or, if not given, in
    `worktree.diff(base)`; `base` must be the base that diff was made against
    (default: the branch HEAD). Hunk reverts are all-or-nothing: if the
    worktree changed since the diff was made, `GitError` is raised and no file
    is touched. Afterwards the diff against `base` holds exactly the accepted
    hunks (their new-side line numbers shift, their content does not).
    """
    files = parse_diff(diff_text if diff_text is not None else worktree.diff(base))
    whole, partial = _resolve_rejections(files, rejected)
    by_path = {f.path: f for f in files}
    for path in [*whole, *partial]:
        _check_rel(path)
    reverted: list[str] = []
    patch = ""
    for path, hunks in partial.items():
        patch += hunk_patch(by_path[path], hunks)
        reverted += [h.id for h in sorted(hunks, key=lambda h: h.old_start)]
    if patch:
        worktree.apply_patch(patch, reverse=True)
    if whole:
        paths: list[str] = []
        for path in sorted(whole):
            f = by_path[path]
            paths.append(path)
            if f.old_path and f.old_path != path:
                _check_rel(f.old_path)
                paths.append(f.old_path)
            reverted.append(path)
        worktree.checkout_paths(base or "HEAD", paths)
    return reverted
