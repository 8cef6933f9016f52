"""The repair of a damaged review reply, bounded in time: json_repair runs in a child.

`json_repair` is best effort and pure Python, and on some inputs far worse than
linear: 40 KB of `["` takes 90 s, 20 KB of `{` 3 s. A model's reply is untrusted,
so a reply built that way would hold the review stage (and the pipeline thread,
which a quit then waits for) for minutes. The repair therefore runs in a child
Python process (`-I`: the repository's files never shadow a module) with a
deadline; past it the child is killed and the reply counts as "no JSON review
found", which the stage reports and reruns like any other unreadable answer.
Only the damaged path pays the child's start-up (about 0.1 s).

`repair_review_async` is the same for the event loop (the review stage): the
child is awaited, never blocked on, so a quit cancels it at once; the child is
then killed before the cancellation goes on, and a forced exit kills it too
(`process_groups`).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from contextlib import suppress
from typing import Any

from duo_tui import process_groups

__all__ = ["REPAIR_TIMEOUT_S", "looks_like_review", "repair_review", "repair_review_async"]

#: The longest a repair may take; a real review (tens of KB) repairs in milliseconds.
REPAIR_TIMEOUT_S = 5.0

# Tries each chunk in turn; prints the first repaired value that looks like a review.
_CHILD = r"""
import json, sys
import json_repair

def looks(v):
    if isinstance(v, dict):
        return "findings" in v or "issues" in v
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)

for chunk in json.load(sys.stdin):
    starts = [i for i in (chunk.find("{"), chunk.find("[")) if i >= 0]
    if not starts:
        continue
    try:
        value = json_repair.loads(chunk[min(starts):])
    except Exception:
        continue
    if looks(value):
        try:
            sys.stdout.write(json.dumps(value))
        except Exception:
            continue
        break
"""


def looks_like_review(value: Any) -> bool:
    """An object with findings (or issues), or a non-empty list of objects."""
    if isinstance(value, dict):
        return "findings" in value or "issues" in value
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def repair_review(chunks: Sequence[str], timeout_s: float | None = None) -> Any | None:
    """The first of `chunks` that repairs into something review-shaped, or None
    (nothing did, the repair failed, or it ran out of time: `timeout_s`, by
    default `REPAIR_TIMEOUT_S`)."""
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD],
            input=json.dumps(list(chunks)),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=REPAIR_TIMEOUT_S if timeout_s is None else timeout_s,
            stdin=None,
        )
    except (subprocess.TimeoutExpired, OSError):
        return None
    if proc.returncode != 0:
        return None
    return _repaired(proc.stdout)


def _repaired(stdout: str) -> Any | None:
    if not stdout:
        return None
    try:
        value = json.loads(stdout)
    except (ValueError, RecursionError):
        return None
    return value if looks_like_review(value) else None


def _kill(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL the child's process group (it leads one); nothing if it is gone."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


async def repair_review_async(chunks: Sequence[str], timeout_s: float | None = None) -> Any | None:
    """`repair_review` without blocking the event loop.

    Cancelled (the user quits while a pathological reply is being repaired), the
    child is killed and reaped at once and the cancellation propagates: a quit
    never waits for the deadline.
    """
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-I",
            "-c",
            _CHILD,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,  # its own group: a forced exit kills it (process_groups)
        )
    except OSError:
        return None
    process_groups.register(proc.pid)
    try:
        data = json.dumps(list(chunks)).encode("utf-8")
        deadline = REPAIR_TIMEOUT_S if timeout_s is None else timeout_s
        out, _ = await asyncio.wait_for(proc.communicate(data), deadline)
    except TimeoutError:
        return None
    finally:
        if proc.returncode is None:  # past the deadline, or cancelled: never left running
            _kill(proc)
            with suppress(BaseException):
                await proc.wait()
        process_groups.unregister(proc.pid)
    if proc.returncode != 0:
        return None
    return _repaired(out.decode("utf-8", errors="replace"))
