"""Render an eval report: a plain-text table for a terminal, Markdown, or JSON.

Model names and case ids pass through `safe_text` (a model name comes from a
config file, and a suite may come from anyone). Of the reviews' own text only
what a human needs to check a match is shown (a finding's title, the judge's
one-line reason), cleaned to one line by `safe_text` and, in Markdown, escaped;
the rest is in the JSON report.
"""

from __future__ import annotations

from duo_tui.eval.results import ConfigResult, EvalReport, MatchRecord
from duo_tui.safe_text import clean_line

__all__ = ["HEAD", "compact_cells", "cost_text", "render_markdown", "render_text", "row_cells"]

HEAD = (
    "configuration",
    "cases",
    "recall",
    "precision",
    "agreed",
    "one only",
    "cost",
    "tokens",
    "time",
)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.0f}%"


def _frac(n: int | None, d: int | None, v: float | None) -> str:
    return "-" if v is None or d is None else f"{_pct(v)} ({n}/{d})"


def cost_text(usd: float, known: bool = True) -> str:
    """Dollars with the digits that matter: $0.0123, $0.412, $12.30 (`+?`: some cost unknown)."""
    text = f"${usd:.4f}" if usd < 0.1 else f"${usd:.3f}" if usd < 10 else f"${usd:.2f}"
    return text + ("" if known else "+?")


def _cost(c: ConfigResult) -> str:
    return cost_text(c.cost_usd, c.cost_known)


def _tokens(c: ConfigResult) -> str:
    n = c.input_tokens + c.output_tokens
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)


def row_cells(c: ConfigResult, total: int) -> list[str]:
    """The cells of `c`'s row under `HEAD` (its name as it is, for the caller to clean)."""
    return _row(c, total)


def compact_cells(c: ConfigResult, total: int) -> list[str]:
    """`row_cells` for a narrow terminal: percentages without their fractions."""
    return [
        f"{c.cases}/{total}",
        _pct(c.recall),
        _pct(c.precision),
        _pct(c.agreed_precision) if c.agreed is not None else "-",
        _pct(c.single_precision) if c.single is not None else "-",
        _cost(c),
        _tokens(c),
        f"{c.review_s:.1f}s",
    ]


def _row(c: ConfigResult, total: int) -> list[str]:
    return [
        clean_line(c.name),
        f"{c.cases}/{total}",
        _frac(c.found, c.issues, c.recall),
        _frac(c.hits, c.findings, c.precision),
        _frac(c.agreed_hits, c.agreed, c.agreed_precision),
        _frac(c.single_hits, c.single, c.single_precision),
        _cost(c),
        _tokens(c),
        f"{c.review_s:.1f}s",
    ]


def _gains(report: EvalReport) -> list[str]:
    """Per pair: the issues one reviewer alone would have missed."""
    out = []
    for c in report.configs:
        if len(c.models) != 2:
            continue
        a, b = (clean_line(m) for m in c.models)
        for d in c.detail:
            if d.only_a or d.only_b:
                parts = []
                if d.only_a:
                    parts.append(f"only {a}: {', '.join(d.only_a)}")
                if d.only_b:
                    parts.append(f"only {b}: {', '.join(d.only_b)}")
                out.append(f"{clean_line(c.name)} · {clean_line(d.case)}: {'; '.join(parts)}")
    return out


def _summary(report: EvalReport) -> list[str]:
    lines = [
        f"suite {clean_line(report.suite)}: {report.cases} cases, {report.issues} known issues; "
        f"spent ${report.spent_usd:.4f} in this run, {report.wall_s:.1f}s",
    ]
    if report.stopped:
        lines.append(f"PARTIAL: {clean_line(report.stopped)}")
    failed = [r for r in report.reviews if r.get("error")]
    if failed:
        first = failed[0]
        lines.append(
            f"PARTIAL: {len(failed)} review(s) failed and are left out, e.g. "
            f"{clean_line(first['model'])} on {clean_line(first['case'])}: "
            f"{clean_line(str(first['error']))[:200]} (every one in --json)"
        )
    elif report.partial and not report.stopped:
        lines.append("PARTIAL: some reviews are missing (see --json)")
    return lines + _judge_lines(report)


