"""Export a triage of two reviews: a Markdown table for pull requests, and SARIF 2.1.0.

Both are plain functions of the two reviews and their `TriageResult`; nothing
here matches findings or touches the disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from duo_tui.core.models import Finding, PairKind, Review, Severity, TriageResult
from duo_tui.safe_text import clean, clean_obj
from duo_tui.version import __version__

__all__ = [
    "SARIF_SCHEMA_URI",
    "sarif_log",
    "sarif_uri",
    "triage_markdown",
    "triage_rows",
    "triage_sarif",
]

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"

_GLYPH = {"agreed": "✅", "severity": "⚠️", "only_a": "🅰", "only_b": "🅱"}
_LABEL = {
    "agreed": "agreed",
    "severity": "severity conflict",
    "only_a": "only A",
    "only_b": "only B",
}
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


@dataclass(frozen=True)
class TriageRow:
    """One line of a triage: a pair, or a finding only one reviewer reported."""

    kind: str  # agreed | severity | only_a | only_b
    a: Finding | None
    b: Finding | None
    score: float | None = None


def _finding(review: Review, fid: str) -> Finding:
    f = review.finding(fid)
    if f is None:
        raise KeyError(f"{review.reviewer} has no finding {fid!r}")
    return f


def triage_rows(a: Review, b: Review, result: TriageResult) -> list[TriageRow]:
    """The triage as rows: pairs (most severe first), then only-A, then only-B."""
    rows = [
        TriageRow(
            "agreed" if p.kind == PairKind.AGREE else "severity",
            _finding(a, p.a),
            _finding(b, p.b),
            p.score,
        )
        for p in result.pairs
    ]
    rows.sort(key=lambda r: min(f.severity.rank for f in (r.a, r.b) if f is not None))
    rows += [TriageRow("only_a", _finding(a, i), None) for i in result.only_a]
    rows += [TriageRow("only_b", None, _finding(b, i)) for i in result.only_b]
    return rows


def _location(f: Finding | None) -> str:
    if f is None or not f.file:
        return ""
    if f.line_start is None:
        return f.file
    if f.line_end is None or f.line_end == f.line_start:
        return f"{f.file}:{f.line_start}"
    return f"{f.file}:{f.line_start}-{f.line_end}"


def _cell(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _decision(decisions: dict[str, str], row: TriageRow) -> str:
    keys = []
    if row.a is not None:
        keys.append(f"a:{row.a.id}")
    if row.b is not None:
        keys.append(f"b:{row.b.id}")
    return next((decisions[k] for k in keys if k in decisions), "")


def triage_markdown(
    a: Review,
    b: Review,
    result: TriageResult,
    decisions: dict[str, str] | None = None,
) -> str:
    """A Markdown summary and table of the triage, readable in a pull request.

    `decisions` maps ``a:<id>`` / ``b:<id>`` to the human's decision
    (fix, dismiss, accept_risk, defer); a pair shows A's decision, else B's.
    """
    decisions = decisions or {}
    rows = triage_rows(a, b, result)
    counts = {k: sum(1 for r in rows if r.kind == k) for k in _LABEL}
    lines = [
        "## Review triage",
        "",
        f"A: **{_cell(a.reviewer)}** ({_findings(len(a.findings))}) · "
        f"B: **{_cell(b.reviewer)}** ({_findings(len(b.findings))})",
        "",
        " · ".join(f"{_GLYPH[k]} {_LABEL[k]}: {counts[k]}" for k in _LABEL),
        "",
    ]
    if not rows:
        lines.append("No findings.")
        return clean("\n".join(lines) + "\n")
    lines += [
        "| | Severity (A / B) | Finding A | Finding B | Location | Decision |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        sev = " / ".join(f.severity.value if f else "—" for f in (row.a, row.b))
        title_a = f"{row.a.id}: {_cell(row.a.title)}" if row.a else "—"
        title_b = f"{row.b.id}: {_cell(row.b.title)}" if row.b else "—"
        loc_a, loc_b = _location(row.a), _location(row.b)
        if loc_a and loc_b and loc_a != loc_b:
            loc = f"`{loc_a}` / `{loc_b}`"
        else:
            loc = f"`{loc_a or loc_b}`" if (loc_a or loc_b) else ""
        lines.append(
            f"| {_GLYPH[row.kind]} {_LABEL[row.kind]} | {sev} | {title_a} | {title_b} "
            f"| {loc} | {_cell(_decision(decisions, row))} |"
        )
    return clean("\n".join(lines) + "\n")  # review text: controls made visible


#: Characters a relative URI path keeps as they are (RFC 3986 pchar plus "/").
_URI_SAFE = "/-._~!$&'()*+,;=@"


def sarif_uri(path: str) -> str:
    """A finding's file as a valid relative ``uri-reference``.

    Backslashes become forward slashes; everything outside RFC 3986's path
    characters (spaces, ``%``, ``#``, ``?``, ``:``, non-ASCII, controls) is
    percent-encoded, so no file name can turn into a scheme, query or fragment.
    """
    uri = quote(path.replace("\\", "/"), safe=_URI_SAFE)
    # "//x" would name a host: keep one leading slash.
    return "/" + uri.lstrip("/") if uri.startswith("//") else uri


def _rule_id(f: Finding) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", f.category.lower()).strip("-")
    return f"duo/{slug or 'finding'}"


def _sarif_result(
    f: Finding,
    side: str,
    reviewer: str,
    triage: str,
    counterpart: tuple[str, Finding] | None,
    score: float | None,
) -> dict[str, Any]:
    text = f.title if not f.detail else f"{f.title}\n\n{f.detail}"
    if f.suggestion:
        text += f"\n\nSuggestion: {f.suggestion}"
    props: dict[str, Any] = {
        "reviewer": reviewer,
        "side": side,
        "findingId": f.id,
        "severity": f.severity.value,
        "category": f.category,
        "triage": triage,
        "counterpart": None,
    }
    if counterpart is not None:
        other_side, other = counterpart
        props["counterpart"] = {
            "side": other_side,
            "findingId": other.id,
            "severity": other.severity.value,
            "title": other.title,
        }
        props["matchScore"] = score
    out: dict[str, Any] = {
        "ruleId": _rule_id(f),
        "level": _LEVEL[f.severity],
        "message": {"text": text},
        "properties": props,
    }
    if f.file:
        loc: dict[str, Any] = {"artifactLocation": {"uri": sarif_uri(f.file)}}
        if f.line_start is not None:
            region = {"startLine": f.line_start}
            if f.line_end is not None and f.line_end >= f.line_start:
                region["endLine"] = f.line_end
            loc["region"] = region
        out["locations"] = [{"physicalLocation": loc}]
    return out


def triage_sarif(a: Review, b: Review, result: TriageResult) -> dict[str, Any]:
    """SARIF 2.1.0: one run, one result per finding of either review.

    Each result's properties say the reviewer, `triage` (agreed,
    severity_conflict, only_a, only_b) and the counterpart finding if any.
    Review text is untrusted: its control characters are made visible.
    """
    return sarif_log([sarif_run(a, b, result)])


def sarif_log(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """A SARIF 2.1.0 log of `runs` (each from `sarif_run`)."""
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": runs}


def sarif_run(
    a: Review, b: Review, result: TriageResult, properties: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One SARIF run: a result per finding of either review (see `triage_sarif`)."""
    results: list[dict[str, Any]] = []
    for p in result.pairs:
        fa, fb = _finding(a, p.a), _finding(b, p.b)
        kind = "agreed" if p.kind == PairKind.AGREE else "severity_conflict"
        results.append(_sarif_result(fa, "a", a.reviewer, kind, ("b", fb), p.score))
        results.append(_sarif_result(fb, "b", b.reviewer, kind, ("a", fa), p.score))
    for fid in result.only_a:
        results.append(_sarif_result(_finding(a, fid), "a", a.reviewer, "only_a", None, None))
    for fid in result.only_b:
        results.append(_sarif_result(_finding(b, fid), "b", b.reviewer, "only_b", None, None))
    rules = sorted({r["ruleId"] for r in results})
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "duo-tui",
                "version": __version__,
                "informationUri": "https://github.com/duo-tui/duo-tui",
                "rules": [{"id": rid} for rid in rules],
            }
        },
        "properties": {"reviewers": {"a": a.reviewer, "b": b.reviewer}, **(properties or {})},
        "results": results,
    }
    cleaned: dict[str, Any] = clean_obj(run)  # review text: controls made visible
    return cleaned


def _findings(n: int) -> str:
    return f"{n} finding" if n == 1 else f"{n} findings"
