"""Each round's triage starts fresh; only a recurring finding keeps its earlier decision.

A later round's findings get new group keys (G1, G2, ...) that have nothing to do
with the previous round's keys, so a decision must never be carried by key. Here
the previous round's findings are matched to this round's with the triage matcher
(`duo_tui.core.triage.match_reviews`), one-to-one: a finding that the matcher calls
the same problem may start with the previous round's decision, marked as carried
over (the UI shows it; the log says so). Every other finding starts from the
convergence rule's suggestion (`auto_decision`), marked as suggested.

`Preselection` is what the triage checkpoint starts from; `resolve` turns it and
the human's (or autopilot's) explicit choices into the round's decisions, each
labelled with who made it. Convergence is judged on those decisions only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from duo_tui.core.convergence import MergedFinding, auto_decision
from duo_tui.core.models import Finding, FindingDecision, Review
from duo_tui.limits import Limits

#: Where a finding's decision came from.
SOURCE_HUMAN = "human"
SOURCE_AUTOPILOT = "autopilot"
SOURCE_CARRIED = "carried"
SOURCE_SUGGESTED = "suggested"


@dataclass(frozen=True)
class Carried:
    """A decision taken over from the same finding of an earlier round."""

    decision: FindingDecision
    round: int
    key: str  # that round's group key
    reason: str = ""  # its accept-risk reason, if any

    def as_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision.value,
            "round": self.round,
            "key": self.key,
            "reason": self.reason,
        }


@dataclass
class Preselection:
    """The decisions a round's triage starts from, and where each came from."""

    decisions: dict[str, FindingDecision] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    carried: dict[str, Carried] = field(default_factory=dict)

    def reasons(self) -> dict[str, str]:
        return {
            k: c.reason
            for k, c in self.carried.items()
            if c.reason and c.decision == FindingDecision.ACCEPT_RISK
        }


@dataclass
class Resolved:
    """A round's final decisions: each with its source, reasons only where they apply."""

    decisions: dict[str, FindingDecision]
    sources: dict[str, str]
    reasons: dict[str, str]
    ignored: list[str]  # keys the decision named that are no finding of this round


def _as_finding(member: dict[str, Any], key: str) -> Finding | None:
    try:
        return Finding.model_validate({**member, "id": key})
    except ValueError:
        return None


def previous_findings(table: Any) -> dict[str, tuple[Finding, FindingDecision, str]]:
    """A stored `triage.json` (the dict written after the decision) as
    {group key: (representative finding, its decision, its reason)}.

    Anything malformed is skipped: a stored file is not trusted to be well-formed.
    """
    out: dict[str, tuple[Finding, FindingDecision, str]] = {}
    if not isinstance(table, dict):
        return out
    groups = table.get("groups")
    decisions = table.get("decisions")
    raw_reasons = table.get("reasons")
    reasons: dict[str, Any] = raw_reasons if isinstance(raw_reasons, dict) else {}
    if not isinstance(groups, list) or not isinstance(decisions, dict):
        return out
    for g in groups:
        if not isinstance(g, dict) or not isinstance(g.get("key"), str):
            continue
        key = g["key"]
        try:
            decision = FindingDecision(str(decisions.get(key)))
        except ValueError:
            continue
        members = g.get("members")
        if not isinstance(members, list) or not members or not isinstance(members[0], dict):
            continue
        f = _as_finding(members[0].get("finding") or {}, key)
        if f is None:
            continue
        reason = reasons.get(key) if isinstance(reasons.get(key), str) else ""
        out[key] = (f, decision, reason or "")
    return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def fix_lines(table: Any) -> list[str] | None:
    """The findings a stored `triage.json` decided to fix, one prompt line each; None
    when it is no triage table at all.

    Like `previous_findings`, malformed groups and members are skipped: the file
    is not trusted to be well-formed.
    """
    if not isinstance(table, dict):
        return None
    groups = table.get("groups")
    decisions = table.get("decisions")
    if not isinstance(groups, list) or not isinstance(decisions, dict):
        return None
    lines: list[str] = []
    for g in groups:
        if not isinstance(g, dict) or not isinstance(g.get("key"), str):
            continue
        if decisions.get(g["key"]) != FindingDecision.FIX.value:
            continue
        members = g.get("members")
        found = [
            m["finding"]
            for m in (members if isinstance(members, list) else [])
            if isinstance(m, dict) and isinstance(m.get("finding"), dict)
        ]
        where = "; ".join(f"{_text(f.get('file'))} {_text(f.get('detail'))}" for f in found)
        lines.append(f"- [{_text(g.get('severity'))}] {_text(g.get('title'))}: {where}")
    return lines


def preselect(
    merged: list[MergedFinding],
    previous: dict[str, tuple[Finding, FindingDecision, str]] | None = None,
    previous_round: int = 0,
    limits: Limits | None = None,
) -> Preselection:
    """Start a round's triage: carried decisions for recurring findings, else suggestions."""
    pre = Preselection()
    for m in merged:
        pre.decisions[m.key] = auto_decision(m)
        pre.sources[m.key] = SOURCE_SUGGESTED
    if not previous or not merged:
        return pre
    from duo_tui.core.triage import match_reviews

    before = Review(reviewer="previous round", findings=[f for f, _d, _r in previous.values()])
    now = Review(
        reviewer="this round",
        findings=[m.members[0][1].model_copy(update={"id": m.key}) for m in merged],
    )
    for pair in match_reviews(before, now, limits=limits).pairs:
        _f, decision, reason = previous[pair.a]
        carried = Carried(decision, previous_round, pair.a, reason)
        pre.decisions[pair.b] = decision
        pre.sources[pair.b] = SOURCE_CARRIED
        pre.carried[pair.b] = carried
    return pre


def resolve(
    merged: list[MergedFinding],
    pre: Preselection,
    chosen: dict[str, str],
    reasons: dict[str, str],
    by: str,
) -> Resolved:
    """This round's decisions: the explicit choices (`by` the human or autopilot) over
    the preselection. Choices for keys that are no finding of this round are ignored
    (and reported); a reason is kept only for an accept-risk decision."""
    keys = {m.key for m in merged}
    decisions = dict(pre.decisions)
    sources = dict(pre.sources)
    ignored: list[str] = []
    for key, value in chosen.items():
        if key not in keys:
            ignored.append(key)
            continue
        try:
            decisions[key] = FindingDecision(value)
        except ValueError:
            ignored.append(key)
            continue
        sources[key] = by
    kept: dict[str, str] = {}
    carried_reasons = pre.reasons()
    for key, d in decisions.items():
        if d != FindingDecision.ACCEPT_RISK:
            continue
        if sources[key] == SOURCE_CARRIED:
            reason = reasons.get(key) or carried_reasons.get(key, "")
        else:
            reason = reasons.get(key, "")
        if reason:
            kept[key] = reason
    return Resolved(decisions, sources, kept, sorted(ignored))
