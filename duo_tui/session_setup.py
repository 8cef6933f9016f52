"""Making and reattaching a session's worktree: a session exists only once its worktree does.

Creating a session is several steps (a session folder, a branch, a worktree,
session.json) and any of them can fail or be killed half-way. The order here
makes every half-way state safe:

1. `preflight`: everything that can be refused is refused first (the
   configuration, the models and their keys, a repository without commits),
   before anything is created;
2. under the repository lock (`<repo>/.duo/lock`), the session folder is
   reserved with an atomic `mkdir` (the id gets `-2`, `-3`... when taken) and a
   `creating.json` marker holding the new session is written;
3. the worktree is made; the marker learns its branch first, so a kill in the
   middle of `git worktree add` can be undone;
4. session.json is written (now the session exists) and the marker removed.

A failure in 2-4 rolls everything back: no folder, no branch, no worktree.
After a kill, `attach_worktree` (used by resume) finds the marker, undoes the
half-made worktree and finishes the creation. A session with no branch (e.g.
rebuilt from request.md because session.json and its backup were both
unreadable, or written by an older duo-tui) never runs: it stops with a
message. A session whose worktree folder is gone gets it recreated from its
branch; every worktree is checked by `duo_tui.vcs.guard` before it is used.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from duo_tui.core.session import Session
from duo_tui.errors import ConfigError, DuoError, GitError, SessionLockedError
from duo_tui.limits import SESSION_FILE_BYTES, InputError
from duo_tui.store.session_store import CREATING_FILE

if TYPE_CHECKING:
    from duo_tui.config import Config
    from duo_tui.store.lock import SessionLock
    from duo_tui.store.session_store import SessionStore
    from duo_tui.vcs.worktree import SessionWorktree

__all__ = ["CREATING_FILE", "attach_worktree", "create_session", "preflight"]


#: How long a creation waits for another process creating a session in the same repository.
LOCK_WAIT_S = 120.0


# ----------------------------------------------------------------------------- checks


def preflight(repo: Path, config: Config, *, check_models: bool) -> None:
    """Refuse, before anything is created, what would fail later (ConfigError, exit 2).

    The configuration is validated again (a programmatic Config may hold values
    a file could not); with `check_models`, every role's model must name a known
    provider and have a usable key; and the repository must have a commit.
    """
    from duo_tui.config import _describe

    try:
        type(config).model_validate(config.model_dump())
    except ValidationError as exc:
        raise ConfigError(_describe(exc, [])) from None
    if check_models:
        from duo_tui.providers.registry import check_models as check

        roles = config.roles.to_roles()
        judge = config.triage.judge_model(roles.planner, roles.executor)  # [triage] judge
        check(
            [roles.planner, roles.executor, *roles.effective_reviewers(), *filter(None, [judge])],
            config,
        )
    from duo_tui.vcs.gitcmd import run_status

    status, _, _ = run_status(repo, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    if status != 0:
        raise ConfigError(
            f"{repo} has no commits yet: a session starts from your last commit. "
            "Make a first commit (git add -A && git commit), then start the session."
        )


@contextlib.contextmanager
def _repo_lock(repo: Path, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    """The repository lock, waited for: session creations in one repository take turns."""
    from duo_tui.store.lock import repo_lock

    lock = repo_lock(repo)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            lock.acquire()
            break
        except SessionLockedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        yield
    finally:
        lock.release()


def _reserve(repo: Path, request: str) -> SessionStore:
    """A new, empty session folder, claimed with an atomic mkdir (`-2`, `-3`... if taken)."""
    from duo_tui.store.session_store import (
        SessionStore,
        ensure_git_excluded,
        new_session_id,
        sessions_root,
    )

    ensure_git_excluded(repo)
    root = sessions_root(repo)
    root.mkdir(parents=True, exist_ok=True)
    tried: set[str] = set()
    for _ in range(10_000):
        sid = new_session_id(request, date.today(), repo=repo, existing=tried)
        try:
            (root / sid).mkdir()
        except FileExistsError:  # another process took it between the check and here
            tried.add(sid)
            continue
        return SessionStore(repo, sid)
    raise DuoError(f"no free session id for this request in {root}")  # pragma: no cover


def _write_marker(store: SessionStore, session: Session) -> None:
    store.write_artifact(CREATING_FILE, session.model_dump_json(indent=2) + "\n")


def _read_marker(store: SessionStore) -> Session | None:
    """The session recorded in the marker; None without one; ConfigError if unreadable."""
    try:
        text = store.read_artifact(CREATING_FILE, limit=SESSION_FILE_BYTES)
    except InputError:
        text = ""  # over the limit: as unreadable as a broken one
    if text is None:
        return None
    try:
        return Session.model_validate_json(text)
    except ValidationError:
        raise ConfigError(
            f"the creation of session {store.id} was interrupted and its record "
            f"{store.path / CREATING_FILE} is unreadable; remove the folder {store.path} "
            "and start the session again"
        ) from None


def _make_worktree(repo: Path, store: SessionStore, session: Session) -> SessionWorktree:
    """Steps 3-4: the worktree (its branch recorded in the marker first), then session.json."""
    from duo_tui.vcs.guard import verify_session_worktree
    from duo_tui.vcs.worktree import SessionWorktree

    def chosen(branch: str, base: str) -> None:
        session.branch, session.base_commit = branch, base
        _write_marker(store, session)

    wt = SessionWorktree.create(repo, session.slug, on_chosen=chosen)
    verify_session_worktree(wt.path, repo)
    session.branch = wt.branch
    session.worktree = str(wt.path)
    session.base_commit = wt.base
    store.save(session)  # from here on the session exists
    (store.path / CREATING_FILE).unlink(missing_ok=True)
    return wt


def _undo_worktree(repo: Path, session: Session) -> None:
    """Remove the branch and worktree an unfinished creation may have made (best effort)."""
    if not session.branch or not session.base_commit:
        return
    from duo_tui.vcs.unfinished import discard_unfinished_worktree

    with contextlib.suppress(DuoError, OSError):
        discard_unfinished_worktree(repo, session.branch, session.base_commit)


def _claimed_elsewhere(repo: Path, own_id: str, branch: str) -> bool:
    """Whether another session's files name `branch` (then it is theirs, never undone)."""
    from duo_tui.store.session_store import BACKUP_FILE, SESSION_FILE, sessions_root

    for folder in sessions_root(repo).iterdir():
        if folder.name == own_id or not folder.is_dir():
            continue
        for name in (SESSION_FILE, BACKUP_FILE, CREATING_FILE):
            with contextlib.suppress(OSError, ValidationError, ValueError):
                text = (folder / name).read_text(encoding="utf-8", errors="replace")
                if Session.model_validate_json(text).branch == branch:
                    return True
    return False


