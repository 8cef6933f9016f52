"""Export a session as Markdown (for a pull request) or JSON (for scripts).

Both exports are built from the same collected data: the request, the latest
plan, each task's final diff, every round's gate log, reviews (summary and
findings) and triage (with the decision taken on each finding), the round
summaries with findings by severity, the commits, tokens and cost per model,
and the stop reason. Everything passes through `duo_tui.redact.redact`, and
through `duo_tui.safe_text.clean` (model and repository text: no raw controls).

The Markdown is meant to be pasted into a pull request description: headings,
tables, ```diff fences, and long parts folded into `<details>`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from duo_tui.core.models import Severity
from duo_tui.core.report import call_endings
from duo_tui.core.session import SessionStatus
from duo_tui.redact import redact
from duo_tui.safe_text import clean, clean_obj
from duo_tui.store.atomic import write_atomic
from duo_tui.store.session_store import SessionStore, redact_obj

__all__ = ["EXPORT_FORMAT", "export_json", "export_markdown", "export_to_file"]

EXPORT_FORMAT = "duo-export v1"
SEVERITIES = [s.value for s in Severity]
_REVIEW_RE = re.compile(r"^review-(\d+)-(.+?)\.(raw\.txt|json)$")
_FOLD_LINES = 40  # longer blocks are folded into <details>


# ----------------------------------------------------------------------------- collect


def _load_json(store: SessionStore, relpath: str, problems: list[str]) -> Any:
    text = store.read_artifact(relpath)
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(f"{relpath} is not valid JSON (line {exc.lineno}: {exc.msg})")
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
            data = _load_json(store, rel, problems)
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


def _collect(store: SessionStore) -> dict[str, Any]:
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
            triage = _load_json(store, f"{rdir}/triage.json", problems)
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
        "cost_usd": session.cost_usd if session.cost_known else None,
        "tokens": {
            "input": sum(u.input_tokens or 0 for u in session.usage_by_model.values()),
            "output": sum(u.output_tokens or 0 for u in session.usage_by_model.values()),
        },
        "decisions": [d.model_dump(mode="json") for d in decisions],
        "calls": call_endings(session),
        "errors": list(session.errors),
        "warnings": list(session.warnings),
        "problems": problems,
    }


# ----------------------------------------------------------------------------- json


def export_json(store: SessionStore) -> dict[str, Any]:
    """The whole session as one JSON-ready dict (`format: "duo-export v1"`), redacted."""
    data = _collect(store)
    for task in data["tasks"]:
        for rnd in task["rounds"]:
            rnd["triage_table"] = rnd.pop("triage_rows")
    data["trace"] = _load_json(store, "trace.json", data.setdefault("problems", []))
    result: dict[str, Any] = redact_obj(clean_obj(data))
    return result


# ----------------------------------------------------------------------------- markdown


def _cell(value: Any, limit: int = 120) -> str:
    if value is None or value == "":
        return "—"
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("|", "\\|")


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(out)


def _fence(text: str, lang: str = "") -> str:
    longest = max((len(m.group(0)) for m in re.finditer(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{ticks}{lang}\n{body}{ticks}"


def _details(summary: str, body: str, *, open_: bool = False) -> str:
    tag = "<details open>" if open_ else "<details>"
    return f"{tag}\n<summary>{_html(summary)}</summary>\n\n{body}\n\n</details>"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _block(title: str, text: str, lang: str) -> str:
    """A fenced block, folded into <details> when long."""
    lines = text.count("\n") + 1
    fenced = _fence(text, lang)
    if lines > _FOLD_LINES:
        return _details(f"{title} ({lines} lines)", fenced)
    return fenced


def _demote(text: str, levels: int = 2) -> str:
    """Push Markdown headings down `levels` levels (outside code fences), so a plan's
    `# Goal` sits under the export's `## Plan` instead of competing with it."""
    out, fence = [], ""
    for line in text.splitlines():
        stripped = line.lstrip()
        marker = re.match(r"(`{3,}|~{3,})", stripped)
        if marker:
            if not fence:
                fence = marker.group(1)
            elif stripped.startswith(fence):
                fence = ""
        elif not fence and re.match(r"#{1,6}\s", line):
            hashes = len(line) - len(line.lstrip("#"))
            line = "#" * min(6, hashes + levels) + line[hashes:]
        out.append(line)
    return "\n".join(out)


