"""The session's own git worktree: where every edit of a duo session happens.

The user's repository is sacred. A session never touches the user's checkout,
current branch, index or working tree; it works in a linked worktree at
`<repo>/.duo/worktrees/<slug>` on its own branch `duo/<slug>`, created from the
user's HEAD. `.duo/` is kept out of the user's `git status` through the
repository's `info/exclude` (shared by all worktrees).

`SessionWorktree` is the one object the rest of duo-tui uses; it is a facade
over the vcs modules that do each job:

- `worktree_setup.py`: finding the repository, creating, reattaching and
  removing the worktree;
- `linked_worktree.py`: what names the worktree and the git primitives every
  job shares (its pinned git dir, a throw-away index, HEAD);
- `snapshot.py`: snapshots as tree objects, restoring them, diffs (the diff
  against HEAD is staged in the worktree's own index and kept for the commit);
- `commit.py`: conventional commits with the secret scan, the identity, the
  `Duo-Session` trailer and undoing duo's last commit;
- `integrate.py`: the user's uncommitted changes, and
  `apply_to_user_branch`, the only method that writes to the user's checkout,
  only when explicitly called (after an explicit accept in the UI); on any
  conflict it aborts and leaves the user's checkout as it was.

The facade holds the state those jobs share between calls: the committer
identity (read once), the patch the last diff against HEAD staged (so a commit
scans exactly what the human saw) and a note about the last commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from duo_tui.errors import GitError
from duo_tui.safe_text import clean
from duo_tui.vcs import commit as commits
from duo_tui.vcs import integrate, snapshot
from duo_tui.vcs.commit import Identity, validate_commit_message
from duo_tui.vcs.linked_worktree import LinkedWorktree
from duo_tui.vcs.snapshot import StagedView
from duo_tui.vcs.worktree_setup import (
    WorktreePlace,
    create_worktree,
    reattach_worktree,
    remove_worktree,
)

__all__ = ["SessionWorktree"]


@dataclass
class SessionWorktree(LinkedWorktree):
    """A session's linked worktree on branch `duo/<slug>` inside the user's repository.

    Attributes: `repo_root` (the user's checkout, top level), `slug`, `branch`,
    `path` (the worktree directory), `base` (the commit the session forked
    from), `common_dir` (the repository's shared git dir), `last_note` (a
    remark from the last commit, e.g. that the fallback identity was used).
    """

    last_note: str | None = None
    _identity: Identity | None = field(default=None, init=False, repr=False, compare=False)
    _staged: StagedView | None = field(default=None, init=False, repr=False, compare=False)

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def _at(cls, place: WorktreePlace) -> SessionWorktree:
        return cls(
            repo_root=place.repo_root,
            slug=place.slug,
            branch=place.branch,
            path=place.path,
            base=place.base,
            common_dir=place.common_dir,
        )

    @classmethod
    def create(
        cls,
        repo_root: Path,
        slug: str,
        *,
        on_chosen: Callable[[str, str], None] | None = None,
    ) -> SessionWorktree:
        """Create branch `duo/<slug>` from the user's HEAD and a worktree for it: a free
        name, `on_chosen` before git creates anything, the user's checkout untouched
        (`worktree_setup.create_worktree` says how)."""
        return cls._at(create_worktree(repo_root, slug, on_chosen=on_chosen))

    @classmethod
    def open(
        cls,
        repo_root: Path,
        branch: str,
        path: Path | None = None,
        base: str | None = None,
    ) -> SessionWorktree:
        """Reattach to an existing session branch (`duo/<slug>` or just `<slug>`),
        recreating a deleted worktree (`worktree_setup.reattach_worktree`)."""
        return cls._at(reattach_worktree(repo_root, branch, path, base))

    def remove(self, force: bool = False) -> None:
        """Remove the worktree directory (the branch and its commits stay).

        Refuses when the worktree has uncommitted changes unless `force`.
        """
        remove_worktree(self.repo_root, self.path, force)
        self._git_dir = None

    # ----------------------------------------------------------------- snapshots and diffs

    def snapshot(self) -> str:
        """A tree sha of the worktree's current state, untracked files included.

        Ignored files are not captured. The worktree's index is not touched.
        """
        return snapshot.snapshot(self)

    def restore(self, tree: str) -> None:
        """Make the worktree's files exactly `tree` (a tree or commit).

        Tracked and untracked files are rewritten or removed to match; ignored
        files are left alone; HEAD and the index do not move.
        """
        snapshot.restore(self, tree)

    def diff(self, base: str | None = None, *, renames: bool = False, context: int = 3) -> str:
        """Unified diff from `base` (tree or commit; default the branch HEAD) to the
        worktree's current state, new untracked files included.

        Renames are shown as delete + add unless `renames` (keeps per-file
        decisions and partial commits simple). Against HEAD (no `base`, no
        `renames`) the changes are staged in the worktree's own index and the
        patch is kept for `commit`; otherwise a temporary index is used.
        """
        if base is None and not renames:
            self.check_exists()
            self._staged = None
            patch, self._staged = snapshot.diff_head(self, context)
            return patch
        return snapshot.diff_from(self, base, renames=renames, context=context)

    def changed_paths(self, base: str | None = None) -> list[str]:
        """Paths whose content differs between `base` (default HEAD) and the worktree."""
        return snapshot.changed_paths(self, base)

    def checkout_paths(self, tree: str, paths: Sequence[str]) -> None:
        """Make `paths` in the worktree exactly as in `tree` (deleting those not in it).

        Only the named files change; the worktree's index is not touched.
        """
        snapshot.checkout_paths(self, tree, paths)

    def apply_patch(self, patch: str, reverse: bool = False) -> None:
        """Apply a unified diff to the worktree's files (not its index); all or nothing."""
        snapshot.apply_patch(self, patch, reverse)

    # ----------------------------------------------------------------- commits

    def identity(self, refresh: bool = False) -> Identity:
        """The committer identity: the user's git config (or GIT_* env), else the fallback.

        Read once per `SessionWorktree` object (pass `refresh` to read it again).
        """
        if self._identity is not None and not refresh:
            return self._identity
        self._identity = commits.read_identity(self.path)
        return self._identity

    def commit(
        self,
        message: str,
        paths: Sequence[str] | None = None,
        *,
        run_hooks: bool = False,
        allow_secrets: Sequence[str] = (),
    ) -> str:
        """Commit the worktree's changes (only `paths`, repo-relative, if given); return the sha.

        The subject must be a conventional commit. The staged added lines are
        scanned for secrets (`duo_tui.vcs.secret_scan`, `allow_secrets` being
        `[secrets] allow`); if any is found nothing is committed and
        `SecretsFound` (a `GitError`) names file, line and kind (never the
        value). A `Duo-Session: <branch>` trailer
        marks the commit as duo's. Hooks are skipped unless `run_hooks` (the
        gate is the quality check). If no git identity is configured the
        fallback `duo-tui <duo-tui@localhost>` is used and `last_note` says so.
        Control characters and bidi controls in the message (model text) are
        committed made visible (`duo_tui.safe_text.clean`), never raw.
        """
        message = clean(message)
        validate_commit_message(message)
        self.check_exists()
        self.last_note = None
        if paths is not None and not paths:
            raise GitError("no files selected to commit")
        view, self._staged = self._staged, None
        sha, ident = commits.commit_changes(
            self,
            message,
            paths,
            view=view,
            identity=self.identity,
            run_hooks=run_hooks,
            allow_secrets=allow_secrets,
        )
        self.last_note = ident.note
        return sha

    def undo_last_commit(self, keep_changes: bool = True) -> str:
        """Remove the session branch's last commit, if duo made it and the user's branch
        does not have it; return its sha (`commit.undo_last_commit`: what stays)."""
        return commits.undo_last_commit(self, keep_changes)

    # ----------------------------------------------------------------- the user's side

    def user_changes(self) -> list[str]:
        """Uncommitted changes in the user's checkout, as porcelain lines (`XY path`).

        These are *not* included in the session (which starts from HEAD).
        Renames read `R  old -> new`.
        """
        return integrate.user_changes(self.repo_root)

    def apply_to_user_branch(
        self, how: Literal["merge", "cherry-pick"], *, run_hooks: bool = False
    ) -> str:
        """Bring the session's commits into the user's current branch; return the new HEAD.

        Only call this after an explicit accept. `merge` makes a `--no-ff` merge
        commit; `cherry-pick` replays the session commits not yet in the branch.
        Refuses (GitError, nothing touched) when the user's checkout is on a
        detached HEAD, has staged changes, is mid-merge/rebase, or has
        uncommitted changes (untracked included) to files the session changed.
        On a conflict the operation is aborted, the checkout is left as it was
        and GitError lists the conflicting files.
        """
        return integrate.apply_to_user_branch(
            self.repo_root, self.branch, how, identity=self.identity, run_hooks=run_hooks
        )
