"""The session store: one folder of plain, readable files per session.

Layout of `<repo>/.duo/sessions/<id>/` (all text, all redacted)::

    session.json            the Session model, atomically rewritten on every save
    session.json.bak        the previous good version (fallback if session.json breaks)
    request.md              the requirement as the user typed it
    plan-v1.md, plan-v2.md  every plan version
    decisions.jsonl         append-only decision log (one Decision per line, fsynced)
    transcript.jsonl        one CallRecord per model call
    T1/round-1/edits.md                       executor's raw answer
    T1/round-1/diff.patch                     the round's diff
    T1/round-1/gate.log                       gate command output
    T1/round-1/review-1-<model-slug>.raw.txt  reviewer's raw answer
    T1/round-1/review-1-<model-slug>.json     the parsed Review
    T1/round-1/triage.json                    the TriageResult (+ reviewers, decisions)
    streams/<name>.partial  a model stream being written (left behind by a kill)
    streams/<name>.txt      a finished stream
    lock                    flock'ed by the process working on the session

Nothing decided is lost when the process is killed: session.json is replaced
atomically, the logs are fsynced line by line, streams are journalled as they
arrive. Everything written passes through `duo_tui.redact.redact`, so no API
key lands on disk. Reading is tolerant: `load()` opens what it can and reports
every malformed or missing file by name.

`SessionStore` is session.json (saved with its backup, loaded with fallbacks),
the two logs, the lock and the opening of a folder; the plain files it reads
and writes by path (request, plans, round artifacts, streams) are its base,
`duo_tui.store.session_files.SessionFiles`.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

from duo_tui.core.models import CallRecord, StageState
from duo_tui.core.session import Decision, Session, slugify
from duo_tui.errors import ConfigError, DuoError
from duo_tui.limits import SESSION_FILE_BYTES, InputError
from duo_tui.store.atomic import append_line, read_jsonl, write_atomic
from duo_tui.store.layout import (
    _ID_RE,
    BACKUP_FILE,
    DECISIONS_FILE,
    LOCK_FILE,
    REQUEST_FILE,
    SESSION_FILE,
    TRANSCRIPT_FILE,
    _dumps,
    _json_problem,
    _read_session_file,
    count_lines,
    model_slug,
    new_session_id,
    read_models,
    redact_obj,
    round_dir,
    sessions_root,
)
from duo_tui.store.layout import (
    CREATING_FILE as CREATING_FILE,  # re-exported for session_setup
)
from duo_tui.store.lock import SessionLock
from duo_tui.store.session_files import SessionFiles
from duo_tui.store.session_list import SessionSummary, list_sessions
from duo_tui.vcs.repo import ensure_excluded, git_common_dir

__all__ = [
    "SessionStore",
    "SessionSummary",
    "ensure_git_excluded",
    "mark_interrupted",
    "model_slug",
    "new_session_id",
    "redact_obj",
    "round_dir",
    "sessions_root",
]


def ensure_git_excluded(repo: Path | str) -> bool:
    """Make git ignore `.duo/`: list it in the repository's `info/exclude` (shared by all
    worktrees) and drop a `.duo/.gitignore` of `*` as a second net. Idempotent.
    Returns False if `repo` is not a git repository (only the .gitignore is written)."""
    repo = Path(repo)
    duo = repo / ".duo"
    duo.mkdir(parents=True, exist_ok=True)
    gitignore = duo / ".gitignore"
    if not gitignore.exists():
        write_atomic(gitignore, "# written by duo-tui: session files stay out of git\n*\n")
    common = git_common_dir(repo)
    if common is None:
        return False
    ensure_excluded(common)  # the same rule the session worktree uses (vcs/repo.py)
    return True


def mark_interrupted(session: Session) -> bool:
    """If `session.current` is RUNNING (the process died while it ran), mark it
    interrupted and FAILED with error "interrupted" so the runner reruns it.
    The matching entry of `session.runs`, if any, is marked too. Returns whether
    anything changed. Does not save."""
    current = session.current
    if current is None or current.state != StageState.RUNNING:
        return False
    twins = [
        run
        for run in session.runs
        if run is not current
        and run.state == StageState.RUNNING
        and (run.stage, run.round, run.task_id, run.attempt)
        == (current.stage, current.round, current.task_id, current.attempt)
    ]
    for run in [current, *twins]:
        run.move(StageState.FAILED)
        run.error = "interrupted"
        run.interrupted = True
    session.touch()
    return True


class SessionStore(SessionFiles):
    """Reads and writes one session folder `<repo>/.duo/sessions/<id>/`.

    Not a lock: take `store.lock()` for the time a process works on the session.
    """

    def __init__(self, repo: Path | str, session_id: str) -> None:
        if not _ID_RE.match(session_id):
            raise ConfigError(
                f"{session_id!r} is not a valid session id "
                "(letters, digits, '.', '_' and '-'; `duo-tui sessions` lists them)"
            )
        self.repo = Path(repo)
        self.id = session_id
        self.path = sessions_root(self.repo) / session_id
        self._save_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SessionStore({str(self.path)!r})"

    # --- opening ------------------------------------------------------------------

    @classmethod
    def create(cls, repo: Path | str, session: Session) -> SessionStore:
        """Make the folder of a new session, write session.json and request.md, and
        make sure git ignores `.duo/`. Fails if a session with that id exists."""
        repo = Path(repo)
        store = cls(repo, session.id)
        ensure_git_excluded(repo)
        store.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            store.path.mkdir()
        except FileExistsError:
            raise DuoError(
                f"a session {session.id!r} already exists in {store.path.parent}; "
                "pick another id (new_session_id() adds -2, -3...) or resume it"
            ) from None
        store.write_request(session.request)
        store.save(session)
        return store

    @classmethod
    def open(cls, repo: Path | str, session_id: str) -> SessionStore:
        """The store of an existing session; ConfigError if there is none."""
        store = cls(repo, session_id)
        if not store.path.is_dir():
            raise ConfigError(
                f"no session {session_id!r} in {sessions_root(repo)} "
                "(`duo-tui sessions` lists the sessions of this repository)"
            )
        return store

    @classmethod
    def latest(cls, repo: Path | str) -> SessionStore | None:
        """The most recently saved session (even a broken one), or None."""
        summaries = cls.list_sessions(repo)
        return cls(repo, summaries[0].id) if summaries else None

    @classmethod
    def list_sessions(cls, repo: Path | str) -> list[SessionSummary]:
        """Every session folder, newest first; broken ones are listed with `error` set."""
        return list_sessions(repo)

    def lock(self) -> SessionLock:
        """The exclusive lock of this session (use as a context manager)."""
        return SessionLock(self.path / LOCK_FILE, what=f"session {self.id}")

    # --- session.json -------------------------------------------------------------

    def save(self, session: Session) -> None:
        """Atomically rewrite session.json (redacted), keeping the previous good
        version as session.json.bak. Sets `session.updated_at`."""
        session.touch()
        text = _dumps(session.model_dump(mode="json"), indent=2) + "\n"
        current = self.path / SESSION_FILE
        with self._save_lock:
            if current.exists():
                self._backup(current)
            write_atomic(current, text)

    def _backup(self, current: Path) -> None:
        try:
            _read_session_file(current)
        except Exception:
            return  # never replace a good backup with a broken (or hand-mangled) file
        backup = self.path / BACKUP_FILE
        tmp = self.path / f".{BACKUP_FILE}.link"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        try:
            os.link(current, tmp)  # session.json is only ever replaced, so a link is a copy
            os.replace(tmp, backup)
        except OSError:
            write_atomic(backup, current.read_bytes())

    def load(self) -> tuple[Session, list[str]]:
        """The Session and a list of problems (each naming the file concerned).

        A broken session.json falls back to session.json.bak; if both are broken
        but request.md survives, a fresh session for that request is returned.
        Raises DuoError only when nothing usable is left.
        """
        problems: list[str] = []
        session: Session | None = None
        try:
            session = _read_session_file(self.path / SESSION_FILE)
        except Exception as exc:
            first = _json_problem(SESSION_FILE, exc)
            try:
                session = _read_session_file(self.path / BACKUP_FILE)
                problems.append(
                    f"{first}; opened the previous version from {BACKUP_FILE} "
                    "(changes of the last save may be missing)"
                )
            except Exception as bak_exc:
                second = _json_problem(BACKUP_FILE, bak_exc)
                try:
                    request = self.read_artifact(REQUEST_FILE, limit=SESSION_FILE_BYTES)
                except InputError:
                    request = None
                if request is None:
                    raise DuoError(
                        f"session {self.id} cannot be opened: {first}, {second}, "
                        f"and {REQUEST_FILE} is missing too ({self.path})"
                    ) from exc
                session = Session(
                    id=self.id, slug=slugify(request), request=request, repo=str(self.repo)
                )
                problems.append(
                    f"{first} and {second}: started the session afresh from {REQUEST_FILE} "
                    f"(plan and tasks must be redone; {DECISIONS_FILE} is kept)"
                )
        if session.id != self.id:
            problems.append(
                f"{SESSION_FILE} names session {session.id!r} but lives in folder {self.id!r}"
            )
        problems.extend(self._check_files(session))
        return session, problems

    def _check_files(self, session: Session) -> list[str]:
        problems: list[str] = []
        if not (self.path / REQUEST_FILE).is_file():
            problems.append(f"{REQUEST_FILE} is missing (the request is kept in {SESSION_FILE})")
        for version in range(1, session.plan_version + 1):
            name = f"plan-v{version}.md"
            if not (self.path / name).is_file():
                problems.append(
                    f"{name} is missing ({SESSION_FILE} says the plan is at version "
                    f"{session.plan_version})"
                )
        seen: set[str] = set()
        for run in [*session.runs, *([session.current] if session.current else [])]:
            if run.artifact and run.artifact not in seen:
                seen.add(run.artifact)
                try:
                    target = self._resolve(run.artifact)
                except ValueError as exc:
                    problems.append(f"{run.stage.value} run: {exc}")
                    continue
                if not target.exists():
                    problems.append(
                        f"{run.artifact} is missing (output of the {run.stage.value} stage, "
                        f"round {run.round})"
                    )
        for name in (DECISIONS_FILE, TRANSCRIPT_FILE):
            problems.extend(read_jsonl(self.path / name)[1])
        lines = count_lines(self.path / DECISIONS_FILE)
        if lines < session.decisions_logged:
            problems.append(
                f"{DECISIONS_FILE} holds {lines} decision(s) but {session.decisions_logged} "
                f"were logged: {session.decisions_logged - lines} are lost (the file was "
                "deleted or cut short); reports and exports lack them"
            )
        return problems

    # --- logs ---------------------------------------------------------------------

    def append_decision(self, decision: Decision) -> None:
        """Append to decisions.jsonl and fsync before returning."""
        append_line(self.path / DECISIONS_FILE, _dumps(decision.model_dump(mode="json")))

    def read_decisions(self) -> tuple[list[Decision], list[str]]:
        """All decisions that can be read, and problems (bad lines, by line number)."""
        return read_models(self.path / DECISIONS_FILE, Decision)

    def decisions(self) -> list[Decision]:
        return self.read_decisions()[0]

    def append_call(self, record: CallRecord) -> None:
        """Append one model call to transcript.jsonl (fsynced)."""
        append_line(self.path / TRANSCRIPT_FILE, _dumps(record.model_dump(mode="json")))

    def read_calls(self) -> tuple[list[CallRecord], list[str]]:
        return read_models(self.path / TRANSCRIPT_FILE, CallRecord)

    def calls(self) -> list[CallRecord]:
        return self.read_calls()[0]

    # --- recovery -------------------------------------------------------------------

    def mark_interrupted(self, session: Session) -> bool:
        """`mark_interrupted(session)` and, if it changed anything, save."""
        changed = mark_interrupted(session)
        if changed:
            self.save(session)
        return changed
