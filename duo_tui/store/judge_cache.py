"""The standalone triage judge's cache: `duo-tui triage A B --judge MODEL` run again on
the same reviews reads the judge's verdicts back instead of paying for a second call.

A session keeps its judge's answer in the round's folder; a standalone triage has no
session, so its answers live in the user's cache folder, `judge_cache_dir()`:
``$XDG_CACHE_HOME/duo-tui/triage-judge/`` (``~/.cache/duo-tui/triage-judge/`` when
unset), one JSON file per call. A file is named by the call's `cache_key`: a hash of
the cache format, the model, the judge's system prompt, its prompt (the template with
the findings it asks about) and the verdict schema. So another model, another prompt
version or other findings never read it, and a matcher that finds other uncertain
pairs asks again.

A missing, damaged or oversized file is a miss (the judge is asked), never an error;
a folder that cannot be written costs only the cache (the caller says so). Writes are
atomic.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from duo_tui.limits import MB, SESSION_JSON_DEPTH, InputError, loads_json, read_regular_file
from duo_tui.store.atomic import write_atomic

__all__ = ["ENTRY_BYTES", "JudgeFileCache", "judge_cache_dir"]

#: A cached answer larger than this is not read (a judge's answer is a few kB).
ENTRY_BYTES = 2 * MB
_KEY = re.compile(r"[0-9a-f]{64}")


def judge_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/duo-tui/triage-judge`` (``~/.cache/...`` when unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "duo-tui" / "triage-judge"


class JudgeFileCache:
    """The judge's answers under `root`, one file per call key."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root if root is not None else judge_cache_dir()

    def path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a judge cache key: {key[:80]!r}")
        return self.root / f"{key[:40]}.json"

    def load(self, key: str) -> dict[str, Any] | None:
        """The entry stored for `key`, or None (absent, damaged, another key's)."""
        try:
            raw = read_regular_file(self.path(key), ENTRY_BYTES)
            data = loads_json(raw, SESSION_JSON_DEPTH)
        except (OSError, ValueError, InputError):
            return None
        return data if isinstance(data, dict) and data.get("key") == key else None

    def save(self, entry: dict[str, Any]) -> Path:
        """Keep `entry` (a `JudgeOutcome.cache_entry`); its path. Raises OSError."""
        path = self.path(str(entry.get("key", "")))
        self.root.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(entry, indent=1) + "\n")
        return path
