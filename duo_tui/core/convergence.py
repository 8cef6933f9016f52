"""The convergence rule and the reasons a loop stops early.

A round is clean when no fix-marked critical finding remains and at most
`max_high` fix-marked high ones. The loop stops after `max_rounds`, when the
same critical finding keeps coming back (the models argue in circles), or when
a fix makes the gate worse.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from duo_tui.core.models import Finding, FindingDecision, Review, Severity
from duo_tui.limits import Limits


@dataclass(frozen=True)
class MergedFinding:
    """One problem after triage: one or more reviewers' findings of it."""

    key: str  # group key, e.g. "G3"
    members: tuple[tuple[int, Finding], ...]  # (reviewer index, finding)
    kind: str  # agree | severity | only

    @property
    def severity(self) -> Severity:
        return min((f.severity for _, f in self.members), key=lambda s: s.rank)

    @property
    def title(self) -> str:
        return self.members[0][1].title

    @property
    def finding_keys(self) -> list[str]:
        return [f"R{i}:{f.id}" for i, f in self.members]


def merge_reviews(reviews: list[Review], limits: Limits | None = None) -> list[MergedFinding]:
    """Triage any number of reviews into problems, most severe and most agreed first
    (matched within `limits`, the session's `[limits]`)."""
    from duo_tui.core.triage import group_findings, match_reviews

    merged: list[MergedFinding] = []
    if len(reviews) == 2:
        a, b = reviews
        res = match_reviews(a, b, limits=limits)
        # A one-to-many group shows as one problem: the pair and the findings it covers.
        extra = {(tg.a[0], tg.b[0]): tg for tg in res.groups}
        covered = {x for tg in res.groups for x in (*tg.a[1:], *tg.b[1:])}
        for p in res.pairs:
            group = extra.get((p.a, p.b))
            ids_a, ids_b = (group.a, group.b) if group is not None else ([p.a], [p.b])
            members = [(0, f) for x in ids_a if (f := a.finding(x))]
            members += [(1, f) for x in ids_b if (f := b.finding(x))]
            if len(members) >= 2:
                merged.append(MergedFinding("", tuple(members), p.kind.value))
        merged += [
            MergedFinding("", ((0, f),), "only")
            for fid in res.only_a
            if fid not in covered and (f := a.finding(fid))
        ]
        merged += [
            MergedFinding("", ((1, f),), "only")
            for fid in res.only_b
            if fid not in covered and (f := b.finding(fid))
        ]
    else:
        for g in group_findings(reviews):
            kind = {"agreed": "agree", "severity": "severity"}.get(str(g.kind), "only")
            merged.append(MergedFinding("", tuple(g.members), kind))
    order = {"agree": 0, "severity": 1, "only": 2}
    merged.sort(key=lambda m: (m.severity.rank, order.get(m.kind, 2), m.members[0][0]))
    return [MergedFinding(f"G{i}", m.members, m.kind) for i, m in enumerate(merged, 1)]


def group_table(merged: list[MergedFinding], decisions: dict[str, str]) -> list[dict[str, Any]]:
    """The triage as plain data: what the UI shows and the session stores."""
    return [
        {
            "key": m.key,
            "kind": m.kind,
            "severity": m.severity.value,
            "title": m.title,
            "members": [
                {"reviewer": i, "finding": f.model_dump(exclude_none=True)} for i, f in m.members
            ],
            "decision": decisions.get(m.key, "pending"),
        }
        for m in merged
    ]


def auto_decision(m: MergedFinding) -> FindingDecision:
    """Autopilot: fix every critical and high finding, defer the rest."""
    if m.severity in (Severity.CRITICAL, Severity.HIGH):
        return FindingDecision.FIX
    return FindingDecision.DEFER


def severity_counts(merged: list[MergedFinding]) -> dict[str, int]:
    c = Counter(m.severity.value for m in merged)
    return {s.value: c.get(s.value, 0) for s in Severity}


@dataclass(frozen=True)
class Verdict:
    clean: bool
    critical: int
    high: int
    why: str


def judge(
    merged: list[MergedFinding], decisions: dict[str, FindingDecision], max_high: int
) -> Verdict:
    fix = [m for m in merged if decisions.get(m.key) == FindingDecision.FIX]
    crit = sum(1 for m in fix if m.severity == Severity.CRITICAL)
    high = sum(1 for m in fix if m.severity == Severity.HIGH)
    clean = crit == 0 and high <= max_high
    why = f"{crit} critical and {high} high finding(s) marked fix (limit: 0 critical, {max_high} high)"
    return Verdict(clean, crit, high, why)


def critical_fingerprints(merged: list[MergedFinding]) -> list[Finding]:
    return [m.members[0][1] for m in merged if m.severity == Severity.CRITICAL]


def same_criticals(
    previous: list[Finding], current: list[Finding], limits: Limits | None = None
) -> list[str]:
    """Titles of current critical findings that match one of the previous round's."""
    if not previous or not current:
        return []
    from duo_tui.core.triage import match_reviews

    a = Review(
        reviewer="previous",
        findings=[f.model_copy(update={"id": f"P{i}"}) for i, f in enumerate(previous)],
    )
    b = Review(
        reviewer="current",
        findings=[f.model_copy(update={"id": f"C{i}"}) for i, f in enumerate(current)],
    )
    result = match_reviews(a, b, limits=limits)
    titles = []
    for p in result.pairs:
        f = b.finding(p.b)
        if f is not None:
            titles.append(f.title)
    return titles
