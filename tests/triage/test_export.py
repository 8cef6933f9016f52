"""Markdown and SARIF exports of a triage."""

from __future__ import annotations

import json

from duo_tui.core.triage import match_reviews
from duo_tui.core.triage_export import triage_markdown, triage_sarif

from .helpers import finding, review
from .test_matching import CONTEXT_MANAGER, FD_LEAK, TEXT_MODE, TRAVERSAL_A, TRAVERSAL_B

A = review("openai/gpt-5.5", TRAVERSAL_A, FD_LEAK, finding("F9", "pipe | in title", file=None))
B = review("anthropic/claude", TEXT_MODE, TRAVERSAL_B, CONTEXT_MANAGER)
RESULT = match_reviews(A, B)


def test_result_shape_used_below() -> None:
    assert {(p.a, p.b) for p in RESULT.pairs} == {("F1", "F7"), ("F2", "F4")}


def test_markdown_table() -> None:
    md = triage_markdown(A, B, RESULT, decisions={"a:F1": "fix", "b:F3": "dismiss"})
    lines = md.splitlines()
    assert lines[0] == "## Review triage"
    header = next(i for i, line in enumerate(lines) if line.startswith("| |"))
    rows = lines[header + 2 :]
    assert len(rows) == 4  # 2 pairs, F9 only A, F3 only B
    first = rows[0]  # most severe pair first
    assert "severity conflict" in first and "critical / high" in first
    assert "F1: Path traversal" in first and "F7: User-controlled" in first
    assert "`app/reports.py:18-21` / `app/reports.py:36-41`" in first
    assert first.rstrip().endswith("| fix |")
    assert any("agreed" in r and "low / low" in r and "`app/reports.py:40`" in r for r in rows)
    only_b = next(r for r in rows if "only B" in r)
    assert "F3:" in only_b and "dismiss" in only_b
    assert "pipe \\| in title" in md
    assert "severity conflict: 1" in md and "agreed: 1" in md


def test_markdown_empty() -> None:
    empty = review("x")
    assert "No findings." in triage_markdown(empty, empty, match_reviews(empty, empty))


def test_sarif() -> None:
    doc = triage_sarif(A, B, RESULT)
    json.dumps(doc)  # serialisable
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    results = run["results"]
    assert len(results) == len(A.findings) + len(B.findings)
    by_key = {(r["properties"]["side"], r["properties"]["findingId"]): r for r in results}
    r = by_key[("a", "F1")]
    assert r["level"] == "error"
    assert r["properties"]["triage"] == "severity_conflict"
    assert r["properties"]["counterpart"]["findingId"] == "F7"
    assert r["locations"][0]["physicalLocation"]["region"] == {"startLine": 18, "endLine": 21}
    assert by_key[("b", "F4")]["properties"]["triage"] == "agreed"
    assert by_key[("b", "F4")]["level"] == "note"
    assert by_key[("b", "F3")]["properties"]["triage"] == "only_b"
    assert by_key[("b", "F3")]["properties"]["counterpart"] is None
    assert "locations" not in by_key[("a", "F9")]
    assert by_key[("a", "F9")]["level"] == "warning"  # medium
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {res["ruleId"] for res in results} == rule_ids