def _judge_lines(report: EvalReport) -> list[str]:
    """What the judge did over the run, and the reviews whose judging could not be used."""
    if report.judge is None:
        return []
    judged = [r["judge"] for r in report.reviews if r.get("judge")]
    settled = [j for j in judged if j.get("candidates") and not j.get("error")]
    cost = sum((j.get("usage") or {}).get("cost_usd") or 0.0 for j in judged)
    cached = sum(1 for j in settled if j.get("cached"))
    lines = [
        f"judge {clean_line(report.judge)}: settled {sum(j['candidates'] for j in settled)} "
        f"unsure match(es) in {len(settled)} review(s), {cost_text(cost)} ({cached} cached)"
    ]
    failed = [r for r in report.reviews if (r.get("judge") or {}).get("error")]
    if failed:
        first = failed[0]
        lines.append(
            f"WARNING: the judge's word is not used for {len(failed)} review(s), the matcher's "
            f"matches stand, e.g. {clean_line(first['model'])} on {clean_line(first['case'])}: "
            f"{clean_line(str(first['judge']['error']))[:200]}"
        )
    return lines


def _case_matches(report: EvalReport) -> list[tuple[str, list[MatchRecord]]]:
    """(case id, its matches by every reviewer), from the single-reviewer configurations."""
    cases: dict[str, list[MatchRecord]] = {}
    for c in report.configs:
        if len(c.models) == 1:
            for d in c.detail:
                cases.setdefault(d.case, []).extend(d.matches)
    return [(case, recs) for case, recs in cases.items() if recs]


def _short(text: str, limit: int) -> str:
    line = clean_line(text)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _who(r: MatchRecord) -> str:
    if r.by != "judge":
        return "matcher" + (f" {r.score:.2f}" if r.score is not None else "")
    return f"judge ({r.applied})" if r.applied else "judge"


def _match_lines(report: EvalReport) -> list[str]:
    out = []
    for case, recs in _case_matches(report):
        out.append(f"  {clean_line(case)}")
        for r in recs:
            arrow = "->" if r.matched else "-/-"
            line = (
                f"    {clean_line(r.model)} {clean_line(r.finding)} {arrow} "
                f"{clean_line(r.issue)}  {_who(r)}"
            )
            if r.reason:
                line += f": {_short(r.reason, 160)}"
            out.append(line + f"  [{_short(r.title, 60)}]" if r.title else line)
    return out


def render_text(report: EvalReport) -> str:
    rows = [list(HEAD)] + [_row(c, report.cases) for c in report.configs]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEAD))]
    out = [*_summary(report), ""]
    for k, r in enumerate(rows):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    gains = _gains(report)
    if gains:
        out += ["", "Issues only one reviewer of the pair found:"] + [f"  {g}" for g in gains]
    matches = _match_lines(report)
    if matches:
        out += [
            "",
            "Matches per case (finding -> known issue, or -/- the judge's no; who said it):",
        ]
        out += matches
    out += [
        "",
        "recall: known issues found; precision: findings that match a known issue; "
        "agreed / one only: precision of findings both reviewers raised / only one raised",
    ]
    return "\n".join(out) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _md_text(text: str, limit: int) -> str:
    """Model text in a Markdown table cell: one clean line, no HTML, no links, no code spans."""
    line = _short(text, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]":
        line = line.replace(ch, "\\" + ch)
    return _md_cell(line)


def render_markdown(report: EvalReport) -> str:
    out = ["# duo-tui eval", ""] + [f"{line}  " for line in _summary(report)] + [""]
    out.append("| " + " | ".join(HEAD) + " |")
    out.append("|" + "---|" * len(HEAD))
    for c in report.configs:
        out.append("| " + " | ".join(_md_cell(x) for x in _row(c, report.cases)) + " |")
    gains = _gains(report)
    if gains:
        out += ["", "## Issues only one reviewer of the pair found", ""]
        out += [f"- {_md_cell(g)}" for g in gains]
    matched = _case_matches(report)
    if matched:
        out += ["", "## Matches per case", ""]
        out.append("| case | reviewer | finding | known issue | matched | by | reason |")
        out.append("|---|---|---|---|---|---|---|")
        for case, recs in matched:
            for r in recs:
                cells = [
                    _md_text(case, 80),
                    _md_text(r.model, 80),
                    _md_text(f"{r.finding} {r.title}".strip(), 80),
                    _md_text(r.issue, 40),
                    "yes" if r.matched else "no",
                    _who(r),
                    _md_text(r.reason, 200) if r.reason else "",
                ]
                out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"
