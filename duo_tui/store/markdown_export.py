"""Export a session as Markdown, to paste into a pull request description.

Built from `export_data.collect_export`: headings, tables (tasks, findings by
round, commits, cost and tokens per model and per stage with the cached input
where the provider said, trace, decisions), ```diff fences, and long parts
folded into `<details>`. The whole text passes through
`duo_tui.redact.redact` and `duo_tui.safe_text.clean` (model and repository
text: no raw controls).
"""

from __future__ import annotations

import re
from typing import Any

from duo_tui.redact import redact
from duo_tui.safe_text import clean
from duo_tui.store.export_data import SEVERITIES, collect_export, load_artifact_json
from duo_tui.store.session_store import SessionStore

__all__ = ["export_markdown"]

_FOLD_LINES = 40  # longer blocks are folded into <details>


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


_USAGE_HEAD = ["input tokens", "cached input", "output tokens", "cost"]


def _usage_cells(u: dict[str, Any]) -> list[Any]:
    """A usage record's cells under `_USAGE_HEAD`; the cached input is the provider's
    prompt-cache count ("8.0k cached, 1.0k cache write"), "—" where it did not say."""
    from duo_tui.core.models import Usage, cached_text

    cached = cached_text(
        Usage(
            cache_read_tokens=u.get("cache_read_tokens"),
            cache_write_tokens=u.get("cache_write_tokens"),
        )
    )
    return [u.get("input_tokens"), cached, u.get("output_tokens"), _money(u.get("cost_usd"))]


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
    d = collect_export(store)
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
        rows = [[f"`{model}`", *_usage_cells(u)] for model, u in d["usage_by_model"].items()]
        total = {
            "input_tokens": d["tokens"]["input"],
            "output_tokens": d["tokens"]["output"],
            "cost_usd": d["cost_usd"],
            "cache_read_tokens": d["tokens"].get("cache_read"),
            "cache_write_tokens": d["tokens"].get("cache_write"),
        }
        rows.append(["**total**", *_usage_cells(total)])
        out.append(_table(["model", *_USAGE_HEAD], rows))
        if d.get("usage_by_stage"):
            rows = [[stage, *_usage_cells(u)] for stage, u in d["usage_by_stage"].items()]
            out.append(_table(["stage", *_USAGE_HEAD], rows))

    finals = [t for t in d["tasks"] if t["final_diff"] and t["state"] != "replaced"]
    if finals:
        out.append("## Final diff")
        for t in finals:
            out.append(f"### {t['id']}: {t['title']} (round {t['final_round']})")
            out.append(_block(f"diff of {t['id']}", t["final_diff"], "diff"))

    trace = load_artifact_json(store, "trace.json", [])
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
