"""Stream journal: model output written to disk as it arrives, recoverable after a kill.

`StreamJournal.write(text)` is cheap enough to call for every token: text is
buffered in memory and written (one `os.write`, no fsync) at most every
`flush_interval` seconds or when `flush_bytes` characters are pending. A
SIGKILL therefore loses at most the last ~100 ms of a stream; a power cut
loses what the OS had not written back (the file is fsynced on close).

While a stream runs its file is `streams/<name>.partial`; `finish()` fsyncs it
and renames it to `streams/<name>.txt`. A `.partial` file found later is the
output of a stage that was interrupted.

Every byte passes through `duo_tui.redact.redact`. Because a secret could be
split across two flushes, a flush only writes up to a safe cut (the end of the
last complete line, or a whitespace well before the end of a very long line)
and only when redacting the two sides separately gives the same text as
redacting the whole buffer; the rest waits for the next flush.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path
from types import TracebackType

from duo_tui.redact import redact
from duo_tui.store.atomic import disk_full, fsync_dir

__all__ = ["StreamJournal"]

_WHITESPACE = re.compile(r"\s")
_LONG_LINE = 4096  # cut mid-line (at whitespace) only when a line is this long
_TAIL_KEEP = 128  # ... and keep at least this much after the cut
_FORCE = 256 * 1024  # beyond this much pending text, write even without a safe cut


class StreamJournal:
    """Append-only journal of one model stream. Not for use by several threads at once
    without care: `write` and `flush` take an internal lock, so it is safe, but the
    order of text from different threads is whatever order they call in."""

    def __init__(
        self,
        partial_path: Path,
        final_path: Path,
        name: str,
        *,
        flush_interval: float = 0.1,
        flush_bytes: int = 4096,
    ) -> None:
        self.name = name
        self.partial_path = partial_path
        self.final_path = final_path
        self.flush_interval = flush_interval
        self.flush_bytes = flush_bytes
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._pending_len = 0
        self._last_flush = time.monotonic()
        self._finished = False
        partial_path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(
            partial_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644
        )
        fsync_dir(partial_path.parent)

    @property
    def closed(self) -> bool:
        return self._fd is None

    @property
    def finished(self) -> bool:
        return self._finished

    def write(self, text: str) -> None:
        """Add streamed text; hits the disk at most every ~100 ms or 4 KB."""
        if not text:
            return
        with self._lock:
            if self._fd is None:
                raise ValueError(f"stream journal {self.name!r} is closed")
            self._pending.append(text)
            self._pending_len += len(text)
            if (
                self._pending_len >= self.flush_bytes
                or time.monotonic() - self._last_flush >= self.flush_interval
            ):
                self._flush_locked(final=False)

    def flush(self) -> None:
        """Write what can safely be written now (without fsync)."""
        with self._lock:
            if self._fd is not None:
                self._flush_locked(final=False)

    def _flush_locked(self, *, final: bool) -> None:
        self._last_flush = time.monotonic()
        if not self._pending or self._fd is None:
            return
        buf = "".join(self._pending)
        cut = len(buf) if final else _safe_cut(buf)
        if cut <= 0:
            self._pending = [buf]
            return
        head, rest = buf[:cut], buf[cut:]
        data = redact(head).encode("utf-8")
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            full = disk_full(exc, self.partial_path)
            if full is not None:
                raise full from exc
            raise
        self._pending = [rest] if rest else []
        self._pending_len = len(rest)

    def close(self) -> None:
        """Write everything, fsync and close; the stream stays `.partial` (unfinished)."""
        with self._lock:
            if self._fd is None:
                return
            try:
                self._flush_locked(final=True)
                os.fsync(self._fd)
            finally:
                os.close(self._fd)
                self._fd = None

    def finish(self) -> Path:
        """Close the journal and mark the stream complete (`.partial` -> `.txt`)."""
        self.close()
        if not self._finished:
            os.replace(self.partial_path, self.final_path)
            fsync_dir(self.final_path.parent)
            self._finished = True
        return self.final_path

    def __enter__(self) -> StreamJournal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """A clean exit finishes the stream; an exception leaves it partial."""
        if exc_type is None:
            self.finish()
        else:
            self.close()

    def __repr__(self) -> str:
        state = "finished" if self._finished else ("closed" if self.closed else "open")
        return f"StreamJournal({self.name!r}, {state})"


def _safe_cut(buf: str) -> int:
    """Where `buf` may be split for writing without hiding a secret from redaction."""
    cut = buf.rfind("\n") + 1
    if cut == 0 and len(buf) >= _LONG_LINE:
        limit = len(buf) - _TAIL_KEEP
        for match in _WHITESPACE.finditer(buf, 0, limit):
            cut = match.end()
    if cut == 0 and len(buf) >= _FORCE:
        cut = len(buf) - _TAIL_KEEP
    if cut <= 0:
        return 0
    head, tail = buf[:cut], buf[cut:]
    if tail and redact(head) + redact(tail) != redact(buf):
        return 0 if len(buf) < _FORCE else len(buf) - _TAIL_KEEP
    return cut
