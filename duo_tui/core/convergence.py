"""The convergence rule and the reasons a loop stops early.

A round is clean when no fix-marked critical finding remains and at most
`max_high` fix-marked high ones: that is what autopilot decides by. A finding
the human marked fix at the checkpoint (manual mode) is never below that bar: it
always makes a fix round (`judge`'s `asked`). The loop stops after `max_rounds`,
when the same critical finding keeps coming back (the models argue in circles),
or when a fix makes the gate worse.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from duo_tui.core.convergence_rule import below_the_bar
from duo_tui.core.models import (
    Finding,
    FindingDecision,
    JudgeVerdict,
    Review,
    Severity,
    TriageResult,
)
from duo_tui.limits import Limits


@dataclass(frozen=True)
class MergedFinding:
    """One problem after triage: one or more reviewers' findings of it."""

    key: str  # group key, e.g. "G3"
    members: tuple[tuple[int, Finding], ...]  # (reviewer index, finding)
    kind: str  # agree | severity | only
    by: str = ""  # "judge" or "human" when they made (or split) this grouping, not the matcher
    judge: tuple[JudgeVerdict, ...] = ()  # the judge's verdicts about these findings

    @property
    def severity(self) -> Severity:
        return min((f.severity for _, f in self.members), key=lambda s: s.rank)

    @property
    def title(self) -> str:
        return self.members[0][1].title

    @property
    def finding_keys(self) -> list[str]:
        return [f"R{i}:{f.id}" for i, f in self.members]


def _verdicts(res: TriageResult, side: int, fid: str) -> tuple[JudgeVerdict, ...]:
    """The judge's verdicts that left finding `fid` of `side` unpaired."""
    return tuple(v for v in res.judge if v.applied != "joined" and (v.a, v.b)[side] == fid)


def merge_reviews(
    reviews: list[Review], limits: Limits | None = None, result: TriageResult | None = None
) -> list[MergedFinding]:
    """Triage any number of reviews into problems, most severe and most agreed first
    (matched within `limits`, the session's `[limits]`).

    Two reviews are matched by `match_reviews`, unless `result` is their match
    already (e.g. settled by the judge, whose verdicts then go with the findings).
    """
    from duo_tui.core.triage import match_reviews
    from duo_tui.core.triage_multi import group_findings

    merged: list[MergedFinding] = []
    if len(reviews) == 2:
        a, b = reviews
        res = result if result is not None else match_reviews(a, b, limits=limits)
        # A one-to-many group shows as one problem: the pair and the findings it covers.
        extra = {(tg.a[0], tg.b[0]): tg for tg in res.groups}
        covered = {x for tg in res.groups for x in (*tg.a[1:], *tg.b[1:])}
        for p in res.pairs:
            group = extra.get((p.a, p.b))
            ids_a, ids_b = (group.a, group.b) if group is not None else ([p.a], [p.b])
            members = [(0, f) for x in ids_a if (f := a.finding(x))]
            members += [(1, f) for x in ids_b if (f := b.finding(x))]
            if len(members) >= 2:
                said = tuple(v for v in res.judge if (v.a, v.b) == (p.a, p.b))
                merged.append(MergedFinding("", tuple(members), p.kind.value, p.by or "", said))
        for side, review, only in ((0, a, res.only_a), (1, b, res.only_b)):
            for fid in only:
                f = review.finding(fid)
                if fid in covered or f is None:
                    continue
                said = _verdicts(res, side, fid)
                by = "judge" if any(v.applied == "split" for v in said) else ""
                merged.append(MergedFinding("", ((side, f),), "only", by, said))
    else:
        for g in group_findings(reviews):
            kind = {"agreed": "agree", "severity": "severity"}.get(str(g.kind), "only")
            merged.append(MergedFinding("", tuple(g.members), kind))
    order = {"agree": 0, "severity": 1, "only": 2}
    merged.sort(key=lambda m: (m.severity.rank, order.get(m.kind, 2), m.members[0][0]))
    return [replace(m, key=f"G{i}") for i, m in enumerate(merged, 1)]


def group_table(merged: list[MergedFinding], decisions: dict[str, str]) -> list[dict[str, Any]]:
    """The triage as plain data: what the UI shows and the session stores.

    A group the judge or the human made (or split) says so in ``by``; the judge's
    verdicts about its findings are in ``judge`` (both keys only when they apply).
    """
    rows: list[dict[str, Any]] = []
    for m in merged:
        row: dict[str, Any] = {
            "key": m.key,
            "kind": m.kind,
            "severity": m.severity.value,
            "title": m.title,
            "members": [
                {"reviewer": i, "finding": f.model_dump(exclude_none=True)} for i, f in m.members
            ],
            "decision": decisions.get(m.key, "pending"),
        }
        if m.by:
            row["by"] = m.by
        if m.judge:
            row["judge"] = [v.model_dump() for v in m.judge]
        rows.append(row)
    return rows


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
    merged: list[MergedFinding],
    decisions: dict[str, FindingDecision],
    max_high: int,
    asked: Collection[str] = (),
) -> Verdict:
    """The round's verdict. `asked` are the findings the human marked fix at the
    checkpoint: each one makes the round unclean, whatever its severity (the rule
    itself decides only what autopilot or the triage's suggestion marked)."""
    fix = [m for m in merged if decisions.get(m.key) == FindingDecision.FIX]
    crit = sum(1 for m in fix if m.severity == Severity.CRITICAL)
    high = sum(1 for m in fix if m.severity == Severity.HIGH)
    wanted = [m.key for m in fix if m.key in asked]
    clean = below_the_bar((m.severity.value for m in fix), max_high) and not wanted
    why = f"{crit} critical and {high} high finding(s) marked fix (limit: 0 critical, {max_high} high)"
    if wanted:
        why += f"; the human marked {', '.join(wanted)} fix"
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
