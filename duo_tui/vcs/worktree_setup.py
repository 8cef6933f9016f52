"""Setting up a session's worktree in the user's repository: find, create, reattach, remove.

A session works in a linked worktree at `<repo>/.duo/worktrees/<slug>` on its
own branch `duo/<slug>`, created from the user's HEAD; `.duo/` is kept out of
the user's `git status` through the repository's `info/exclude`. Nothing here
touches the user's checkout, current branch or index. The functions return a
`WorktreePlace` (where the worktree is and what it forked from), which
`SessionWorktree.create` / `.open` turn into the session's worktree; the
lookups (`repo_info`, `list_worktrees`, ...) also serve
`duo_tui.vcs.unfinished`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from duo_tui.errors import GitError
from duo_tui.vcs.gitcmd import run, run_status
from duo_tui.vcs.pinned import unpin
from duo_tui.vcs.repo import ensure_excluded

__all__ = [
    "BRANCH_PREFIX",
    "WORKTREES_DIR",
    "WorktreePlace",
    "branch_exists",
    "create_worktree",
    "head_commit",
    "list_worktrees",
    "reattach_worktree",
    "remove_worktree",
    "repo_info",
    "same_path",
    "validate_slug",
]

BRANCH_PREFIX = "duo/"
WORKTREES_DIR = Path(".duo") / "worktrees"

_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class WorktreePlace:
    """Where a session worktree is: the user's top level, its slug and branch, its
    directory, the commit it forked from and the repository's shared git dir."""

    repo_root: Path
    slug: str
    branch: str
    path: Path
    base: str
    common_dir: Path


def validate_slug(slug: str) -> None:
    """A slug names a branch and a directory: letters, digits, `.`, `_`, `-`."""
    if (
        not _SLUG_RE.match(slug)
        or ".." in slug
        or slug.endswith((".", ".lock"))
        or slug.startswith(".")
    ):
        raise GitError(
            f"invalid session slug {slug!r}: use letters, digits, '.', '_' and '-' "
            "(start with a letter or digit, at most 100 characters)"
        )


def repo_info(repo_root: Path) -> tuple[Path, Path]:
    """(top-level directory, common git dir) of the repository at `repo_root`."""
    repo_root = Path(repo_root).expanduser()
    if not repo_root.is_dir():
        raise GitError(f"{repo_root} is not a directory")
    status, out, err = run_status(
        repo_root, "rev-parse", "--is-bare-repository", "--show-toplevel", "--git-common-dir"
    )
    if status != 0:
        if "not a git repository" in err:
            raise GitError(
                f"{repo_root} is not a git repository; run `git init` there "
                "(and make a first commit) or pass --repo DIR"
            )
        raise GitError(f"cannot read the git repository at {repo_root}: {err.strip()}")
    parts = out.splitlines()
    if parts and parts[0] == "true":
        raise GitError(f"{repo_root} is a bare repository; duo-tui needs a checkout")
    if len(parts) < 3:
        raise GitError(f"{repo_root} is not inside a git working tree")
    top = Path(parts[1]).resolve()
    common = Path(parts[2])
    if not common.is_absolute():
        common = (repo_root / common).resolve()
    return top, common


