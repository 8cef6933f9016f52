"""Where the triage screen writes: its exports, and a standalone triage's decisions.

In a session the Markdown and SARIF exports go next to the session, in
`.duo/sessions/<id>/exports/triage-<task>-r<round>.md|.sarif` (never into the
directory the program happened to start in). A standalone `duo-tui triage A B`
has no session: its exports go beside the `--out FILE` it was given, else into
the current directory, and `--out FILE` keeps the human's decisions as JSON
(`decisions_document`). Every path is said back to the human in full.

Task ids come from a plan (model text): they are reduced to safe file-name
characters before they are part of a path. Writes are atomic.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from duo_tui.core.models import Review
from duo_tui.core.triage import match_reviews
from duo_tui.core.triage_export import triage_markdown, triage_sarif
from duo_tui.safe_text import clean_obj
from duo_tui.store.atomic import write_atomic
from duo_tui.store.session_store import sessions_root

EXTENSIONS = {"md": "md", "sarif": "sarif"}


def session_export_dir(repo: Path | str, session_id: str) -> Path:
    """`<repo>/.duo/sessions/<id>/exports`."""
    return sessions_root(repo) / _safe(session_id) / "exports"


def export_name(fmt: str, task_id: str | None = None, round_no: int | None = None) -> str:
    """`triage-T1-r2.md`, or `triage.md` outside a session."""
    parts = ["triage"]
    if task_id:
        parts.append(_safe(task_id))
    if round_no:
        parts.append(f"r{int(round_no)}")
    return "-".join(parts) + "." + EXTENSIONS[fmt]


def _safe(name: str) -> str:
    """A file-name part: letters, digits, `_`, `-`, `.`; never a path or a dot-name."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:80].lstrip(".")
    return cleaned or "_"


def per_finding(groups: list[dict[str, Any]], decisions: dict[str, str]) -> dict[str, str]:
    """`a:F1` / `b:F3` -> the decision of the group the finding is in."""
    out: dict[str, str] = {}
    for g in groups:
        for m in g.get("members", []):
            side = "ab"[m["reviewer"]] if m["reviewer"] in (0, 1) else str(m["reviewer"] + 1)
            out[f"{side}:{m['finding']['id']}"] = decisions.get(g["key"], "pending")
    return out


def write_export(
    path: Path,
    fmt: str,
    a: Review,
    b: Review,
    groups: list[dict[str, Any]],
    decisions: dict[str, str],
) -> Path:
    """Write the triage of `a` and `b` as Markdown (with decisions) or SARIF to `path`."""
    result = match_reviews(a, b)
    if fmt == "md":
        text = triage_markdown(a, b, result, per_finding(groups, decisions))
    else:
        text = json.dumps(triage_sarif(a, b, result), indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    return path.resolve()


def decisions_document(
    groups: list[dict[str, Any]],
    decisions: dict[str, str],
    reasons: dict[str, str],
    reviewers: tuple[str, str],
) -> dict[str, Any]:
    """The human's decisions of a standalone triage, one entry per matched group."""
    rows = []
    for g in groups:
        members = {
            ("a" if m["reviewer"] == 0 else "b"): m["finding"]["id"] for m in g.get("members", [])
        }
        row: dict[str, Any] = {
            "kind": g["kind"],
            "a": members.get("a"),
            "b": members.get("b"),
            "severity": g.get("severity"),
            "title": g.get("title"),
            "decision": decisions.get(g["key"], "pending"),
        }
        if reasons.get(g["key"]):
            row["reason"] = reasons[g["key"]]
        if g.get("by"):
            row["by"] = g["by"]  # the judge or the human made (or split) this grouping
        rows.append(row)
    return {"reviewers": {"a": reviewers[0], "b": reviewers[1]}, "decisions": rows}


def write_decisions(path: Path, document: dict[str, Any]) -> Path:
    """Write the decisions as JSON to `path` (atomically); returns the full path."""
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory: give a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    # review text is untrusted: its controls are made visible before it is written
    write_atomic(path, json.dumps(clean_obj(document), indent=2, ensure_ascii=False) + "\n")
    return path.resolve()
