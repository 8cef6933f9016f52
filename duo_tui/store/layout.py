"""Where a session's files live and what they are called, and reading session.json.

The layout itself is described in :mod:`duo_tui.store.session_store`. Everything here is
shared by the store and the session listing, so neither imports the other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from duo_tui.core.session import Session, slugify
from duo_tui.limits import (
    SESSION_FILE_BYTES,
    SESSION_JSON_DEPTH,
    InputError,
    loads_json,
    read_regular_file,
)
from duo_tui.redact import redact, secret_values
from duo_tui.store.atomic import read_jsonl_numbered

SESSION_FILE = "session.json"
BACKUP_FILE = "session.json.bak"
REQUEST_FILE = "request.md"
DECISIONS_FILE = "decisions.jsonl"
TRANSCRIPT_FILE = "transcript.jsonl"
LOCK_FILE = "lock"
CREATING_FILE = "creating.json"  # a session whose worktree is being made (session_setup.py)
STREAMS_DIR = "streams"
RESERVED = frozenset({SESSION_FILE, BACKUP_FILE, DECISIONS_FILE, TRANSCRIPT_FILE, LOCK_FILE})

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
_SEGMENT_RE = re.compile(r"^[A-Za-z0-9_.+@=-][A-Za-z0-9_.+@= -]*$")
_PLAN_RE = re.compile(r"^plan-v(\d+)\.md$")


# ----------------------------------------------------------------------------- helpers


def redact_obj(value: Any, secrets: list[str] | None = None) -> Any:
    """`redact` applied to every string (keys included) in a JSON-like structure."""
    if secrets is None:
        secrets = secret_values()  # once per document, not once per string
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {redact_obj(k, secrets): redact_obj(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_obj(v, secrets) for v in value]
    return value


def _dumps(value: Any, *, indent: int | None = None) -> str:
    return json.dumps(redact_obj(value), ensure_ascii=False, indent=indent)


def sessions_root(repo: Path | str) -> Path:
    """`<repo>/.duo/sessions`."""
    return Path(repo) / ".duo" / "sessions"


def model_slug(model: str) -> str:
    """A file-name-safe form of a model string: `anthropic/claude-opus-4-7` ->
    `anthropic-claude-opus-4-7`."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model).strip("-.")
    return slug[:80] or "model"


def round_dir(task_id: str | None, round_no: int) -> str:
    """The folder of one task's round, relative to the session dir: `T1/round-2`.
    A session without tasks uses `T1`."""
    task = task_id or "T1"
    if not _ID_RE.match(task):
        task = model_slug(task)
    return f"{task}/round-{int(round_no)}"


def new_session_id(
    request: str,
    today: date | str | None = None,
    *,
    repo: Path | str | None = None,
    existing: Collection[str] = (),
) -> str:
    """`2026-11-21-add-rate-limit`: the date and a slug of the request; `-2`, `-3`...
    when that id is already in `existing` or already a session folder of `repo`."""
    if today is None:
        today = datetime.now().date()
    day = today if isinstance(today, str) else today.isoformat()
    base = f"{day}-{slugify(request)}"
    taken = set(existing)
    root = sessions_root(repo) if repo is not None else None
    candidate, n = base, 1
    while candidate in taken or (root is not None and (root / candidate).exists()):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _json_problem(name: str, exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
    if isinstance(exc, ValidationError):
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()[:3]
        )
        more = f" (+{exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
        return f"{name} does not match the session format ({details}{more})"
    if isinstance(exc, FileNotFoundError):
        return f"{name} is missing"
    if isinstance(exc, OSError):
        return f"{name} cannot be read ({exc.strerror or exc})"
    return f"{name} cannot be read ({exc})"


def _read_session_file(path: Path) -> Session:
    """session.json (or its backup); InputError for one nested without end, over
    `SESSION_FILE_BYTES` or not a regular file (FileNotFoundError when missing)."""
    if not path.exists():
        raise FileNotFoundError(path)
    if not path.is_file():
        raise InputError("not a regular file")
    try:
        raw = read_regular_file(path, SESSION_FILE_BYTES)
    except InputError as exc:  # the message starts with the path; the caller names the file
        raise InputError(str(exc).removeprefix(f"{path}: ")) from None
    data = loads_json(raw.decode("utf-8", errors="replace"), SESSION_JSON_DEPTH)
    return Session.model_validate(data)


def count_lines(path: Path) -> int:
    """Non-empty lines of a log (0 if it is missing)."""
    try:
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    except OSError:
        return 0


def round_no(name: str) -> int | None:
    match = re.fullmatch(r"round-(\d+)", name)
    return int(match.group(1)) if match else None


def natural_key(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def read_models(path: Path, model: Any) -> tuple[list[Any], list[str]]:
    records, problems = read_jsonl_numbered(path)
    out = []
    for number, record in records:
        try:
            out.append(model.model_validate(record))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top)"
            problems.append(
                f"{path.name} line {number}: not a valid {model.__name__} "
                f"({where}: {first['msg']}); skipped"
            )
    return out, problems
