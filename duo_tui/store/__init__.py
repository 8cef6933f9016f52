"""Persistence: session folders of plain files under `<repo>/.duo/`, crash-safe and redacted.

- `SessionStore`: one session's folder (session.json, plan versions, per-round
  artifacts, decision log, transcript, stream journals);
- `SessionLock` / `session_lock` / `repo_lock`: one process per session (flock);
- `export_markdown` / `export_json` / `export_to_file`: the session for a pull request or a script;
- `write_atomic` / `append_line` / `read_jsonl`: the crash-safe primitives.

No Textual and no provider SDK is imported here.
"""

from __future__ import annotations

from duo_tui.store.atomic import append_line, read_jsonl, write_atomic
from duo_tui.store.export import export_json, export_to_file
from duo_tui.store.journal import StreamJournal
from duo_tui.store.lock import SessionLock, repo_lock, session_lock
from duo_tui.store.markdown_export import export_markdown
from duo_tui.store.session_store import (
    SessionStore,
    SessionSummary,
    ensure_git_excluded,
    mark_interrupted,
    model_slug,
    new_session_id,
    round_dir,
    sessions_root,
)

__all__ = [
    "SessionLock",
    "SessionStore",
    "SessionSummary",
    "StreamJournal",
    "append_line",
    "ensure_git_excluded",
    "export_json",
    "export_markdown",
    "export_to_file",
    "mark_interrupted",
    "model_slug",
    "new_session_id",
    "read_jsonl",
    "repo_lock",
    "round_dir",
    "session_lock",
    "sessions_root",
    "write_atomic",
]
