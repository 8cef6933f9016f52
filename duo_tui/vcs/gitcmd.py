"""A thin, fast wrapper around the git command line (through gitpython's `Git`).

Every git call of the vcs package goes through `run` / `run_status`: one process
per call, output decoded as UTF-8 with `surrogateescape` (so bytes that are not
UTF-8 survive a round trip through a patch), failures turned into `GitError`
with git's own message. gitpython's object/index API is deliberately avoided:
the CLI is several times faster for the operations a session needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from duo_tui.errors import GitError

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
        raise GitError(f"{what or _subcommand(args)} failed: {_clean(err) or out.strip()}")
    return out


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
