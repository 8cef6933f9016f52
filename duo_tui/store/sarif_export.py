"""`duo-tui export ID --format sarif`: a session's triages as one SARIF 2.1.0 log.

One run per task: its last round with at least two parsed reviews, the first
two reviewers matched again by the triage matcher (`match_reviews`), each
finding a result that says whether the other reviewer agreed (see
`duo_tui.core.triage_export.triage_sarif`). Reviews that no longer parse are
skipped and named in the log's ``properties.problems``; text is redacted like
every export.
"""

from __future__ import annotations

from typing import Any

from duo_tui.core.models import Review
from duo_tui.core.triage import match_reviews
from duo_tui.core.triage_export import sarif_log, sarif_run
from duo_tui.store.export_data import collect_export
from duo_tui.store.session_store import SessionStore, redact_obj

__all__ = ["export_sarif"]


def export_sarif(store: SessionStore) -> dict[str, Any]:
    """The session's triages as a SARIF 2.1.0 log (a run per task), redacted."""
    data = collect_export(store)
    runs: list[dict[str, Any]] = []
    problems: list[str] = []
    for task in data["tasks"]:
        for rnd in reversed(task["rounds"]):
            docs = [r for r in rnd["reviews"] if isinstance(r.get("review"), dict)]
            if len(docs) < 2:
                continue
            try:
                a, b = (Review.model_validate(d["review"]) for d in docs[:2])
            except ValueError as exc:
                problems.append(f"{task['id']} round {rnd['round']}: {exc.__class__.__name__}")
                break
            props = {"task": task["id"], "round": rnd["round"]}
            runs.append(sarif_run(a, b, match_reviews(a, b), props))
            break
    log = sarif_log(runs)
    if problems:
        log["properties"] = {"problems": problems}
    out: dict[str, Any] = redact_obj(log)
    return out
