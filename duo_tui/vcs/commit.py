"""Committing in a session worktree: conventional messages, the identity, the secret scan.

A commit's subject must be a conventional commit (`validate_commit_message`).
What is committed is scanned for secrets first (`duo_tui.vcs.secret_scan`):
the patch the human saw when the index still holds exactly what the last diff
against HEAD staged (a `duo_tui.vcs.snapshot.StagedView`), else the staged
patch asked of git. Commits made by duo carry a `Duo-Session: duo/<slug>`
trailer; `undo_last_commit` only ever removes such a commit from the session
branch (the branch is ours, so rewriting it is fine), never one of the user's.
When no git identity is configured, commits are made as duo-tui's fallback
`Identity`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from duo_tui.errors import GitError
from duo_tui.vcs.gitcmd import DIFF_OPTIONS, run, run_status
from duo_tui.vcs.linked_worktree import LinkedWorktree
from duo_tui.vcs.secret_scan import SecretsFound, scan_patch_for_secrets
from duo_tui.vcs.snapshot import StagedView

__all__ = [
    "CONVENTIONAL_TYPES",
    "FALLBACK_EMAIL",
    "FALLBACK_NAME",
    "SESSION_TRAILER",
    "Identity",
    "commit_changes",
    "read_identity",
    "undo_last_commit",
    "validate_commit_message",
]

SESSION_TRAILER = "Duo-Session"
FALLBACK_NAME = "duo-tui"
FALLBACK_EMAIL = "duo-tui@localhost"

CONVENTIONAL_TYPES: tuple[str, ...] = (
    "feat",
    "fix",
    "refactor",
    "perf",
    "test",
    "docs",
    "chore",
    "build",
    "ci",
    "style",
    "revert",
)

_SUBJECT_RE = re.compile(
    r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()\s][^()]*)\))?(?P<bang>!)?: (?P<desc>\S.*)$"
)


def validate_commit_message(message: str) -> str:
    """Check that the subject line is a conventional commit; return the subject.

    `type(scope)!: description` with type in `CONVENTIONAL_TYPES`, the scope
    optional, `!` (breaking change) optional. Raises `GitError` saying what to fix.
    """
    lines = message.strip().splitlines()
    subject = lines[0].strip() if lines else ""
    if not subject:
        raise GitError("the commit message is empty; use `type(scope): description`")
    m = _SUBJECT_RE.match(subject)
    if not m:
        raise GitError(
            f"commit subject {subject!r} is not a conventional commit; "
            "use `type(scope): description`, e.g. `fix(api): reject expired tokens`"
        )
    if m.group("type") not in CONVENTIONAL_TYPES:
        raise GitError(
            f"commit type {m.group('type')!r} is not one of {', '.join(CONVENTIONAL_TYPES)}"
        )
    if len(lines) > 1 and lines[1].strip():
        raise GitError("separate the commit subject from the body with a blank line")
    return subject


@dataclass(frozen=True)
class Identity:
    """Who commits: the user's git identity, or duo-tui's fallback when none is configured."""

    name: str
    email: str
    fallback: bool = False

    @property
    def note(self) -> str | None:
        """A sentence for the human when the fallback identity is used."""
        if not self.fallback:
            return None
        return (
            f"no git identity is configured (user.name / user.email); committed as "
            f'"{self.name} <{self.email}>". Set one with `git config user.name ...` '
            "and `git config user.email ...`."
        )

    def env(self) -> dict[str, str]:
        """Environment for git commands that create commits (empty unless fallback)."""
        if not self.fallback:
            return {}
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
        }


def read_identity(path: Path) -> Identity:
    """The committer identity: the user's git config (or GIT_* env), else the fallback."""
    _, out, _ = run_status(path, "config", "--get-regexp", r"^user\.(name|email)$")
    cfg: dict[str, str] = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        cfg[key.lower()] = value.strip()
    name = os.environ.get("GIT_AUTHOR_NAME") or cfg.get("user.name", "")
    email = os.environ.get("GIT_AUTHOR_EMAIL") or cfg.get("user.email", "")
    if name and email:
        return Identity(name, email)
    return Identity(FALLBACK_NAME, FALLBACK_EMAIL, fallback=True)


