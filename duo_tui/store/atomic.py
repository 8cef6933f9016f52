"""Crash-safe file primitives: atomic replace, fsynced appends, tolerant JSONL reads.

The session store is built on three operations that survive a kill at any moment:

- `write_atomic` replaces a whole file so that a reader sees either the old or
  the new content, never a mix, and never a half-written file;
- `append_line` adds one line to an append-only log and makes it durable
  before returning (decisions are never lost once made);
- `read_jsonl` reads such a log back, keeping every good record even when the
  last line was cut short by a kill or a line was mangled by hand.

These functions write exactly what they are given: redaction of secrets is the
caller's job (the session store does it for every byte it writes).

A full disk (ENOSPC, or a quota: EDQUOT) raises `DiskFullError`, a `DuoError`
whose message says so; the file keeps its old content (`write_atomic`) or
its old length (`append_line`), so the session on disk stays valid and can
be resumed once space is freed.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from duo_tui.errors import DiskFullError
from duo_tui.limits import SESSION_JSON_DEPTH, InputError, loads_json

__all__ = [
    "DiskFullError",
    "append_line",
    "disk_full",
    "find_disk_full",
    "fsync_dir",
    "read_jsonl",
    "read_jsonl_numbered",
    "write_atomic",
]

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


def find_disk_full(exc: BaseException) -> DiskFullError | None:
    """The full disk behind `exc` (itself, its cause or its context), if that is what it was."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, DiskFullError):
            return cur
        full = disk_full(cur, getattr(cur, "filename", None) or "a file")
        if full is not None:
            return full
        cur = cur.__cause__ or cur.__context__
    return None


def disk_full(exc: BaseException, path: Path | str) -> DiskFullError | None:
    """The `DiskFullError` for `exc` when it is ENOSPC/EDQUOT, else None."""
    if isinstance(exc, OSError) and exc.errno in _FULL:
        return DiskFullError(
            f"the disk is full (writing {path}): free some space, then resume the session "
            "(duo-tui run --resume, or duo-tui resume)"
        )
    return None


def fsync_dir(path: Path) -> None:
    """fsync a directory so that a rename or a new entry in it is durable."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - platforms that cannot open directories
        return
    try:
        with contextlib.suppress(OSError):  # some filesystems refuse fsync on a directory
            os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_atomic(path: Path | str, data: str | bytes, *, mode: int | None = 0o644) -> None:
    """Replace `path` with `data` atomically and durably.

    The data goes to a temporary file in the same directory, which is flushed,
    fsynced and renamed over `path` (`os.replace`), then the directory is
    fsynced. If anything fails the temporary file is removed and `path` keeps
    its old content. Text is written as UTF-8. `mode=None` gives the file the
    permissions a plain new file would get (0o666 less the umask), as for a
    file the user's own tools create in their repository.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    try:
        _replace(path, payload, mode)
    except OSError as exc:
        full = disk_full(exc, path)
        if full is not None:
            raise full from exc
        raise


def _open_temp(path: Path, mode: int | None) -> tuple[int, Path]:
    """A new temporary file beside `path`: mkstemp's 0o600, or 0o666 less the umask for None."""
    if mode is not None:
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        return fd, Path(tmp_name)
    # Let the kernel apply the umask (reading it with os.umask would race other threads).
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue


def _replace(path: Path, payload: bytes, mode: int | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _open_temp(path, mode)
    try:
        try:
            _write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def append_line(path: Path | str, line: str) -> None:
    """Append one line (a trailing newline is added) and fsync before returning.

    The file is opened with O_APPEND so concurrent appenders never overwrite
    each other, and the line is written with a single `write`. If the file
    does not end with a newline (a previous writer was killed mid-line), a
    newline is written first so the new record is not glued to the garbage.
    `line` itself must not contain a newline.
    """
    if "\n" in line or "\r" in line:
        raise ValueError("append_line: a log line must not contain a line break")
    path = Path(path)
    try:
        _append(path, line)
    except OSError as exc:
        full = disk_full(exc, path)
        if full is not None:
            raise full from exc
        raise


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        prefix = b""
        size = os.fstat(fd).st_size
        if size > 0:
            with open(path, "rb") as reader:
                reader.seek(size - 1)
                if reader.read(1) != b"\n":
                    prefix = b"\n"
        try:
            _write_all(fd, prefix + line.encode("utf-8") + b"\n")
            os.fsync(fd)
        except OSError:
            # A half-written record (disk full) is cut off again: the log stays whole.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


def read_jsonl(path: Path | str) -> tuple[list[dict[str, Any]], list[str]]:
    """Read a JSONL log: (records, errors).

    A missing file is an empty log. Every line that is not a JSON object is
    skipped and reported as `"<file> line N: ..."`; all other lines are kept.
    A bad *last* line without a trailing newline is reported as truncated (the
    writer was most likely killed mid-write).
    """
    numbered, errors = read_jsonl_numbered(path)
    return [record for _, record in numbered], errors


def read_jsonl_numbered(path: Path | str) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """Like `read_jsonl`, with each record's 1-based line number."""
    path = Path(path)
    if path.exists() and not path.is_file():  # a FIFO would block the read for good
        return [], [f"{path.name}: not a regular file; not read"]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [f"{path.name}: cannot be read ({exc.strerror or exc})"]
    text = raw.decode("utf-8", errors="replace")
    lines = text.split("\n")
    ends_clean = text.endswith("\n")
    records: list[tuple[int, dict[str, Any]]] = []
    errors: list[str] = []
    last = len(lines) - 1
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        number = index + 1
        try:
            value = loads_json(line, SESSION_JSON_DEPTH)
        except InputError as exc:
            errors.append(f"{path.name} line {number}: {exc}; skipped")
            continue
        except json.JSONDecodeError as exc:
            if index == last and not ends_clean:
                errors.append(
                    f"{path.name} line {number}: truncated last line ignored "
                    "(the process was probably killed while writing it)"
                )
            else:
                errors.append(f"{path.name} line {number}: not valid JSON ({exc.msg}); skipped")
            continue
        if not isinstance(value, dict):
            errors.append(
                f"{path.name} line {number}: expected a JSON object, "
                f"got {type(value).__name__}; skipped"
            )
            continue
        records.append((number, value))
    return records, errors
