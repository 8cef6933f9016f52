"""The data every session export is built from, collected once and shared.

`collect_export` gathers, from a session's folder: the request, the latest
plan, each task's rounds (diff, gate log, parsed reviews, triage with the
decision taken on each finding) and final diff, the round summaries with
findings by severity, the commits, tokens (with the prompt-cache part, where
the provider said) and cost per model and per stage, the decision
log, call endings and the stop reason. It neither redacts nor sanitises: each
export (`export.py` for JSON, `markdown_export.py`, `sarif_export.py`) does
that on what it writes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from duo_tui.core.models import Severity, Usage
from duo_tui.core.report import call_endings
from duo_tui.core.session import SessionStatus
from duo_tui.limits import SESSION_JSON_DEPTH, InputError, loads_json
from duo_tui.store.session_store import SessionStore

__all__ = ["EXPORT_FORMAT", "SEVERITIES", "collect_export", "load_artifact_json"]

EXPORT_FORMAT = "duo-export v1"
SEVERITIES = [s.value for s in Severity]
_REVIEW_RE = re.compile(r"^review-(\d+)-(.+?)\.(raw\.txt|json)$")


def load_artifact_json(store: SessionStore, relpath: str, problems: list[str]) -> Any:
    """An artifact parsed as JSON; None when absent or invalid (then named in `problems`)."""
    text = store.read_artifact(relpath)
    if text is None:
        return None
    try:
        return loads_json(text, SESSION_JSON_DEPTH)
    except json.JSONDecodeError as exc:
        problems.append(f"{relpath} is not valid JSON (line {exc.lineno}: {exc.msg})")
        return None
    except InputError as exc:
        problems.append(f"{relpath} is unreadable: {exc}")
        return None


def _reviews(store: SessionStore, rdir: str, problems: list[str]) -> list[dict[str, Any]]:
    folder = store.path / rdir
    found: dict[int, dict[str, Any]] = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        match = _REVIEW_RE.match(path.name)
        if not match:
            continue
        n = int(match.group(1))
        entry = found.setdefault(n, {"n": n, "model": match.group(2), "review": None, "raw": None})
        rel = f"{rdir}/{path.name}"
        if match.group(3) == "json":
            data = load_artifact_json(store, rel, problems)
            if isinstance(data, dict):
                entry["review"] = data
                entry["model"] = str(data.get("reviewer") or entry["model"])
            entry["file"] = rel
        else:
            entry["raw"] = store.read_artifact(rel)
            entry.setdefault("file", rel)
    out = []
    for n in sorted(found):
        entry = found[n]
        if entry["review"] is not None:
            entry["raw"] = None  # the parsed review says it all; the raw file stays on disk
        out.append(entry)
    return out


def _decision(
    side: str,
    fid: str,
    reviewer: str | None,
    triage_decisions: dict[str, Any],
    task_decisions: dict[str, Any],
) -> str | None:
    keys = [f"{side}:{fid}", f"{side.upper()}:{fid}"]
    if reviewer:
        keys += [f"{reviewer}:{fid}", f"{reviewer}#{fid}"]
    keys.append(fid)
    for table in (triage_decisions, task_decisions):
        for key in keys:
            if key in table:
                return str(table[key])
    return None


def _triage_rows(
    triage: dict[str, Any],
    reviews: list[dict[str, Any]],
    task_decisions: dict[str, Any],
) -> list[dict[str, Any]]:
    reviewers = list(triage.get("reviewers") or [])
    by_side: dict[str, dict[str, Any]] = {}
    for side, idx in (("a", 0), ("b", 1)):
        model = reviewers[idx] if idx < len(reviewers) else None
        review = next((r for r in reviews if model and r["model"] == model), None)
        if review is None and idx < len(reviews):
            review = reviews[idx]
        findings = {}
        if review and review.get("review"):
            findings = {
                str(f.get("id")): f
                for f in review["review"].get("findings", [])
                if isinstance(f, dict)
            }
        by_side[side] = {"model": model or (review or {}).get("model"), "findings": findings}
    decisions = triage.get("decisions") or {}

    def brief(side: str, fid: str | None) -> dict[str, Any] | None:
        if fid is None:
            return None
        f = by_side[side]["findings"].get(fid, {})
        return {
            "id": fid,
            "severity": f.get("severity"),
            "title": f.get("title"),
            "file": f.get("file"),
            "line": f.get("line_start"),
        }

    def decide(a: str | None, b: str | None) -> str | None:
        for side, fid in (("a", a), ("b", b)):
            if fid is not None:
                found = _decision(side, fid, by_side[side]["model"], decisions, task_decisions)
                if found is not None:
                    return found
        return None

    rows = []
    for pair in triage.get("pairs") or []:
        a, b = str(pair.get("a")), str(pair.get("b"))
        rows.append(
            {
                "kind": pair.get("kind"),
                "a": brief("a", a),
                "b": brief("b", b),
                "decision": decide(a, b),
            }
        )
    for side, key in (("a", "only_a"), ("b", "only_b")):
        for fid in triage.get(key) or []:
            fid = str(fid)
            rows.append(
                {
                    "kind": key,
                    "a": brief("a", fid) if side == "a" else None,
                    "b": brief("b", fid) if side == "b" else None,
                    "decision": decide(fid if side == "a" else None, fid if side == "b" else None),
                }
            )
    return rows


def collect_export(store: SessionStore) -> dict[str, Any]:
    """Everything an export shows, as plain JSON-ready data (not yet redacted)."""
    session, problems = store.load()
    problems = list(problems)
    plan_versions = store.plan_versions()
    plan_version = session.plan_version or (plan_versions[-1] if plan_versions else 0)
    plan_text = store.read_plan(plan_version) if plan_version else None

    # Tasks replaced by a split (or a fast session going full) keep their folders.
    task_meta = {t.id: t for t in [*session.replaced_tasks, *session.tasks]}
    task_ids = [t.id for t in session.tasks]
    task_ids += [d for d in store.task_dirs() if d not in task_ids]
    summaries = {(r.task_id, r.round): r for r in session.rounds}

    tasks = []
    for tid in task_ids:
        task = task_meta.get(tid)
        rounds = []
        round_numbers = sorted(set(store.rounds_of(tid)) | {r for (t, r) in summaries if t == tid})
        for no in round_numbers:
            rdir = f"{tid}/round-{no}"
            reviews = _reviews(store, rdir, problems)
            triage = load_artifact_json(store, f"{rdir}/triage.json", problems)
            is_last = no == round_numbers[-1]
            task_decisions = (
                {k: v.value for k, v in task.finding_decisions.items()} if task and is_last else {}
            )
            summary = summaries.get((tid, no))
            rounds.append(
                {
                    "round": no,
                    "summary": summary.model_dump(mode="json") if summary else None,
                    "diff": store.read_artifact(f"{rdir}/diff.patch"),
                    "gate_log": store.read_artifact(f"{rdir}/gate.log"),
                    "reviews": reviews,
                    "triage": triage if isinstance(triage, dict) else None,
                    "triage_rows": (
                        _triage_rows(triage, reviews, task_decisions)
                        if isinstance(triage, dict)
                        else []
                    ),
                }
            )
        final = next((r for r in reversed(rounds) if r["diff"]), None)
        tasks.append(
            {
                "id": tid,
                "title": task.title if task else tid,
                "state": task.state.value if task else None,
                "commit": task.commit if task else None,
                "commit_message": task.commit_message if task else None,
                "final_round": final["round"] if final else None,
                "final_diff": final["diff"] if final else None,
                "rounds": rounds,
            }
        )

    last_round: dict[str, dict[str, int]] = {}
    for summary in session.rounds:
        last_round[summary.task_id] = summary.findings  # rounds are appended in order
    findings = dict.fromkeys(SEVERITIES, 0)
    for counts in last_round.values():
        for sev, count in counts.items():
            findings[sev] = findings.get(sev, 0) + int(count)

    usage = {
        model: u.model_dump(mode="json") for model, u in sorted(session.usage_by_model.items())
    }
    by_stage = {stage: u.model_dump(mode="json") for stage, u in session.usage_by_stage.items()}
    total = sum(session.usage_by_model.values(), Usage())
    decisions, decision_problems = store.read_decisions()
    problems.extend(p for p in decision_problems if p not in problems)

    commits = []
    for task in session.tasks:
        if task.commit:
            commits.append({"sha": task.commit, "message": task.commit_message, "task": task.id})
    listed = {c["sha"] for c in commits}
    commits += [
        {"sha": sha, "message": None, "task": None} for sha in session.commits if sha not in listed
    ]

    return {
        "format": EXPORT_FORMAT,
        "session": session.id,
        "request": session.request,
        "mode": session.mode.value,
        "status": session.status.value,
        "converged": session.status == SessionStatus.CONVERGED,
        "committed": bool(commits),
        "stop_reason": session.stop_reason,
        "branch": session.branch,
        "base_commit": session.base_commit,
        "created_at": session.created_at,
        "updated_at": session.updated_at,
        "roles": session.roles.model_dump(mode="json"),
        "size": session.size_override or session.size,
        "plan": {"version": plan_version, "text": plan_text},
        "tasks": tasks,
        "rounds": [r.model_dump(mode="json") for r in session.rounds],
        "total_rounds": session.total_rounds,
        "findings": findings,
        "commits": commits,
        "usage_by_model": usage,
        "usage_by_stage": by_stage,
        "cost_usd": session.cost_usd if session.cost_known else None,
        "tokens": {
            "input": sum(u.input_tokens or 0 for u in session.usage_by_model.values()),
            "output": sum(u.output_tokens or 0 for u in session.usage_by_model.values()),
            "cache_read": total.cache_read_tokens,
            "cache_write": total.cache_write_tokens,
        },
        "decisions": [d.model_dump(mode="json") for d in decisions],
        "calls": call_endings(session),
        "errors": list(session.errors),
        "warnings": list(session.warnings),
        "problems": problems,
    }