def commit_changes(
    wt: LinkedWorktree,
    message: str,
    paths: Sequence[str] | None,
    *,
    view: StagedView | None,
    identity: Callable[[], Identity],
    run_hooks: bool,
    allow_secrets: Sequence[str],
) -> tuple[str, Identity]:
    """Stage, scan for secrets and commit; return the new sha and the identity used.

    `message` is already cleaned and validated, `paths` (if given) not empty.
    `view` is what the last diff against HEAD staged: its patch is scanned
    instead of asking git again when nothing was staged since. `identity` is
    asked only once the commit is about to be made. See `SessionWorktree.commit`.
    """
    # With paths: stage them (new files and deletions included), then
    # `git commit --only -- paths` commits HEAD + exactly those paths even if
    # something else happens to be staged. Literal pathspecs: no globbing.
    spec: list[str] = ["--", *paths] if paths is not None else []
    index_then = wt.index_signature()
    # `-v` lists every path whose staged content changes: none means the index
    # still holds exactly what the last `diff()` staged and showed.
    restaged = run(
        wt.path,
        "--literal-pathspecs",
        "add",
        "-A",
        "-v",
        *spec,
        what="staging the changes",
    )
    if (
        view is not None
        and paths is None
        and not restaged.strip()
        and view.index == index_then
        and view.head == wt.loose_head()
    ):
        staged = view.patch
    else:
        staged = run(
            wt.path,
            "--literal-pathspecs",
            "diff",
            "--cached",
            *DIFF_OPTIONS,
            "--no-renames",
            "-U0",
            "HEAD",
            *(spec or ["--"]),
            strip=False,
        )
    if not staged.strip():
        raise GitError("nothing to commit: the selected files have no changes")
    hits = scan_patch_for_secrets(staged, allow_secrets)
    if hits:
        run(wt.path, "reset", "-q")
        raise SecretsFound(hits)
    ident = identity()
    args = ["--literal-pathspecs", "commit", "-q", "--cleanup=whitespace"]
    if not run_hooks:
        args.append("--no-verify")
    args += ["-m", _with_trailer(message, wt.branch)]
    if paths is not None:
        args += ["--only", *spec]
    run(wt.path, *args, env=ident.env(), what="git commit")
    return wt.head_after_commit(), ident


def _with_trailer(message: str, branch: str) -> str:
    body = message.strip()
    return f"{body}\n\n{SESSION_TRAILER}: {branch}\n"


def _is_duo_commit(wt: LinkedWorktree, sha: str) -> bool:
    body = run(wt.path, "log", "-1", "--format=%B", sha)
    return f"{SESSION_TRAILER}: {wt.branch}" in (ln.strip() for ln in body.splitlines())


def undo_last_commit(wt: LinkedWorktree, keep_changes: bool = True) -> str:
    """Remove the session branch's last commit; return its sha.

    Only a commit made by duo on this session branch (it carries the
    `Duo-Session` trailer) that is not already in the user's branch can be
    undone: the branch is ours, so the commit is dropped with a reset rather
    than reverted. With `keep_changes` (default) its changes stay in the
    worktree as uncommitted edits; otherwise the worktree is reset to the
    parent commit (uncommitted edits to tracked files are discarded too).
    """
    wt.check_exists()
    status, ref, _ = run_status(wt.path, "symbolic-ref", "-q", "HEAD")
    if status != 0 or ref.strip() != f"refs/heads/{wt.branch}":
        raise GitError(f"the session worktree is not on {wt.branch}; cannot undo")
    sha = wt.head()
    if not _is_duo_commit(wt, sha):
        raise GitError(
            f"the last commit on {wt.branch} ({sha[:10]}) was not made by this duo "
            "session; nothing to undo"
        )
    parents = run(wt.path, "rev-list", "--parents", "-n", "1", sha).split()
    if len(parents) != 2:
        raise GitError(f"commit {sha[:10]} is a merge or a root commit; not undoing it")
    status, _, _ = run_status(wt.repo_root, "merge-base", "--is-ancestor", sha, "HEAD")
    if status == 0:
        raise GitError(f"commit {sha[:10]} is already part of your current branch; undo it there")
    run(wt.path, "reset", "-q", "--mixed" if keep_changes else "--hard", parents[1])
    return sha
