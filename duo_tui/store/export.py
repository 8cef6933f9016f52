"""Export a session as JSON (for scripts) or write any export to a file.

Every export is built from the same collected data (`export_data.collect_export`):
the request, the latest plan, each task's final diff, every round's gate log,
reviews (summary and findings) and triage (with the decision taken on each
finding), the round summaries with findings by severity, the commits, tokens
and cost per model, and the stop reason. Everything passes through
`duo_tui.redact.redact`, and through `duo_tui.safe_text.clean` (model and
repository text: no raw controls). The Markdown rendering is in
`markdown_export.py`, the SARIF log in `sarif_export.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from duo_tui.redact import redact
from duo_tui.safe_text import clean_obj
from duo_tui.store.atomic import write_atomic
from duo_tui.store.export_data import collect_export, load_artifact_json
from duo_tui.store.markdown_export import export_markdown
from duo_tui.store.session_store import SessionStore, redact_obj

__all__ = ["export_json", "export_to_file"]


def export_json(store: SessionStore) -> dict[str, Any]:
    """The whole session as one JSON-ready dict (`format: "duo-export v1"`), redacted."""
    data = collect_export(store)
    for task in data["tasks"]:
        for rnd in task["rounds"]:
            rnd["triage_table"] = rnd.pop("triage_rows")
    data["trace"] = load_artifact_json(store, "trace.json", data.setdefault("problems", []))
    result: dict[str, Any] = redact_obj(clean_obj(data))
    return result


def export_to_file(store: SessionStore, path: Path, fmt: str = "md") -> Path:
    """Write an export (`md` or `json`) to `path` atomically; returns `path`."""
    if fmt == "md":
        text = export_markdown(store)
    elif fmt == "json":
        text = json.dumps(export_json(store), ensure_ascii=False, indent=2) + "\n"
    else:
        raise ValueError(f"unknown export format {fmt!r} (md or json)")
    write_atomic(path, redact(text))
    return path
