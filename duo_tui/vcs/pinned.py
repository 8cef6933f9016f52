"""Session worktrees' git directories, pinned from the repository's own records.

A linked worktree finds its git directory through the `.git` file at its top.
That file lies inside the worktree, where the gate's model-written code may
rewrite it: pointing it at a git directory the code made itself (say one whose
`config` sets `core.fsmonitor`) would make the next `git add` duo-tui runs there,
outside any sandbox, execute that code. So git is never asked to read that file
for a session worktree: its git directory is looked up once in the repository's
common directory (`worktrees/*/gitdir`, which the worktree cannot write) and
every git command run in the worktree gets `GIT_DIR` and `GIT_WORK_TREE` set to
it (`duo_tui.vcs.gitcmd.run_status`). A `.git` file that no longer names that
directory (deleted, or rewritten) makes every git command there fail instead,
so the session stops at its guard. The gate's sandbox binds the pinned
directory, never the one the `.git` file names.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

__all__ = ["admin_dir", "pin", "pinned_env", "pinned_git_dir", "unpin"]

_lock = threading.Lock()
#: worktree -> (the repository's common dir, the worktree's git dir found in its records)
_pins: dict[Path, tuple[Path, Path]] = {}


def _key(worktree: Path) -> Path:
    return Path(os.path.realpath(worktree))


def admin_dir(common_dir: Path, worktree: Path) -> Path | None:
    """The `<common>/worktrees/<name>` whose `gitdir` record names `worktree`, or None."""
    want = _key(worktree) / ".git"
    try:
        entries = list((Path(common_dir) / "worktrees").iterdir())
    except OSError:
        return None
    for entry in entries:
        try:
            recorded = (entry / "gitdir").read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if recorded and Path(os.path.realpath(recorded)) == want:
            return Path(os.path.realpath(entry))
    return None


def pin(worktree: Path, common_dir: Path) -> Path | None:
    """Pin `worktree`'s git directory from the records in `common_dir`; return it."""
    found = admin_dir(common_dir, worktree)
    with _lock:
        if found is None:
            _pins.pop(_key(worktree), None)
        else:
            _pins[_key(worktree)] = (Path(common_dir), found)
    return found


def unpin(worktree: Path) -> None:
    with _lock:
        _pins.pop(_key(worktree), None)


def pinned_git_dir(worktree: Path) -> Path | None:
    """The pinned git directory of `worktree` (exactly that folder), or None."""
    with _lock:
        entry = _pins.get(_key(worktree))
    return entry[1] if entry is not None else None


def _named_by_dotgit(worktree: Path) -> Path | None:
    """The git dir the worktree's `.git` file names (None: no such regular file)."""
    dotgit = worktree / ".git"
    try:
        if dotgit.is_symlink() or not dotgit.is_file():
            return None
        text = dotgit.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("gitdir:"):
        return None
    named = Path(text[len("gitdir:") :].strip())
    return Path(os.path.realpath(named if named.is_absolute() else worktree / named))


def pinned_env(cwd: Path) -> tuple[dict[str, str], str | None]:
    """`GIT_DIR`/`GIT_WORK_TREE` for a git command run in `cwd` (empty when not pinned),
    or a reason to refuse it: the `.git` file no longer names the recorded git dir
    (deleted, or rewritten by code the gate ran)."""
    key = _key(cwd)
    with _lock:
        entry = _pins.get(key)
    if entry is None:
        return {}, None
    common, git_dir = entry
    named = _named_by_dotgit(key)
    if named != git_dir:
        # the worktree may have been recreated (another admin dir): ask the records again
        found = admin_dir(common, key)
        if found is None or named != found:
            return {}, (
                f"fatal: {key / '.git'} no longer names this worktree's git directory "
                f"({git_dir}); it was deleted or rewritten, so git is not run there"
            )
        with _lock:
            _pins[key] = (common, found)
        git_dir = found
    return {"GIT_DIR": str(git_dir), "GIT_WORK_TREE": str(key)}, None
