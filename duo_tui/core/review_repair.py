"""The repair of a damaged review reply, bounded in time: json_repair runs in a child.

`json_repair` is best effort and pure Python, and on some inputs far worse than
linear: 40 KB of `["` takes 90 s, 20 KB of `{` 3 s. A model's reply is untrusted,
so a reply built that way would hold the review stage (and the pipeline thread,
which a quit then waits for) for minutes. The repair therefore runs in a child
Python process (`-I`: the repository's files never shadow a module) with a
deadline; past it the child is killed and the reply counts as "no JSON review
found", which the stage reports and reruns like any other unreadable answer.
Only the damaged path pays the child's start-up (about 0.1 s).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["REPAIR_TIMEOUT_S", "looks_like_review", "repair_review"]

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


def repair_review(chunks: Sequence[str], timeout_s: float = REPAIR_TIMEOUT_S) -> Any | None:
    """The first of `chunks` that repairs into something review-shaped, or None
    (nothing did, the repair failed, or it ran out of time)."""
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD],
            input=json.dumps(list(chunks)),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout_s,
            stdin=None,
        )
    except (subprocess.TimeoutExpired, OSError):
        return None
    if proc.returncode != 0 or not proc.stdout:
        return None
    try:
        value = json.loads(proc.stdout)
    except (ValueError, RecursionError):
        return None
    return value if looks_like_review(value) else None
