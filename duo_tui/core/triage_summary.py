"""What a round's triage adds up to: agreement counts, decisions taken, recurring rules,
and the findings marked fix that accepting now would leave unfixed.

The workbench's rail and the triage screen's header show the same numbers; they
are computed here, once, from the typed groups of `core.artifacts`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from duo_tui.core.artifacts import TriageGroup
from duo_tui.core.convergence_rule import below_the_bar


@dataclass(frozen=True)
class AgreementCounts:
    """How the reviewers' findings match: agreed, severity conflicts, one reviewer only."""

    total: int
    agreed: int
    severity: int
    only: tuple[int, ...]
    """Findings only reviewer i reported, for i in 0..reviewers-1."""

    def only_by(self) -> dict[int, int]:
        """Reviewer -> its lone findings, for the reviewers that have any."""
        return {i: n for i, n in enumerate(self.only) if n}


def agreement_counts(groups: Iterable[TriageGroup], reviewers: int = 2) -> AgreementCounts:
    """The counts of `groups`; `only` has one entry per reviewer (at least `reviewers`)."""
    groups = list(groups)
    lone = [g.members[0].reviewer for g in groups if g.kind == "only" and g.members]
    width = max([reviewers, *(r + 1 for r in lone)])
    return AgreementCounts(
        total=len(groups),
        agreed=sum(1 for g in groups if g.kind == "agree"),
        severity=sum(1 for g in groups if g.kind == "severity"),
        only=tuple(lone.count(i) for i in range(width)),
    )


@dataclass(frozen=True)
class DecisionCounts:
    """How far the human got: groups decided (not pending) and groups marked fix."""

    decided: int
    fix: int


def decision_counts(keys: Iterable[str], decisions: Mapping[str, str]) -> DecisionCounts:
    """The decisions of the groups `keys` (a key without a decision is pending)."""
    keys = list(keys)
    return DecisionCounts(
        decided=sum(1 for k in keys if decisions.get(k, "pending") != "pending"),
        fix=sum(1 for k in keys if decisions.get(k) == "fix"),
    )


def recurring_rule(title: str, suggestion: str = "") -> str:
    """The constitution rule a finding marked recurring becomes (`.ai/constitution.md`)."""
    return f"Avoid: {title}" + (f" — {suggestion}" if suggestion else "")


def left_unfixed(
    groups: Iterable[TriageGroup],
    decisions: Mapping[str, str],
    chosen: Collection[str],
    max_high: int,
) -> list[TriageGroup]:
    """The findings marked fix that accepting the triage now would not fix.

    `chosen` are the findings the human decided at this checkpoint. One of them
    marked fix makes a fix round, and that round fixes every finding marked fix
    (as does a round whose marks are above the bar); otherwise the marks the human
    left as suggested (or carried over) are below the bar, and the round converges
    without fixing them (`core.convergence.judge`).
    """
    marked = [g for g in groups if decisions.get(g.key, g.decision) == "fix"]
    if any(g.key in chosen for g in marked):
        return []
    return marked if below_the_bar((g.severity for g in marked), max_high) else []


def unfixed_notice(left: Iterable[TriageGroup], keys: str = "f") -> str:
    """What the triage checkpoint says before the accept about `left_unfixed`'s findings
    ("" when there are none); `keys` mark one fix from where it is read ("t, then f")."""
    named = [g.key for g in left]
    if not named:
        return ""
    one = len(named) == 1
    return (
        f"accept commits: {len(named)} finding{'' if one else 's'} marked fix "
        f"({', '.join(named)}) {'is' if one else 'are'} below the bar and won't be fixed — "
        f"press {keys} on {'it' if one else 'one'} to have it fixed"
    )
