"""The plain files of one session folder: path-checked, redacted, read with bounds.

`SessionFiles` is the part of `SessionStore` (`duo_tui.store.session_store`,
which adds session.json, the logs and the lock) that reads and writes the
session's artifacts by path relative to its folder: the request, every plan
version, the per-task round artifacts (edits, diff, gate log, reviews, triage)
and the journalled streams. A path that would leave the folder (absolute, `..`,
a symlink out, an unusual name) is refused; everything written passes through
`duo_tui.redact.redact` and `duo_tui.store.atomic.write_atomic`; a read takes a
regular file only, within a limit when one is given.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from duo_tui.core.models import Review, TriageResult
from duo_tui.limits import MB, InputError, read_regular_file
from duo_tui.redact import redact
from duo_tui.store.atomic import write_atomic
from duo_tui.store.journal import StreamJournal
from duo_tui.store.layout import (
    _PLAN_RE,
    _SEGMENT_RE,
    REQUEST_FILE,
    RESERVED,
    STREAMS_DIR,
    _dumps,
    model_slug,
    natural_key,
    round_dir,
    round_no,
)

__all__ = ["SessionFiles"]


class SessionFiles:
    """The artifacts of the session folder `path` (see the module docstring)."""

    path: Path

    # --- plain files ----------------------------------------------------------------

    def _resolve(self, relpath: str) -> Path:
        """The absolute path of `relpath` inside the session dir; ValueError if it
        would leave it (absolute, `..`, a symlink out) or is not a plain name."""
        if not relpath or "\x00" in relpath or "\\" in relpath:
            raise ValueError(f"refused artifact path {relpath!r}: empty or not a plain path")
        pure = PurePosixPath(relpath)
        if pure.is_absolute() or any(part in ("", ".", "..") for part in relpath.split("/")):
            raise ValueError(f"refused artifact path {relpath!r}: it leaves the session folder")
        if not all(_SEGMENT_RE.match(part) for part in pure.parts):
            raise ValueError(f"refused artifact path {relpath!r}: unusual characters in a name")
        target = self.path / pure
        base = self.path.resolve()
        resolved = target.resolve()
        if resolved != base and base not in resolved.parents:
            raise ValueError(f"refused artifact path {relpath!r}: it leaves the session folder")
        return target

    def write_artifact(self, relpath: str, text: str) -> str:
        """Atomically write a text file in the session folder (redacted); returns
        `relpath`. Paths leaving the folder, and the store's own files, are refused."""
        if relpath in RESERVED:
            raise ValueError(f"refused artifact path {relpath!r}: the store manages that file")
        target = self._resolve(relpath)
        write_atomic(target, redact(text))
        return relpath

    def read_artifact(
        self, relpath: str, limit: int | None = None, setting: str = ""
    ) -> str | None:
        """A text file of the session folder, or None if missing or unreadable.

        Only a regular file is read (a FIFO put in its place never blocks). With
        `limit`, a file over `limit` bytes raises `InputError` naming it (and
        `setting`, the `[limits]` key of that limit) instead of being read whole.
        """
        try:
            path = self._resolve(relpath)
            size = path.stat().st_size if path.is_file() else None
        except (OSError, ValueError):
            return None
        if size is None:
            return None
        if limit is not None and size > limit:
            where = f" ([limits] {setting})" if setting else ""
            raise InputError(
                f"{relpath}: {size / MB:g} MB is over the limit of {limit / MB:g} MB{where}"
            )
        try:
            data = read_regular_file(path, sys.maxsize if limit is None else limit)
        except InputError:
            if limit is not None and path.is_file():  # it grew past the limit as it was read
                raise InputError(f"{relpath}: more than the limit of {limit / MB:g} MB") from None
            return None
        return data.decode("utf-8", errors="replace")

    def artifact_path(self, relpath: str) -> Path:
        """Absolute path of an artifact (checked like `write_artifact`)."""
        return self._resolve(relpath)

    def write_request(self, text: str) -> str:
        return self.write_artifact(REQUEST_FILE, text if text.endswith("\n") else text + "\n")

    def read_request(self) -> str | None:
        return self.read_artifact(REQUEST_FILE)

    def write_plan(self, version: int, text: str) -> str:
        """`plan-v<version>.md`; returns its relpath."""
        if version < 1:
            raise ValueError("plan versions start at 1")
        return self.write_artifact(f"plan-v{version}.md", text)

    def plan_versions(self) -> list[int]:
        if not self.path.is_dir():
            return []
        found = (_PLAN_RE.match(p.name) for p in self.path.iterdir())
        return sorted(int(m.group(1)) for m in found if m)

    def read_plan(self, version: int | None = None) -> str | None:
        """A plan version, or the latest one on disk when `version` is None."""
        if version is None:
            versions = self.plan_versions()
            if not versions:
                return None
            version = versions[-1]
        return self.read_artifact(f"plan-v{version}.md")

    # --- per task / round artifacts -------------------------------------------------

    def write_round_artifact(self, task_id: str | None, round_no: int, name: str, text: str) -> str:
        """`<task>/round-<n>/<name>`, e.g. edits.md, diff.patch, gate.log."""
        return self.write_artifact(f"{round_dir(task_id, round_no)}/{name}", text)

    def write_edits(self, task_id: str | None, round_no: int, text: str) -> str:
        return self.write_round_artifact(task_id, round_no, "edits.md", text)

    def write_diff(self, task_id: str | None, round_no: int, diff: str) -> str:
        return self.write_round_artifact(task_id, round_no, "diff.patch", diff)

    def write_gate_log(self, task_id: str | None, round_no: int, log: str) -> str:
        return self.write_round_artifact(task_id, round_no, "gate.log", log)

    def write_review(
        self,
        task_id: str | None,
        round_no: int,
        n: int,
        model: str,
        raw: str,
        review: Review | None = None,
    ) -> tuple[str, str | None]:
        """`review-<n>-<model-slug>.raw.txt` and, when parsed, `.json`; returns both
        relpaths (the second None without a parsed review)."""
        stem = f"{round_dir(task_id, round_no)}/review-{int(n)}-{model_slug(model)}"
        raw_path = self.write_artifact(f"{stem}.raw.txt", raw)
        if review is None:
            return raw_path, None
        json_path = self.write_artifact(
            f"{stem}.json", _dumps(review.model_dump(mode="json"), indent=2) + "\n"
        )
        return raw_path, json_path

    def write_triage(
        self,
        task_id: str | None,
        round_no: int,
        triage: TriageResult,
        *,
        reviewers: tuple[str, str] | list[str] | None = None,
        decisions: dict[str, str] | None = None,
    ) -> str:
        """`triage.json`: the TriageResult plus, optionally, the two reviewers' models
        (A then B) and the decision per finding key (e.g. `{"a:F1": "fix"}`)."""
        data: dict[str, Any] = triage.model_dump(mode="json")
        if reviewers is not None:
            data["reviewers"] = list(reviewers)
        if decisions is not None:
            data["decisions"] = {k: str(v) for k, v in decisions.items()}
        return self.write_round_artifact(
            task_id, round_no, "triage.json", _dumps(data, indent=2) + "\n"
        )

    def task_dirs(self) -> list[str]:
        """Top-level folders that hold `round-<n>` folders (task ids), sorted."""
        if not self.path.is_dir():
            return []
        out = []
        for child in self.path.iterdir():
            if (
                child.is_dir()
                and child.name != STREAMS_DIR
                and not child.name.startswith(".")
                and any(round_no(p.name) is not None for p in child.iterdir() if p.is_dir())
            ):
                out.append(child.name)
        return sorted(out, key=natural_key)

    def rounds_of(self, task_id: str) -> list[int]:
        """Round numbers with a folder for this task, ascending."""
        folder = self.path / task_id
        if not folder.is_dir():
            return []
        numbers = (round_no(p.name) for p in folder.iterdir() if p.is_dir())
        return sorted(n for n in numbers if n is not None)

    # --- streams --------------------------------------------------------------------

    def _stream_paths(self, name: str) -> tuple[Path, Path]:
        if name.endswith((".partial", ".txt")):
            raise ValueError(f"stream name {name!r} must not carry a file suffix")
        base = self._resolve(f"{STREAMS_DIR}/{name}")
        return base.with_name(base.name + ".partial"), base.with_name(base.name + ".txt")

    def open_stream(self, name: str) -> StreamJournal:
        """Start journalling a stream as `streams/<name>.partial` (a name may contain
        `/`, e.g. `T1/round-1/review-1`). Reusing a name starts it afresh."""
        partial, final = self._stream_paths(name)
        return StreamJournal(partial, final, name)

    def files(self) -> Iterable[Path]:
        """Every file of the session folder (for scans and exports)."""
        return (p for p in sorted(self.path.rglob("*")) if p.is_file())
