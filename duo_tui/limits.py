"""Size limits on every input, and the bounded readers that enforce them.

Hostile or broken input must end in a clear error, never in a traceback, a
hang or an exhausted machine. This module holds the limits (defaults here,
overridden by the `[limits]` table of the configuration) and the primitives
that apply them to files:

- `read_regular_file` refuses anything that is not a regular file *before*
  opening it (a FIFO would block, `/dev/zero` never ends), opens with
  `O_NONBLOCK` so a file swapped for a FIFO in between cannot block either,
  and reads at most `limit + 1` bytes;
- `loads_json` parses JSON whose nesting is bounded: a document deeper than
  the C decoder's recursion limit is caught, and anything deeper than
  `max_depth` is refused after parsing with an iterative walk.

Plain Python: no UI, no SDK.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from duo_tui.errors import DuoError, EditError

__all__ = [
    "CONFIG_FILE_BYTES",
    "DEFAULT_LIMITS",
    "GOLDEN_FILE_BYTES",
    "MB",
    "PR_DIFF_BYTES",
    "SESSION_JSON_DEPTH",
    "InputError",
    "Limits",
    "check_edit_sizes",
    "json_depth",
    "json_values",
    "loads_json",
    "parse_json_text",
    "read_regular_file",
]

MB = 1_000_000
#: A configuration file is never bigger than this (the limits live in it, so fixed).
CONFIG_FILE_BYTES = 1 * MB
#: Nesting depth allowed in a configuration file.
CONFIG_DEPTH = 32
#: Nesting depth allowed in a file of a session folder read without a configuration
#: (session.json, a lock note, a log line); duo-tui's own files nest 6 deep at most.
SESSION_JSON_DEPTH = 64
#: The largest session.json, its backup, the creation marker or request.md read back:
#: duo-tui writes a few hundred kB at most; a bigger one was put there by something else.
SESSION_FILE_BYTES = 32 * MB
#: A pull request's diff fetched for an eval suite (`duo_tui.eval.pr_diffs`): ~500k tokens,
#: more than any reviewer's context.
PR_DIFF_BYTES = 2 * MB
#: A file of golden comments in the public benchmark's format (`duo_tui.eval.golden`).
GOLDEN_FILE_BYTES = 5 * MB


class InputError(DuoError):
    """An input file or text breaks a limit or is not a regular file; exit 2."""

    exit_code = 2


@dataclass(frozen=True)
class Limits:
    """The input limits in force (DESIGN.md: every input has a size limit)."""

    review_file_bytes: int = 20 * MB
    """A review file given to `duo-tui triage`."""
    edit_bytes: int = 1 * MB
    """One SEARCH/REPLACE block (its SEARCH and REPLACE text together)."""
    term_chars: int = 200
    """Longest token the triage matcher looks at; longer ones are cut to this."""
    findings_per_review: int = 5000
    """More findings than this in one review are refused."""
    json_depth: int = 64
    """Deepest nesting of a review document."""
    json_values: int = 500_000
    """Most JSON values (objects, arrays, strings, numbers) in a review document."""


DEFAULT_LIMITS = Limits()


def _mb(n: int) -> str:
    return f"{n / MB:g} MB"


def read_regular_file(path: Path, limit: int, *, setting: str = "") -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes.

    Raises `InputError` naming the file for a missing or unreadable file, for
    anything that is not a regular file (directory, FIFO, device, socket) and
    for a file over the limit (`setting` names the config key that raises it).
    Never blocks on a FIFO and never reads more than `limit + 1` bytes.
    """
    where = f" ([limits] {setting})" if setting else ""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: cannot read the file: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path}: is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: not a regular file (a FIFO, device or socket); give a file")
    if st.st_size > limit:
        raise InputError(f"{path}: {_mb(st.st_size)} is over the limit of {_mb(limit)}{where}")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped between stat and open
            raise InputError(f"{path}: not a regular file (a FIFO, device or socket)")
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:  # the file grew after the stat
        raise InputError(f"{path}: more than the limit of {_mb(limit)}{where}")
    return data


def json_depth(value: Any, stop_at: int) -> int:
    """Nesting depth of a parsed JSON value (a scalar is 0), counted up to `stop_at + 1`.

    Level by level, so it cannot itself run out of stack.
    """
    depth = 0
    level = [value] if isinstance(value, dict | list) else []
    while level and depth <= stop_at:
        depth += 1
        nxt: list[Any] = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            nxt.extend(c for c in children if isinstance(c, dict | list))
        level = nxt
    return depth


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def json_values(raw: bytes) -> int:
    """An upper bound on the number of values in the JSON document `raw`, without parsing it.

    Commas and brackets outside strings; strings are skipped only when the
    quick count (brackets inside strings too) is already large.
    """

    def count(b: bytes) -> int:
        return b.count(b",") + b.count(b"[") + b.count(b"{") + 1

    quick = count(raw)
    if quick <= 100_000:
        return quick
    return count(_JSON_STRING.sub(b'""', raw))


def loads_json(text: str | bytes, max_depth: int) -> Any:
    """`json.loads` with nesting bounded by `max_depth`.

    Raises `InputError` for a document nested deeper than that (including one
    so deep the decoder itself gives up); `json.JSONDecodeError` is left to the
    caller, who knows how to name the place.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise InputError(f"JSON nested deeper than {max_depth} levels") from None
    if json_depth(value, max_depth) > max_depth:
        raise InputError(f"JSON nested deeper than {max_depth} levels")
    return value


def parse_json_text(text: str, limits: Limits, name: str) -> Any:
    """A JSON document already read (a session file we wrote but cannot trust), bounded.

    Raises `InputError` naming `name` for text over `review_file_bytes`, more
    than `json_values` values, nesting deeper than `json_depth` (however deep:
    never a `RecursionError`) and for text that is not JSON at all.
    """
    raw = text.encode("utf-8", errors="replace")
    if len(raw) > limits.review_file_bytes:
        raise InputError(
            f"{name}: {_mb(len(raw))} is over the limit of {_mb(limits.review_file_bytes)} "
            "([limits] review_file_mb)"
        )
    if json_values(raw) > limits.json_values:
        raise InputError(
            f"{name}: more than {limits.json_values} JSON values ([limits] json_values)"
        )
    del raw
    try:
        return loads_json(text, limits.json_depth)
    except InputError as exc:
        raise InputError(f"{name}: {exc} ([limits] json_depth)") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


class _Block(Protocol):
    @property
    def index(self) -> int: ...
    @property
    def path(self) -> str: ...
    @property
    def search(self) -> str: ...
    @property
    def replace(self) -> str: ...


def check_edit_sizes(blocks: Iterable[_Block], limit: int) -> None:
    """Refuse (EditError) a SEARCH/REPLACE block whose text is over `limit` bytes.

    Checked before anything is applied or stored: a huge edit is an error shown
    to the human (and fed back to the model), never a slow commit.
    """
    for b in blocks:
        size = len(b.search.encode("utf-8")) + len(b.replace.encode("utf-8"))
        if size > limit:
            raise EditError(
                f"edit block {b.index} ({b.path}) is {_mb(size)}, over the limit of "
                f"{_mb(limit)} for one edit ([limits] edit_mb); split the change into "
                "smaller edits"
            )
