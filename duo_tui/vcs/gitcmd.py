"""A thin, fast wrapper around the git command line (through gitpython's `Git`).

Every git call of the vcs package goes through `run` / `run_status`: one process
per call, output decoded as UTF-8 with `surrogateescape` (so bytes that are not
UTF-8 survive a round trip through a patch), failures turned into `GitError`
with git's own message. gitpython's object/index API is deliberately avoided:
the CLI is several times faster for the operations a session needs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from duo_tui.errors import DiskFullError, GitError

# Options put before every subcommand: never quote UTF-8 paths, never take the
# optional locks (`git status` would otherwise refresh and rewrite the index of
# the checkout it looks at, and the user's index must stay untouched).
GLOBAL_OPTIONS: tuple[str, ...] = (
    "-c",
    "core.quotepath=false",
    "-c",
    "maintenance.auto=false",
    "-c",
    "gc.auto=0",
    "--no-optional-locks",
)

# Options that make `git diff` output stable whatever the user's configuration.
DIFF_OPTIONS: tuple[str, ...] = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)


def run_status(
    cwd: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    strip: bool = True,
) -> tuple[int, str, str]:
    """Run `git ARGS` in `cwd`; return (exit status, stdout, stderr) without raising."""
    from git.cmd import Git
    from git.exc import GitCommandNotFound

    from duo_tui.vcs.pinned import pinned_env

    # A session worktree's git dir comes from the repository's records, never from
    # its `.git` file, which code run by the gate could have rewritten.
    pinned, refused = pinned_env(cwd)
    if refused:
        return 128, "", refused
    if pinned:
        env = {**(env or {}), **pinned}
    try:
        status, out, err = Git(str(cwd)).execute(
            ["git", *GLOBAL_OPTIONS, *args],
            with_extended_output=True,
            with_exceptions=False,
            env=env,
            strip_newline_in_stdout=strip,
        )
    except GitCommandNotFound as exc:
        raise GitError("git is not installed or not on PATH; install git and retry") from exc
    return int(status or 0), str(out or ""), str(err or "")


def run(
    cwd: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    strip: bool = True,
    what: str | None = None,
) -> str:
    """Run `git ARGS` in `cwd` and return stdout; raise `GitError` on a non-zero exit.

    `what` names the operation in the error message (default: the git subcommand).
    """
    status, out, err = run_status(cwd, *args, env=env, strip=strip)
    if status != 0:
        message = f"{what or _subcommand(args)} failed: {_clean(err) or out.strip()}"
        if _disk_full(cwd, err):
            raise GitDiskFullError(f"the disk is full: {message}; free some space, then resume")
        raise GitError(message)
    return out


#: How git (through the C library) says the disk is full or the quota is used up.
_DISK_FULL = ("No space left on device", "Disk quota exceeded")


def _disk_full(cwd: Path, err: str) -> bool:
    """Did git fail for want of space? Its words, or (git often says only "couldn't
    write") next to nothing left on the filesystem it worked on."""
    if any(s in err for s in _DISK_FULL):
        return True
    try:
        st = os.statvfs(cwd)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


class GitDiskFullError(GitError, DiskFullError):
    """A git command failed because the disk is full: a `GitError` and a `DiskFullError`."""


def _subcommand(args: tuple[str, ...]) -> str:
    for arg in args:
        if not arg.startswith("-"):
            return f"git {arg}"
    return "git"


def _clean(err: str) -> str:
    """git's stderr without hint lines, on one or a few lines."""
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith("hint:")]
    return "\n".join(lines).strip()


def split_z(out: str) -> list[str]:
    """Split NUL-separated git output, dropping the empty tail."""
    return [p for p in out.split("\0") if p]