# ----------------------------------------------------------------------------- entry points


def create_session(
    repo: Path, session: Session
) -> tuple[SessionStore, SessionLock, SessionWorktree]:
    """Create `session` (its `id` is assigned here): folder, worktree, session.json.

    Returns the store, the session's lock (held) and the worktree. On any
    failure nothing is left behind and the error is raised.
    """
    with _repo_lock(repo):
        try:
            store = _reserve(repo, session.request)
        except OSError as exc:
            raise _os_error(exc) from exc
        session.id = store.id
        lock = store.lock()
        lock.acquire()
        try:
            store.write_request(session.request)
            _write_marker(store, session)
            wt = _make_worktree(repo, store, session)
        except BaseException as exc:
            _undo_worktree(repo, session)
            shutil.rmtree(store.path, ignore_errors=True)
            lock.release()
            if isinstance(exc, OSError):
                raise _os_error(exc) from exc
            raise
    return store, lock, wt


def _os_error(exc: OSError) -> DuoError:
    return DuoError(
        f"could not create the session: {exc.strerror or exc}"
        + (f" ({exc.filename})" if exc.filename else "")
        + "; nothing was kept. Fix that (e.g. free disk space) and start again."
    )


def attach_worktree(
    repo: Path,
    store: SessionStore,
    load: Callable[[], tuple[Session, list[str]]],
) -> tuple[Session, list[str], SessionWorktree]:
    """Load a session to resume it and give it a usable worktree, or raise saying why.

    The caller holds the session's lock. An interrupted creation is finished; a
    deleted worktree folder is recreated from the branch; a session without a
    branch, or whose worktree fails the guard, raises (it never runs).
    """
    from duo_tui.store.session_store import BACKUP_FILE, SESSION_FILE
    from duo_tui.vcs.guard import verify_session_worktree
    from duo_tui.vcs.worktree import SessionWorktree
    from duo_tui.vcs.worktree_setup import WORKTREES_DIR

    marker = _read_marker(store)
    has_file = (store.path / SESSION_FILE).exists() or (store.path / BACKUP_FILE).exists()
    if marker is not None and not has_file:
        with _repo_lock(repo):
            if marker.branch and not _claimed_elsewhere(repo, store.id, marker.branch):
                _undo_worktree(repo, marker)
            marker.id = store.id
            marker.branch = marker.worktree = marker.base_commit = None
            wt = _make_worktree(repo, store, marker)
        note = (
            f"the creation of session {store.id} was interrupted; "
            f"its worktree was made now on {wt.branch}"
        )
        return marker, [note], wt
    session, problems = load()
    if marker is not None:  # killed after session.json was written: the marker is stale
        (store.path / CREATING_FILE).unlink(missing_ok=True)
    if not session.branch:
        why = "; ".join(problems) if problems else f"{SESSION_FILE} names no branch"
        raise ConfigError(
            f"session {session.id} has no worktree and no branch, so it cannot run ({why}). "
            "Its work, if any, is on a duo/* branch (git branch --list 'duo/*'); "
            "start a new session with `duo-tui run TASK`."
        )
    recorded = Path(session.worktree) if session.worktree else None
    home = (repo / WORKTREES_DIR).resolve()
    if recorded is not None and recorded.resolve().parent != home:
        # A hand-edited session.json must not make git check out files anywhere else
        # (least of all inside the user's checkout): only .duo/worktrees/ is used.
        problems.append(f"{SESSION_FILE} names the worktree {recorded}; using {home} instead")
        recorded = None
    try:
        wt = SessionWorktree.open(repo, session.branch, recorded, session.base_commit)
    except GitError as exc:
        raise GitError(f"session {session.id} cannot be resumed: {exc}") from None
    try:
        verify_session_worktree(wt.path, repo)
    except GitError as exc:
        raise GitError(
            f"session {session.id} cannot be resumed: {exc}. Move {wt.path} away (anything "
            f"not committed is in it) and resume again: the worktree is then recreated "
            f"from {session.branch}"
        ) from None
    session.worktree = str(wt.path)
    return session, problems, wt