def _money(value: float | None) -> str:
    return "unknown" if value is None else f"${value:.2f}"


def _finding_ref(f: dict[str, Any] | None) -> str:
    if not f:
        return "—"
    text = str(f["id"])
    if f.get("severity"):
        text += f" [{f['severity']}]"
    if f.get("title"):
        text += f" {f['title']}"
    if f.get("file"):
        text += f" ({f['file']}" + (f":{f['line']}" if f.get("line") else "") + ")"
    return text


_KIND_LABEL = {
    "agree": "agree",
    "severity": "severity conflict",
    "only_a": "only A",
    "only_b": "only B",
}


def _render_round(task: dict[str, Any], rnd: dict[str, Any], is_final: bool) -> list[str]:
    out = [f"### {task['id']} · round {rnd['round']}"]
    summary = rnd.get("summary") or {}
    facts = []
    if summary:
        gate = summary.get("gate_passed")
        facts.append("gate " + ("passed" if gate else "failed" if gate is False else "not run"))
        counts = summary.get("findings") or {}
        facts.append(
            "findings "
            + (", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts.get(s)) or "none")
        )
        if summary.get("fix"):
            facts.append("to fix: " + ", ".join(summary["fix"]))
        facts.append("converged" if summary.get("converged") else "not converged")
    if facts:
        out.append("**" + " · ".join(facts) + "**")
    if rnd.get("gate_log"):
        out.append(_details("Gate log", _fence(rnd["gate_log"], "text")))
    for review in rnd["reviews"]:
        data = review.get("review")
        head = f"#### Review {review['n']}: {review['model']}"
        if data:
            bits = []
            if data.get("verdict"):
                bits.append(str(data["verdict"]))
            if data.get("score") is not None:
                bits.append(f"score {data['score']}/10")
            if bits:
                head += " — " + ", ".join(bits)
            out.append(head)
            if data.get("summary"):
                out.append(str(data["summary"]).strip())
            findings = [f for f in data.get("findings") or [] if isinstance(f, dict)]
            if findings:
                rows = []
                for f in findings:
                    where = f.get("file") or ""
                    if where and f.get("line_start"):
                        where += f":{f['line_start']}"
                        if f.get("line_end") and f["line_end"] != f["line_start"]:
                            where += f"-{f['line_end']}"
                    rows.append([f.get("id"), f.get("severity"), where, f.get("title")])
                out.append(_table(["id", "severity", "where", "title"], rows))
            else:
                out.append("_No findings._")
        else:
            out.append(head + " — could not be parsed")
            if review.get("raw"):
                out.append(_details("Raw reviewer output", _fence(review["raw"], "text")))
    triage_rows: list[dict[str, Any]] = rnd.get("triage_rows") or []
    if rnd.get("triage") is not None:
        out.append("#### Triage")
        if triage_rows:
            out.append(
                _table(
                    ["match", "reviewer A", "reviewer B", "decision"],
                    [
                        [
                            _KIND_LABEL.get(str(r["kind"]), r["kind"]),
                            _finding_ref(r["a"]),
                            _finding_ref(r["b"]),
                            (r["decision"] or "pending").replace("_", " "),
                        ]
                        for r in triage_rows
                    ],
                )
            )
        else:
            out.append("_Nothing to triage._")
    if rnd.get("diff") and not is_final:
        out.append(_details(f"Diff of round {rnd['round']}", _fence(rnd["diff"], "diff")))
    return out


def export_markdown(store: SessionStore) -> str:
    """The session as Markdown that reads well in a pull request description (redacted)."""
    d = _collect(store)
    out: list[str] = [f"# duo-tui session `{d['session']}`"]
    status = d["status"] + (" and committed" if d["converged"] and d["committed"] else "")
    facts = [
        f"**Status:** {status}",
        f"**Mode:** {d['mode']}",
        f"**Rounds:** {d['total_rounds']}",
        f"**Cost:** {_money(d['cost_usd'])}",
    ]
    if d["branch"]:
        facts.append(f"**Branch:** `{d['branch']}`")
    out.append(" · ".join(facts))
    if d["stop_reason"]:
        out.append(f"> **Stopped:** {d['stop_reason']}")

    out.append("## Request")
    out.append("\n".join("> " + line for line in (d["request"].strip() or "—").splitlines()))

    plan = d["plan"]
    if plan["text"]:
        out.append(f"## Plan (v{plan['version']})")
        text = _demote(plan["text"].strip())
        if text.count("\n") + 1 > _FOLD_LINES:
            out.append(_details(f"Plan v{plan['version']}", text))
        else:
            out.append(text)

    if d["tasks"]:
        out.append("## Tasks")
        out.append(
            _table(
                ["task", "title", "state", "rounds", "commit"],
                [
                    [
                        t["id"],
                        t["title"],
                        t["state"],
                        len(t["rounds"]),
                        f"`{t['commit'][:10]}`" if t["commit"] else None,
                    ]
                    for t in d["tasks"]
                ],
            )
        )

    if d["rounds"]:
        out.append("## Findings by round")
        out.append(
            _table(
                ["task", "round", *SEVERITIES, "gate", "converged"],
                [
                    [
                        r["task_id"],
                        r["round"],
                        *[r["findings"].get(s, 0) for s in SEVERITIES],
                        {True: "passed", False: "failed"}.get(r.get("gate_passed"), "—"),
                        "yes" if r.get("converged") else "no",
                    ]
                    for r in d["rounds"]
                ],
            )
        )

    if d["commits"]:
        out.append("## Commits")
        lines = []
        for c in d["commits"]:
            subject = c["message"].splitlines()[0] if c["message"] else ""
            lines.append(f"- `{c['sha'][:10]}` {subject}".rstrip())
        out.append("\n".join(lines))

    if d["usage_by_model"]:
        out.append("## Cost and tokens")
        rows: list[list[Any]] = [
            [
                f"`{model}`",
                u.get("input_tokens"),
                u.get("output_tokens"),
                _money(u.get("cost_usd")),
            ]
            for model, u in d["usage_by_model"].items()
        ]
        rows.append(
            ["**total**", d["tokens"]["input"], d["tokens"]["output"], _money(d["cost_usd"])]
        )
        out.append(_table(["model", "input tokens", "output tokens", "cost"], rows))

    finals = [t for t in d["tasks"] if t["final_diff"] and t["state"] != "replaced"]
    if finals:
        out.append("## Final diff")
        for t in finals:
            out.append(f"### {t['id']}: {t['title']} (round {t['final_round']})")
            out.append(_block(f"diff of {t['id']}", t["final_diff"], "diff"))

    trace = _load_json(store, "trace.json", [])
    if isinstance(trace, dict) and trace.get("hunks"):
        out.append("## Trace (plan step ← hunk)")
        rows = [
            [
                h.get("hunk_id"),
                h.get("task_id") or "",
                ", ".join(h.get("steps") or []) or "⚠ no step (scope creep)",
            ]
            for h in trace["hunks"]
        ]
        out.append(_table(["hunk", "task", "plan step(s)"], rows))
        if trace.get("unimplemented_steps"):
            out.append("Plan steps no hunk implements: " + ", ".join(trace["unimplemented_steps"]))

    if any(t["rounds"] for t in d["tasks"]):
        out.append("## Rounds")
        for t in d["tasks"]:
            for rnd in t["rounds"]:
                out.extend(_render_round(t, rnd, rnd["round"] == t["final_round"]))

    if d["decisions"]:
        out.append("## Decisions")
        rows = [
            [
                x["at"],
                x["stage"],
                x.get("task_id"),
                x["round"],
                x["action"],
                x["by"],
                x.get("reason"),
            ]
            for x in d["decisions"]
        ]
        table = _table(["at", "stage", "task", "round", "action", "by", "reason"], rows)
        out.append(_details(f"{len(rows)} decisions", table) if len(rows) > 10 else table)

    notes = [*d["errors"], *d["warnings"], *d["problems"]]
    if notes:
        out.append("## Notes")
        out.append("\n".join(f"- {_cell(n, 400)}" for n in notes))

    out.append(f"<sub>Exported by duo-tui from `.duo/sessions/{d['session']}`.</sub>")
    return clean(redact("\n\n".join(out) + "\n"))


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
