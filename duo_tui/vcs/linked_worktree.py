"""A session's linked worktree as git sees it: where it is and how to reach its git state.

`LinkedWorktree` holds what names a session worktree (the user's checkout, the
slug, the branch `duo/<slug>`, the worktree directory, the commit the session
forked from, the repository's shared git dir) and the small primitives every
operation on it shares: the worktree's private git dir (pinned from the
repository's records, see `duo_tui.vcs.pinned`), a throw-away index
(`GIT_INDEX_FILE`) so snapshots and diffs never touch the worktree's own index,
and HEAD read straight from the loose ref when that is safe. Snapshots and
diffs (`snapshot.py`), commits (`commit.py`) and the `SessionWorktree` facade
(`worktree.py`) build on it.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from duo_tui.errors import GitError
from duo_tui.vcs.gitcmd import run, run_status
from duo_tui.vcs.pinned import pin, pinned_git_dir

__all__ = ["LinkedWorktree"]

_SHA_RE = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


@dataclass
class LinkedWorktree:
    """A linked worktree on branch `duo/<slug>` inside the user's repository.

    Attributes: `repo_root` (the user's checkout, top level), `slug`, `branch`,
    `path` (the worktree directory), `base` (the commit the session forked
    from), `common_dir` (the repository's shared git dir).
    """

    repo_root: Path
    slug: str
    branch: str
    path: Path
    base: str
    common_dir: Path
    _git_dir: Path | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # git in this worktree uses the git dir the repository records for it, never
        # what the worktree's own `.git` file says (see duo_tui.vcs.pinned)
        pin(self.path, self.common_dir)

    @property
    def git_dir(self) -> Path:
        """The worktree's private git dir (`.git/worktrees/<name>`)."""
        if self._git_dir is None or not self._git_dir.exists():
            # pinned from the repository's records; the `.git` file only when not pinned
            found: Path | None = pinned_git_dir(self.path)
            with suppress(OSError, UnicodeDecodeError):
                text = "" if found else (self.path / ".git").read_text(encoding="utf-8").strip()
                if text.startswith("gitdir: "):
                    candidate = Path(text[len("gitdir: ") :])
                    if not candidate.is_absolute():
                        candidate = (self.path / candidate).resolve()
                    if (candidate / "HEAD").exists():
                        found = candidate
            if found is None:
                found = Path(run(self.path, "rev-parse", "--absolute-git-dir"))
            self._git_dir = found
        return self._git_dir

    @contextmanager
    def temp_index(self, copy: bool = True) -> Iterator[dict[str, str]]:
        """Environment with GIT_INDEX_FILE pointing at a throw-away index.

        With `copy`, it starts as a copy of the worktree's index (fast `add -A`,
        and tracked files that match ignore rules stay tracked).
        """
        self.check_exists()
        git_dir = self.git_dir
        tmp = git_dir / f"duo-index-{uuid.uuid4().hex}"
        real = git_dir / "index"
        if copy and real.exists():
            shutil.copyfile(real, tmp)
        try:
            yield {"GIT_INDEX_FILE": str(tmp)}
        finally:
            for p in (tmp, tmp.with_name(tmp.name + ".lock")):
                with suppress(FileNotFoundError):
                    p.unlink()

    def check_exists(self) -> None:
        """Raise `GitError` when the worktree directory is gone."""
        if not self.path.is_dir():
            raise GitError(
                f"the session worktree {self.path} is missing; resume the session to recreate it"
            )

    def tree_of(self, treeish: str) -> str:
        """The tree sha of a tree or commit; `GitError` when it is neither."""
        status, out, _ = run_status(self.path, "rev-parse", "--verify", "-q", f"{treeish}^{{tree}}")
        if status != 0 or not out:
            raise GitError(f"{treeish!r} is not a tree or commit of this repository")
        return out.strip()

    def head(self) -> str:
        """The sha of the session branch's last commit."""
        return run(self.path, "rev-parse", "HEAD")

    def loose_head(self) -> str | None:
        """HEAD read from the files when it is the session branch's loose ref (no process)."""
        with suppress(OSError, UnicodeDecodeError):
            head = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
            if head == f"ref: refs/heads/{self.branch}":
                sha = (self.common_dir / "refs" / "heads" / self.branch).read_text().strip()
                if _SHA_RE.match(sha):
                    return sha
        return None

    def head_after_commit(self) -> str:
        """HEAD right after `git commit`: read the loose ref git just wrote, else ask git."""
        return self.loose_head() or self.head()

    def index_signature(self) -> tuple[int, int, int]:
        """Changes whenever git rewrites the worktree's index (it renames a new file in)."""
        try:
            st = (self.git_dir / "index").stat()
        except OSError:
            return (0, 0, 0)
        return (st.st_ino, st.st_mtime_ns, st.st_size)