def head_commit(root: Path) -> str:
    """The sha of HEAD in `root`; `GitError` when the repository has no commits yet."""
    status, out, _ = run_status(root, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    if status != 0 or not out:
        raise GitError(
            "the repository has no commits yet; make a first commit, then start a session"
        )
    return out.strip()


def branch_exists(root: Path, branch: str) -> bool:
    """Whether `refs/heads/<branch>` exists."""
    status, _, _ = run_status(root, "show-ref", "--verify", "--quiet", f"refs/heads/{branch}")
    return status == 0


def list_worktrees(root: Path) -> list[dict[str, str]]:
    """`git worktree list --porcelain`, one dict (`worktree`, `HEAD`, `branch`, ...) per entry."""
    out = run(root, "worktree", "list", "--porcelain")
    entries: list[dict[str, str]] = []
    cur: dict[str, str] = {}
    for line in out.splitlines():
        if not line:
            if cur:
                entries.append(cur)
            cur = {}
            continue
        key, _, value = line.partition(" ")
        cur[key] = value
    if cur:
        entries.append(cur)
    return entries


def same_path(a: Path | str, b: Path | str) -> bool:
    """Whether two paths resolve to the same place (False when one cannot be resolved)."""
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def create_worktree(
    repo_root: Path,
    slug: str,
    *,
    on_chosen: Callable[[str, str], None] | None = None,
) -> WorktreePlace:
    """Create branch `duo/<slug>` from the user's HEAD and a worktree for it.

    If the branch (or the directory) already exists, `-2`, `-3`, ... is
    appended to the slug; the directory is made first (`mkdir` is atomic), so
    two processes never pick the same name. `on_chosen(branch, base)` is
    called once the name is taken and before git creates anything, so a
    caller can record what to undo if the process dies half-way. Adds
    `.duo/` to `info/exclude`. Does not touch the user's checkout, current
    branch or index.
    """
    root, common = repo_info(Path(repo_root))
    validate_slug(slug)
    head = head_commit(root)
    ensure_excluded(common)
    existing = set(run(root, "for-each-ref", "--format=%(refname)", "refs/heads/duo/").splitlines())
    # Paths registered as worktrees (even if their directory is gone) are taken too;
    # we never `git worktree prune` the user's other worktrees.
    registered = {
        str(Path(e["worktree"]).resolve()) for e in list_worktrees(root) if "worktree" in e
    }

    def taken(name: str) -> bool:
        p = root / WORKTREES_DIR / name
        return (
            f"refs/heads/{BRANCH_PREFIX}{name}" in existing
            or p.exists()
            or str(p.resolve()) in registered
        )

    final = slug
    n = 1
    while True:
        while taken(final):
            n += 1
            final = f"{slug}-{n}"
        path = root / WORKTREES_DIR / final
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir()  # git accepts an empty directory; making it claims the name
        except FileExistsError:
            continue  # another process got there first: taken() now says so
        break
    branch = f"{BRANCH_PREFIX}{final}"
    if on_chosen is not None:
        on_chosen(branch, head)
    run(
        root,
        "worktree",
        "add",
        "--quiet",
        "-b",
        branch,
        str(path),
        head,
        what="creating the session worktree",
    )
    return WorktreePlace(
        repo_root=root, slug=final, branch=branch, path=path, base=head, common_dir=common
    )


def reattach_worktree(
    repo_root: Path,
    branch: str,
    path: Path | None = None,
    base: str | None = None,
) -> WorktreePlace:
    """Reattach to an existing session branch (`duo/<slug>` or just `<slug>`).

    If the worktree directory was deleted, it is recreated from the branch.
    `base` defaults to the merge base of the branch and the user's HEAD.
    """
    root, common = repo_info(Path(repo_root))
    if not branch.startswith(BRANCH_PREFIX):
        branch = f"{BRANCH_PREFIX}{branch}"
    slug = branch[len(BRANCH_PREFIX) :]
    if not branch_exists(root, branch):
        raise GitError(
            f"the session branch {branch} no longer exists in {root}; the session cannot be resumed"
        )
    ensure_excluded(common)
    want = Path(path) if path is not None else root / WORKTREES_DIR / slug
    checked_out: Path | None = None
    for entry in list_worktrees(root):
        if entry.get("branch") != f"refs/heads/{branch}":
            continue
        if Path(entry["worktree"]).exists():
            checked_out = Path(entry["worktree"])
        else:  # its directory was deleted: drop just that stale registration
            run_status(root, "worktree", "remove", "--force", entry["worktree"])
    if checked_out is not None and same_path(checked_out, root):
        raise GitError(
            f"{branch} is checked out in your own checkout; switch to another "
            "branch there before resuming the session"
        )
    if checked_out is not None:
        want = checked_out
    else:
        if want.exists() and any(want.iterdir()):
            raise GitError(
                f"{want} exists but is not the worktree of {branch}; move it away and retry"
            )
        want.parent.mkdir(parents=True, exist_ok=True)
        run(
            root,
            "worktree",
            "add",
            "--quiet",
            str(want),
            branch,
            what="recreating the session worktree",
        )
    if base is None:
        status, out, _ = run_status(root, "merge-base", branch, "HEAD")
        base = out.strip() if status == 0 and out.strip() else head_commit(root)
    return WorktreePlace(
        repo_root=root,
        slug=slug,
        branch=branch,
        path=Path(want).resolve(),
        base=base,
        common_dir=common,
    )


def remove_worktree(repo_root: Path, path: Path, force: bool = False) -> None:
    """Remove the worktree directory at `path` (the branch and its commits stay).

    Refuses when the worktree has uncommitted changes unless `force`.
    """
    if path.exists():
        if not force:
            status = run(path, "status", "--porcelain", "--untracked-files=normal")
            if status.strip():
                raise GitError(
                    f"the session worktree {path} has uncommitted changes; "
                    "commit them or remove with force=True to discard them"
                )
        run(repo_root, "worktree", "remove", "--force", str(path))
        unpin(path)
    else:  # already deleted by hand: drop the stale registration, if any
        run_status(repo_root, "worktree", "remove", "--force", str(path))
