"""The repository itself: its top level, its shared git directory, its tracked files,
and the one rule for keeping `.duo/` out of git.

Every git call goes through `vcs.gitcmd` (one set of global options, pinned git
dirs, git's own error text). The functions here are for code outside the vcs
package (service, store, core) that needs a fact about the user's repository.
"""

from __future__ import annotations

from pathlib import Path

from duo_tui.errors import GitError
from duo_tui.vcs.gitcmd import run, run_status

__all__ = [
    "EXCLUDE_EQUIVALENTS",
    "EXCLUDE_LINE",
    "ensure_excluded",
    "git_common_dir",
    "init_committed",
    "toplevel",
    "tracked_files",
]

#: The line written to `info/exclude`, and the lines that already mean the same.
EXCLUDE_LINE = "/.duo/"
EXCLUDE_EQUIVALENTS = frozenset(
    {".duo", ".duo/", "/.duo", "/.duo/", ".duo/*", "/.duo/*", ".duo/**", "/.duo/**"}
)


def toplevel(start: Path) -> Path | None:
    """The top level of the repository containing `start`; None if it is in none.

    Raises `GitError` when git itself cannot be run.
    """
    status, out, _err = run_status(start, "rev-parse", "--show-toplevel")
    if status != 0 or not out.strip():
        return None
    return Path(out.strip())


def git_common_dir(repo: Path) -> Path | None:
    """The git directory shared by all worktrees of `repo` (where info/exclude lives).

    Without a usable git binary, `.git` is read by hand (a directory, or a
    worktree's `gitdir:` pointer file and its `commondir`). None if not a repository.
    """
    try:
        status, out, _err = run_status(repo, "rev-parse", "--git-common-dir")
    except GitError:
        status, out = 1, ""
    if status == 0 and out.strip():
        common = Path(out.strip())
        return common if common.is_absolute() else (repo / common).resolve()
    dot_git = repo / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            gitdir = Path(text[len("gitdir:") :].strip())
            gitdir = gitdir if gitdir.is_absolute() else (repo / gitdir).resolve()
            commondir = gitdir / "commondir"
            if commondir.is_file():
                common = Path(commondir.read_text(encoding="utf-8").strip())
                return common if common.is_absolute() else (gitdir / common).resolve()
            return gitdir
    return None


def ensure_excluded(common_dir: Path) -> bool:
    """Make sure `.duo/` is in `<common git dir>/info/exclude`; True if a line was added.

    Idempotent: any line in `EXCLUDE_EQUIVALENTS` counts as already there. The
    line is appended, so what the user wrote stays byte for byte (bytes that are
    not UTF-8 included).
    """
    exclude = common_dir / "info" / "exclude"
    try:
        text = exclude.read_text(encoding="utf-8", errors="surrogateescape")
    except FileNotFoundError:
        text = ""
    if any(line.strip() in EXCLUDE_EQUIVALENTS for line in text.splitlines()):
        return False
    exclude.parent.mkdir(parents=True, exist_ok=True)
    prefix = "" if not text or text.endswith("\n") else "\n"
    with exclude.open("a", encoding="utf-8", errors="surrogateescape") as fh:
        fh.write(f"{prefix}# duo-tui sessions and worktrees\n{EXCLUDE_LINE}\n")
    return True


def tracked_files(root: Path) -> list[str] | None:
    """The files git tracks under `root` (UTF-8 names unquoted); None if git cannot say."""
    try:
        status, out, _err = run_status(root, "ls-files", strip=False)
    except GitError:
        return None
    if status != 0:
        return None
    return [line for line in out.splitlines() if line]


def init_committed(
    root: Path, *, user: str, email: str, message: str, branch: str = "main"
) -> None:
    """`git init` `root`, set a local identity, and commit everything in it once."""
    run(root, "init", "-q", "-b", branch)
    run(root, "config", "user.name", user)
    run(root, "config", "user.email", email)
    run(root, "config", "commit.gpgsign", "false")
    run(root, "add", "-A")
    run(root, "commit", "-q", "-m", message)
