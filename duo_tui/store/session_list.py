"""The session listing behind `duo-tui sessions` and the sessions screen: one
`SessionSummary` per folder, newest first, broken sessions included with the reason."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from duo_tui.core.session import Session
from duo_tui.limits import SESSION_FILE_BYTES, InputError, read_regular_file
from duo_tui.store.layout import (
    _ID_RE,
    BACKUP_FILE,
    CREATING_FILE,
    REQUEST_FILE,
    SESSION_FILE,
    _json_problem,
    _parse_time,
    _read_session_file,
    sessions_root,
)

__all__ = ["SessionSummary", "list_sessions", "summarize"]


@dataclass(frozen=True)
class SessionSummary:
    """One line of `duo-tui sessions`. `error` is set when the session is broken
    (then the other fields hold what could be recovered)."""

    id: str
    path: Path
    request: str = ""
    status: str = "unknown"
    mode: str = ""
    rounds: int = 0
    cost_usd: float | None = None
    created_at: str | None = None
    updated_at: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def age(self, now: datetime | None = None) -> str:
        """How long ago the session was last saved: `42s`, `5m`, `3h`, `2d`."""
        then = _parse_time(self.updated_at) or _parse_time(self.created_at)
        if then is None:
            return "?"
        seconds = max(0, int(((now or datetime.now(UTC)) - then).total_seconds()))
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if seconds >= size:
                return f"{seconds // size}{unit}"
        return f"{seconds}s"


def list_sessions(repo: Path | str) -> list[SessionSummary]:
    """Every session folder, newest first; broken ones are listed with `error` set."""
    root = sessions_root(repo)
    if not root.is_dir():
        return []
    out: list[SessionSummary] = []
    for child in root.iterdir():
        if not child.is_dir() or not _ID_RE.match(child.name):
            continue
        out.append(summarize(child))

    def key(s: SessionSummary) -> tuple[float, str]:
        when = _parse_time(s.updated_at) or _parse_time(s.created_at)
        if when is None:
            with contextlib.suppress(OSError):
                when = datetime.fromtimestamp(s.path.stat().st_mtime, UTC)
        return (when.timestamp() if when else 0.0, s.id)

    out.sort(key=key, reverse=True)
    return out


def summarize(folder: Path) -> SessionSummary:
    """What `duo-tui sessions` shows of one folder, recovering what it can of a broken one."""
    error: str | None = None
    session: Session | None = None
    try:
        session = _read_session_file(folder / SESSION_FILE)
    except Exception as exc:
        problem = _json_problem(SESSION_FILE, exc)
        error = problem
        try:
            session = _read_session_file(folder / BACKUP_FILE)
            error = f"{problem}; showing the previous version from {BACKUP_FILE}"
        except Exception:
            session = None
    if session is None:
        request = ""
        with contextlib.suppress(OSError, InputError):
            raw = read_regular_file(folder / REQUEST_FILE, SESSION_FILE_BYTES)
            request = raw.decode("utf-8", errors="replace")
        mtime = None
        with contextlib.suppress(OSError):
            mtime = datetime.fromtimestamp(folder.stat().st_mtime, UTC).isoformat(
                timespec="seconds"
            )
        creating = (folder / CREATING_FILE).is_file()
        if creating:  # see duo_tui.session_setup: made, or interrupted while being made
            error = (
                "being created, or its creation was interrupted: "
                f"`duo-tui run --resume {folder.name}` finishes it"
            )
        return SessionSummary(
            id=folder.name,
            path=folder,
            request=request.strip(),
            status="creating" if creating else "broken",
            updated_at=mtime,
            error=error,
        )
    return SessionSummary(
        id=folder.name,
        path=folder,
        request=session.request,
        status=session.status.value,
        mode=session.mode.value,
        rounds=session.total_rounds,
        cost_usd=session.cost_usd if session.cost_known else None,
        created_at=session.created_at,
        updated_at=session.updated_at,
        error=error,
    )
